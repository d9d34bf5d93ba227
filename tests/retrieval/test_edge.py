"""Qdrant Edge as the embedded store: shards created and reopened, payload indexes, damage and locks."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from retrieval import ANY_JURISDICTION, BenefitsIndex, IndexLockedError, close_client, store
from retrieval.edge import EdgeBackend
from retrieval.evaluation import load_eval_set
from tests.retrieval.conftest import DEMO_EVAL, Corpus

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def three_docs(corpus: Corpus) -> Corpus:
    corpus.write("us/medical.md", "# Medical\n\nThe family deductible on the HDHP is $3,200 per plan year.\n")
    corpus.write("us/leave.md", "# Leave\n\nBirthing parents get 16 weeks of paid parental leave.\n")
    corpus.write("gb/pension.md", "# Pension\n\nThe company contributes 5% of salary to your pension.\n")
    return corpus


def shard_folder(corpus: Corpus) -> Path:
    assert corpus.config.qdrant_path is not None
    return corpus.config.qdrant_path / "edge" / corpus.config.physical_collection(corpus.config.collection)


def top_doc(index: BenefitsIndex, query: str) -> str:
    return index.search(query, jurisdiction=ANY_JURISDICTION, top_k=1)[0].doc_id


def test_the_default_store_is_an_edge_shard_with_payload_indexes(three_docs: Corpus) -> None:
    three_docs.index.build()
    folder = shard_folder(three_docs)
    assert (folder / "shard" / "edge_config.json").is_file()
    assert (folder / "collection.json").is_file()
    client = store.client_for(three_docs.config)
    assert isinstance(client.backend, EdgeBackend)
    opened = client.backend._open(three_docs.config.collection)
    assert opened is not None
    assert set(opened.shard.info().payload_schema) == {"doc_id", "jurisdictions", "plan_year"}


def test_a_shard_is_reopened_after_a_restart_and_not_rebuilt(three_docs: Corpus, encoder) -> None:
    first = three_docs.index.build()
    close_client(three_docs.config)  # flushes and closes, as at shutdown
    again = BenefitsIndex(three_docs.config, encoder)
    report = again.build()
    assert first.chunks_total == report.chunks_total > 0
    assert report.rebuilt is None
    assert report.chunks_embedded == 0
    assert top_doc(again, "family deductible") == "us/medical.md"


@pytest.mark.parametrize(
    "damage",
    ["config", "segment", "metadata"],
)
def test_a_damaged_shard_is_set_aside_and_rebuilt_with_a_message(
    three_docs: Corpus, encoder, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    three_docs.index.build()
    close_client(three_docs.config)
    folder = shard_folder(three_docs)
    if damage == "config":
        (folder / "shard" / "edge_config.json").write_bytes(b"\x00garbage")
    elif damage == "segment":
        for state in (folder / "shard" / "segments").rglob("segment.json"):
            state.unlink()
    else:  # creation never finished: the metadata is written last
        (folder / "collection.json").unlink()

    report = BenefitsIndex(three_docs.config, encoder).build()

    assert report.rebuilt is not None
    assert "could not be opened" in report.rebuilt
    assert "rebuilt from the documents" in report.rebuilt
    assert "could not be opened" in caplog.text
    assert sorted(report.added) == ["gb/pension.md", "us/leave.md", "us/medical.md"]
    assert folder.with_name(folder.name + ".broken").is_dir()  # kept for a look, not deleted
    assert top_doc(BenefitsIndex(three_docs.config, encoder), "paid parental leave") == "us/leave.md"


def test_a_search_on_a_damaged_shard_rebuilds_it_first(three_docs: Corpus, encoder) -> None:
    three_docs.index.build()
    close_client(three_docs.config)
    (shard_folder(three_docs) / "shard" / "edge_config.json").write_text("{")
    assert top_doc(BenefitsIndex(three_docs.config, encoder), "pension contribution") == "gb/pension.md"


def _index_in_a_child(corpus: Corpus, pause_after_first_write: bool) -> subprocess.Popen[str]:
    script = textwrap.dedent(f"""
        import sys
        from retrieval import BenefitsIndex, RetrievalConfig, store
        config = RetrievalConfig.model_validate_json({corpus.config.model_dump_json()!r})
        real_upsert = store.upsert
        def upsert(*args, **kwargs):
            real_upsert(*args, **kwargs)
            print("written", flush=True)
            if {pause_after_first_write!r}:
                sys.stdin.readline()
        store.upsert = upsert
        BenefitsIndex(config).build()
        print("done", flush=True)
        sys.stdin.readline()
    """)
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=PROJECT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def test_indexing_killed_mid_write_is_repaired_at_the_next_start(three_docs: Corpus, encoder) -> None:
    for n in range(40):  # several write batches
        three_docs.write(f"us/extra-{n:02}.md", f"# Extra {n}\n\n" + f"Benefit {n} paragraph text. " * 60)
    child = _index_in_a_child(three_docs, pause_after_first_write=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "written"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

    report = BenefitsIndex(three_docs.config, encoder).build()

    stored = store.stored_points(store.client_for(three_docs.config), three_docs.config.collection)
    assert report.chunks_total == len(stored) > 0
    assert len({p.doc_id for p in stored}) == 43
    assert top_doc(BenefitsIndex(three_docs.config, encoder), "family deductible HDHP") == "us/medical.md"


def test_a_second_process_gets_a_clear_lock_error(three_docs: Corpus) -> None:
    child = _index_in_a_child(three_docs, pause_after_first_write=False)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "written"
        assert child.stdout.readline().strip() == "done"
        with pytest.raises(IndexLockedError, match="in use by another process"):
            three_docs.index.build()
    finally:
        child.communicate("go\n", timeout=60)
    assert child.returncode == 0
    report = three_docs.index.build()  # the child flushed and closed its shard at exit: nothing to redo
    assert report.rebuilt is None
    assert report.chunks_embedded == 0
    assert sorted(report.unchanged) == ["gb/pension.md", "us/leave.md", "us/medical.md"]


def test_closing_a_shard_whose_folder_is_gone_is_quiet_and_rebuilds_next_time(
    three_docs: Corpus, caplog: pytest.LogCaptureFixture
) -> None:
    three_docs.index.build()
    shutil.rmtree(shard_folder(three_docs))
    close_client(three_docs.config)  # as at exit after a test removed its folder: no exception, nothing to flush
    assert "Qdrant Edge" not in caplog.text
    assert three_docs.index.build().chunks_embedded > 0  # the lock was let go: the next build starts afresh


def test_the_way_back_to_local_mode_finds_the_same_passages(three_docs: Corpus, encoder, tmp_path: Path) -> None:
    three_docs.index.build()
    local = three_docs.config.model_copy(update={"engine": "qdrant-local", "qdrant_path": tmp_path / "local"})
    local_index = BenefitsIndex(local, encoder)
    local_index.build()
    try:
        for query in ("family deductible", "parental leave weeks", "pension contribution"):
            edge_hits = three_docs.index.search(query, jurisdiction="US-CA")
            local_hits = local_index.search(query, jurisdiction="US-CA")
            assert [p.chunk_id for p in edge_hits] == [p.chunk_id for p in local_hits]
            for a, b in zip(edge_hits, local_hits, strict=True):
                assert a.score == pytest.approx(b.score, abs=1e-5)
    finally:
        close_client(local)


def test_edge_and_local_mode_agree_on_the_labelled_set(demo_index: BenefitsIndex, encoder, tmp_path: Path) -> None:
    """The real corpus and questions: the same top 5 with the same scores, whichever engine runs the plan."""
    local = demo_index.config.model_copy(update={"engine": "qdrant-local", "qdrant_path": tmp_path / "local"})
    local_index = BenefitsIndex(local, encoder)
    local_index.build()
    try:
        for question in load_eval_set(DEMO_EVAL):
            on_edge = demo_index.search(question.question, jurisdiction=question.jurisdiction)
            in_local = local_index.search(question.question, jurisdiction=question.jurisdiction)
            assert [p.chunk_id for p in on_edge] == [p.chunk_id for p in in_local], question.id
            assert [p.score for p in on_edge] == pytest.approx([p.score for p in in_local], abs=1e-5), question.id
    finally:
        close_client(local)
