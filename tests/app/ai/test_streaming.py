"""Real streaming: a model's reply is shown a verified sentence at a time, while the model is still writing; a
sentence the guard refuses is never shown, and the embedded answer replaces what was."""

from __future__ import annotations

from collections.abc import AsyncIterator

from app.ai import AnswerEngine, InMemoryAuditSink
from app.ai.llm import ChatMessage, Completion
from app.ai.models import AnswerDelta
from app.ai.streaming import sentence_pieces
from tests.app.ai.factories import make_request

START = "When do I start?"


class PacedLLM:
    """A model that writes its reply piece by piece and counts how many pieces the engine has taken so far."""

    model = "paced-model"

    def __init__(self, *pieces: str) -> None:
        self.pieces = pieces
        self.taken = 0

    def complete(self, messages: list[ChatMessage], *, json_object: bool = False) -> Completion:
        raise AssertionError("the chat streams")

    async def acomplete(self, messages: list[ChatMessage], *, json_object: bool = False) -> Completion:
        raise AssertionError("the chat streams")

    async def astream(self, messages: list[ChatMessage]) -> AsyncIterator[str]:
        for piece in self.pieces:
            self.taken += 1
            yield piece


def shown(deltas: list[AnswerDelta]) -> str:
    """What a chat window shows after these deltas."""
    text = ""
    for delta in deltas:
        text = delta.text if delta.replace else text + delta.text
    return text


async def _stream(llm: PacedLLM, message: str) -> tuple[list[AnswerDelta], list[int]]:
    """The deltas, and how many pieces the model had written when each one arrived."""
    engine = AnswerEngine(llm=llm, audit=InMemoryAuditSink())
    deltas: list[AnswerDelta] = []
    written: list[int] = []
    async for delta in engine.astream(make_request(message)):
        deltas.append(delta)
        written.append(llm.taken)
    return deltas, written


async def test_the_first_verified_sentence_is_shown_while_the_model_is_still_writing() -> None:
    llm = PacedLLM(
        "Hi Ingrid! Your start", " date is March 8, 2027 [F9]. ", "Your base salary is $172,000", " a year [F4]."
    )
    deltas, written = await _stream(llm, START)
    assert deltas[0].text == "Hi Ingrid! "
    assert written[0] == 1 < len(llm.pieces)  # shown before the model wrote the rest
    final = deltas[-1].answer
    assert final is not None
    assert final.provider == "openai"
    expected = "Hi Ingrid! Your start date is March 8, 2027. Your base salary is $172,000 a year."
    assert shown(deltas) == final.text == expected
    assert not any(delta.replace for delta in deltas)


async def test_a_refused_sentence_is_never_shown_and_the_embedded_answer_replaces_the_verified_ones() -> None:
    llm = PacedLLM("Your start date is March 8, 2027 [F9]. ", "Your salary was raised to $260,000. ", "Enjoy!")
    deltas, _ = await _stream(llm, START)
    assert deltas[0].text == "Your start date is March 8, 2027. "
    assert all("260,000" not in delta.text for delta in deltas)
    final = deltas[-1].answer
    assert final is not None
    assert (final.provider, final.fallback_reason) == ("embedded", "guard_rejected")
    assert [d.replace for d in deltas[:-1]] == [False, True]
    assert shown(deltas) == final.text


async def test_a_hand_off_or_a_json_reply_shows_nothing_before_the_embedded_answer() -> None:
    for reply in (("NO_ANSWER", "_IN_DATA"), ('{"answer": ', '"March 8"}. ', "More. ")):
        deltas, _ = await _stream(PacedLLM(*reply), START)
        final = deltas[-1].answer
        assert final is not None
        assert final.provider == "embedded"
        assert not any(delta.replace for delta in deltas)
        assert shown(deltas) == final.text
        assert "NO_ANSWER" not in shown(deltas)
        assert "{" not in shown(deltas)


async def test_the_embedded_engine_streams_by_sentence() -> None:
    engine = AnswerEngine(audit=InMemoryAuditSink())
    deltas = [d async for d in engine.astream(make_request("What's my salary and when do I start?"))]
    final = deltas[-1].answer
    assert final is not None
    assert [d.text for d in deltas[:-1]] == list(sentence_pieces(final.text))


def test_sentences_end_at_a_stop_and_the_space_after_it_never_inside_a_figure() -> None:
    text = "Your bonus is 12.5% of $172,000.50 a year. Paid in March!\nAsk me more"
    assert list(sentence_pieces(text)) == [
        "Your bonus is 12.5% of $172,000.50 a year. ",
        "Paid in March!\n",
        "Ask me more",
    ]
