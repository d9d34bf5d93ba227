"""Parsers from a file's bytes to a format-neutral `ParsedDocument` (headings, paragraphs, list items, tables)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from retrieval.loaders.blocks import Block, BlockKind, ParsedDocument, UnreadableDocumentError
from retrieval.loaders.html import parse_html
from retrieval.loaders.markdown import parse_markdown
from retrieval.loaders.pdf import parse_pdf
from retrieval.loaders.text import parse_text

Parser = Callable[[bytes], ParsedDocument]

PARSERS: dict[str, Parser] = {
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
    ".pdf": parse_pdf,
    ".txt": parse_text,
    ".text": parse_text,
}


def parser_for(path: Path) -> Parser | None:
    return PARSERS.get(path.suffix.lower())


__all__ = ["PARSERS", "Block", "BlockKind", "ParsedDocument", "UnreadableDocumentError", "parser_for"]
