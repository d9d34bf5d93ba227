from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import BenefitsFolderError, SkipKind
from retrieval.documents import load_folder


def _write(root: Path, relative: str, content: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def test_jurisdiction_from_front_matter_beats_file_entry_beats_folder_defaults(tmp_path: Path) -> None:
    _write(tmp_path, "_index.toml", "plan_year = 2027\n")
    _write(tmp_path, "us/_index.toml", 'jurisdiction = "US"\n[files."special.md"]\njurisdiction = "US-NY"\n')
    _write(tmp_path, "us/general.md", "# General\n\nText one.\n")
    _write(tmp_path, "us/special.md", "# Special\n\nText two.\n")
    _write(
        tmp_path, "us/declared.md", "---\njurisdiction: [us-ca, US-CO]\nplan_year: 2028\n---\n# Declared\n\nThree.\n"
    )
    _write(tmp_path, "shared.md", "# Shared\n\nText four.\n")
    docs = {d.doc_id: d for d in load_folder(tmp_path).documents}
    assert docs["us/general.md"].jurisdictions == ["US"]
    assert docs["us/special.md"].jurisdictions == ["US-NY"]
    assert docs["us/declared.md"].jurisdictions == ["US-CA", "US-CO"]
    assert docs["us/declared.md"].plan_year == 2028
    assert docs["shared.md"].jurisdictions == ["ALL"]
    assert {d.plan_year for k, d in docs.items() if k != "us/declared.md"} == {2027}


def test_titles_come_from_declaration_then_heading_then_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "a.md", "---\ntitle: Declared title\n---\n# Heading title\n\nx\n")
    _write(tmp_path, "b.md", "# Heading title\n\ny\n")
    _write(tmp_path, "parental_leave-policy.md", "Just text.\n")
    titles = {d.doc_id: d.title for d in load_folder(tmp_path).documents}
    assert titles == {
        "a.md": "Declared title",
        "b.md": "Heading title",
        "parental_leave-policy.md": "Parental leave policy",
    }


def test_bad_metadata_skips_only_the_affected_files(tmp_path: Path) -> None:
    _write(tmp_path, "good.md", "# Good\n\nFine.\n")
    _write(tmp_path, "bad-code.md", "---\njurisdiction: Narnia\n---\n# Bad\n\nText.\n")
    _write(tmp_path, "bad-year.md", "---\nplan_year: next year\n---\n# Bad year\n\nText.\n")
    _write(tmp_path, "uk/_index.toml", 'jurisdicton = "GB"\n')  # a typo must not make UK documents company-wide
    _write(tmp_path, "uk/holiday.md", "# Holiday\n\n25 days.\n")
    loaded = load_folder(tmp_path)
    assert [d.doc_id for d in loaded.documents] == ["good.md"]
    skipped = {s.path: s for s in loaded.skipped}
    assert set(skipped) == {"bad-code.md", "bad-year.md", "uk/holiday.md"}
    assert all(s.kind == SkipKind.METADATA for s in skipped.values())
    assert "Narnia" in skipped["bad-code.md"].reason
    assert "jurisdicton" in skipped["uk/holiday.md"].reason


def test_duplicates_are_loaded_once_and_listed(tmp_path: Path) -> None:
    text = "# Sick pay\n\nTwo weeks at full pay.\n"
    _write(tmp_path, "a/sick-pay.md", text)
    _write(tmp_path, "b/sick-pay-copy.md", text)
    _write(tmp_path, "c/sick-pay.md", "---\njurisdiction: GB\n---\n" + text)  # same words, other audience: kept
    loaded = load_folder(tmp_path)
    assert [d.doc_id for d in loaded.documents] == ["a/sick-pay.md", "c/sick-pay.md"]
    assert [(s.path, s.kind) for s in loaded.skipped] == [("b/sick-pay-copy.md", SkipKind.DUPLICATE)]
    assert "a/sick-pay.md" in loaded.skipped[0].reason


def test_unsupported_unreadable_and_hidden_files(tmp_path: Path) -> None:
    _write(tmp_path, "policy.md", "# Policy\n\nText.\n")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n\x00\x01broken")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "latin1.txt").write_bytes("Gehaltsübersicht".encode("latin-1"))
    _write(tmp_path, ".hidden/secret.md", "# Hidden\n\nx\n")
    _write(tmp_path, "empty.md", "# Only a heading\n")
    loaded = load_folder(tmp_path)
    assert [d.doc_id for d in loaded.documents] == ["policy.md"]
    kinds = {s.path: s.kind for s in loaded.skipped}
    assert kinds == {
        "empty.md": SkipKind.UNREADABLE,
        "latin1.txt": SkipKind.UNREADABLE,
        "notes.docx": SkipKind.UNSUPPORTED,
        "scan.pdf": SkipKind.UNREADABLE,
    }


def test_missing_empty_and_unusable_folders_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(BenefitsFolderError, match="does not exist"):
        load_folder(tmp_path / "nowhere")
    (tmp_path / "file.md").write_text("x")
    with pytest.raises(BenefitsFolderError, match="is not a folder"):
        load_folder(tmp_path / "file.md")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BenefitsFolderError, match="no readable documents"):
        load_folder(tmp_path / "empty")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "a.pdf").write_bytes(b"junk")
    with pytest.raises(BenefitsFolderError, match=r"a\.pdf: not a PDF"):
        load_folder(tmp_path / "junk")


def test_content_hash_ignores_location_but_doc_hash_follows_the_title(tmp_path: Path) -> None:
    _write(tmp_path, "x/one.md", "Same words.\n")
    first = load_folder(tmp_path / "x").documents[0]
    _write(tmp_path, "y/two.md", "Same words.\n")
    second = load_folder(tmp_path / "y").documents[0]
    assert first.content_hash == second.content_hash
    assert first.doc_hash != second.doc_hash  # titles differ ("One" / "Two")
