"""A candidate asking where their counter-offer stands is answered from the queue: when they sent it, where it
is, what happens next; never a promise, never another person's counter, never an LLM's rewording."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.ai import AnswerEngine
from app.ai.models import CounterStatus, Intent
from tests.app.ai.factories import make_request
from tests.support.fake_openai import FakeOpenAI

SENT = datetime(2026, 11, 24, 16, 5, tzinfo=UTC)
DUE = datetime(2026, 11, 27, 16, 5, tzinfo=UTC)  # TODAY in the factories is November 26, 2026


def counter(**overrides: Any) -> CounterStatus:
    values: dict[str, Any] = {
        "number": 1,
        "terms": ["base_salary", "sign_on_bonus"],
        "submitted_at": SENT,
        "due_at": DUE,
        "state": "submitted",
    }
    values.update(overrides)
    return CounterStatus.model_validate(values)


@pytest.mark.parametrize(
    "message",
    [
        "What's the status of my counter?",
        "did you get my request?",
        "Any update on my counter-offer?",
        "Has my proposal been reviewed yet?",
        "Did you get my request for $190,000?",
    ],
)
def test_english_status_questions_are_answered_from_the_queue(embedded: AnswerEngine, message: str) -> None:
    answer = embedded.answer(make_request(message, counters=[counter()]))
    assert answer.intent is Intent.PROCESS_QUESTION
    assert answer.counter_offer is None  # not read as a new counter-offer
    assert "Yes, we have it: you sent your counter-offer (Base salary, Sign-on bonus) on November 24, 2026." in (
        answer.text
    )
    assert "It is in the queue for Okonkwo Adebayo to review, with an answer planned by November 27, 2026." in (
        answer.text
    )
    assert "needs internal approval before it reaches you" in answer.text
    assert "counter_status@1/en" in answer.prompt_refs


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("¿Cuál es el estado de mi contraoferta?", "Sí, la recibimos: enviaste tu contraoferta"),
        ("¿Recibieron mi solicitud?", "el 24 de noviembre de 2026"),
        ("Wie ist der Stand meines Gegenangebots?", "Ja, es liegt uns vor: Sie haben Ihr Gegenangebot"),
        ("Haben Sie meine Anfrage erhalten?", "am 24. November 2026 geschickt"),
    ],
)
def test_spanish_and_german_status_questions(embedded: AnswerEngine, message: str, expected: str) -> None:
    answer = embedded.answer(make_request(message, counters=[counter()]))
    assert answer.intent is Intent.PROCESS_QUESTION
    assert answer.language in ("es", "de")
    assert expected in answer.text


def test_a_counter_being_reviewed_says_who_is_on_it(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("status of my counter offer?", counters=[counter(state="in_review")]))
    assert "Okonkwo Adebayo is reviewing it now" in answer.text


def test_an_overdue_counter_offers_to_remind_the_recruiter(embedded: AnswerEngine) -> None:
    late = counter(due_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    answer = embedded.answer(make_request("did you get my request?", counters=[late]))
    assert "taking longer than planned (November 25, 2026)" in answer.text
    assert answer.handoff


@pytest.mark.parametrize(
    ("revision", "resolution", "expected"),
    [
        ("awaiting_approval", "accepted", "a revised offer is being prepared. It needs internal approval"),
        ("approved", "partially", "a revised offer has been approved. Okonkwo Adebayo will send it to you shortly."),
        ("sent", "accepted", "a revised offer has been sent to you, and it's the letter in this chat."),
        ("none", "declined", "has been reviewed, and your current offer stands as it is."),
    ],
)
def test_a_resolved_counter_says_what_happens_next_without_promising(
    embedded: AnswerEngine, revision: str, resolution: str, expected: str
) -> None:
    done = counter(state="resolved", resolution=resolution, revision=revision)
    answer = embedded.answer(make_request("what happened to my counter?", counters=[done]))
    assert expected in answer.text
    assert "we can meet your request" not in answer.text.lower()


def test_the_latest_open_counter_is_the_one_described(embedded: AnswerEngine) -> None:
    older = counter(number=1, state="resolved", resolution="declined", terms=["pto_days"])
    newer = counter(number=2, state="in_review", terms=["start_date"])
    answer = embedded.answer(make_request("any news on my request?", counters=[older, newer]))
    assert "(Start date)" in answer.text
    assert "Paid time off" not in answer.text


def test_without_a_counter_it_says_so_and_how_to_make_one(embedded: AnswerEngine) -> None:
    answer = embedded.answer(make_request("Did you get my counter offer?"))
    assert answer.intent is Intent.PROCESS_QUESTION
    assert answer.text.startswith("I don't see a counter-offer from you on this offer yet.")


def test_a_status_answer_never_goes_through_the_llm(llm_engine: AnswerEngine, fake_llm: FakeOpenAI) -> None:
    answer = llm_engine.answer(make_request("what's the status of my counter?", counters=[counter()]))
    assert fake_llm.requests == []
    assert answer.provider == "embedded"
    assert "November 24, 2026" in answer.text


async def test_a_streamed_status_answer_never_goes_through_the_llm(
    llm_engine: AnswerEngine, fake_llm: FakeOpenAI
) -> None:
    deltas = [d async for d in llm_engine.astream(make_request("did you get my request?", counters=[counter()]))]
    final = deltas[-1].answer
    assert final is not None
    assert fake_llm.requests == []
    assert "".join(d.text for d in deltas[:-1]) == final.text
    assert final.text.startswith("Yes, we have it")
