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


PROSE = (
    "Employees may take paid leave for medical appointments, family care and bereavement, subject to the notice "
    "periods set out below and to the approval of their line manager, who records it in the leave system. "
)


def test_pdf_tables_keep_their_header_beside_each_cell() -> None:
    """Right-aligned figures under wider, wrapped headers, a wrapped first cell, a left-aligned table: each cell is
    read under its column's name, and the rows are not also left in the text around the tables."""
    right = "style='text-align:right; padding: 2px 6px'"
    data = _pdf(
        f"<h1>Medical premiums</h1><p>{PROSE * 4}</p>"
        "<table><thead><tr><th>Plan</th><th>Employee only</th><th>Employee + spouse</th><th>Family</th></tr></thead>"
        f"<tr><td>Bronze HSA</td><td {right}>$12.50</td><td {right}>$145.00</td><td {right}>$210.75</td></tr>"
        "<tr><td>Silver PPO with a long plan name that wraps onto a second line</td>"
        f"<td {right}>$48.00</td><td {right}>$96.25</td><td {right}>$1,310.00</td></tr>"
        f"<tr><td>Gold PPO</td><td {right}>$102.00</td><td {right}>$204.00</td><td {right}>$306.00</td></tr></table>"
        f"<p>{PROSE * 3}</p><h2>Carry-over</h2>"
        "<table><tr><th>Role</th><th>Days per year</th><th>Carry-over</th></tr>"
        "<tr><td>Shift worker</td><td>25</td><td>5 days</td></tr><tr><td>Day worker</td><td>20</td><td>3 days</td></tr>"
        "</table>"
    )
    doc = parse_pdf(data)
    premiums, leave = (b for b in doc.blocks if b.kind == BlockKind.TABLE)
    assert premiums.header == ["Plan", "Employee only", "Employee + spouse", "Family"]
    assert premiums.rows == [
        ["Bronze HSA", "$12.50", "$145.00", "$210.75"],
        ["Silver PPO with a long plan name that wraps onto a second line", "$48.00", "$96.25", "$1,310.00"],
        ["Gold PPO", "$102.00", "$204.00", "$306.00"],
    ]
    assert leave.header == ["Role", "Days per year", "Carry-over"]
    assert leave.rows == [["Shift worker", "25", "5 days"], ["Day worker", "20", "3 days"]]
    text = " ".join(b.text for b in doc.blocks)
    assert "$145.00" not in text
    assert "Shift worker" not in text
    assert text.count("Employees may take paid leave") == 7


def test_a_pdf_table_read_without_confidence_stays_text() -> None:
    """No header above the figures, or two columns of figures that run together: the rows stay text (a wrong
    header would put every figure under another figure's name)."""
    data = _pdf(
        f"<style>td {{ padding: 2px 10px }}</style><p>{PROSE}</p>"
        "<table><tr><td>Up to 1 year</td><td>3.08 hours</td><td>80 hours</td></tr>"
        "<tr><td>1 to 5 years</td><td>4.62 hours</td><td>120 hours</td></tr>"
        "<tr><td>Over 5 years</td><td>6.15 hours</td><td>160 hours</td></tr></table>"
    )
    doc = parse_pdf(data)
    assert [b for b in doc.blocks if b.kind == BlockKind.TABLE] == []
    assert "1 to 5 years 4.62 hours 120 hours" in " ".join(b.text for b in doc.blocks)


def test_pdf_prose_and_lists_never_become_tables() -> None:
    data = _pdf(
        f"<h1>Leave</h1><p>{PROSE * 6}</p><ul><li>First item of a list with some words</li><li>Second item</li>"
        "<li>Third item here</li></ul><ol><li>Ask your manager</li><li>Record the leave</li><li>Take it</li></ol>"
        f"<p>{PROSE * 6}</p>"
    )
    assert [b for b in parse_pdf(data).blocks if b.kind == BlockKind.TABLE] == []


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
