"""The LLM letter narrative: masked out, guarded back, the template paragraph whenever in doubt."""

from __future__ import annotations

from datetime import date

from app.ai import InMemoryAuditSink, OpenAICompatibleLLM
from app.ai.narrative import LLMNarrativeWriter
from offer_engine.narrative import NarrativeRequest, NarrativeWriter, TemplateNarrativeWriter
from tests.support.fake_openai import FakeOpenAI, Reply

REQUEST = NarrativeRequest(
    candidate_first_name="Ingrid",
    title="Staff Firmware Engineer",
    department="Embedded Systems",
    manager_name="Tomasz Wierzbicki",
    company_name="Halden Robotics Ltd",
    start_date=date(2027, 3, 8),
)


def writer(fake: FakeOpenAI, audit: InMemoryAuditSink) -> LLMNarrativeWriter:
    llm = OpenAICompatibleLLM(base_url=fake.base_url, model="fake-model", max_retries=0, timeout_seconds=2)
    return LLMNarrativeWriter(llm, audit=audit)


def test_it_is_a_narrative_writer(fake_llm: FakeOpenAI) -> None:
    assert isinstance(writer(fake_llm, InMemoryAuditSink()), NarrativeWriter)


def test_a_grounded_paragraph_is_used_with_names_restored(fake_llm: FakeOpenAI) -> None:
    audit = InMemoryAuditSink()
    fake_llm.script(Reply.text(
        "[PERSON_2] and the Embedded Systems team are delighted to welcome you, [PERSON_1_FIRST], as our new "
        "Staff Firmware Engineer from March 8, 2027."
    ))  # fmt: skip
    narrative = writer(fake_llm, audit).write_narrative(REQUEST)
    assert narrative.text.startswith("Tomasz Wierzbicki and the Embedded Systems team are delighted")
    assert "Ingrid" in narrative.text
    assert narrative.source["provider"] == "openai"
    assert narrative.source["guard"] == "passed"
    sent = fake_llm.sent_text()
    assert "Ingrid" not in sent
    assert "Wierzbicki" not in sent
    assert "Tomasz" not in sent
    (event,) = audit.events
    assert event.task == "narrative"
    assert event.prompt_refs == ["narrative_system@1/en", "narrative_user@1/en"]


def test_an_invented_figure_falls_back_to_the_template(fake_llm: FakeOpenAI) -> None:
    audit = InMemoryAuditSink()
    fake_llm.script(Reply.text("Welcome aboard, [PERSON_1_FIRST]! Your $210,000 salary reflects our confidence."))
    narrative = writer(fake_llm, audit).write_narrative(REQUEST)
    assert narrative.text == TemplateNarrativeWriter().write_narrative(REQUEST).text
    assert narrative.source["fallback_reason"] == "guard_rejected"
    assert audit.events[0].unsupported == ["money:$210,000"]


def test_an_unreachable_endpoint_falls_back_to_the_template(fake_llm: FakeOpenAI) -> None:
    fake_llm.script(Reply.error(503))
    narrative = writer(fake_llm, InMemoryAuditSink()).write_narrative(REQUEST)
    assert narrative.source["provider"] == "template"
    assert narrative.source["fallback_reason"] == "llm_unavailable"
