from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from app.cli import index as index_cli
from app.cli.context import CliState
from app.config import Settings
from retrieval import close_client


@pytest.fixture
def run(settings: Settings) -> Callable[..., object]:
    cli = typer.Typer()

    @cli.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(settings=settings)

    index_cli.register(cli)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args))

    yield invoke
    close_client(index_cli.retrieval_config(settings))


def test_settings_map_onto_the_retrieval_config(settings: Settings) -> None:
    config = index_cli.retrieval_config(settings)
    assert config.qdrant_path == settings.resolved_vector_path
    assert config.qdrant_url is None
    assert config.collection == settings.vector_store.collection
    assert index_cli.default_eval_file(Path("/x/demo/benefits")) == Path("/x/demo/benefits-eval.jsonl")
    server = settings.model_copy(
        update={"vector_store": settings.vector_store.model_copy(update={"url": "http://q:6333"})}
    )
    assert index_cli.retrieval_config(server).qdrant_url == "http://q:6333"


def test_index_reports_added_skipped_then_unchanged(run, tmp_path: Path, markdown_doc) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "holiday.md").write_text(markdown_doc("UK holiday", {"Entitlement": "25 days plus bank holidays."}, "GB"))
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n\x00\x00 broken")
    first = run("index", "--benefits-dir", str(folder))
    assert first.exit_code == 0, first.output
    assert "added: 1" in first.output
    assert "holiday.md" in first.output
    assert "skipped: 1" in first.output
    assert "broken.pdf: unreadable - corrupt PDF" in first.output
    second = run("index", "--benefits-dir", str(folder))
    assert "added: 0" in second.output
    assert "unchanged: 1" in second.output
    assert "0 embedded" in second.output


def test_index_of_a_missing_folder_fails_clearly(run, tmp_path: Path) -> None:
    result = run("index", "--benefits-dir", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "cannot index" in result.output
    assert "does not exist" in result.output


def test_eval_retrieval_prints_all_three_modes(run, tmp_path: Path, markdown_doc) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "pension.md").write_text(markdown_doc("UK pension", {"Contributions": "Corvid pays 6% of salary."}, "GB"))
    (folder / "holiday.md").write_text(markdown_doc("UK holiday", {"Entitlement": "25 days plus bank holidays."}, "GB"))
    labels = tmp_path / "docs-eval.jsonl"
    rows = [
        {"id": "p", "question": "employer pension contribution?", "jurisdiction": "GB", "doc_id": "pension.md"},
        {
            "id": "h",
            "question": "how many days off",
            "jurisdiction": "GB",
            "doc_id": "holiday.md",
            "contains": "25 days",
        },
    ]
    labels.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = run("eval", "retrieval", "--benefits-dir", str(folder))  # finds docs-eval.jsonl next to docs/
    assert result.exit_code == 0, result.output
    for mode in ("hybrid", "dense", "bm25"):
        assert mode in result.output
    assert "hit@1" in result.output
    assert "MRR" in result.output
    assert "targets (hybrid)" in result.output
