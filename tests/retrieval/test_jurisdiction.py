from __future__ import annotations

import pytest

from retrieval.jurisdiction import COMPANY_WIDE, InvalidJurisdictionError, normalise, normalise_many, visible_to


@pytest.mark.parametrize(
    ("raw", "code"),
    [("us", "US"), (" US-ca ", "US-CA"), ("uk", "GB"), ("UK-SCT", "GB-SCT"), ("global", "ALL"), ("us_ny", "US-NY")],
)
def test_normalise(raw: str, code: str) -> None:
    assert normalise(raw) == code


@pytest.mark.parametrize("raw", ["", "USA", "Narnia", "U", "US-", "12"])
def test_invalid_codes_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidJurisdictionError):
        normalise(raw)


def test_declarations() -> None:
    assert normalise_many(None) == [COMPANY_WIDE]
    assert normalise_many("US-CA, us-ny") == ["US-CA", "US-NY"]
    assert normalise_many(["GB", "ALL"]) == [COMPANY_WIDE]


def test_a_reader_sees_own_region_its_country_and_company_wide_only() -> None:
    assert visible_to("US-CA") == ["ALL", "US", "US-CA"]
    assert visible_to("gb") == ["ALL", "GB"]
    assert "US-NY" not in visible_to("US-CA")
