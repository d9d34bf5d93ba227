from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.ai import AnswerEngine, InMemoryAuditSink, OpenAICompatibleLLM
from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def audit() -> InMemoryAuditSink:
    return InMemoryAuditSink()


@pytest.fixture
def embedded(audit: InMemoryAuditSink) -> AnswerEngine:
    return AnswerEngine(audit=audit)


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def llm_engine(fake_llm: FakeOpenAI, audit: InMemoryAuditSink) -> AnswerEngine:
    client = OpenAICompatibleLLM(
        base_url=fake_llm.base_url, model="fake-model", api_key="sk-test-key-for-fake", timeout_seconds=2.0,
        max_retries=1, backoff_seconds=0.01,
    )  # fmt: skip
    return AnswerEngine(llm=client, audit=audit)
