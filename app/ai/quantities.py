"""Money amounts, percentages and counts in free text, normalised ("135k", "$135,000", "135,000 USD", "15%").

The parser reads digits only: written-out numbers are first rewritten by `numwords.rewrite_number_words`, which
`find_quantities` does itself. Spans refer to that rewritten text (`Quantities.text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from babel.numbers import format_currency, get_currency_symbol, list_currencies

from app.ai.numwords import rewrite_number_words

# No offer figure comes near this; a longer run of digits in a message is not an amount anybody asks for, and
# formatting it would overflow the decimal context ("10000000000000000000000000000 please").
MAX_FIGURE = Decimal(10) ** 12


class QuantityKind(StrEnum):
    MONEY = "money"
    PERCENT = "percent"
    COUNT = "count"
    NUMBER = "number"


@dataclass(frozen=True)
class Quantity:
    kind: QuantityKind
    value: Decimal
    start: int
    end: int
    currency: str | None = None
    unit: str | None = None  # counts: day, week, month, year, hour, unit (equity units, shares, options)
    scaled: bool = False  # written with k / thousand / million
    alternatives: tuple[Decimal, ...] = ()  # other readings of an ambiguous separator ("1.500")

    @property
    def readings(self) -> tuple[Decimal, ...]:
        return (self.value, *self.alternatives)

    @property
    def is_year_like(self) -> bool:
        return (
            self.kind is QuantityKind.NUMBER
            and not self.scaled
            and 1900 <= self.value <= 2100
            and (self.value == self.value.to_integral_value())
            and not self.alternatives  # "2.000" or "2,000" is written as an amount, a year never is
        )


@dataclass(frozen=True)
class Quantities:
    text: str  # the text the spans refer to (number words rewritten as digits)
    items: list[Quantity] = field(default_factory=list)


_ISO = frozenset(list_currencies())
_SYMBOLS = {"us$": "USD", "usd$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD"}
_SYMBOLS |= {"hk$": "HKD", "s$": "SGD", "r$": "BRL", "mx$": "MXN", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
_WORD_CURRENCIES = {"pound": "GBP", "pounds": "GBP", "quid": "GBP", "euro": "EUR", "euros": "EUR", "libras": "GBP"}
_WORD_CURRENCIES |= {"libra": "GBP", "yen": "JPY", "rupees": "INR"}
_DOLLAR_WORDS = frozenset({"dollar", "dollars", "bucks", "dolares", "dólares", "dolar", "dólar", "$"})
_UNITS = {
    "day": "day", "days": "day", "business days": "day", "working days": "day", "dias": "day", "días": "day",
    "dia": "day", "día": "day", "week": "week", "weeks": "week", "semana": "week", "semanas": "week",
    "month": "month", "months": "month", "mes": "month", "meses": "month", "year": "year", "years": "year",
    "yr": "year", "yrs": "year", "ano": "year", "año": "year", "anos": "year", "años": "year", "hour": "hour",
    "hours": "hour", "hrs": "hour", "hora": "hour", "horas": "hour", "unit": "unit", "units": "unit",
    "share": "unit", "shares": "unit", "rsu": "unit", "rsus": "unit", "option": "unit", "options": "unit",
    "stock options": "unit", "restricted stock units": "unit", "acciones": "unit", "unidades": "unit",
    "tag": "day", "tage": "day", "tagen": "day", "arbeitstage": "day", "woche": "week", "wochen": "week",
    "monat": "month", "monate": "month", "monaten": "month", "jahr": "year", "jahre": "year", "jahren": "year",
    "stunde": "hour", "stunden": "hour", "std": "hour", "aktien": "unit", "optionen": "unit", "anteile": "unit",
}  # fmt: skip
_SCALES = {"k": 1_000, "thousand": 1_000, "mil": 1_000, "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000}
_SCALES |= {"million": 1_000_000, "millones": 1_000_000, "millón": 1_000_000, "millon": 1_000_000}
_SCALES |= {"bn": 1_000_000_000, "billion": 1_000_000_000, "tausend": 1_000, "mio": 1_000_000}
_SCALES |= {"millionen": 1_000_000, "million": 1_000_000}

_ISO_ALT = "|".join(sorted(_ISO))
_SYMBOL_ALT = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_PREFIX = rf"(?P<pre>{_SYMBOL_ALT}|\$|(?-i:\b(?:{_ISO_ALT})(?![A-Za-z])))\s?"
_NUMBER = (
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:[\u00a0\u202f'’]\d{3})+"
    r"|\d+(?:[.,]\d+)?)"
)
_SCALE = (
    r"(?:\s?(?P<scale>k|K|mm|mn|bn|thousand|million|billion|millones|millón|millon|mil|tausend|mio|millionen)\b"
    r"|(?P<mscale>[mM])\b)"
)
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_WORDCUR_ALT = "|".join(sorted({*_WORD_CURRENCIES, *(_DOLLAR_WORDS - {"$"})}, key=len, reverse=True))
_SUFFIX = (
    r"(?:\s?(?P<pct>%|percent\b|per\s?cent\b|pct\b|por\s?ciento\b|prozent\b)"
    rf"|\s?(?P<sufsym>{_SYMBOL_ALT}|\$)"
    rf"|\s?(?P<suf>(?-i:\b(?:{_ISO_ALT})\b))"
    rf"|(?:\s+(?P<more>more|extra|mas|más|mehr))?(?:\s+de)?\s+(?P<word>(?:{_WORDCUR_ALT}))\b"
    r"|\s?(?P<cents>cents?|c[eé]ntimos?|centavos?|ct)\b"
    rf"|[\s-]?(?P<unit>(?:{_UNIT_ALT}))\b)?"
)
_QUANTITY = re.compile(rf"(?:{_PREFIX}|(?<![\w.,])){_NUMBER}(?![\d]){_SCALE}?{_SUFFIX}", re.IGNORECASE)
_NAMED_NUMBERS = re.compile(r"\b(?:401|403|457)\s?\(?\s?[kb]\s?\)?(?![\w])", re.IGNORECASE)


def parse_decimal(token: str, *, prefer_decimal: bool = False) -> tuple[Decimal, tuple[Decimal, ...]]:
    """A number token with thousands separators and a decimal point or comma, plus any other reading.

    One separator followed by exactly three digits ("1,500", "185.000") reads as thousands first and as a
    decimal second; `prefer_decimal` (used for percentages) swaps the two.
    """
    cleaned = token.replace("\u00a0", "").replace("\u202f", "").replace("'", "").replace("’", "")
    if "," in cleaned and "." in cleaned:
        decimal_sep = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands_sep = "." if decimal_sep == "," else ","
        return _to_decimal(cleaned.replace(thousands_sep, "").replace(decimal_sep, ".")), ()
    for sep in (",", "."):
        if sep not in cleaned:
            continue
        head, *groups = cleaned.split(sep)
        if len(groups) > 1:
            return _to_decimal(cleaned.replace(sep, "")), ()
        as_decimal = _to_decimal(f"{head}.{groups[0]}")
        if len(groups[0]) == 3 and head not in ("", "0"):
            as_thousands = _to_decimal(head + groups[0])
            return (as_decimal, (as_thousands,)) if prefer_decimal else (as_thousands, (as_decimal,))
        return as_decimal, ()
    return _to_decimal(cleaned), ()


def _to_decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex only hands over digits and separators
        return Decimal(0)


def _currency(match: re.Match[str], dollar_currency: str) -> str | None:
    for group in ("pre", "sufsym", "suf", "word"):
        raw = match.group(group)
        if not raw:
            continue
        lowered = raw.lower()
        if lowered in _SYMBOLS:
            return _SYMBOLS[lowered]
        if lowered in _DOLLAR_WORDS:
            return dollar_currency
        if lowered in _WORD_CURRENCIES:
            return _WORD_CURRENCIES[lowered]
        if raw.upper() in _ISO and raw.isupper():
            return raw.upper()
    return None


def _quantity(match: re.Match[str], dollar_currency: str) -> Quantity | None:
    currency = _currency(match, dollar_currency)
    is_pct = match.group("pct") is not None
    value, alternatives = parse_decimal(match.group("num"), prefer_decimal=is_pct)
    scale_word = (match.group("scale") or match.group("mscale") or "").lower()
    if match.group("mscale") and currency is None:
        scale_word = ""  # "5m" without a currency is more likely minutes or metres than millions
    factor = Decimal(_SCALES.get(scale_word, 1))
    if match.group("cents"):  # "fifty cents more an hour" is 0.50
        factor = Decimal("0.01")
    value, alternatives = value * factor, tuple(a * factor for a in alternatives)
    end = match.end() if (scale_word or not match.group("mscale")) else match.end("num")
    if match.group("more"):  # "2 more dollars an hour": the span stops before "more", which says it is a raise
        end = match.end("scale") if scale_word else match.end("num")

    def make(kind: QuantityKind, currency: str | None = None, unit: str | None = None) -> Quantity:
        return Quantity(kind, value, match.start(), end, currency, unit, factor != 1, alternatives)

    if is_pct:
        return make(QuantityKind.PERCENT)
    if currency is not None or match.group("cents"):
        return make(QuantityKind.MONEY, currency=currency)
    if match.group("unit"):
        return make(QuantityKind.COUNT, unit=_UNITS[match.group("unit").lower()])
    if factor != 1:
        return make(QuantityKind.MONEY)
    return make(QuantityKind.NUMBER)


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by spaces (so other spans keep their offsets)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def find_quantities(text: str, *, dollar_currency: str = "USD", rewrite_words: bool = True) -> Quantities:
    """Every money amount, percentage, count and bare number in `text`, in order."""
    rewritten = rewrite_number_words(text) if rewrite_words else text
    searchable = blank(rewritten, [m.span() for m in _NAMED_NUMBERS.finditer(rewritten)])
    found = [q for m in _QUANTITY.finditer(searchable) if (q := _quantity(m, dollar_currency)) is not None]
    return Quantities(rewritten, [q for q in found if abs(q.value) < MAX_FIGURE])


def _trim(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def format_percent(value: Decimal) -> str:
    return f"{_trim(value)}%"


def format_number(value: Decimal | int, language: str = "en") -> str:
    text = _trim(Decimal(value))
    return text.replace(",", ".") if language in ("es", "de") and "." not in text else text


def money_locale(language: str, country: str | None) -> str:
    """`language_COUNTRY` when babel knows it (English only where it writes 1,234.56), else the language."""
    from babel import Locale, UnknownLocaleError

    for candidate in (f"{language}_{country}" if country else None, language):
        if candidate is None:
            continue
        try:
            locale = Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        symbols = locale.number_symbols.get("latn", {})
        if language == "en" and (symbols.get("decimal", "."), symbols.get("group", ",")) != (".", ","):
            continue  # "English in Germany" groups like German; an English reader expects €84,000
        return candidate
    return "en_US"


def format_money(amount: Decimal | int, currency: str, language: str = "en", country: str | None = None) -> str:
    """An amount as a candidate reads it: "$185,000", "£118,000", "€95,000.50"."""
    value = Decimal(amount)
    pattern = "¤#,##0" if value == value.to_integral_value() else "¤#,##0.00"
    locale = money_locale(language, country)
    text = format_currency(value, currency, format=pattern, locale=locale, currency_digits=False)
    if currency in text:  # the locale has no symbol of its own for this currency: use the English one
        text = text.replace(currency, get_currency_symbol(currency, "en_US"))
    return re.sub(r"^([A-Za-z]{2,})(?=\d)", r"\1 ", text)  # "CHF 14,000", never "CHF14,000"
