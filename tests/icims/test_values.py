"""Value coercers: exact readings of iCIMS shapes, typed errors for everything else, never a crash."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from icims.values import (
    ValueCoercionError,
    as_code,
    as_date,
    as_datetime,
    as_decimal,
    as_int,
    as_text,
    currency_of,
    is_empty,
)

MONEY = {"amount": 185000, "amountstring": "185,000.00", "currency": "usd"}
COUNTRY = {"id": "D41001", "value": "United States", "formattedvalue": "United States", "abbrev": "US"}
PERSON_LINK = {"profile": "https://api.icims.com/customers/1/people/7", "id": 7, "value": "Grace Liu"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (185000, Decimal(185000)),
        (12.5, Decimal("12.5")),
        ("185,000.50", Decimal("185000.50")),
        (" -1,234 ", Decimal(-1234)),
        (MONEY, Decimal(185000)),
        ({"amountstring": "9,000.00", "currency": "GBP"}, Decimal("9000.00")),
        ({"currency": "GBP"}, None),
        (None, None),
        ("  ", None),
    ],
)
def test_as_decimal(value: object, expected: Decimal | None) -> None:
    assert as_decimal(value) == expected


@pytest.mark.parametrize("value", ["12,34", "1.2.3", "$100", "1e5", "NaN", float("inf"), True, COUNTRY, ["1"]])
def test_as_decimal_refuses_to_guess(value: object) -> None:
    with pytest.raises(ValueCoercionError, match="cannot read"):
        as_decimal(value)


def test_currency_of() -> None:
    assert currency_of(MONEY) == "USD"
    assert currency_of(" eur ") == "EUR"
    assert currency_of({"id": "C1", "value": "GBP"}) == "GBP"
    assert currency_of(185000) is None
    assert currency_of({"amount": 5}) is None
    for bad in ("US Dollars", "€", {"amount": 1, "currency": "dollars"}, True):
        with pytest.raises(ValueCoercionError):
            currency_of(bad)


def test_dates() -> None:
    assert as_date("2027-02-01") == date(2027, 2, 1)
    assert as_date("2019-04-10 07:12 PM") == date(2019, 4, 10)
    assert as_datetime("2019-04-10 07:12 PM") == datetime(2019, 4, 10, 19, 12, tzinfo=UTC)
    assert as_datetime("2019-04-10 12:05 am") == datetime(2019, 4, 10, 0, 5, tzinfo=UTC)
    assert as_datetime("2019-04-10") == datetime(2019, 4, 10, tzinfo=UTC)
    assert as_date(None) is None
    for bad in ("2027-02-30", "02/01/2027", "2027-2-1", "2019-04-10 19:12", 20270201):
        with pytest.raises(ValueCoercionError, match="date"):
            as_date(bad)


def test_text_and_codes() -> None:
    assert as_text(" Hybrid ") == "Hybrid"
    assert as_text({"id": "C31071", "value": "Hybrid", "formattedvalue": "Hybrid"}) == "Hybrid"
    assert as_text(PERSON_LINK) == "Grace Liu"
    assert as_text([{"id": "C1", "value": "A"}, {"id": "C2", "value": "B"}]) == "A, B"
    assert as_text(10) == "10"
    assert as_code(COUNTRY) == "US"
    assert as_code({"id": "D41001005", "value": "California", "abbrev": "CA"}) == "CA"
    assert as_code("gb") == "GB"
    with pytest.raises(ValueCoercionError, match="code"):
        as_code({"id": "D41002", "value": "United Kingdom"})
    with pytest.raises(ValueCoercionError):
        as_text({"id": "C1"})


def test_as_int() -> None:
    assert as_int("4,000") == 4000
    assert as_int(20.0) == 20
    assert as_int(None) is None
    for bad in (2.5, "2.5", MONEY, True):
        with pytest.raises(ValueCoercionError):
            as_int(bad)


def test_is_empty() -> None:
    assert all(is_empty(v) for v in (None, "", " ", [], {}, {"amount": None}, [None, ""]))
    assert not any(is_empty(v) for v in (0, False, "x", [0], {"id": "C1"}))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.decimals(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["amount", "amountstring", "currency", "id", "value", "formattedvalue", "abbrev", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)


@given(json_values)
def test_coercers_only_ever_raise_their_typed_error(value: object) -> None:
    for coerce in (as_decimal, as_int, currency_of, as_date, as_datetime, as_text, as_code):
        try:
            coerce(value)
        except ValueCoercionError as exc:
            message = str(exc)
        else:
            message = "cannot read (no error)"
        assert message.startswith("cannot read")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_decimal_round_trips_through_icims_amountstring(amount: Decimal) -> None:
    text = f"{amount:,.2f}"
    assert as_decimal(text) == amount
    assert as_decimal({"amount": None, "amountstring": text, "currency": "CAD"}) == amount
