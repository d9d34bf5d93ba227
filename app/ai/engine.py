"""The public entry point of the AI layer: `AnswerEngine.answer` / `aanswer` / `astream`.

Every message is routed and answered by the embedded engine first. When an LLM is configured and the intent is
one it may phrase, the masked, fenced call goes out; its reply is restored, checked by the grounding guard and
used only when it passes. Anything else (timeout, outage, garbage, an unsupported figure, a leaked name) falls
back to the embedded answer. Every call is audited.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

from app.ai.audit import AICallEvent, AuditSink, NullAuditSink, sha256_text
from app.ai.counter import extract_counter_offer as extract_with_rules
from app.ai.embedded import EMBEDDED_MODEL, Draft, EmbeddedEngine
from app.ai.guard import check
from app.ai.llm import ChatLLM, LLMError, OpenAICompatibleLLM
from app.ai.llm_calls import (
    LLMCall,
    build_answer_call,
    build_extraction_call,
    dollar_currency,
    is_handoff,
    looks_like_prose,
    marker_citations,
    strip_markers,
)
from app.ai.llm_extraction import ExtractionRejectedError, parse_extraction, validate_extraction
from app.ai.masking import Masker
from app.ai.models import (
    Answer,
    AnswerDelta,
    AnswerRequest,
    CounterProposal,
    EngineOptions,
    GuardVerdict,
    Intent,
    Person,
)
from app.ai.routing import Route, route_message
from app.ai.streaming import SentenceGate, sentence_pieces
from app.config import Settings
from offer_engine.terms import OfferTerms

_NOT_CHECKED = GuardVerdict(status="not_checked")
T = TypeVar("T")


class Offload(Protocol):
    """Runs `work(*args, **kwargs)` somewhere that does not block the event loop (the pipeline's threads)."""

    def __call__(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> Awaitable[T]: ...


def _by_sentence(answer: Answer) -> Iterator[AnswerDelta]:
    """An answer composed whole, streamed a sentence at a time, then itself."""
    for piece in sentence_pieces(answer.text):
        yield AnswerDelta(text=piece)
    yield AnswerDelta(text="", answer=answer)


async def _inline(work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    return work(*args, **kwargs)


@dataclass
class _Outcome:
    """What came of an LLM call: a draft to show instead of the embedded one, or why not."""

    draft: Draft | None = None
    verdict: GuardVerdict = field(default_factory=lambda: _NOT_CHECKED)
    fallback_reason: str | None = None
    raw_output: str = ""


class AnswerEngine:
    """Answers one candidate message at a time; safe to share between sessions (it holds no session state)."""

    def __init__(
        self,
        *,
        llm: ChatLLM | None = None,
        audit: AuditSink | None = None,
        options: EngineOptions | None = None,
    ) -> None:
        self.llm = llm
        self.audit = audit or NullAuditSink()
        self.options = options or EngineOptions()
        self.embedded = EmbeddedEngine(self.options)

    @classmethod
    def from_settings(
        cls, settings: Settings, audit: AuditSink | None = None, options: EngineOptions | None = None
    ) -> AnswerEngine:
        llm = OpenAICompatibleLLM.from_settings(settings.llm) if settings.llm.provider == "openai" else None
        return cls(llm=llm, audit=audit, options=options)

    @property
    def provider(self) -> str:
        return "openai" if self.llm is not None else "embedded"

    # -- answering ------------------------------------------------------------------------------------------------

    def answer(self, request: AnswerRequest) -> Answer:
        started = time.perf_counter()
        route, draft, call = self._plan(request)
        outcome = _Outcome()
        if call is not None and self.llm is not None:
            try:
                completion = self.llm.complete(call.messages, json_object=call.json_object)
                outcome = self._judge(call, completion.text, request, route)
            except LLMError as exc:
                outcome = _Outcome(fallback_reason=exc.reason)
        return self._finish(request, route, draft, call, outcome, started)

    async def aanswer(self, request: AnswerRequest) -> Answer:
        started = time.perf_counter()
        route, draft, call = self._plan(request)
        outcome = await self._acall(call, request, route)
        return self._finish(request, route, draft, call, outcome, started)

    async def astream(self, request: AnswerRequest, *, offload: Offload | None = None) -> AsyncIterator[AnswerDelta]:
        """The answer as it is written, then a last delta carrying the complete Answer.

        A model's reply streams a verified sentence at a time (`SentenceGate`): nothing the guard has not passed is
        ever shown. The embedded engine's answer streams by sentence once composed. `offload` runs the CPU work
        (routing, templates, the judgement) off the event loop; the default runs it inline.
        """
        run = offload or _inline
        started = time.perf_counter()
        if self.llm is None:
            answer = await run(self.answer, request)
            for delta in _by_sentence(answer):
                yield delta
            return
        route, draft, call = await run(self._plan, request)
        if call is None or call.json_object:
            outcome = await self._acall(call, request, route)
            answer = await run(self._finish, request, route, draft, call, outcome, started)
            for delta in _by_sentence(answer):
                yield delta
            return
        gate = SentenceGate(call, dollar_currency(request.terms), self.options.max_answer_chars)
        shown = ""
        try:
            async for chunk in self.llm.astream(call.messages):
                if piece := await run(gate.feed, chunk):
                    shown += piece
                    yield AnswerDelta(text=piece)
            outcome = await run(self._judge, call, gate.raw, request, route)
        except LLMError as exc:
            outcome = _Outcome(fallback_reason=exc.reason)
        answer = await run(self._finish, request, route, draft, call, outcome, started)
        if not answer.text.startswith(shown):
            yield AnswerDelta(text=answer.text, replace=True)
        elif rest := answer.text[len(shown) :]:
            yield AnswerDelta(text=rest)
        yield AnswerDelta(text="", answer=answer)

    async def _acall(self, call: LLMCall | None, request: AnswerRequest, route: Route) -> _Outcome:
        """A whole (not streamed) model call judged, or no outcome when there is nothing to ask."""
        if call is None or self.llm is None:
            return _Outcome()
        try:
            text = (await self.llm.acomplete(call.messages, json_object=call.json_object)).text
        except LLMError as exc:
            return _Outcome(fallback_reason=exc.reason)
        return self._judge(call, text, request, route)

    def extract_counter_offer(
        self, message: str, terms: OfferTerms, today: date, people: list[Person] | None = None
    ) -> CounterProposal | None:
        """A counter-offer from one message: the rules, or a validated LLM extraction when one is configured."""
        started = time.perf_counter()
        rules = extract_with_rules(message, terms, today)
        if self.llm is None or rules is None:
            return rules
        call = build_extraction_call(message, terms, today.isoformat(), Masker.for_people(people or []))
        outcome = _Outcome()
        chosen = rules
        try:
            completion = self.llm.complete(call.messages, json_object=True)
            outcome.raw_output = completion.text
            proposal = validate_extraction(parse_extraction(call.masker.unmask(completion.text)), message, terms, today)
            chosen = proposal or rules
            outcome.fallback_reason = None if proposal else "llm_found_no_counter"
        except (LLMError, ExtractionRejectedError) as exc:
            outcome.fallback_reason = exc.reason
            outcome.verdict = _rejected(exc)
        self._audit_extraction(call, outcome, sha256_text(chosen.to_json()), started)
        return chosen

    # -- the steps ------------------------------------------------------------------------------------------------

    def _plan(self, request: AnswerRequest) -> tuple[Route, Draft, LLMCall | None]:
        route = route_message(request, self.options)
        draft = self.embedded.answer(request, route)
        if self.llm is None:
            return route, draft, None
        if route.intent is Intent.NEGOTIATION and route.counter is not None:
            masker = Masker.for_people(request.known_people())
            return route, draft, build_extraction_call(route.text, request.terms, request.today.isoformat(), masker)
        if route.intent in self.options.llm_intents and route.topic != "counter_status":  # the queue's own words
            return route, draft, build_answer_call(request, route.text, route.language, draft.text, draft.calculations)
        return route, draft, None

    def _judge(self, call: LLMCall, raw: str, request: AnswerRequest, route: Route) -> _Outcome:
        restored = call.masker.unmask(raw)
        if call.kind == "extract_counter_offer":
            return self._judge_extraction(restored, request, route)
        if is_handoff(restored):
            return _Outcome(fallback_reason="llm_handoff", raw_output=raw)
        if not looks_like_prose(restored, self.options.max_answer_chars):
            return _Outcome(fallback_reason="llm_invalid_output", raw_output=raw)
        text, markers = strip_markers(restored)
        verdict = check(
            text,
            call.grounding,
            dollar_currency=dollar_currency(request.terms),
            masker=call.masker,
            secrets=call.secrets,
            boundary=call.boundary,
        )
        if verdict.status != "passed":
            return _Outcome(verdict=verdict, fallback_reason="guard_rejected", raw_output=raw)
        draft = Draft(text=text, intent=route.intent, language=route.language)
        draft.citations = marker_citations(call, request, route.text, markers)
        return _Outcome(draft=draft, verdict=verdict, raw_output=raw)

    def _judge_extraction(self, restored: str, request: AnswerRequest, route: Route) -> _Outcome:
        try:
            proposal = validate_extraction(parse_extraction(restored), route.text, request.terms, request.today)
        except ExtractionRejectedError as exc:
            return _Outcome(verdict=_rejected(exc), fallback_reason=exc.reason, raw_output=restored)
        if proposal is None:
            return _Outcome(fallback_reason="llm_found_no_counter", raw_output=restored)
        draft = Draft(text="", intent=route.intent, language=route.language)
        draft.text = self.embedded.confirmation(request, proposal, draft)
        return _Outcome(draft=draft, verdict=GuardVerdict(status="passed"), raw_output=restored)

    def _finish(
        self,
        request: AnswerRequest,
        route: Route,
        embedded: Draft,
        call: LLMCall | None,
        outcome: _Outcome,
        started: float,
    ) -> Answer:
        shown = outcome.draft or embedded
        from_llm = outcome.draft is not None and self.llm is not None
        note = embedded.text.rsplit("\n\n", 1)[-1] if route.detected_language == "other" else None
        text = f"{shown.text}\n\n{note}" if from_llm and note else shown.text
        prompt_refs = list(
            dict.fromkeys([*(call.prompt_refs if call else []), *embedded.prompt_refs, *shown.prompt_refs])
        )
        answer = Answer(
            text=text,
            intent=route.intent,
            language=route.language,
            detected_language=route.detected_language,
            citations=shown.citations or embedded.citations,
            counter_offer=shown.counter_offer if shown.counter_offer is not None else embedded.counter_offer,
            handoff=shown.handoff if from_llm else embedded.handoff,
            guard=outcome.verdict,
            provider="openai" if from_llm else "embedded",
            model=self.llm.model if (from_llm and self.llm is not None) else EMBEDDED_MODEL,
            prompt_refs=prompt_refs,
            fallback_reason=outcome.fallback_reason,
        )
        self._audit_answer(request, route, call, outcome, answer, started, embedded.calculations)
        return answer

    # -- audit ----------------------------------------------------------------------------------------------------

    def _audit_answer(
        self, request: AnswerRequest, route: Route, call: LLMCall | None, outcome: _Outcome, answer: Answer,
        started: float, calculations: list[dict[str, object]],
    ) -> None:  # fmt: skip
        input_hash = (
            call.input_hash if call else sha256_text(Masker.for_people(request.known_people()).mask(route.text))
        )
        details = {"signals": route.signals, "handoff": answer.handoff, "shown_by": answer.provider}
        if calculations:  # each computed figure's formula and the offer fields and document sentences it used
            details["calculations"] = calculations
        if outcome.raw_output:
            details["llm_output_hash"] = sha256_text(outcome.raw_output)
        self.audit.record_ai_call(
            AICallEvent(
                task="answer",
                provider=self.provider if call else "embedded",
                model=self.llm.model if (call and self.llm) else EMBEDDED_MODEL,
                prompt_refs=answer.prompt_refs,
                input_hash=input_hash,
                output_hash=sha256_text(answer.text),
                latency_ms=(time.perf_counter() - started) * 1000,
                guard=answer.guard.status,
                unsupported=answer.guard.unsupported,
                fallback_reason=outcome.fallback_reason,
                intent=route.intent.value,
                language=route.language,
                details=details,
            )
        )

    def _audit_extraction(self, call: LLMCall, outcome: _Outcome, output_hash: str, started: float) -> None:
        self.audit.record_ai_call(
            AICallEvent(
                task="extract_counter_offer",
                provider=self.provider,
                model=self.llm.model if self.llm else EMBEDDED_MODEL,
                prompt_refs=call.prompt_refs,
                input_hash=call.input_hash,
                output_hash=output_hash,
                latency_ms=(time.perf_counter() - started) * 1000,
                guard=outcome.verdict.status,
                unsupported=outcome.verdict.unsupported,
                fallback_reason=outcome.fallback_reason,
            )
        )


def _rejected(exc: Exception) -> GuardVerdict:
    unsupported = getattr(exc, "unsupported", [])
    return GuardVerdict(status="rejected", unsupported=unsupported, reasons=[getattr(exc, "reason", "rejected")])
