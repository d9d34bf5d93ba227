"""Table rows with a cell per country, cut down to the reader's: "Germany: … | Switzerland: …" for a candidate in
Switzerland keeps the Swiss cell. A company-wide document may hold every country's rule in one row; the other
countries' cells are not the candidate's to be quoted (they read as their own rules, or as another country's data).
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale
from babel.numbers import get_territory_currencies, list_currencies

from app.ai.text import fold, word_set
from retrieval.chunking import CELL_SEPARATOR, SENTENCE_BREAK

_LANGUAGES = ("en", "de", "es", "fr")
# Names too short or too common to read as a country in a cell's header ("Jersey" shirts, "Chad", "Georgia" as a
# US state): only countries named in full and unambiguously count.
_MIN_NAME = 4


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Folded country name (in any of the product's languages and French) -> ISO code."""
    names: dict[str, str] = {}
    for language in _LANGUAGES:
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha() and len(name) >= _MIN_NAME:
                names.setdefault(fold(name), code)
    return names


@lru_cache(maxsize=1)
def _country_pattern() -> re.Pattern[str]:
    ordered = sorted(_country_names(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")\b")


def _countries_in(header: str) -> set[str]:
    return {_country_names()[m.group(1)] for m in _country_pattern().finditer(fold(header))}


_STEM_ENDINGS = ("land", "ia", "a", "y", "e")
_MIN_STEM = 6  # "german", "deutsch", "aleman": shorter stems ("franc", "espan") read as other words
# "deutsch-en", "Schweiz-er", "German-s", "alemán-es", "Austri-an": not any word that starts alike ("Franci-sco")
_ADJECTIVE_ENDING = r"(?:e|en|er|es|em|ern|isch|ische|ischen|ischer|ian|ians|an|ans|ish|s|o|os|a|as)?"


@lru_cache(maxsize=1)
def _adjective_stems() -> dict[str, str]:
    """Folded stem of a one-word country name -> ISO code, for the words made from it ("Schweizer", "deutschen",
    "German", "alemanes")."""
    stems: dict[str, str] = {}
    for name, code in _country_names().items():
        if " " in name or len(name) < _MIN_STEM:
            continue
        stems.setdefault(name, code)
        for ending in _STEM_ENDINGS:
            if name.endswith(ending) and len(name) - len(ending) >= _MIN_STEM:
                stems.setdefault(name[: -len(ending)], code)
                break
    return stems


@lru_cache(maxsize=1)
def _adjective_pattern() -> re.Pattern[str]:
    ordered = sorted(_adjective_stems(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")" + _ADJECTIVE_ENDING + r"\b")


# Country names that prose uses as given names, US states or plain words ("Jordan" the recruiter, "Georgia" the
# state, "turkey", "china"): in a sentence they do not say whose rule it is (a table header still may).
_AMBIGUOUS = word_set(
    "jordan georgia chad jersey turkey china guinea niger israel chile panama jamaica cuba peru malta monaco mali "
    "oman kenya india samoa tonga togo congo dominica grenada"
)


def countries_named(text: str) -> set[str]:
    """The countries a sentence or heading names, by name or by a word made from it ("deutschen Standorte")."""
    return set(_countries_named(text))


# The same passages' sentences are read for every question: matching every country's name was a tenth of an answer.
@lru_cache(maxsize=16384)
def _countries_named(text: str) -> frozenset[str]:
    folded, names, stems = fold(text), _country_names(), _adjective_stems()
    found = {m.group(1) for m in _country_pattern().finditer(folded)} - _AMBIGUOUS
    found_stems = {m.group(1) for m in _adjective_pattern().finditer(folded)} - _AMBIGUOUS
    return frozenset({names[n] for n in found} | {stems[n] for n in found_stems})


# A currency a figure is written in: its ISO code beside a figure ("EUR 400", "400 CHF"), or an unambiguous sign
# ("$" is many countries' dollar, so it says nothing).
_SIGNS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_FIGURE = r"\d[\d.,'’]*"
_WORDS = frozenset({"ALL", "TOP", "CUP", "MOP", "BOB", "SOS", "TRY", "PEN", "GEL", "MAD", "BAM", "LAK", "NIO", "CVE"})


@lru_cache(maxsize=1)
def _currency_pattern() -> re.Pattern[str]:
    codes = "|".join(sorted(c for c in list_currencies() if len(c) == 3 and c.isalpha() and c not in _WORDS))
    signs = "|".join(re.escape(s) for s in _SIGNS)
    return re.compile(rf"\b({codes})\s?{_FIGURE}|{_FIGURE}\s?({codes})\b|({signs})\s?{_FIGURE}|{_FIGURE}\s?({signs})")


@lru_cache(maxsize=16384)
def _currencies_of_figures(text: str) -> frozenset[str]:
    found = set()
    for match in _currency_pattern().finditer(text):
        code = next(g for g in match.groups() if g)
        found.add(_SIGNS.get(code, code))
    return frozenset(found)


@lru_cache(maxsize=64)
def _currencies_of(country: str) -> frozenset[str]:
    return frozenset(get_territory_currencies(country))


def _another_countrys_money(sentence: str, country: str) -> bool:
    """A figure in a currency the reader's country does not use ("EUR 400" for a reader in Switzerland), and none
    in theirs: another country's amount."""
    currencies = _currencies_of_figures(sentence)
    return bool(currencies) and currencies.isdisjoint(_currencies_of(country))


def another_countrys(heading: str, country: str | None) -> bool:
    """Whether `heading` (a section path or a title) names other countries only: what is under it is theirs."""
    named = countries_named(heading)
    return bool(country) and bool(named) and (country or "").upper() not in named


def _for_reader(line: str, country: str) -> str:
    """A row cut to the reader's country: cells headed by another country go ("Germany: …"), and a row that is
    another country's ("Country: Germany | Notice: 3 months") goes whole."""
    cells = line.split(CELL_SEPARATOR)
    if len(cells) < 2:
        return line
    kept = []
    for cell in cells:
        header, colon, value = cell.partition(":")
        if not colon:
            kept.append(cell)
            continue
        if (row_country := _country_names().get(fold(value).strip(" .*"))) and row_country != country:
            return ""
        named = _countries_in(header)
        if not named or country in named:
            kept.append(cell)
    return CELL_SEPARATOR.join(kept)


def rows_for_reader(text: str, country: str | None) -> str:
    """`text` with each table row cut to the reader's country (other countries' cells and rows removed), and, where
    the passage states a rule per country in sentences of their own, the other countries' sentences removed."""
    if not country:
        return text
    if CELL_SEPARATOR in text:
        text = "\n".join(_for_reader(line, country.upper()) for line in text.splitlines())
    return _sentences_for_reader(text, country.upper())


def _sentences_for_reader(text: str, country: str) -> str:
    """ "In Germany probation lasts six months. In Switzerland it lasts three." for a reader in Switzerland keeps the
    Swiss sentence only: another country's rule must never read as the candidate's, even when the reader's own
    sentence is in another chunk. A sentence naming the reader's country beside others stays."""
    lines = [(line, SENTENCE_BREAK.split(line)) for line in text.split("\n")]
    if not any(
        countries_named(sentence) - {country} or _another_countrys_money(sentence, country)
        for _, parts in lines
        for sentence in parts
    ):
        return text
    kept: list[str] = []
    theirs_below = 0  # the level of a heading naming another country: its section is theirs
    theirs_list = False  # after "In Germany:": the list that follows is theirs
    for line, parts in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            if theirs_below and level > theirs_below:
                continue
            theirs_below = level if another_countrys(stripped, country) else 0
            theirs_list = False
            kept.append(line)
            continue
        if theirs_below:
            continue
        if theirs_list and stripped.startswith(_LIST_MARKS):
            continue
        theirs_list = stripped.endswith(":") and another_countrys(stripped, country)
        if stripped.startswith("|") or CELL_SEPARATOR in line:
            kept.append(line)
            continue
        mine = [p for p in parts if _for_this_reader(p, country)]
        if mine or not stripped:
            kept.append(" ".join(mine) if len(mine) < len(parts) else line)
    return "\n".join(kept)


_LIST_MARKS = ("-", "*", "•", "–")


def _for_this_reader(sentence: str, country: str) -> bool:
    """A sentence naming no country and no other country's money, or naming the reader's country."""
    countries = countries_named(sentence)
    if country in countries:
        return True
    return not countries and not _another_countrys_money(sentence, country)
