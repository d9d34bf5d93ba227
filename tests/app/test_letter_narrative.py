"""With an LLM configured, the letter's personal paragraph is the model's: masked on the way out, checked by the
grounding guard on the way back, the template paragraph whenever the model is down or states what the offer does
not. The letter and its audit event say which model and prompt versions wrote it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from app.config import Settings, load_settings
from app.wiring import engine_setup
from offer_engine import audit
from offer_engine.db import session_scope
from offer_engine.flows import EngineSetup, draft_from_icims
from offer_engine.letter_store import Letter
from offer_engine.narrative import TemplateNarrativeWriter
from tests import factories as f
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

TODAY = date(2026, 11, 20)
GROUNDED = (
    "[PERSON_2] and the Engineering team look forward to welcoming you, [PERSON_1_FIRST], as our new Senior "
    "Backend Engineer. Your work on distributed systems stood out to everyone you met."
)


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def llm_settings(tmp_path: Path, base_url: str) -> Settings:
    llm = {"provider": "openai", "base_url": base_url, "model": "fake-model", "max_retries": 0, "timeout_seconds": 2}
    return load_settings(data_dir=tmp_path / "data", llm=llm)


def draft_letter(engine: Engine, icims: SandboxHandle, setup: EngineSetup) -> tuple[Letter, audit.AuditEvent]:
    setup = dataclasses.replace(setup, customer_id=icims.customer_id)
    with session_scope(engine) as session:
        outcome = draft_from_icims(session, icims.client(max_retries=0), setup, 3401, actor=f.recruiter(), today=TODAY)
        letter = outcome.letter
        assert letter is not None
        assert outcome.report is not None
        assert outcome.report.passed, outcome.report.findings
        (event,) = [e for e in audit.events_for(session, "letter", letter.id or 0) if e.action == "letter.rendered"]
        session.expunge_all()
    return letter, event


def test_the_llm_writes_the_narrative_without_seeing_a_name_or_an_email(
    engine: Engine, icims: SandboxHandle, fake_llm: FakeOpenAI, tmp_path: Path
) -> None:
    fake_llm.script(Reply.text(GROUNDED))
    letter, event = draft_letter(engine, icims, engine_setup(llm_settings(tmp_path, fake_llm.base_url)))
    assert letter.narrative.startswith("Grace Liu and the Engineering team look forward to welcoming you, Maya,")
    assert letter.narrative_source["model"] == "fake-model"
    assert letter.narrative_source["guard"] == "passed"
    assert event.model == "fake-model"
    assert event.prompt_version == "narrative_system@1/en,narrative_user@1/en"
    sent = fake_llm.sent_text()
    assert sent  # the model was asked
    for private in ("Maya", "Patel", "Grace", "Liu", "maya.patel@example.com", "grace.liu@corvid.example"):
        assert private not in sent, private


def test_a_paragraph_with_a_figure_the_offer_lacks_falls_back_to_the_template(
    engine: Engine, icims: SandboxHandle, fake_llm: FakeOpenAI, tmp_path: Path
) -> None:
    fake_llm.script(Reply.text("Welcome, [PERSON_1_FIRST]! We are adding a $25,000 retention bonus for you."))
    letter, event = draft_letter(engine, icims, engine_setup(llm_settings(tmp_path, fake_llm.base_url)))
    assert "$25,000" not in letter.narrative
    assert letter.narrative.startswith("Grace Liu and the Engineering team are delighted to invite you")
    assert letter.narrative_source["fallback_reason"] == "guard_rejected"
    assert letter.narrative_source["llm_model"] == "fake-model"
    assert event.model == "template"
    assert event.prompt_version is not None
    assert event.prompt_version.startswith("letter_narrative@")


def test_an_llm_that_is_down_leaves_the_template_paragraph(
    engine: Engine, icims: SandboxHandle, fake_llm: FakeOpenAI, tmp_path: Path
) -> None:
    settings = llm_settings(tmp_path, fake_llm.base_url)
    fake_llm.stop()
    letter, _ = draft_letter(engine, icims, engine_setup(settings))
    assert letter.narrative_source["provider"] == "template"
    assert letter.narrative_source["fallback_reason"] == "llm_unavailable"


def test_without_an_llm_the_template_writes_it(settings: Settings) -> None:
    assert isinstance(engine_setup(settings).writer, TemplateNarrativeWriter)
