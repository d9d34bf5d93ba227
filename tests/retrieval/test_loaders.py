from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from retrieval.loaders import BlockKind, UnreadableDocumentError, parse_html, parse_markdown, parse_pdf, parse_text

MARKDOWN = """---
title: Dental plan
jurisdiction: US-CA
plan_year: 2027
---

# Dental plan

Intro with **bold** text and a [link](https://example.com).

## Coverage

| Service | Plan pays |
|---|---|
| Preventive | 100% |
| Major | 50% |

- Cleanings twice a year
- Orthodontia for adults

### Limits

The annual maximum is $2,000.
"""


def _pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf()


def test_markdown_front_matter_headings_lists_and_tables() -> None:
    doc = parse_markdown(MARKDOWN.encode())
    assert doc.title == "Dental plan"
    assert doc.metadata == {"title": "Dental plan", "jurisdiction": "US-CA", "plan_year": 2027}
    kinds = [(b.kind, b.level, b.text) for b in doc.blocks if b.kind == BlockKind.HEADING]
    assert kinds == [("heading", 1, "Dental plan"), ("heading", 2, "Coverage"), ("heading", 3, "Limits")]
    assert any(b.text == "Intro with bold text and a link." for b in doc.blocks)
    table = next(b for b in doc.blocks if b.kind == BlockKind.TABLE)
    assert table.header == ["Service", "Plan pays"]
    assert table.rows == [["Preventive", "100%"], ["Major", "50%"]]
    assert [b.text for b in doc.blocks if b.kind == BlockKind.LIST_ITEM] == [
        "Cleanings twice a year",
        "Orthodontia for adults",
    ]


def test_markdown_toml_front_matter_and_unclosed_front_matter() -> None:
    doc = parse_markdown(b'+++\ntitle = "Pension"\njurisdiction = ["GB"]\n+++\nBody text.\n')
    assert doc.metadata["jurisdiction"] == ["GB"]
    with pytest.raises(UnreadableDocumentError, match="never closed"):
        parse_markdown(b"---\ntitle: x\nno end\n")


def test_html_meta_headings_tables_and_no_script_or_navigation() -> None:
    html = """<html><head><title>Offices</title><meta name="jurisdiction" content="GB"><script>var x = 1;</script>
    </head><body><nav>Home › People</nav><h1>Our offices</h1><p>We have <b>two</b> offices.</p>
    <h2>London</h2><table><thead><tr><th>Office</th><th>Address</th></tr></thead>
    <tbody><tr><td>London</td><td>30 Finsbury Square</td></tr></tbody></table>
    <ul><li>Free lunch<ul><li>on anchor days</li></ul></li></ul></body></html>"""
    doc = parse_html(html.encode())
    assert doc.title == "Offices"
    assert doc.metadata == {"jurisdiction": "GB"}
    texts = [b.text for b in doc.blocks]
    assert "var x = 1;" not in " ".join(texts)
    assert "Home › People" not in texts
    assert ("heading", "London") in [(b.kind, b.text) for b in doc.blocks]
    table = next(b for b in doc.blocks if b.kind == BlockKind.TABLE)
    assert table.header == ["Office", "Address"]
    assert table.rows == [["London", "30 Finsbury Square"]]
    assert [b.text for b in doc.blocks if b.kind == BlockKind.LIST_ITEM] == ["Free lunch", "on anchor days"]


def test_pdf_sections_come_from_the_outline() -> None:
    data = _pdf(
        "<html><head><title>Life insurance</title></head><body><h1>Life insurance</h1><p>Corvid pays the cost.</p>"
        "<h2>Basic life</h2><p>Two times your annual base salary.</p><h2>Supplemental life</h2>"
        "<p>Up to six times salary.</p></body></html>"
    )
    doc = parse_pdf(data)
    assert doc.title == "Life insurance"
    headings = [(b.level, b.text) for b in doc.blocks if b.kind == BlockKind.HEADING]
    assert headings == [(1, "Life insurance"), (2, "Basic life"), (2, "Supplemental life")]
    paragraphs = [b.text for b in doc.blocks if b.kind == BlockKind.PARAGRAPH]
    assert paragraphs == ["Corvid pays the cost.", "Two times your annual base salary.", "Up to six times salary."]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a pdf at all", "missing %PDF header"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "corrupt PDF"),
    ],
)
def test_corrupt_pdf_is_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableDocumentError, match=reason):
        parse_pdf(data)


def test_truncated_and_encrypted_pdfs_are_unreadable() -> None:
    data = _pdf("<h1>Policy</h1><p>Text.</p>")
    with pytest.raises(UnreadableDocumentError):
        parse_pdf(data[: len(data) // 2])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt("owner-and-user-password")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(UnreadableDocumentError, match="encrypted"):
        parse_pdf(locked.getvalue())


def test_plain_text_headings_paragraphs_and_bullets() -> None:
    text = "SICK PAY\n\nYou get two weeks.\nAt full pay.\n\nRules\n=====\n\n- Call by 10am\n- Fit note from day 8\n"
    doc = parse_text(text.encode())
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "SICK PAY"),
        ("paragraph", "You get two weeks. At full pay."),
        ("heading", "Rules"),
        ("list_item", "Call by 10am"),
        ("list_item", "Fit note from day 8"),
    ]


def test_text_that_is_not_utf8_is_unreadable() -> None:
    with pytest.raises(UnreadableDocumentError, match="UTF-8"):
        parse_text("Gehaltsübersicht".encode("latin-1"))
    assert parse_text("Café".encode("utf-16")).blocks[0].text == "Café"


def test_html_inline_runs_stay_one_paragraph() -> None:
    html = b"<body><div>Corvid pays <b>100%</b> of the <a href='#'>premium</a>.<p>Next.</p>Tail<br>text</div></body>"
    assert [b.text for b in parse_html(html).blocks] == ["Corvid pays 100% of the premium.", "Next.", "Tail text"]
