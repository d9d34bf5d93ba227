"""Small text helpers shared by the embedded engine: accent folding, word tokens, phrase matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from retrieval.chunking import SENTENCE_BREAK

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_SPACES = re.compile(r"\s+")
_ASCII_SPACES = str.maketrans({ch: " " for ch in map(chr, range(128)) if ch.isspace()})


# The engine folds the same passages and labels for every message: folding was a fifth of an answer's time.
@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Lower-case, accents removed, typographic quotes and dashes made plain, whitespace collapsed."""
    if text.isascii():
        return _SPACES.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = stripped.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    return _SPACES.sub(" ", plain.lower()).strip()


def words(text: str) -> list[str]:
    """Folded word tokens (letters and digits; an apostrophe suffix stays attached)."""
    return _WORD.findall(fold(text))


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of the (folded) phrases on word boundaries, longest first."""
    ordered = sorted({fold(p) for p in phrases if p.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in ordered)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


def contains_any(folded_text: str, pattern: re.Pattern[str]) -> bool:
    return pattern.search(folded_text) is not None


def sentences(text: str) -> list[str]:
    """Split prose into sentences; list items and lines stay separate."""
    parts: list[str] = []
    for line in text.splitlines():
        line = line.strip().lstrip("-*• ").strip()
        if not line:
            continue
        parts.extend(s.strip() for s in SENTENCE_BREAK.split(line) if s.strip())
    return parts


def fold_aligned(text: str) -> str:
    """Like `fold` but one output character per input character, so match offsets apply to `text` too."""
    if text.isascii():
        return text.lower().translate(_ASCII_SPACES)
    out: list[str] = []
    for ch in text:
        decomposed = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        if ch in "’‘":
            decomposed = "'"
        elif ch in "–—":
            decomposed = "-"
        elif ch.isspace():
            decomposed = " "
        out.append(decomposed if len(decomposed) == 1 else ch.lower()[:1] or " ")
    return "".join(out)


def word_set(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated block (keeps long vocabularies readable)."""
    return frozenset(text.split())
