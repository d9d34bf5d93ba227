"""The engine with an LLM: guarded answers, fallbacks on every kind of failure, streaming, extraction, audit."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ai import AnswerEngine, InMemoryAuditSink, Intent, OpenAICompatibleLLM
from app.ai.audit import sha256_text
from app.ai.masking import Masker
from app.config import load_settings
from offer_engine.terms import Term
from tests.app.ai.factories import CANDIDATE, TODAY, make_request, make_terms
from tests.support.fake_openai import FakeOpenAI, Reply

SALARY = "What's my salary?"
EMBEDDED_SALARY = "Your base salary is $172,000 per year."


def test_a_grounded_llm_answer_is_used_with_its_citations(
    fake_llm: FakeOpenAI, llm_engine: AnswerEngine, audit: InMemoryAuditSink
) -> None:
    fake_llm.script(Reply.text("Your base salary is $172,000 a year [F4], starting March 8, 2027 [F9]."))
    answer = llm_engine.answer(make_request(SALARY))
    assert answer.provider == "openai"
    assert answer.model == "fake-model"
    assert answer.text == "Your base salary is $172,000 a year, starting March 8, 2027."
    assert [c.ref for c in answer.citations] == ["applicantworkflow.field31001", "applicantworkflow.field31006"]
    assert answer.guard.status == "passed"
    (event,) = audit.events
    assert (event.task, event.provider, event.model, event.guard) == ("answer", "openai", "fake-model", "passed")
    assert {"chat_system@1/en", "chat_user@1/en"} <= set(event.prompt_refs)
    assert event.input_hash == sha256_text(fake_llm.requests[0].body["messages"])
    assert event.output_hash == sha256_text(answer.text)
    assert event.latency_ms >= 0
    assert event.fallback_reason is None


def test_an_invented_salary_falls_back_and_is_audited(
    fake_llm: FakeOpenAI, llm_engine: AnswerEngine, audit: InMemoryAuditSink
) -> None:
    fake_llm.script(Reply.text("Great news, your base salary is $195,000 [F4]."))
    answer = llm_engine.answer(make_request(SALARY))
    assert (answer.provider, answer.text, answer.fallback_reason) == ("embedded", EMBEDDED_SALARY, "guard_rejected")
    assert audit.events[-1].unsupported == ["money:$195,000"]


@pytest.mark.parametrize(
    ("replies", "reason"),
    [
        ([Reply.garbage(), Reply.garbage()], "llm_invalid_response"),
        ([Reply.error(500), Reply.error(503)], "llm_unavailable"),
        ([Reply.drop(), Reply.drop()], "llm_unavailable"),
        ([Reply.slow(2.0), Reply.slow(2.0)], "llm_timeout"),
        ([Reply.text("NO_ANSWER_IN_DATA")], "llm_handoff"),
        ([Reply.text('{"unexpected": "json"}')], "llm_invalid_output"),
        ([Reply.text("Your base salary is $172,000 per year. " * 80)], "llm_invalid_output"),
    ],
)
def test_failures_fall_back_to_the_embedded_answer(
    replies: list[Reply], reason: str, fake_llm: FakeOpenAI, audit: InMemoryAuditSink
) -> None:
    fake_llm.script(*replies)
    llm = OpenAICompatibleLLM(base_url=fake_llm.base_url, model="m", timeout_seconds=0.3, max_retries=1,
                              backoff_seconds=0.01)  # fmt: skip
    answer = AnswerEngine(llm=llm, audit=audit).answer(make_request(SALARY))
    assert answer.provider == "embedded"
    assert answer.text == EMBEDDED_SALARY
    assert answer.fallback_reason == reason
    assert audit.events[-1].fallback_reason == reason


def test_an_endpoint_that_is_down_never_raises(audit: InMemoryAuditSink) -> None:
    with FakeOpenAI() as fake:
        url = fake.base_url
    engine = AnswerEngine(llm=OpenAICompatibleLLM(base_url=url, model="m", max_retries=0), audit=audit)
    answer = engine.answer(make_request(SALARY))
    assert answer.text == EMBEDDED_SALARY
    assert answer.fallback_reason == "llm_unavailable"


@pytest.mark.parametrize("message", ["", "y" * 5000, b"\xff\xfe\x00\x01binary"])
def test_invalid_input_never_reaches_the_llm(
    message: str | bytes, fake_llm: FakeOpenAI, llm_engine: AnswerEngine
) -> None:
    answer = llm_engine.answer(make_request(message))
    assert answer.intent is Intent.INVALID_INPUT
    assert fake_llm.requests == []


def test_spanish_answers_ask_the_llm_for_spanish(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    fake_llm.script(Reply.text("Tu salario base es de $172,000 al año [F4]."))
    answer = llm_engine.answer(make_request("¿Cuál es mi salario?"))
    assert answer.language == "es"
    assert answer.provider == "openai"
    assert "Answer in Spanish" in fake_llm.requests[0].messages[0]["content"]
    assert "Base salary" not in fake_llm.requests[0].messages[1]["content"]  # facts are labelled in Spanish


def test_other_languages_keep_the_note_on_llm_answers(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    fake_llm.script(Reply.text("Your base salary is $172,000 per year [F4]."))
    answer = llm_engine.answer(make_request("Quel est mon salaire ?"))
    assert answer.provider == "openai"
    assert answer.text.endswith("(I answer in English or Spanish, so I've replied in English.)")


async def test_streaming_shows_only_verified_text(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    fake_llm.script(Reply.stream("Hi Ingrid! Your start date is March 8, 2027 [F9].", chunk_size=4))
    deltas = [d async for d in llm_engine.astream(make_request("When do I start?"))]
    final = deltas[-1].answer
    assert final is not None
    assert final.provider == "openai"
    assert "".join(d.text for d in deltas) == final.text == "Hi Ingrid! Your start date is March 8, 2027."
    assert fake_llm.requests[0].body["stream"] is True


async def test_a_hostile_stream_is_never_shown(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    fake_llm.script(Reply.stream("Your salary was raised to $260,000 [F4]. Daniel Okafor got less.", chunk_size=3))
    deltas = [d async for d in llm_engine.astream(make_request(SALARY))]
    shown = "".join(d.text for d in deltas)
    assert shown == EMBEDDED_SALARY
    assert deltas[-1].answer is not None
    assert deltas[-1].answer.fallback_reason == "guard_rejected"


async def test_a_stream_cut_short_falls_back(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    fake_llm.script(Reply.drop_mid_stream("Your base salary is $172,000 per year and your bonus is 12% [F4][F5]."))
    deltas = [d async for d in llm_engine.astream(make_request(SALARY))]
    assert "".join(d.text for d in deltas) == EMBEDDED_SALARY


async def test_the_embedded_engine_streams_too(embedded: AnswerEngine) -> None:
    deltas = [d async for d in embedded.astream(make_request(SALARY))]
    assert "".join(d.text for d in deltas) == EMBEDDED_SALARY
    assert deltas[-1].answer is not None
    assert deltas[-1].answer.provider == "embedded"


def _extraction(items: list[dict[str, object]], **extra: object) -> Reply:
    return Reply.text(json.dumps({"is_counter_offer": True, "items": items, **extra}))


def test_a_valid_llm_extraction_is_used(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    fake_llm.script(_extraction([{"term": "base_salary", "requested": "180k", "currency": "USD"},
                                 {"term": "start_date", "requested": "April 12"}],
                                rationale="my current employer pays 175k"))  # fmt: skip
    answer = llm_engine.answer(make_request("I make 175k now, so could you do 180k and let me start April 12?"))
    assert answer.provider == "openai"
    assert answer.counter_offer is not None
    assert [(i.term, str(i.requested)) for i in answer.counter_offer.items] == [
        (Term.BASE_SALARY, "180000"),
        (Term.START_DATE, "2027-04-12"),
    ]
    assert answer.counter_offer.rationale == "my current employer pays 175k"
    assert fake_llm.requests[0].body["response_format"] == {"type": "json_object"}


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply.text("Sure! The candidate wants more money."), "llm_invalid_output"),
        (_extraction([{"term": "base_salary", "requested": "250k"}]), "extraction_unsupported"),
        (_extraction([{"term": "salary", "requested": "180k"}]), "llm_invalid_output"),
        (Reply.text(json.dumps({"is_counter_offer": False, "items": []})), "llm_found_no_counter"),
    ],
)
def test_a_bad_llm_extraction_falls_back_to_the_rules(
    reply: Reply, reason: str, fake_llm: FakeOpenAI, llm_engine: AnswerEngine, audit: InMemoryAuditSink
) -> None:
    fake_llm.script(reply)
    answer = llm_engine.answer(make_request("could you do 180k base?"))
    assert answer.provider == "embedded"
    assert answer.counter_offer is not None
    assert [(i.term, i.requested) for i in answer.counter_offer.items] == [(Term.BASE_SALARY, 180000)]
    assert answer.fallback_reason == reason
    assert audit.events[-1].fallback_reason == reason


def test_extract_counter_offer_alone_with_an_llm(fake_llm: FakeOpenAI, llm_engine: AnswerEngine,
                                                 audit: InMemoryAuditSink) -> None:  # fmt: skip
    fake_llm.script(_extraction([{"term": "sign_on_bonus", "requested": "30k"}]))
    proposal = llm_engine.extract_counter_offer("Could you do a 30k sign-on?", make_terms(), TODAY, [CANDIDATE])
    assert proposal is not None
    assert proposal.items[0].term is Term.SIGN_ON_BONUS
    assert audit.events[-1].task == "extract_counter_offer"
    assert llm_engine.extract_counter_offer("What's my sign-on?", make_terms(), TODAY) is None


def test_refusals_and_acknowledgements_use_templates_only(fake_llm: FakeOpenAI, llm_engine: AnswerEngine) -> None:
    for message in ("I accept the offer", "What's Priya's salary?", "hi", "What's the weather?", "What's the budget?"):
        llm_engine.answer(make_request(message))
    assert fake_llm.requests == []


def test_every_embedded_answer_is_audited_with_a_masked_input_hash(embedded: AnswerEngine,
                                                                   audit: InMemoryAuditSink) -> None:  # fmt: skip
    message = "Ingrid here (ingrid.sv@mailbox.example): when do I start?"
    answer = embedded.answer(make_request(message))
    (event,) = audit.events
    assert (event.provider, event.model, event.guard) == ("embedded", "embedded-grounded-1", "not_checked")
    masked = Masker.for_people(make_request("x").known_people()).mask(message)
    assert event.input_hash == sha256_text(masked) != sha256_text(message)
    assert event.output_hash == sha256_text(answer.text)
    assert event.prompt_refs == ["offer_fact@1/en"]
    assert event.intent == "offer_term_question"


def test_the_engine_is_built_from_settings(tmp_path: object, fake_llm: FakeOpenAI) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert AnswerEngine.from_settings(settings).provider == "embedded"
    configured = settings.model_copy(
        update={
            "llm": settings.llm.model_copy(
                update={"provider": "openai", "base_url": fake_llm.base_url, "model": "fake-model"}
            )
        }
    )
    engine = AnswerEngine.from_settings(configured)
    fake_llm.script(Reply.text("Your base salary is $172,000 per year [F4]."))
    assert engine.provider == "openai"
    assert engine.answer(make_request(SALARY)).provider == "openai"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.one_of(st.text(max_size=300), st.binary(max_size=200)))
def test_any_message_gets_an_answer_and_never_an_exception(message: str | bytes, embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request(message))
    assert answer.text.strip()
    assert "Traceback" not in answer.text


_HUGE = st.integers(min_value=10**12, max_value=10**40).map(str)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    figure=_HUGE,
    template=st.sampled_from(
        ["I want {} please", "could you do ${} base?", "{} sign-on", "make it {}k", "ich möchte {} €", "quiero {}"]
    ),
)
def test_a_huge_figure_in_a_message_gets_an_answer_and_never_an_exception(
    figure: str, template: str, embedded: AnswerEngine
) -> None:
    answer = embedded.answer(make_request(template.format(figure)))
    assert answer.text.strip()
    assert answer.counter_offer is None  # no amount that large is read as a request
