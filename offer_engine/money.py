"""Amounts, percentages, counts and dates as a letter prints them, and read back from a letter's text.

Formatting is Babel's, per locale. Money always prints the currency's minor units ("$185,000.00",
"£118,000.00", "¥1,200,000"), so an amount reads the same in the letter, the PDF and the compliance report.
`extract_figures` is the inverse the compliance check uses: it must read everything the formatters print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal, cast

from babel import Locale, localedata
from babel.dates import format_date as babel_format_date
from babel.dates import get_date_format, get_month_names, parse_pattern
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

DEFAULT_LOCALE = "en_US"
# Currencies whose symbols are recognised in any letter (the letter's own currency always is).
COMMON_CURRENCIES = (
    "USD",
    "GBP",
    "EUR",
    "CAD",
    "AUD",
    "NZD",
    "JPY",
    "CHF",
    "INR",
    "SGD",
    "HKD",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "MXN",
    "BRL",
)


_EN_US = Locale.parse("en_US")


class LocaleError(ValueError):
    """A locale or jurisdiction Babel does not know."""


def locale_for(jurisdiction: str, language: str = "en") -> str:
    """The Babel locale for a letter: the candidate's language in the jurisdiction's country when it exists
    (es + US → es_US), else English in that country (en_GB), else the language alone, else en_US."""
    country = jurisdiction.strip().upper().split("-", 1)[0]
    lang = language.replace("-", "_").split("_")[0].lower() or "en"
    for candidate in (f"{lang}_{country}", f"en_{country}", lang):
        if localedata.exists(candidate):
            return candidate
    return DEFAULT_LOCALE


def _locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale)
    except (ValueError, TypeError) as exc:
        raise LocaleError(f"unknown locale {locale!r}") from exc


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """An amount with its currency for the locale, always with the currency's minor units."""
    return format_currency(Decimal(amount), currency, locale=_locale(locale), currency_digits=True)


def format_percent_value(percent: Decimal, locale: str) -> str:
    """A percentage given as a number of percent (10 → "10%", 12.5 → "12.5%", "12,5 %" in de)."""
    return format_percent(Decimal(percent) / 100, locale=_locale(locale), decimal_quantization=False)


def format_count(count: int | Decimal, locale: str) -> str:
    return format_decimal(count, locale=_locale(locale))


def format_date(value: date, locale: str) -> str:
    """A date in the locale's long form: "February 1, 2027", "1 February 2027", "1 de febrero de 2027"."""
    return babel_format_date(value, format="long", locale=_locale(locale))


# -- reading figures back -------------------------------------------------------------------------------------

FigureKind = Literal["money", "percent", "date", "number"]


@dataclass(frozen=True)
class Figure:
    """A figure found in text. `value` is None for a date that does not exist (e.g. 31 February)."""

    kind: FigureKind
    value: Decimal | date | None
    text: str
    start: int
    end: int
    currency: str | None = None  # for money: the ISO code the marker stands for, "?" if it cannot be told


@dataclass(frozen=True)
class _Patterns:
    number: str
    money: re.Pattern[str]
    percent: re.Pattern[str]
    bare_number: re.Pattern[str]
    long_date: re.Pattern[str]
    day_month_year: re.Pattern[str]
    month_day_year: re.Pattern[str]
    numeric_date: re.Pattern[str]
    iso_date: re.Pattern[str]
    months: dict[str, int]
    markers: dict[str, str]
    day_first: bool
    group: str
    decimal: str


def _separator_class(symbol: str) -> str:
    spaces = {" ", "\u00a0", "\u202f"}
    chars = spaces if symbol in spaces else {symbol}
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def _currency_markers(locale: Locale, currency: str) -> dict[str, str]:
    """Marker (ISO code or symbol) → the currency it stands for; "?" for a symbol shared by several."""
    markers: dict[str, str] = {}
    for code in (*COMMON_CURRENCIES, currency):
        markers[code] = code
    for code in (*COMMON_CURRENCIES, currency):
        for where in (locale, _EN_US):
            symbol = get_currency_symbol(code, locale=where)
            if symbol != code:
                markers[symbol] = code if markers.get(symbol, code) == code else "?"
    for where in (locale, _EN_US):  # the letter's own symbol is never ambiguous in its letter
        markers[get_currency_symbol(currency, locale=where)] = currency
    return markers


def _month_names(locale: Locale) -> dict[str, int]:
    names: dict[str, int] = {}
    for where in (locale, _EN_US):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=where).items():
                    names[name.casefold().rstrip(".")] = number
    return names


_FIELD = re.compile(r"%\((\w+)\)s")


def _literal(text: str) -> str:
    return "".join(
        r"\s*" if part.isspace() else re.escape(part) for part in re.split(r"(\s+)", text.replace("%%", "%")) if part
    )


def _long_date(locale: Locale, month: str) -> re.Pattern[str]:
    """A regex for the locale's own long date pattern ("y年M月d日", "d. MMMM y", "MMMM d, y", ...)."""
    fields = {"y": r"(?P<y>\d{4})", "M": r"(?P<mn>\d{1,2})", "d": r"(?P<d>\d{1,2})", "E": r"\w+"}
    regex, position = "", 0
    template = cast(str, parse_pattern(get_date_format("long", locale=locale).pattern).format)
    for found in _FIELD.finditer(template):
        regex += _literal(template[position : found.start()])
        name = found.group(1)
        if name[0] in "ML" and len(name) >= 3:
            regex += rf"(?<![^\W\d_])(?P<m>{month})\.?"
        else:
            regex += fields.get(name[0].replace("L", "M"), r"\S+?")
        position = found.end()
    regex += _literal(template[position:])
    return re.compile(rf"(?<!\d){regex}(?!\d)", re.IGNORECASE)


@lru_cache(maxsize=64)
def _patterns(locale_name: str, currency: str) -> _Patterns:
    locale = _locale(locale_name)
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    g, d = _separator_class(group), re.escape(decimal)
    number = rf"\d{{1,3}}(?:{g}\d{{2,3}})+(?:{d}\d+)?|\d+(?:{d}\d+)?"
    markers = _currency_markers(locale, currency)
    marker = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
    edge_before, edge_after = r"(?<![\w.,])", r"(?![\w]|[.,]\d)"
    months = _month_names(locale)
    month = "|".join(re.escape(m) for m in sorted(months, key=len, reverse=True))
    short = get_date_format("short", locale=locale).pattern
    return _Patterns(
        number=number,
        long_date=_long_date(locale, month),
        money=re.compile(
            rf"(?:(?<![A-Za-z])(?P<m1>{marker})\s?(?P<n1>{number}){edge_after})"
            rf"|(?:{edge_before}(?P<n2>{number})\s?(?P<m2>{marker})(?![A-Za-z]))"
        ),
        percent=re.compile(rf"{edge_before}(?P<n>{number})\s?(?:%|per\s?cent\b|percent\b)"),
        bare_number=re.compile(rf"{edge_before}(?P<n>{number}){edge_after}"),
        day_month_year=re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?P<m>{month})\.?,?\s+(?:de\s+)?(?P<y>\d{{4}})\b",
            re.IGNORECASE,
        ),
        month_day_year=re.compile(
            rf"\b(?P<m>{month})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.IGNORECASE
        ),
        numeric_date=re.compile(r"(?<![\d/.-])(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})(?![\d/-]|\.\d)"),
        iso_date=re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])"),
        months=months,
        markers=markers,
        day_first=short.lower().index("d") < short.index("M"),
        group=group,
        decimal=decimal,
    )


def parse_number(text: str, locale: str) -> Decimal:
    """A number as the locale prints it ("185,000.00", "185.000,00", "4 000") as a Decimal."""
    patterns = _patterns(locale, "USD")
    cleaned = text.strip()
    for ch in {patterns.group, " ", "\u00a0", "\u202f"} if patterns.group in " \u00a0\u202f" else {patterns.group}:
        cleaned = cleaned.replace(ch, "")
    try:
        return Decimal(cleaned.replace(patterns.decimal, "."))
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a number in {locale}") from exc


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def extract_figures(text: str, locale: str, currency: str) -> list[Figure]:
    """Every date, amount of money, percentage and other number in `text`, in order of position.

    Dates are read first, then money, then percentages; each match is blanked so its digits are not read
    again as a bare number. Digits glued to letters ("H-1B", "Apt 3B", "1st") are not numbers.
    """
    p = _patterns(locale, currency.upper())
    work = text
    found: list[Figure] = []

    def take(match: re.Match[str], kind: FigureKind, value: Decimal | date | None, code: str | None = None) -> None:
        nonlocal work
        found.append(Figure(kind, value, match.group(0), match.start(), match.end(), code))
        work = work[: match.start()] + " " * (match.end() - match.start()) + work[match.end() :]

    for m in list(p.long_date.finditer(work)):
        named = m.groupdict()
        month = p.months.get(named["m"].casefold().rstrip(".")) if named.get("m") else int(named.get("mn") or 0)
        take(m, "date", _safe_date(int(m.group("y")), month or 0, int(m.group("d"))))
    for pattern in (p.day_month_year, p.month_day_year):
        for m in list(pattern.finditer(work)):
            month = p.months.get(m.group("m").casefold().rstrip("."))
            take(m, "date", _safe_date(int(m.group("y")), month or 0, int(m.group("d"))))
    for m in list(p.iso_date.finditer(work)):
        take(m, "date", _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d"))))
    for m in list(p.numeric_date.finditer(work)):
        a, b = int(m.group("a")), int(m.group("b"))
        day, month = (a, b) if p.day_first else (b, a)
        take(m, "date", _safe_date(int(m.group("y")), month, day))
    for m in list(p.money.finditer(work)):
        marker, digits = (m.group("m1"), m.group("n1")) if m.group("m1") else (m.group("m2"), m.group("n2"))
        take(m, "money", parse_number(digits, locale), p.markers.get(marker, "?"))
    for m in list(p.percent.finditer(work)):
        take(m, "percent", parse_number(m.group("n"), locale))
    for m in list(p.bare_number.finditer(work)):
        take(m, "number", parse_number(m.group("n"), locale))
    return sorted(found, key=lambda f: f.start)
