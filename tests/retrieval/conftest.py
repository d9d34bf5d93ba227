"""Fixtures: the encoder (loaded once), the demo corpus indexed once per session, and small private corpora."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from retrieval import BenefitsIndex, RetrievalConfig, close_client
from retrieval.embedding import MiniLMEncoder, default_encoder

PROJECT = Path(__file__).resolve().parents[2]
DEMO_BENEFITS = PROJECT / "demo" / "benefits"
DEMO_EVAL = PROJECT / "demo" / "benefits-eval.jsonl"


@pytest.fixture(scope="session")
def encoder() -> MiniLMEncoder:
    return default_encoder()


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory, encoder: MiniLMEncoder) -> Iterator[BenefitsIndex]:
    """The demo documents, copied to a temporary folder and embedded once for the whole session."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(DEMO_BENEFITS, root / "benefits")
    config = RetrievalConfig(benefits_dir=root / "benefits", qdrant_path=root / "qdrant", collection="demo")
    index = BenefitsIndex(config, encoder)
    index.build()
    yield index
    close_client(config)


class Corpus:
    """A private benefits folder and index for one test."""

    def __init__(self, root: Path, encoder: MiniLMEncoder) -> None:
        self.folder = root / "benefits"
        self.folder.mkdir()
        self.config = RetrievalConfig(benefits_dir=self.folder, qdrant_path=root / "qdrant", collection="test")
        self.index = BenefitsIndex(self.config, encoder)

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path


@pytest.fixture
def corpus(tmp_path: Path, encoder: MiniLMEncoder) -> Iterator[Corpus]:
    made = Corpus(tmp_path, encoder)
    yield made
    close_client(made.config)


@pytest.fixture
def markdown_doc() -> Callable[..., str]:
    """A Markdown document factory: title, jurisdiction front matter and sections of body text."""

    def make(
        title: str, sections: dict[str, str], jurisdiction: str | None = None, plan_year: int | None = None
    ) -> str:
        front = [f"title: {title}"]
        if jurisdiction:
            front.append(f"jurisdiction: {jurisdiction}")
        if plan_year:
            front.append(f"plan_year: {plan_year}")
        body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections.items())
        return "---\n" + "\n".join(front) + f"\n---\n\n# {title}\n\n{body}\n"

    return make
