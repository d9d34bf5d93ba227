"""Tables in a PDF, found from where its words sit on the page (pdfminer.six's character boxes).

A PDF has no table structure, and extracted text runs a row's cells together ("Shift worker 25 5 days"), so a
question about one cell cannot be matched to its column's name. Columns show on the page as cells that start (or,
for right-aligned figures, end) at the same x in at least three lines, with a gutter wider than a space before them
in some line and no word of any line running across. Lines that overlap vertically are one row (cells centred or
wrapped sit at different heights). A run of rows filling two or more columns is a table; its header is its first
row, or the line just above when that names the columns without aligning with them (wide headers over
right-aligned figures). A table that runs over a page break keeps its header on the next page, repeated there or
not. Bullets or numbers before items are a list, not a table.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTComponent
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

MIN_ROWS = 3  # lines that must share an edge for a column to exist (a header and two rows, or three rows)
MAX_HEADER_WORDS = 4  # per column, on average: more is a line of prose above the table
ALIGN = 1.0  # points within which cells count as starting at the same x


@dataclass(frozen=True)
class Word:
    x0: float
    x1: float
    text: str
    y: float = 0.0


@dataclass
class Line:
    """A line of text, or a band of lines that overlap (a table row whose cells are centred or wrap)."""

    y: float
    height: float
    words: list[Word] = field(default_factory=list)  # left to right
    bottom: float = 0.0
    texts: list[str] = field(default_factory=list)  # each printed line of the band, as extracted text has it


@dataclass(frozen=True)
class PdfTable:
    lines: list[str]  # the table's lines as words joined by spaces, to find them in the page's extracted text
    header: list[str]
    rows: list[list[str]]


def pdf_tables(data: bytes) -> list[PdfTable]:
    """Every table of every page, top to bottom; none when the PDF cannot be laid out (the text still is)."""
    try:
        pages = list(extract_pages(io.BytesIO(data)))
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError):
        return []
    tables: list[PdfTable] = []
    carried: _Carried | None = None
    for page in pages:
        bands = _bands(_lines(_chars(page)))
        found = list(_tables(bands, carried))
        tables.extend(table for table, _ in found)
        last_ends_page = bool(found) and found[-1][1].end >= len(bands) - _PAGE_MARGIN_LINES
        carried = found[-1][1] if last_ends_page else None
    return tables


def _chars(component: LTComponent) -> Iterator[LTChar]:
    if isinstance(component, LTChar):
        yield component
    elif isinstance(component, Iterable):
        for child in component:
            yield from _chars(child)


def _lines(chars: Iterable[LTChar]) -> list[Line]:
    """Characters grouped into lines (same baseline) and words (split at spaces and gaps), top of the page first."""
    rows: dict[float, list[LTChar]] = {}
    for char in chars:
        key = next((y for y in rows if abs(y - char.y0) <= char.size * 0.3), char.y0)
        rows.setdefault(key, []).append(char)
    lines = [_line(y, row) for y, row in rows.items()]
    return sorted((line for line in lines if line.words), key=lambda line: -line.y)


def _line(y: float, chars: list[LTChar]) -> Line:
    words = _words(sorted(chars, key=lambda c: c.x0), y)
    return Line(y=y, height=max(c.size for c in chars), words=words, bottom=y, texts=[" ".join(w.text for w in words)])


def _bands(lines: list[Line]) -> list[Line]:
    """Lines closer than a line's height merged: the cells of one table row sit at different heights when they are
    centred vertically or wrap, and their lines then overlap; lines of prose never do."""
    bands: list[Line] = []
    for line in lines:
        last = bands[-1] if bands else None
        if last is not None and last.bottom - line.y < 0.8 * max(last.height, line.height):
            last.words = sorted([*last.words, *line.words], key=lambda word: word.x0)
            last.bottom, last.height = line.y, max(last.height, line.height)
            last.texts.extend(line.texts)
        else:
            bands.append(
                Line(y=line.y, height=line.height, words=list(line.words), bottom=line.y, texts=list(line.texts))
            )
    return bands


def _words(chars: list[LTChar], y: float) -> list[Word]:
    words: list[Word] = []
    current: list[LTChar] = []
    for char in chars:
        blank = not char.get_text().strip()
        gap = current and char.x0 - current[-1].x1 > char.size * 0.15
        if (blank or gap) and current:
            words.append(Word(current[0].x0, current[-1].x1, "".join(c.get_text() for c in current), y))
            current = []
        if not blank:
            current.append(char)
    if current:
        words.append(Word(current[0].x0, current[-1].x1, "".join(c.get_text() for c in current), y))
    return words


_PAGE_MARGIN_LINES = 2  # lines a running header or footer (page number, document title) may take at a page's edge


@dataclass(frozen=True)
class _Carried:
    """Where a table ended on its page, with its header and column starts: what the next page needs to tell
    whether a table at its top continues this one."""

    end: int
    header: list[str]
    columns: list[float]


def _tables(lines: list[Line], carried: _Carried | None) -> Iterator[tuple[PdfTable, _Carried]]:
    """The tables of one page. `carried` is a table that ran to the foot of the previous page: a table at the top
    of this page whose columns start where its columns did, without its header row repeated, continues it: its
    first row is data, and every row keeps the header."""
    start = 0
    while start < len(lines):
        end, columns = _longest_table(lines, start)
        body = lines[start:end]
        table = None
        if body and carried is not None and start <= _PAGE_MARGIN_LINES and _same_columns(columns, carried.columns):
            table = _continued_table(carried.header, body, columns)
        if body and table is None:
            table = _table(_header_before(lines, start, body, columns), body, columns)
        if table is not None:
            yield table, _Carried(end=end, header=table.header, columns=columns)
            start = end
        else:
            start += 1
        carried = None  # only the first table of a page can continue one


def _same_columns(columns: list[float], previous: list[float]) -> bool:
    """Columns of one table laid out over two pages start at the same x; another table's hardly ever all do."""
    return len(columns) == len(previous) and all(
        abs(a - b) <= 2 * ALIGN for a, b in zip(columns, previous, strict=True)
    )


def _header_before(lines: list[Line], start: int, body: list[Line], columns: list[float]) -> Line | None:
    """The line just above a table's body when it names the columns but could not align with them (headers of
    right-aligned figures are wider than the figures): close above, a few words over two or more columns."""
    if start == 0 or not _close(lines[start - 1], lines[start]):
        return None
    above = lines[start - 1]
    centres = _centres(body, columns)
    filled = {_nearest(word, centres) for word in above.words}
    words = " ".join(word.text for word in above.words)
    if len(filled) < 2 or len(above.words) > MAX_HEADER_WORDS * len(columns) or _FIGURE.search(words):
        return None
    return above


def _header_cells(header: Line) -> list[list[Word]]:
    """A header's words grouped into column names: words a space apart on one line, or stacked (a wrapped name)."""
    cells: list[list[Word]] = []
    for word in sorted(header.words, key=lambda w: (-w.y, w.x0)):
        home = next((cell for cell in cells if any(_same_name(word, other, header.height) for other in cell)), None)
        if home is None:
            cells.append([word])
        else:
            home.append(word)
    return cells


def _same_name(word: Word, other: Word, height: float) -> bool:
    if abs(word.y - other.y) < 1:
        return min(abs(word.x0 - other.x1), abs(other.x0 - word.x1)) < 0.5 * height
    return word.x0 < other.x1 and other.x0 < word.x1


def _span(words: list[Word]) -> Word:
    return Word(min(w.x0 for w in words), max(w.x1 for w in words), "")


def _centres(body: list[Line], columns: list[float]) -> list[float]:
    centres = []
    for index in range(len(columns)):
        middles = [(w.x0 + w.x1) / 2 for line in body for w in line.words if _column_of(w, columns) == index]
        centres.append(statistics.mean(middles) if middles else columns[index])
    return centres


def _nearest(word: Word, centres: list[float]) -> int:
    middle = (word.x0 + word.x1) / 2
    return min(range(len(centres)), key=lambda index: abs(centres[index] - middle))


def _longest_table(lines: list[Line], start: int) -> tuple[int, list[float]]:
    """The end of the longest block from `start` that reads as a table, and its column starts."""
    best_end, best_columns = start, []
    for end in range(start + 2, len(lines) + 1):
        if not all(_close(upper, lower) for upper, lower in itertools.pairwise(lines[start:end])):
            break
        columns = _columns(lines[start:end])
        if len(columns) < 2:
            if end - start < MIN_ROWS:  # too few lines yet for columns to show
                continue
            break
        filled = [_filled(line, columns) for line in lines[start:end]]
        if filled[0] < 2 or sum(count >= 2 for count in filled) < 2:
            continue
        best_end, best_columns = end, columns
    return best_end, best_columns


def _close(upper: Line, lower: Line) -> bool:
    """Consecutive lines of one block (not across a paragraph's or a section's gap)."""
    return upper.bottom - lower.y <= 1.9 * max(upper.height, lower.height)


def _columns(block: list[Line]) -> list[float]:
    """Where columns start: the left edge, then wherever cells start at one x (left-aligned columns) or end at one
    x (right-aligned figures) in at least `MIN_ROWS` lines, with no word of any line running across."""
    left = min(line.words[0].x0 for line in block)
    starts = [left]
    for x in [*_aligned(block, lambda word: word.x0), *_right_aligned_starts(block)]:
        if all(abs(x - known) > ALIGN for known in starts) and not _crossed(block, x) and _gutter(block, x):
            starts.append(x)
    return sorted(starts)


def _aligned(block: list[Line], edge: Callable[[Word], float]) -> list[float]:
    """X positions where the `edge` of a word (not a line's first) lies in at least `MIN_ROWS` lines."""
    aligned: list[float] = []
    for x in sorted(edge(word) for line in block for word in line.words[1:]):
        if aligned and x - aligned[-1] <= ALIGN:
            continue
        if sum(any(abs(edge(w) - x) <= ALIGN for w in line.words[1:]) for line in block) >= MIN_ROWS:
            aligned.append(x)
    return aligned


def _right_aligned_starts(block: list[Line]) -> list[float]:
    """For each right edge shared by `MIN_ROWS` lines: where its column starts (the leftmost of those words)."""
    starts = []
    for x in _aligned(block, lambda word: word.x1):
        ending = [w for line in block for w in line.words[1:] if abs(w.x1 - x) <= ALIGN]
        starts.append(min(w.x0 for w in ending))
    return starts


def _gutter(block: list[Line], x: float) -> bool:
    """Some line leaves a gap before `x` far wider than a space between words: a column's gutter. Words of prose
    that happen to start at one x have just a space before them, line after line."""
    spaces = [b.x0 - a.x1 for line in block for a, b in itertools.pairwise(line.words) if 0 < b.x0 - a.x1 < line.height]
    space = statistics.median(spaces) if spaces else 0.0
    gaps = [
        min((w.x0 for w in line.words if w.x0 >= x - ALIGN), default=x)
        - max((w.x1 for w in line.words if w.x1 <= x + ALIGN), default=x)
        for line in block
    ]
    return max(gaps, default=0.0) >= max(2.5 * space, 6.0)


def _crossed(block: list[Line], x: float) -> bool:
    """A word of some line runs over `x`: no column can start there."""
    return any(word.x0 < x - ALIGN < word.x1 for line in block for word in line.words)


def _filled(line: Line, columns: list[float]) -> int:
    return len({_column_of(word, columns) for word in line.words})


def _column_of(word: Word, columns: list[float]) -> int:
    return max((index for index, start in enumerate(columns) if start <= word.x0 + ALIGN), default=0)


def _cells(line: Line, columns: list[float]) -> list[str]:
    cells: list[list[Word]] = [[] for _ in columns]
    for word in line.words:
        cells[_column_of(word, columns)].append(word)
    return [" ".join(w.text for w in sorted(cell, key=lambda w: (-w.y, w.x0))) for cell in cells]


def _is_list(rows: list[list[str]]) -> bool:
    """Bullets or numbers before items are a list, not a table's first column."""
    return all(_ENUMERATOR.fullmatch(row[0]) for row in rows if row[0])


def _data_like(header: list[str]) -> bool:
    """A "header" with figures in most of its cells is a row of data: the real header was not found."""
    later = header[1:]
    return sum(bool(_FIGURE.search(cell)) for cell in later) * 2 >= max(1, len(later))


def _merged_figures(rows: list[list[str]]) -> bool:
    """Two figures in one cell in most rows: two columns of figures were read as one."""
    return sum(any(len(_FIGURE.findall(cell)) >= 2 for cell in row[1:]) for row in rows) * 2 >= max(1, len(rows))


_FIGURE = re.compile(r"\d[\d.,]*")
_ENUMERATOR = re.compile(r"[•◦▪▫‣∙·●○■□\-–—*]|\(?[0-9a-zA-Z]{1,3}[.)]")


def _continued_table(header: list[str], block: list[Line], columns: list[float]) -> PdfTable | None:
    """The rows at the top of a page under the header of the table that ended the page before; None when the page
    repeats that header itself (then it is an ordinary table) or the rows do not read as a table."""
    rows = _rows(block, columns)
    if not rows or rows[0] == header or _is_list(rows) or _merged_figures(rows):
        return None
    return PdfTable(lines=[text for line in block for text in line.texts], header=header, rows=rows)


def _rows(block: list[Line], columns: list[float]) -> list[list[str]]:
    rows: list[list[str]] = []
    for line in block:
        cells = _cells(line, columns)
        if rows and sum(bool(cell) for cell in cells) < 2:  # a wrapped cell continues the row above
            rows[-1] = [" ".join(part for part in pair if part) for pair in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
    return rows


def _table(header: Line | None, block: list[Line], columns: list[float]) -> PdfTable | None:
    rows = _rows(block, columns)
    if header is not None:
        centres = _centres(block, columns)
        names: list[list[Word]] = [[] for _ in columns]
        for name in _header_cells(header):
            names[_nearest(_span(name), centres)].extend(name)
        rows.insert(0, [" ".join(w.text for w in sorted(cell, key=lambda w: (-w.y, w.x0))) for cell in names])
    if len(rows) < MIN_ROWS:
        return None
    if _is_list(rows) or _data_like(rows[0]) or _merged_figures(rows[1:]):
        return None  # not a table we can read with confidence: its text stays text, as before
    lines = [*(header.texts if header else []), *(text for line in block for text in line.texts)]
    return PdfTable(lines=lines, header=rows[0], rows=rows[1:])
