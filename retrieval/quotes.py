"""The short quote a citation shows: the sentence, list item or table cells of a passage that best match a query."""

from __future__ import annotations

import re

from retrieval.sparse import terms

QUOTE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“(\[]?[A-Z0-9£$€])")
_CELL_SEPARATOR = " | "


def best_quote(text: str, query: str, limit: int = QUOTE_CHARS) -> str:
    """At most `limit` characters of `text`, taken from the segment sharing most terms with `query`."""
    wanted = set(terms(query))
    segments = [s for line in text.splitlines() for s in _segments(line) if s.strip()]
    if not segments:
        return ""
    best = max(segments, key=lambda s: (_overlap(s, wanted), -segments.index(s)))
    if _CELL_SEPARATOR in best and len(best) > limit:
        best = _best_cells(best, wanted, limit)
    return _shorten(best, limit)


def _segments(line: str) -> list[str]:
    if _CELL_SEPARATOR in line:
        return [line]  # a table row is one segment: its cells only make sense together
    return _SENTENCE_END.split(line.strip())


def _overlap(segment: str, wanted: set[str]) -> int:
    return len(wanted & set(terms(segment)))


def _best_cells(row: str, wanted: set[str], limit: int) -> str:
    """The row's first cell (what the row is about) and its best-matching cells, in their original order."""
    cells = row.split(_CELL_SEPARATOR)
    ranked = sorted(range(1, len(cells)), key=lambda i: (-_overlap(cells[i], wanted), i))
    chosen = {0}
    size = len(cells[0])
    for i in ranked:
        if _overlap(cells[i], wanted) == 0 and len(chosen) > 1:
            break
        if size + len(_CELL_SEPARATOR) + len(cells[i]) > limit:
            continue
        chosen.add(i)
        size += len(_CELL_SEPARATOR) + len(cells[i])
    return _CELL_SEPARATOR.join(cells[i] for i in sorted(chosen))


def _shorten(text: str, limit: int) -> str:
    text = re.sub(r"^- ", "", text.strip())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
