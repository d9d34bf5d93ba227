from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from retrieval.chunking import ChunkKind, chunk_document
from retrieval.documents import SourceDocument, load_folder
from retrieval.embedding import MAX_WORD_PIECES, MiniLMEncoder

from .conftest import DEMO_BENEFITS


def _document(tmp_path: Path, text: str, name: str = "doc.md") -> SourceDocument:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return next(d for d in load_folder(tmp_path).documents if d.doc_id == name)


MEDICAL = """# Medical plans

Intro paragraph.

## Costs

### Deductibles

The family deductible applies to every tier other than employee only.

| Plan | Deductible (employee only) | Deductible (family) |
|---|---|---|
| PPO | $500 | $1,000 |
| HDHP | $1,700 | $3,400 |

## Eligibility

Everyone is eligible from day one.
"""


def test_chunks_carry_their_heading_path_and_table_rows_their_headers(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    chunks = chunk_document(_document(tmp_path, MEDICAL), encoder.count_word_pieces, 160)
    by_text = {c.text: c for c in chunks}
    assert by_text["Intro paragraph."].section == []
    assert by_text["Everyone is eligible from day one."].section == ["Eligibility"]
    rows = [c for c in chunks if c.kind == ChunkKind.TABLE_ROW]
    assert [c.section for c in rows] == [["Costs", "Deductibles"]] * 2
    hdhp = rows[1].text
    assert "Plan: HDHP | Deductible (employee only): $1,700 | Deductible (family): $3,400" in hdhp
    assert hdhp.startswith("The family deductible applies")  # the short lead-in travels with every row ...
    assert not any(c.kind == ChunkKind.PROSE and "family deductible applies" in c.text for c in chunks)  # not alone
    assert rows[1].embed_text.startswith("Medical plans > Costs > Deductibles\n")


def test_every_demo_chunk_fits_the_model_with_its_context(encoder: MiniLMEncoder) -> None:
    for document in load_folder(DEMO_BENEFITS).documents:
        for chunk in chunk_document(document, encoder.count_word_pieces, 160):
            assert encoder.count_word_pieces(chunk.embed_text) + 2 <= MAX_WORD_PIECES, chunk.chunk_id


def test_long_sections_split_at_sentences_and_stay_in_order(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    sentences = [f"Rule number {n} says employees must file expense claims within thirty days." for n in range(40)]
    chunks = chunk_document(_document(tmp_path, "# Expenses\n\n" + " ".join(sentences)), encoder.count_word_pieces, 96)
    assert len(chunks) > 3
    assert all(encoder.count_word_pieces(c.embed_text) <= 96 for c in chunks)
    rejoined = " ".join(c.text.replace("\n", " ") for c in chunks)
    assert rejoined == " ".join(sentences)


def test_a_german_ordinal_never_ends_a_sentence_when_a_section_is_split(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    lead = " ".join(f"Satz {n} beschreibt die Regeln der Sonderzahlung ausführlich." for n in range(30))
    text = f"# Sonderzahlungen\n\n{lead} Das 13. Monatsgehalt wird am 3. Dezember ausgezahlt. Danach gilt der Plan.\n"
    chunks = chunk_document(_document(tmp_path, text), encoder.count_word_pieces, 120)
    assert len(chunks) > 1  # the section was over the budget, so it was cut at sentences
    assert any("Das 13. Monatsgehalt wird am 3. Dezember ausgezahlt." in c.text for c in chunks)
    assert not any(c.text.rstrip().endswith(("13.", "3.")) for c in chunks)


def test_chunk_ids_are_stable_and_change_only_with_content(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    first = chunk_document(_document(tmp_path, MEDICAL), encoder.count_word_pieces, 160)
    again = chunk_document(_document(tmp_path, MEDICAL), encoder.count_word_pieces, 160)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    edited = chunk_document(
        _document(tmp_path, MEDICAL.replace("day one", "day thirty")), encoder.count_word_pieces, 160
    )
    changed = {c.chunk_id for c in edited} ^ {c.chunk_id for c in first}
    assert len(changed) == 2  # the old and the new version of the one edited paragraph


def test_identical_passages_in_one_document_get_distinct_ids(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    text = "# Twice\n\n## A\n\nSame sentence.\n\n## A\n\nSame sentence.\n"
    chunks = chunk_document(_document(tmp_path, text), encoder.count_word_pieces, 160)
    assert len(chunks) == 2
    assert chunks[0].chunk_id != chunks[1].chunk_id


def _row_chunks(tmp_path: Path, name: str, data: bytes, encoder: MiniLMEncoder) -> list[str]:
    (tmp_path / name).write_bytes(data)
    document = next(d for d in load_folder(tmp_path).documents if d.doc_id == name)
    return [c.text for c in chunk_document(document, encoder.count_word_pieces, 160) if c.kind == ChunkKind.TABLE_ROW]


def test_html_table_rows_carry_their_column_headers(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    html = (
        "<h1>Leave</h1><table><tr><th>Role</th><th>Days per year</th></tr>"
        "<tr><td>Shift worker</td><td>25</td></tr><tr><td>Day worker</td><td>20</td></tr></table>"
    )
    rows = _row_chunks(tmp_path, "leave.html", html.encode(), encoder)
    assert rows == ["Role: Shift worker | Days per year: 25", "Role: Day worker | Days per year: 20"]


_CITIES = ["Austin", "Berlin", "Chicago", "Dublin", "Edinburgh", "Frankfurt", "Glasgow", "Houston", "Lisbon", "Oslo"]
_OFFICES = [f"{_CITIES[n % 10]}{'-' + _CITIES[n * 3 % 10] if n >= 10 else ''}" for n in range(60)]


@pytest.mark.parametrize("repeated_header", [True, False], ids=["header-repeated", "header-on-first-page-only"])
def test_a_pdf_table_over_two_pages_keeps_its_header_on_every_row(
    tmp_path: Path, encoder: MiniLMEncoder, repeated_header: bool
) -> None:
    header = "<tr><th>Office</th><th>Annual leave</th><th>Carry-over</th></tr>"
    body = "".join(
        f"<tr><td>{o}</td><td>{20 + n % 7} days</td><td>{n % 4} days</td></tr>" for n, o in enumerate(_OFFICES)
    )
    table = (
        f"<table><thead>{header}</thead><tbody>{body}</tbody></table>"
        if repeated_header
        else (f"<table><tbody>{header}{body}</tbody></table>")
    )
    data = HTML(string=f"<h1>Leave by office</h1><p>Leave differs by office.</p>{table}<p>Ask HR.</p>").write_pdf()
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    rows = [chunk.splitlines()[-1] for chunk in _row_chunks(tmp_path, "leave.pdf", data, encoder)]  # less caption
    assert rows == [
        f"Office: {o} | Annual leave: {20 + n % 7} days | Carry-over: {n % 4} days" for n, o in enumerate(_OFFICES)
    ]


def test_a_table_at_the_top_of_a_page_with_other_columns_keeps_its_own_header(
    tmp_path: Path, encoder: MiniLMEncoder
) -> None:
    offices = "".join(f"<tr><td>{o}</td><td>{20 + n % 7} days</td></tr>" for n, o in enumerate(_OFFICES[:50]))
    plans = "".join(f"<tr><td>Plan {p}</td><td>${n}00</td><td>${n}50</td></tr>" for n, p in enumerate("ABCDE", 1))
    data = HTML(
        string=f"<table><tr><th>Office</th><th>Annual leave</th></tr>{offices}</table>"
        "<table style='page-break-before: always'><tr><th>Medical plan</th><th>Single</th><th>Family</th></tr>"
        f"{plans}</table>"
    ).write_pdf()
    rows = _row_chunks(tmp_path, "mixed.pdf", data, encoder)
    assert "Medical plan: Plan A | Single: $100 | Family: $150" in rows
    assert not any(row.startswith("Office: Medical plan") for row in rows)


def test_html_spanning_cells_give_every_row_its_full_column_names(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    html = (
        "<h1>Dental</h1><table><thead><tr><th rowspan='2'>Plan</th><th colspan='2'>Deductible</th></tr>"
        "<tr><th>Single</th><th>Family</th></tr></thead><tbody>"
        "<tr><td rowspan='2'>PPO</td><td>$50</td><td>$150</td></tr><tr><td>$75</td><td>$200</td></tr>"
        "<tr><td>HMO</td><td colspan='2'>none</td></tr></tbody></table>"
    )
    rows = _row_chunks(tmp_path, "dental.html", html.encode(), encoder)
    assert rows == [
        "Plan: PPO | Deductible Single: $50 | Deductible Family: $150",
        "Plan: PPO | Deductible Single: $75 | Deductible Family: $200",
        "Plan: HMO | Deductible Single: none | Deductible Family: none",
    ]


def test_html_table_of_header_cells_only_and_hostile_spans(tmp_path: Path, encoder: MiniLMEncoder) -> None:
    html = (
        "<h1>Odd</h1><table><tr><th>Role</th><th>Days</th></tr><tr><th>Nurse</th><th>30</th></tr></table>"
        "<table><tr><th>Plan</th><th colspan='999999'>Cost</th></tr><tr><td>Basic</td><td colspan='x'>$1</td></tr>"
        "</table>"
    )
    rows = _row_chunks(tmp_path, "odd.html", html.encode(), encoder)
    assert rows == ["Role: Nurse | Days: 30", "Plan: Basic | Cost: $1"]
