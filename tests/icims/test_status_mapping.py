"""The tenant mapping's status meanings: one matcher for both id forms, and no status with two meanings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from icims.mapping import StatusOutcome, TenantMapping, same_status

MAPPING = TenantMapping(
    offer_ready_statuses=["C20001"],
    offer_accepted_status="C20003",
    offer_declined_status="C20004",
    offer_accepted_statuses=["D30009"],
    offer_declined_statuses=["C20014"],
    offer_withdrawn_statuses=["C20005", "77"],
)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("C20001", "C20001", True),
        ("C20001", "20001", True),
        (" 20001 ", "C20001", True),
        ("C20001", "D20001", False),  # two REST ids differing in their prefix are two statuses
        ("20001", "20002", False),
        ("", "", False),
        ("Hired", "", False),
    ],
)
def test_a_status_matches_its_numeric_form_but_not_another_prefix(a: str, b: str, same: bool) -> None:
    assert same_status(a, b) is same
    assert same_status(b, a) is same


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("C20003", StatusOutcome.ACCEPTED),
        ("20003", StatusOutcome.ACCEPTED),
        ("30009", StatusOutcome.ACCEPTED),
        ("20004", StatusOutcome.DECLINED),
        ("C20014", StatusOutcome.DECLINED),
        ("20005", StatusOutcome.WITHDRAWN),
        ("C77", StatusOutcome.WITHDRAWN),  # a tenant may list only the numeric form
        ("C20001", None),
        ("20002", None),
        (None, None),
    ],
)
def test_each_incoming_status_has_the_meaning_the_tenant_gave_it(status: str | None, outcome: StatusOutcome) -> None:
    assert MAPPING.outcome_of(status) is outcome
    assert MAPPING.ends_offer(status) is (outcome is not None)


def test_the_offer_ready_status_matches_in_both_forms() -> None:
    assert MAPPING.is_offer_ready("C20001")
    assert MAPPING.is_offer_ready("20001")
    assert not MAPPING.is_offer_ready("20003")


def test_without_end_statuses_nothing_ends_an_offer() -> None:
    bare = TenantMapping(offer_ready_statuses=["C1"])
    assert [bare.outcome_of(s) for s in ("C1", "C3", "3")] == [None, None, None]
    assert bare.statuses_for(StatusOutcome.ACCEPTED) == []


@pytest.mark.parametrize(
    "clash",
    [
        {"offer_ready_statuses": ["C20001"], "offer_withdrawn_statuses": ["20001"]},
        {"offer_accepted_status": "C20003", "offer_declined_statuses": ["C20003"]},
        {"offer_accepted_statuses": ["C9"], "offer_withdrawn_statuses": ["9"]},
    ],
)
def test_a_status_with_two_meanings_is_a_configuration_error(clash: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="listed both as"):
        TenantMapping.model_validate(clash)
