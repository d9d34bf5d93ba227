"""Policy expressions read in words (review mode's guidance), from their structure, never as the source text."""

from __future__ import annotations

import pytest

from offer_engine.catalogue import staff_label
from offer_engine.policy import parse
from offer_engine.policy.describe import describe


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("min(band.max, base_salary * 1.10)", "10 % above the current base salary, capped at the band maximum"),
        ("min(base_salary * 1.05, band.max)", "5 % above the current base salary, capped at the band maximum"),
        ("grid.sign_on_threshold", "the sign on threshold set in the policy for this role"),
        ("max(pto_days, 25)", "the current paid time off (days), at least 25"),
        ("add_weeks(start_date, 4)", "4 weeks after the current start date"),
        ("base_salary * 0.9", "10 % below the current base salary"),
        ("bonus_target_percent", "the current bonus target"),
        (
            "requested != 'remote' or grid.remote_eligible",
            "the requested value is not “remote”, or the remote eligible set in the policy for this role",
        ),
        ("false", "never"),
        ("previous.base_salary + 5000", "the previous base salary plus 5,000"),
    ],
)
def test_an_expression_reads_as_words(source: str, words: str) -> None:
    assert describe(parse(source), staff_label) == words


def test_a_tenant_label_names_the_term() -> None:
    def label(key: str) -> str:
        return {"base_salary": "annual pay"}.get(key, key)

    assert describe(parse("base_salary * 1.2"), label) == "20 % above the current annual pay"
