"""Table rows with a cell per country, cut down to the reader's: "Germany: … | Switzerland: …" for a candidate in
Switzerland keeps the Swiss cell. A company-wide document may hold every country's rule in one row; the other
countries' cells are not the candidate's to be quoted (they read as their own rules, or as another country's data).
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale

from app.ai.text import fold
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
    if not any(_countries_in(sentence) - {country} for _, parts in lines for sentence in parts):
        return text
    kept = []
    for line, parts in lines:
        if line.lstrip().startswith(("#", "|")) or CELL_SEPARATOR in line:
            kept.append(line)
            continue
        mine = [p for p in parts if not (countries := _countries_in(p)) or country in countries]
        if mine or not line.strip():
            kept.append(" ".join(mine) if len(mine) < len(parts) else line)
    return "\n".join(kept)
