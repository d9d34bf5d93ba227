"""Cutting documents into chunks the embedding model can read whole.

MiniLM reads at most 256 word pieces, so every chunk (with its title and heading path) fits a budget. A chunk never
spans two sections, and carries the heading path of its section. Each table row becomes its own chunk that repeats
the column headers ("Plan: HDHP | Deductible (family): $3,400"), so a question about one cell finds the row and the
row still says what its numbers mean.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel

from retrieval.documents import FORMAT_VERSION, SourceDocument
from retrieval.embedding import MAX_WORD_PIECES
from retrieval.loaders import Block, BlockKind

CountPieces = Callable[[str], int]

_NAMESPACE = uuid.UUID("6f1d2c43-4b8e-4a7e-9a35-2d8c1f0b7e51")
# A sentence ends at . ! ? before a capital, a figure or a currency sign, but not after a one- or two-digit ordinal
# ("am 3. Mai", "bis 1. März", "das 13. Monatsgehalt"): German writes ordinals with a dot and capitalises every noun.
# An ordinal stands alone after a space, a bracket or the line's start: the minutes of a clock time ("at 08:30.") or
# the decimals of a figure ("1.5.") end their sentence as usual.
# The one rule for every sentence split (the answer engine's `app.ai.text.sentences` uses it too).
SENTENCE_BREAK = re.compile(
    r"(?<=[.!?])(?<![\s(]\d\.)(?<!^\d\.)(?<![\s(]\d\d\.)(?<!^\d\d\.)\s+(?=[\"“(\[¿¡]?[A-Z0-9ÄÖÜÁÉÍÓÚÑ£$€])"
)
_CAPTION_PIECES = 48  # at most this long, a paragraph right before a table is taken as its caption
CELL_SEPARATOR = " | "  # between a table row's cells; the answer engine reads rows by it (app.ai.reader_rows)


class ChunkKind(StrEnum):
    PROSE = "prose"
    TABLE_ROW = "table_row"


class Chunk(BaseModel):
    chunk_id: str  # UUID: document id + a hash of everything stored with the chunk
    doc_id: str
    title: str
    section: list[str]
    text: str
    kind: ChunkKind
    position: int
    jurisdictions: list[str]
    plan_year: int | None = None
    source_format: str

    @property
    def embed_text(self) -> str:
        """What the dense and sparse encoders see: the body under its title and heading path."""
        return f"{_context(self.title, self.section)}\n{self.text}"


def chunk_document(document: SourceDocument, count: CountPieces, target: int) -> list[Chunk]:
    """The chunks of one document, in reading order."""
    builder = _Builder(document, count, target)
    for block in document.blocks:
        builder.add(block)
    builder.flush()
    return builder.chunks


class _Builder:
    def __init__(self, document: SourceDocument, count: CountPieces, target: int) -> None:
        self.document = document
        self.count = count
        self.target = target
        self.headings: list[tuple[int, str]] = []
        self.units: list[str] = []
        self.chunks: list[Chunk] = []
        self._occurrences: dict[str, int] = {}

    @property
    def section(self) -> list[str]:
        names = [text for _, text in self.headings]
        if names and names[0].casefold() == self.document.title.casefold():
            names = names[1:]  # the document's own H1 is its title, not a section
        return names

    def budget(self) -> int:
        context = self.count(_context(self.document.title, self.section)) + 1
        # The hard limit wins over the target: [CLS] + [SEP] + context + body <= 256.
        return max(16, min(self.target, MAX_WORD_PIECES - 2) - context)

    def add(self, block: Block) -> None:
        if block.kind == BlockKind.HEADING:
            self.flush()
            while self.headings and self.headings[-1][0] >= block.level:
                self.headings.pop()
            self.headings.append((block.level, block.text))
        elif block.kind == BlockKind.TABLE:
            self._table(block)
        elif block.text:
            self.units.append(f"- {block.text}" if block.kind == BlockKind.LIST_ITEM else block.text)

    def flush(self) -> None:
        if not self.units:
            return
        budget = self.budget()
        pieces: list[str] = []
        for unit in self.units:
            pieces.extend(_split(unit, budget, self.count))
        self.units = []
        for text in _pack(pieces, budget, self.count):
            self._emit(text, ChunkKind.PROSE)

    def _table(self, block: Block) -> None:
        if not block.header:  # no headers to carry: rows are plain lines, packed like prose
            self.units.extend(CELL_SEPARATOR.join(c for c in row if c) for row in block.rows)
            self.flush()
            return
        budget = self.budget()
        rows = [cells for cells in (_row_cells(block.header, row) for row in block.rows) if cells]
        caption = self._take_caption(rows, budget)
        self.flush()
        for cells in rows:
            line = CELL_SEPARATOR.join(cells)
            if self.count(caption + line) <= budget:
                self._emit(caption + line, ChunkKind.TABLE_ROW)
                continue
            # A very wide row: split its cells, each part led by the row's first cell so it stays identifiable.
            for part in _pack(cells[1:], budget - self.count(cells[0]) - 2, self.count, CELL_SEPARATOR):
                self._emit(f"{cells[0]}{CELL_SEPARATOR}{part}", ChunkKind.TABLE_ROW)

    def _take_caption(self, rows: list[list[str]], budget: int) -> str:
        """A short paragraph right before the table says what its numbers are ("premiums per pay period").

        It travels with every row, or with none so all rows of a table read alike; once carried by the rows it is
        not repeated as a passage of its own, where it would crowd out the rows it describes.
        """
        if not self.units or self.count(self.units[-1]) > _CAPTION_PIECES:
            return ""
        longest = max((self.count(CELL_SEPARATOR.join(cells)) for cells in rows), default=0)
        if self.count(self.units[-1]) + longest + 1 > budget:
            return ""
        return self.units.pop() + "\n"

    def _emit(self, text: str, kind: ChunkKind) -> None:
        doc = self.document
        section = self.section
        digest = hashlib.sha256(
            "\x1f".join(
                [FORMAT_VERSION, doc.title, *section, text, kind, *doc.jurisdictions, str(doc.plan_year)]
            ).encode()
        ).hexdigest()
        seen = self._occurrences.get(digest, 0)  # identical chunks in one document keep distinct ids
        self._occurrences[digest] = seen + 1
        chunk_id = str(uuid.uuid5(_NAMESPACE, f"{doc.doc_id}\n{digest}\n{seen}"))
        self.chunks.append(
            Chunk(
                chunk_id=chunk_id,
                doc_id=doc.doc_id,
                title=doc.title,
                section=section,
                text=text,
                kind=kind,
                position=len(self.chunks),
                jurisdictions=doc.jurisdictions,
                plan_year=doc.plan_year,
                source_format=doc.format,
            )
        )


def _row_cells(header: list[str], row: list[str]) -> list[str]:
    return [f"{h}: {c}" if h else c for h, c in zip(header, row, strict=False) if c]


def _context(title: str, section: list[str]) -> str:
    return " > ".join([title, *section])


def _split(unit: str, budget: int, count: CountPieces) -> list[str]:
    """A unit that fits, or its sentences; a sentence longer than the budget is cut into word windows."""
    if count(unit) <= budget:
        return [unit]
    parts: list[str] = []
    for sentence in SENTENCE_BREAK.split(unit):
        if count(sentence) <= budget:
            parts.append(sentence)
        else:
            parts.extend(_word_windows(sentence, budget, count))
    return parts


def _word_windows(text: str, budget: int, count: CountPieces) -> list[str]:
    windows: list[str] = []
    current: list[str] = []
    for word in text.split():
        if current and count(" ".join([*current, word])) > budget:
            windows.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        windows.append(" ".join(current))
    return windows


def _pack(pieces: list[str], budget: int, count: CountPieces, joiner: str = "\n") -> list[str]:
    """Consecutive pieces joined greedily while they fit the budget."""
    packed: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        n = count(piece) + 1
        if current and size + n > budget:
            packed.append(joiner.join(current))
            current, size = [], 0
        current.append(piece)
        size += n
    if current:
        packed.append(joiner.join(current))
    return packed
