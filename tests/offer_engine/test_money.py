"""Money, percentages, counts and dates per locale, and reading them back from text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offer_engine.money import (
    extract_figures,
    format_count,
    format_date,
    format_money,
    format_percent_value,
    locale_for,
    parse_number,
)


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "printed"),
    [
        ("185000", "USD", "en_US", "$185,000.00"),
        ("118000", "GBP", "en_GB", "£118,000.00"),
        ("185000", "USD", "es_US", "$185,000.00"),
        ("185000.5", "EUR", "de_DE", "185.000,50\u00a0€"),
        ("1200000", "JPY", "ja_JP", "￥1,200,000"),
        ("55.25", "USD", "en_US", "$55.25"),
        ("4200000", "INR", "hi_IN", "₹42,00,000.00"),
    ],
)
def test_money_always_prints_the_currency_minor_units(amount: str, currency: str, locale: str, printed: str) -> None:
    assert format_money(Decimal(amount), currency, locale) == printed


@pytest.mark.parametrize(
    ("jurisdiction", "language", "locale"),
    [("US-CA", "en", "en_US"), ("GB", "en", "en_GB"), ("US-CO", "es", "es_US"), ("US-NY", "es-MX", "es_US"),
     ("DE", "en", "en_DE"), ("FR", "fr", "fr_FR"), ("US-TX", "de", "en_US"), ("ZZ", "en", "en")],
)  # fmt: skip
def test_locale_for_prefers_the_language_in_the_country(jurisdiction: str, language: str, locale: str) -> None:
    assert locale_for(jurisdiction, language) == locale


@pytest.mark.parametrize(
    ("locale", "printed"),
    [("en_US", "February 1, 2027"), ("en_GB", "1 February 2027"), ("es_US", "1 de febrero de 2027"),
     ("de_DE", "1. Februar 2027")],
)  # fmt: skip
def test_dates_print_in_the_long_form_of_the_locale(locale: str, printed: str) -> None:
    assert format_date(date(2027, 2, 1), locale) == printed


def test_percent_and_count_follow_the_locale() -> None:
    assert format_percent_value(Decimal(10), "en_US") == "10%"
    assert format_percent_value(Decimal("12.5"), "en_GB") == "12.5%"
    assert format_percent_value(Decimal("12.5"), "de_DE") == "12,5\u00a0%"
    assert format_count(4000, "en_US") == "4,000"
    assert format_count(4000, "fr_FR") == "4\u202f000"


NUMBERS = [("185,000.00", "en_US", "185000"), ("185.000,50", "de_DE", "185000.5"), ("4\u202f000", "fr_FR", "4000"),
           ("12,34,567.5", "hi_IN", "1234567.5")]  # fmt: skip


@pytest.mark.parametrize(("text", "locale", "value"), NUMBERS)
def test_parse_number(text: str, locale: str, value: str) -> None:
    assert parse_number(text, locale) == Decimal(value)


LOCALES = st.sampled_from([("en_US", "USD"), ("en_GB", "GBP"), ("es_US", "USD"), ("de_DE", "EUR"), ("fr_FR", "EUR"),
                           ("ja_JP", "JPY"), ("hi_IN", "INR"), ("de_CH", "CHF"), ("en_IN", "INR")])  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    locale_currency=LOCALES,
    cents=st.integers(min_value=0, max_value=10**11),
    percent=st.decimals(min_value=0, max_value=100, places=1),
    count=st.integers(min_value=0, max_value=10**7),
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
)
def test_everything_the_formatters_print_is_read_back(
    locale_currency: tuple[str, str], cents: int, percent: Decimal, count: int, day: date
) -> None:
    locale, currency = locale_currency
    amount = Decimal(cents) / 100 if currency not in {"JPY"} else Decimal(cents)
    text = (
        f"Pay {format_money(amount, currency, locale)} with {format_percent_value(percent, locale)} bonus, "
        f"{format_count(count, locale)} units, from {format_date(day, locale)}."
    )
    figures = extract_figures(text, locale, currency)
    assert [(f.kind, f.value) for f in figures] == [
        ("money", amount),
        ("percent", percent),
        ("number", Decimal(count)),
        ("date", day),
    ], text
    assert figures[0].currency == currency


def test_extraction_reads_each_figure_once_and_ignores_digits_glued_to_letters() -> None:
    text = "Form I-9, an H-1B, Apt 3B, 401(k), 5.6 weeks, section 195(1) and $5,000 on 2026-12-11 or 12/11/2026."
    us = [(f.kind, f.value) for f in extract_figures(text, "en_US", "USD")]
    assert us == [
        ("number", Decimal(9)), ("number", Decimal(401)), ("number", Decimal("5.6")), ("number", Decimal(195)),
        ("number", Decimal(1)), ("money", Decimal(5000)), ("date", date(2026, 12, 11)), ("date", date(2026, 12, 11)),
    ]  # fmt: skip
    gb_numeric = [f.value for f in extract_figures("12/11/2026", "en_GB", "GBP")]
    assert gb_numeric == [date(2026, 11, 12)]  # day first in the UK


def test_other_currencies_and_impossible_dates_are_recognised() -> None:
    figures = extract_figures("£5,000.00 or €4,000 or EUR 3,000 on 31 February 2027", "en_US", "USD")
    assert [(f.kind, f.currency) for f in figures[:3]] == [("money", "GBP"), ("money", "EUR"), ("money", "EUR")]
    assert figures[3].kind == "date"
    assert figures[3].value is None
    shared = extract_figures("$5,000.00", "en_GB", "GBP")
    assert shared[0].currency == "USD"  # "$" in a sterling letter is not the letter's currency
