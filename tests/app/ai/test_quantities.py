"""Money, percentage, count and written-number parsing: tables, and hypothesis for no-crash and round trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.ai.dates import find_dates, format_long_date, resolve_date
from app.ai.numwords import parse_number_words, rewrite_number_words
from app.ai.quantities import QuantityKind, find_quantities, format_money, parse_decimal

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def english_words(n: int) -> str:
    """A test-side speller, so the parser is checked against an independent implementation."""
    if n < 20:
        return _UNITS[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _UNITS[n % 10])
    if n < 1000:
        rest = n % 100
        return f"{_UNITS[n // 100]} hundred" + (f" and {english_words(rest)}" if rest else "")
    for scale, name in ((1_000_000, "million"), (1_000, "thousand")):
        if n >= scale:
            rest = n % scale
            return f"{english_words(n // scale)} {name}" + (f" {english_words(rest)}" if rest else "")
    raise AssertionError(n)


_DE_UNITS = ["", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
_DE_TEENS = ["zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn",
             "neunzehn"]  # fmt: skip
_DE_TENS = ["", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig"]


def german_words(n: int) -> str:
    """A test-side German speller: one word below a million ("hunderteinundzwanzigtausend"), then "Millionen"."""

    def below_100(k: int) -> str:
        if k < 10:
            return _DE_UNITS[k]
        if k < 20:
            return _DE_TEENS[k - 10]
        unit = k % 10
        return (("ein" if unit == 1 else _DE_UNITS[unit]) + "und" if unit else "") + _DE_TENS[k // 10]

    def below_1000(k: int) -> str:
        hundreds, rest = divmod(k, 100)
        head = (("ein" if hundreds == 1 else _DE_UNITS[hundreds]) + "hundert") if hundreds else ""
        return head + (below_100(rest) if rest else "")

    def below_million(k: int) -> str:
        thousands, rest = divmod(k, 1000)
        head = below_1000(thousands).removesuffix("eins") + ("ein" if thousands % 100 == 1 else "") if thousands else ""
        return (head + "tausend" if thousands else "") + (below_1000(rest) if rest else "")

    if n == 0:
        return "null"
    millions, rest = divmod(n, 1_000_000)
    if not millions:
        return below_million(n)
    count = (
        "eine" if millions == 1 else below_1000(millions).removesuffix("eins") + ("eine" if millions % 100 == 1 else "")
    )
    return f"{count} {'Million' if millions == 1 else 'Millionen'}" + (f" {below_million(rest)}" if rest else "")


@pytest.mark.parametrize(
    ("text", "kind", "value", "currency"),
    [
        ("135k", QuantityKind.MONEY, Decimal(135000), None),
        ("$135,000", QuantityKind.MONEY, Decimal(135000), "USD"),
        ("135,000 USD", QuantityKind.MONEY, Decimal(135000), "USD"),
        ("USD 135,000", QuantityKind.MONEY, Decimal(135000), "USD"),
        ("£118,000", QuantityKind.MONEY, Decimal(118000), "GBP"),
        ("€95.000", QuantityKind.MONEY, Decimal(95000), "EUR"),
        ("95.000 €", QuantityKind.MONEY, Decimal(95000), "EUR"),
        ("US$185,000", QuantityKind.MONEY, Decimal(185000), "USD"),
        ("GBP118,000", QuantityKind.MONEY, Decimal(118000), "GBP"),
        ("1.2 million dollars", QuantityKind.MONEY, Decimal("1200000"), "USD"),
        ("160 mil", QuantityKind.MONEY, Decimal(160000), None),
        ("twelve thousand pounds", QuantityKind.MONEY, Decimal(12000), "GBP"),
        ("one hundred thousand", QuantityKind.NUMBER, Decimal(100000), None),
        ("10%", QuantityKind.PERCENT, Decimal(10), None),
        ("ten percent", QuantityKind.PERCENT, Decimal(10), None),
        ("12,5 %", QuantityKind.PERCENT, Decimal("12.5"), None),
        ("quince por ciento", QuantityKind.PERCENT, Decimal(15), None),
        ("3,000 RSUs", QuantityKind.COUNT, Decimal(3000), None),
        ("25 days", QuantityKind.COUNT, Decimal(25), None),
        ("sixteen weeks", QuantityKind.COUNT, Decimal(16), None),
        ("36 months", QuantityKind.COUNT, Decimal(36), None),
        ("1-year", QuantityKind.COUNT, Decimal(1), None),
    ],
)
def test_quantity_forms_normalise(text: str, kind: QuantityKind, value: Decimal, currency: str | None) -> None:
    (quantity,) = find_quantities(text).items
    assert (quantity.kind, quantity.value, quantity.currency) == (kind, value, currency)


def test_retirement_plan_names_are_not_amounts() -> None:
    assert [q.value for q in find_quantities("a 401(k) and a 403b plan with a 4% match").items] == [Decimal(4)]


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("one hundred and sixty thousand", 160000),
        ("a hundred and sixty thousand", 160000),
        ("twelve thousand", 12000),
        ("fifteen hundred", 1500),
        ("ciento sesenta mil", 160000),
        ("dos mil quinientos", 2500),
        ("treinta y cinco", 35),
        ("veintitrés", 23),
        ("un millón", 1000000),
        ("two three", None),
        ("fünfundachtzigtausend", 85000),
        ("fuenfundachtzigtausend", 85000),
        ("zehntausend", 10000),
        ("achtzig tausend", 80000),
        ("einhundertsechzigtausend", 160000),
        ("hundertsechzigtausend", 160000),
        ("tausendfünfhundert", 1500),
        ("dreißig", 30),
        ("eine Million zweihunderttausend", 1200000),
        ("zwei drei", None),
        ("Millionen", None),
        ("undzwanzig", None),
    ],
)
def test_written_numbers(phrase: str, value: int | None) -> None:
    assert parse_number_words(phrase) == value


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=999_999_999))
def test_written_english_numbers_round_trip(n: int) -> None:
    assert parse_number_words(english_words(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=999_999_999))
def test_written_german_numbers_round_trip(n: int) -> None:
    assert parse_number_words(german_words(n)) == n


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        ("Ich hätte gerne fünfundachtzigtausend Euro", "Ich hätte gerne 85000 Euro"),
        ("achtzig tausend Grundgehalt", "80000 Grundgehalt"),
        ("zweiundzwanzig Tage Urlaub", "22 Tage Urlaub"),
        ("85 Tausend Euro", "85000 Euro"),
        ("1,5 Millionen", "1500000"),
        ("ein Angebot und eine Frage", "ein Angebot und eine Frage"),  # articles stay words
        ("Ich kann das Angebot nicht annehmen", "Ich kann das Angebot nicht annehmen"),
    ],
)
def test_german_number_words_are_rewritten_as_digits(text: str, rewritten: str) -> None:
    assert rewrite_number_words(text) == rewritten


def test_german_written_amounts_are_money() -> None:
    (quantity,) = find_quantities("hundertneunzigtausend Euro").items
    assert (quantity.kind, quantity.value, quantity.currency) == (QuantityKind.MONEY, Decimal(190000), "EUR")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999), st.sampled_from(["USD", "GBP", "EUR", "CAD", "JPY"]),
       st.sampled_from([("en", "US"), ("en", "GB"), ("es", "US"), ("es", "ES"), ("es", None)]))  # fmt: skip
def test_formatted_money_parses_back_to_the_same_amount(
    amount: int, currency: str, locale: tuple[str, str | None]
) -> None:
    shown = format_money(amount, currency, *locale)
    found = [q for q in find_quantities(shown, dollar_currency=currency).items if q.kind is QuantityKind.MONEY]
    assert len(found) == 1, shown
    assert Decimal(amount) in found[0].readings
    assert found[0].currency == currency


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999))
def test_k_suffix_is_thousands(n: int) -> None:
    assume(n not in (401, 403, 457))  # 401k and friends are retirement plans, not amounts
    (quantity,) = find_quantities(f"could you do {n}k?").items
    assert quantity.value == n * 1000


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parsers_never_crash(text: str) -> None:
    find_quantities(text)
    rewrite_number_words(text)
    for mention in find_dates(text):
        resolve_date(mention, date(2027, 3, 1), date(2026, 11, 26))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789.,", min_size=1, max_size=20))
def test_decimal_tokens_never_crash(token: str) -> None:
    if any(ch.isdigit() for ch in token):
        parse_decimal(token)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from([("en", "US"), ("en", "GB"), ("es", "US"), ("es", "ES"), ("es", "MX"), ("de", "DE"),
                        ("de", "AT"), ("de", "CH"), ("de", "US")]))  # fmt: skip
def test_long_dates_round_trip(value: date, locale: tuple[str, str]) -> None:
    shown = format_long_date(value, *locale)
    (mention,) = find_dates(shown)
    assert mention.as_date() == value, shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 March 2027", (3, 3, 2027)),
        ("Mar 3, 2027", (3, 3, 2027)),
        ("2027-03-03", (3, 3, 2027)),
        ("March 3rd", (3, 3, None)),
        ("the 3rd of March", (3, 3, None)),
        ("3 de marzo de 2027", (3, 3, 2027)),
        ("March 2027", (3, None, 2027)),
        ("1. März 2027", (3, 1, 2027)),
        ("am 6. April", (4, 6, None)),
        ("3. Maerz 2027", (3, 3, 2027)),
        ("15. Jänner 2028", (1, 15, 2028)),
        ("Mai 2027", (5, None, 2027)),
        ("31. Dezember", (12, 31, None)),
    ],
)
def test_date_forms(text: str, expected: tuple[int, int | None, int | None]) -> None:
    (mention,) = find_dates(text)
    assert (mention.month, mention.day, mention.year) == expected


def test_ambiguous_numeric_dates_keep_both_readings() -> None:
    (mention,) = find_dates("03/04/2027")
    assert set(mention.readings) == {(3, 4, 2027), (4, 3, 2027)}


def test_dotted_dates_read_day_first() -> None:
    (mention,) = find_dates("03.04.2027")
    assert mention.readings == ((4, 3, 2027), (3, 4, 2027))
    (mention,) = find_dates("13.04.2027")
    assert mention.readings == ((4, 13, 2027),)


@pytest.mark.parametrize(
    ("country", "shown"),
    [("DE", "1. März 2027"), ("AT", "1. März 2027"), (None, "1. März 2027"), ("US", "1. März 2027")],
)
def test_german_long_dates(country: str | None, shown: str) -> None:
    assert format_long_date(date(2027, 3, 1), "de", country) == shown
    assert format_long_date(date(2027, 1, 15), "de", "AT") == "15. Jänner 2027"


def test_a_date_before_today_moves_to_next_year() -> None:
    (mention,) = find_dates("November 20")
    assert resolve_date(mention, date(2027, 3, 8), date(2026, 11, 26)) == date(2027, 11, 20)
    (mention,) = find_dates("December 1")
    assert resolve_date(mention, date(2027, 3, 8), date(2026, 11, 26)) == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        ("dieciocho dólares con setenta la hora", "18.70 dólares la hora"),
        ("veinte euros con cincuenta céntimos", "20.50 euros"),
        ("18 con 50 la hora", "18.50 la hora"),
        ("diecinueve con cinco céntimos", "19.05"),
        ("30 días con 2 semanas", "30 días con 2 semanas"),  # no cents: two numbers
        ("café con leche", "café con leche"),
        ("a dollar more an hour", "1 dollar more an hour"),
        ("un euro más la hora", "1 euro más la hora"),
        ("einen Euro mehr pro Stunde", "1 Euro mehr pro Stunde"),
        ("a couple more dollars", "2 more dollars"),
        ("a couple of questions", "a couple of questions"),
        ("un par de dólares más", "2 dólares más"),
        ("nineteen fifty an hour", "19.50 an hour"),
        ("nineteen dollars fifty an hour", "19.50 dollars an hour"),
        ("nineteen fifty", "19 50"),  # cents only before an hourly rate
    ],
)
def test_cents_articles_and_couples_before_money_are_rewritten(text: str, rewritten: str) -> None:
    assert rewrite_number_words(text) == rewritten


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("2 more dollars an hour", Decimal(2), "USD"),
        ("1 more euro an hour", Decimal(1), "EUR"),
        ("50 cents more an hour", Decimal("0.50"), None),
        ("75 céntimos más", Decimal("0.75"), None),
    ],
)
def test_more_before_a_currency_word_and_cents_are_money(text: str, value: Decimal, currency: str | None) -> None:
    (q,) = find_quantities(text).items
    assert (q.kind, q.value, q.currency) == (QuantityKind.MONEY, value, currency)
    spanned = text[q.start : q.end]
    assert "more" not in spanned  # it stays after the figure, where it says "a raise"
    assert "más" not in spanned


@pytest.mark.parametrize(("text", "year_like"), [("in 2027", True), ("2.000 €", False), ("2,000", False)])
def test_a_figure_with_a_thousands_separator_is_never_a_year(text: str, year_like: bool) -> None:
    (q,) = find_quantities(text).items
    assert q.is_year_like is year_like
