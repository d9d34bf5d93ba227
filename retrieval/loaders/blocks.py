"""The format-neutral shape every parser produces."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class UnreadableDocumentError(ValueError):
    """A file that cannot be parsed (corrupt, encrypted, wrong encoding, no text); the message says why."""


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE = "table"


class Block(BaseModel):
    kind: BlockKind
    text: str = ""
    level: int = 0  # headings: 1 = top level
    header: list[str] = Field(default_factory=list)  # tables: column names
    rows: list[list[str]] = Field(default_factory=list)  # tables: body rows


class ParsedDocument(BaseModel):
    title: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)  # front matter / <meta> / PDF info, as declared
    blocks: list[Block] = Field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return any(b.text.strip() or b.rows for b in self.blocks if b.kind != BlockKind.HEADING)


_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Collapse whitespace (including non-breaking spaces) to single spaces."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def heading(text: str, level: int) -> Block:
    return Block(kind=BlockKind.HEADING, text=clean(text), level=level)


def paragraph(text: str) -> Block:
    return Block(kind=BlockKind.PARAGRAPH, text=clean(text))


def list_item(text: str) -> Block:
    return Block(kind=BlockKind.LIST_ITEM, text=clean(text))


def table(header: list[str], rows: list[list[str]]) -> Block:
    return Block(kind=BlockKind.TABLE, header=[clean(h) for h in header], rows=[[clean(c) for c in r] for r in rows])


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else UTF-16 with a BOM; anything else is not a text document."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableDocumentError(f"invalid UTF-16 text: {exc}") from exc
    if b"\x00" in data[:4096]:
        raise UnreadableDocumentError("binary content, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocumentError(f"not UTF-8 text (byte {exc.start}): re-save the file as UTF-8") from exc
