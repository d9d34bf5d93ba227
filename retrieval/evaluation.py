"""Retrieval quality on a labelled set: hit@1, hit@k and mean reciprocal rank per search mode.

A labelled question names the document that answers it and, optionally, a phrase the answering passage must contain
(or several alternatives). A retrieved passage is a hit when both match.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import get_args

from pydantic import BaseModel, Field, ValidationError, field_validator

from retrieval.errors import RetrievalError
from retrieval.jurisdiction import normalise
from retrieval.search import BenefitsIndex, Passage
from retrieval.store import Mode

MODES: tuple[Mode, ...] = get_args(Mode)


class EvalSetError(RetrievalError, ValueError):
    """The labelled set cannot be read; the message names the line."""


class EvalQuestion(BaseModel):
    id: str
    question: str
    jurisdiction: str
    doc_id: str
    contains: list[str] = Field(default_factory=list, description="any one of these must be in the passage")
    section: str | None = None

    @field_validator("contains", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("jurisdiction")
    @classmethod
    def _valid_jurisdiction(cls, value: str) -> str:
        return normalise(value)

    def is_answered_by(self, passage: Passage) -> bool:
        if passage.doc_id != self.doc_id:
            return False
        if self.section is not None and self.section.casefold() not in passage.section_path.casefold():
            return False
        text = " ".join(passage.text.split()).casefold()
        return not self.contains or any(" ".join(c.split()).casefold() in text for c in self.contains)


class ModeScores(BaseModel):
    mode: Mode
    questions: int
    hit_at_1: float
    hit_at_k: float
    k: int
    mrr: float
    p50_ms: float
    misses: list[str] = Field(default_factory=list, description="ids of questions with no hit in the top k")


def load_eval_set(path: Path) -> list[EvalQuestion]:
    if not path.is_file():
        raise EvalSetError(f"labelled set {path} does not exist")
    questions: list[EvalQuestion] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            questions.append(EvalQuestion.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise EvalSetError(f"{path}:{number}: {exc}") from exc
    if not questions:
        raise EvalSetError(f"labelled set {path} has no questions")
    return questions


def evaluate(
    index: BenefitsIndex, questions: list[EvalQuestion], modes: tuple[Mode, ...] = MODES, k: int = 5
) -> list[ModeScores]:
    return [_evaluate_mode(index, questions, mode, k) for mode in modes]


def _evaluate_mode(index: BenefitsIndex, questions: list[EvalQuestion], mode: Mode, k: int) -> ModeScores:
    ranks: list[int | None] = []
    timings: list[float] = []
    for question in questions:
        index.clear_query_cache()  # the modes ask the same questions: time the encoder, not the cache
        started = time.perf_counter()
        passages = index.search(question.question, jurisdiction=question.jurisdiction, top_k=k, mode=mode)
        timings.append((time.perf_counter() - started) * 1000)
        ranks.append(next((n for n, p in enumerate(passages, start=1) if question.is_answered_by(p)), None))
    count = len(questions)
    return ModeScores(
        mode=mode,
        questions=count,
        hit_at_1=sum(r == 1 for r in ranks) / count,
        hit_at_k=sum(r is not None for r in ranks) / count,
        k=k,
        mrr=sum(1 / r for r in ranks if r is not None) / count,
        p50_ms=sorted(timings)[len(timings) // 2],
        misses=[q.id for q, r in zip(questions, ranks, strict=True) if r is None],
    )
