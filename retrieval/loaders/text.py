"""Plain text: paragraphs split on blank lines; setext-underlined and ALL-CAPS lines become headings."""

from __future__ import annotations

import re

from retrieval.loaders.blocks import Block, ParsedDocument, decode_text, heading, list_item, paragraph
from retrieval.loaders.frontmatter import split_front_matter

_UNDERLINE = re.compile(r"^(=+|-+)\s*$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def parse_text(data: bytes) -> ParsedDocument:
    metadata, body = split_front_matter(decode_text(data))
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n")):
        lines = [line.rstrip() for line in chunk.strip("\n").split("\n") if line.strip()]
        if lines:
            blocks.extend(_blocks_of(lines))
    title = metadata.get("title")
    if title is None and blocks and blocks[0].kind == "heading":
        title = blocks[0].text
    return ParsedDocument(title=str(title) if title else None, metadata=metadata, blocks=blocks)


def _blocks_of(lines: list[str]) -> list[Block]:
    if len(lines) >= 2 and _UNDERLINE.match(lines[1]):
        level = 1 if lines[1].lstrip().startswith("=") else 2
        return [heading(lines[0], level), *_blocks_of(lines[2:])] if len(lines) > 2 else [heading(lines[0], level)]
    if _is_caps_heading(lines[0]):
        rest = _blocks_of(lines[1:]) if len(lines) > 1 else []
        return [heading(lines[0], 2), *rest]
    if all(_BULLET.match(line) or line.startswith((" ", "\t")) for line in lines) and _BULLET.match(lines[0]):
        items: list[str] = []
        for line in lines:
            if _BULLET.match(line):
                items.append(_BULLET.sub("", line))
            else:
                items[-1] += " " + line.strip()
        return [list_item(item) for item in items]
    return [paragraph(" ".join(lines))]


def _is_caps_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and len(line) <= 80 and all(c.isupper() for c in letters) and not line.endswith(".")
