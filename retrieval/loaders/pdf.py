"""PDF via pypdf: the text of each page, cut into sections at the titles of the PDF's outline (bookmarks).

Generated PDFs (WeasyPrint, word processors) carry an outline built from their headings; that is the only reliable
structure a PDF has, so headings are found by matching outline titles to lines of extracted text.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from retrieval.loaders.blocks import Block, ParsedDocument, UnreadableDocumentError, clean, heading, paragraph

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
    blocks = _blocks("\n".join(pages), outline)
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


def _blocks(text: str, outline: list[tuple[str, int]]) -> list[Block]:
    pending = list(outline)
    blocks: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            # Visual line breaks carry no meaning; the chunker splits long sections at sentence ends.
            blocks.append(paragraph(" ".join(lines)))
            lines.clear()

    for raw in text.splitlines():
        line = clean(raw)
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


def _same(line: str, title: str) -> bool:
    return re.sub(r"\W+", "", line).lower() == re.sub(r"\W+", "", title).lower()
