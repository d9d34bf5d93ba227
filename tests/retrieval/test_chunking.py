from __future__ import annotations

from pathlib import Path

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
