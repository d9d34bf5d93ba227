"""Dates in free text (English, Spanish and German), resolved against an offer, and formatted for candidates.

Forms read: 2027-03-03, 03/03/2027 and 03.03.2027 (both day-month readings kept; dotted dates read day first),
March 3, Mar 3rd, 2027, 3 March 2027, the 3rd of March, 3 de marzo de 2027, 3. März 2027 (also "3. Maerz",
Austrian "Jänner"), March 2027. Relative dates ("next Monday") are not read: a counter-offer date must be one the
candidate wrote.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from babel.core import UnknownLocaleError
from babel.dates import format_date

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    "enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "ago": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "dic": 12,
    "januar": 1, "jänner": 1, "janner": 1, "jaenner": 1, "februar": 2, "feber": 2, "märz": 3, "marz": 3,
    "maerz": 3, "mär": 3, "mrz": 3, "mai": 5, "juni": 6, "juli": 7, "okt": 10, "oktober": 10, "dezember": 12,
    "dez": 12,
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|º|°|\.)?"  # "3." is German for the 3rd
_YEAR = r"(?P<year>\d{4})"

_PATTERNS = [
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4}|\d{2})\b"),
    re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+|de\s+)?{_MONTH}(?:,?\s+(?:de\s+|del\s+|of\s+)?{_YEAR}\b)?", re.I),
    re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}\b(?:,?\s+{_YEAR}\b)?", re.I),
    re.compile(rf"\b{_MONTH}\s+(?:de\s+|del\s+|of\s+)?{_YEAR}\b", re.I),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    month: int
    day: int | None = None
    year: int | None = None
    alternatives: tuple[tuple[int, int | None, int | None], ...] = ()  # other (month, day, year) readings

    @property
    def readings(self) -> tuple[tuple[int, int | None, int | None], ...]:
        return ((self.month, self.day, self.year), *self.alternatives)

    def as_date(self) -> date | None:
        if self.day is None or self.year is None:
            return None
        return date(self.year, self.month, self.day)


def _valid(month: int, day: int | None, year: int | None) -> bool:
    if not 1 <= month <= 12 or (year is not None and not 1900 <= year <= 2200):
        return False
    if day is None:
        return True
    return 1 <= day <= calendar.monthrange(year or 2024, month)[1]  # 2024: a leap year allows 29 February


def _month_number(raw: str) -> int:
    return int(raw) if raw.isdigit() else _MONTHS[raw.lower().rstrip(".")]


def _from_match(match: re.Match[str]) -> DateMention | None:
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    if year is not None and year < 100:
        year += 2000
    if "a" in groups:  # numeric d/m/y: keep both readings when both are valid
        first, second = int(groups["a"]), int(groups["b"])
        if match.group(0)[len(groups["a"])] == ".":  # 03.04.2027 is day first (German and most of Europe)
            first, second = second, first
        readings = [(m, d, year) for m, d in ((first, second), (second, first)) if _valid(m, d, year)]
        readings = list(dict.fromkeys(readings))
        if not readings:
            return None
        (first_month, first_day, _), *rest = readings
        return DateMention(match.start(), match.end(), first_month, first_day, year, tuple(rest))
    month = _month_number(groups["month"])
    day_of_month = int(groups["day"]) if groups.get("day") else None
    if not _valid(month, day_of_month, year):
        return None
    return DateMention(match.start(), match.end(), month, day_of_month, year)


def find_dates(text: str) -> list[DateMention]:
    """Every date mention in `text`, in order, without overlaps (the most specific form wins)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            mention = _from_match(match)
            if mention is not None:
                found.append(mention)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def resolve_date(mention: DateMention, anchor: date, today: date) -> date | None:
    """A full date for a mention: its own year, else the year closest to `anchor` that is not before today."""
    if mention.day is None:
        return None
    if mention.year is not None:
        return mention.as_date()
    options = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1, anchor.year + 2):
        if _valid(mention.month, mention.day, year):
            candidate = date(year, mention.month, mention.day)
            if candidate >= today:
                options.append(candidate)
    return min(options, key=lambda d: abs((d - anchor).days)) if options else None


def format_long_date(value: date, language: str = "en", country: str | None = None) -> str:
    """ "February 1, 2027" (US English), "1 February 2027" (British English), "1 de febrero de 2027",
    "1. Februar 2027" (German; Austrian German writes "1. Jänner 2027")."""
    locale = f"{language}_{country}" if country else language
    try:
        return format_date(value, "long", locale=locale)
    except (ValueError, LookupError, UnknownLocaleError):  # no such country variant ("de_US"): the language's own
        return format_date(value, "long", locale=language)
