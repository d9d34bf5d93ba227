"""HTML: headings, paragraphs, list items and tables in document order; <meta> names as metadata."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag

from retrieval.loaders.blocks import (
    Block,
    ParsedDocument,
    UnreadableDocumentError,
    clean,
    decode_text,
    heading,
    list_item,
    paragraph,
    table,
)

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_PROSE = {"p", "pre", "blockquote", "dd", "dt", "figcaption", "address"}
_STRUCTURAL = {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr"}  # whitespace between their children
_BLOCKS = [
    *_HEADINGS,
    *_PROSE,
    *_STRUCTURAL,
    "li",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "footer",
    "body",
    "form",
    "fieldset",
    "details",
    "figure",
    "hr",
]
_DROP = ["script", "style", "noscript", "template", "nav", "svg", "head"]
_META_KEYS = {"title", "jurisdiction", "plan_year", "plan-year", "description"}


def parse_html(data: bytes) -> ParsedDocument:
    soup = BeautifulSoup(decode_text(data), "html.parser")
    metadata = _meta(soup)
    title_tag = soup.find("title")
    page_title = clean(title_tag.get_text()) if title_tag else None
    for tag in soup(_DROP):
        tag.decompose()
    root = soup.body or soup
    blocks: list[Block] = []
    _walk(root, blocks)
    if not blocks and root.get_text(strip=True):
        raise UnreadableDocumentError("HTML without recognisable text blocks")
    title = metadata.pop("title", None) or page_title
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return ParsedDocument(title=title or None, metadata=metadata, blocks=blocks)


def html_fragment_text(fragment: str) -> str:
    return clean(BeautifulSoup(fragment, "html.parser").get_text(" "))


def _meta(soup: BeautifulSoup) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for tag in soup.find_all("meta"):
        name = str(tag.get("name") or "").strip().lower()
        if name in _META_KEYS and tag.get("content") is not None:
            found[name.replace("-", "_")] = str(tag.get("content"))
    return found


def _walk(node: Tag, blocks: list[Block]) -> None:
    """Block elements become blocks; runs of text and inline elements between them become one paragraph each."""
    inline: list[str] = []

    def flush() -> None:
        text = clean("".join(inline))  # text nodes carry their own spacing
        inline.clear()
        if text:
            blocks.append(paragraph(text))

    for child in node.children:
        if not isinstance(child, Tag):
            if node.name not in _STRUCTURAL:
                inline.append(str(child))
            continue
        if child.name not in _BLOCKS and not child.find(_BLOCKS):
            inline.append(" " if child.name == "br" else child.get_text(" "))
            continue
        flush()
        if child.name in _HEADINGS:
            blocks.append(heading(child.get_text(" "), _HEADINGS[child.name]))
        elif child.name in _PROSE:
            text = child.get_text(" ")
            if clean(text):
                blocks.append(paragraph(text))
        elif child.name == "li":
            _list_item(child, blocks)
        elif child.name == "table":
            blocks.append(_table(child))
        else:
            _walk(child, blocks)
    flush()


def _list_item(item: Tag, blocks: list[Block]) -> None:
    nested = item.find_all(["ul", "ol", "table"], recursive=False)
    for tag in nested:
        tag.extract()
    text = clean(item.get_text(" "))
    if text:
        blocks.append(list_item(text))
    for tag in nested:
        if tag.name == "table":
            blocks.append(_table(tag))
        else:
            _walk(tag, blocks)


def _table(node: Tag) -> Block:
    """A table's header and body rows, cell spans spread over the grid they cover. The header is every leading row
    in <thead> or made only of <th>; a column's name joins its header rows top-down ("Deductible Family" under a
    "Deductible" spanning two columns)."""
    rows = [row for row in node.find_all("tr") if row.find_parent("table") is node]
    grid = _grid(rows)
    head = node.find("thead")
    header_rows = 0
    for row in rows:
        cells = row.find_all(["th", "td"], recursive=False)
        in_head = head is not None and row.find_parent("thead") is head
        if not (in_head or (cells and all(c.name == "th" for c in cells))):
            break
        header_rows += 1
    header_rows = min(header_rows, max(1, len(grid) - 1))  # a table of <th> only: its first row names the rest
    body = [cells for cells in grid[header_rows:] if any(c.strip() for c in cells)]
    if header_rows == 0:
        return table([], body)
    return table([_column_name(grid[:header_rows], column) for column in range(len(grid[0]))], body)


def _grid(rows: list[Tag]) -> list[list[str]]:
    """The rows' cell texts on a grid: a colspan repeats the cell across its columns, a rowspan down its rows."""
    pending: dict[tuple[int, int], str] = {}  # (row, column) -> text of a cell spanning into it from above
    grid: list[list[str]] = []
    for index, row in enumerate(rows):
        cells: list[str] = []
        for cell in row.find_all(["th", "td"], recursive=False):
            while (index, len(cells)) in pending:
                cells.append(pending.pop((index, len(cells))))
            text = clean(cell.get_text(" "))
            column = len(cells)
            for offset in range(_span(cell, "colspan")):
                cells.append(text)
                for below in range(1, _span(cell, "rowspan")):
                    pending[(index + below, column + offset)] = text
        while (index, len(cells)) in pending:
            cells.append(pending.pop((index, len(cells))))
        grid.append(cells)
    width = max((len(cells) for cells in grid), default=0)
    return [cells + [""] * (width - len(cells)) for cells in grid]


_MAX_SPAN = 100  # a colspan of 10,000 in a hostile file must not build a 10,000-column grid


def _span(cell: Tag, attribute: str) -> int:
    try:
        return max(1, min(_MAX_SPAN, int(str(cell.get(attribute) or 1))))
    except ValueError:
        return 1


def _column_name(header_rows: list[list[str]], column: int) -> str:
    parts: list[str] = []
    for cells in header_rows:
        if cells[column] and cells[column] not in parts:
            parts.append(cells[column])
    return " ".join(parts)
