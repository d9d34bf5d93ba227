"""Markdown (CommonMark + GFM tables) with optional front matter."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from retrieval.loaders.blocks import Block, ParsedDocument, decode_text, heading, list_item, paragraph, table
from retrieval.loaders.frontmatter import split_front_matter
from retrieval.loaders.html import html_fragment_text

_md = MarkdownIt("commonmark").enable("table")


def parse_markdown(data: bytes) -> ParsedDocument:
    metadata, body = split_front_matter(decode_text(data))
    blocks = _blocks(_md.parse(body))
    title = metadata.get("title")
    if title is None:
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return ParsedDocument(title=str(title) if title else None, metadata=metadata, blocks=blocks)


def _blocks(tokens: list[Token]) -> list[Block]:
    blocks: list[Block] = []
    list_depth = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "heading_open":
            blocks.append(heading(inline_text(tokens[i + 1]), int(token.tag[1])))
            i += 2
        elif token.type == "inline" and tokens[i - 1].type == "paragraph_open":
            text = inline_text(token)
            if text:
                blocks.append(list_item(text) if list_depth else paragraph(text))
        elif token.type in ("fence", "code_block"):
            blocks.append(paragraph(token.content))
        elif token.type == "html_block":
            text = html_fragment_text(token.content)
            if text:
                blocks.append(paragraph(text))
        elif token.type == "table_open":
            close = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            blocks.append(_table(tokens[i:close]))
            i = close
        i += 1
    return blocks


def _table(tokens: list[Token]) -> Block:
    rows: list[list[str]] = []
    header_rows = 0
    in_head = False
    for token in tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            rows.append([])
            header_rows += in_head
        elif token.type == "inline":
            rows[-1].append(inline_text(token))
    header = rows[0] if header_rows else []
    return table(header, rows[header_rows:] if header_rows else rows)


def inline_text(token: Token) -> str:
    """The plain text of an inline token: markup dropped, breaks as spaces, inline HTML stripped."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline":
            continue
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()
