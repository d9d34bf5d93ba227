"""PDF via pypdf: the text of each page, cut into sections at the titles of the PDF's outline (bookmarks); tables
found from where words sit on the page (`pdf_tables`) become table blocks with their header, like HTML tables.

Generated PDFs (WeasyPrint, word processors) carry an outline built from their headings; that is the only reliable
structure a PDF has, so headings are found by matching outline titles to lines of extracted text.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from retrieval.loaders.blocks import Block, ParsedDocument, UnreadableDocumentError, clean, heading, paragraph, table
from retrieval.loaders.pdf_tables import PdfTable, pdf_tables

logging.getLogger("pypdf").setLevel(logging.ERROR)  # it logs recoverable damage; we report unreadable files


def parse_pdf(data: bytes) -> ParsedDocument:
    if not data.startswith(b"%PDF-"):
        raise UnreadableDocumentError("not a PDF file (missing %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableDocumentError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        outline = _outline(reader)
        info: dict[str, Any] = dict(reader.metadata or {})
    except UnreadableDocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UnreadableDocumentError(f"corrupt PDF: {exc}") from exc
    if not any(page.strip() for page in pages):
        raise UnreadableDocumentError("the PDF has no extractable text (scanned image?)")
    blocks = _blocks("\n".join(pages), outline, pdf_tables(data))
    metadata: dict[str, Any] = {}
    for key, name in (("/Keywords", "keywords"), ("/Subject", "description")):
        if info.get(key):
            metadata[name] = str(info[key])
    title = str(info.get("/Title") or "") or next((b.text for b in blocks if b.kind == "heading"), None)
    return ParsedDocument(title=clean(title) if title else None, metadata=metadata, blocks=blocks)


def _outline(reader: PdfReader) -> list[tuple[str, int]]:
    entries: list[tuple[str, int]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            elif getattr(item, "title", None):
                entries.append((clean(str(item.title)), level))

    walk(list(reader.outline), 1)
    return entries


def _blocks(text: str, outline: list[tuple[str, int]], tables: list[PdfTable]) -> list[Block]:
    pending = list(outline)
    blocks: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            # Visual line breaks carry no meaning; the chunker splits long sections at sentence ends.
            blocks.append(paragraph(" ".join(lines)))
            lines.clear()

    raw_lines = text.splitlines()
    spans = _table_spans(raw_lines, tables)
    index = 0
    while index < len(raw_lines):
        if index in spans:
            flush()
            index, found = spans[index]
            blocks.append(table(found.header, found.rows))
            continue
        line = clean(raw_lines[index])
        index += 1
        if not line:
            continue
        match = next((n for n, (title, _) in enumerate(pending[:3]) if _same(line, title)), None)
        if match is not None:
            flush()
            title, level = pending[match]
            del pending[: match + 1]
            blocks.append(heading(title, level))
        else:
            lines.append(line)
    flush()
    return blocks


def _table_spans(lines: list[str], tables: list[PdfTable]) -> dict[int, tuple[int, PdfTable]]:
    """Where each table's lines are in the extracted text: start line -> (end line, table). The two extractors
    order a row's cells and wrapped lines differently, so a table is found as the run of lines holding exactly
    its words; a table whose words cannot be found stays text."""
    spans: dict[int, tuple[int, PdfTable]] = {}
    position = 0
    for found in tables:
        span = _run_of_words(lines, position, Counter(word for line in found.lines for word in line.split()))
        if span is not None:
            spans[span[0]] = (span[1], found)
            position = span[1]
    return spans


def _run_of_words(lines: list[str], position: int, wanted: Counter[str]) -> tuple[int, int] | None:
    for start in range(position, len(lines)):
        remaining, end = wanted.copy(), start
        while end < len(lines) and +remaining:
            words = Counter(lines[end].split())
            if words - remaining:
                break
            remaining -= words
            end += 1
        if end > start and not +remaining:
            return start, end
    return None


def _same(line: str, title: str) -> bool:
    return re.sub(r"\W+", "", line).lower() == re.sub(r"\W+", "", title).lower()
