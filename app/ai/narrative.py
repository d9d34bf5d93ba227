"""An LLM-written hiring-manager paragraph for offer letters, behind masking and the grounding guard.

Implements `offer_engine.narrative.NarrativeWriter`. Whenever the model is unreachable or its paragraph states
anything the request does not hold (a figure, a date, another person), the template writer's paragraph is used.
"""

from __future__ import annotations

import time

from app.ai.audit import AICallEvent, AuditSink, NullAuditSink, sha256_text
from app.ai.dates import format_long_date
from app.ai.guard import Grounding, check
from app.ai.injection import fence, new_boundary
from app.ai.llm import ChatLLM, ChatMessage, LLMError
from app.ai.masking import Masker
from app.ai.models import GuardVerdict, Person
from offer_engine.narrative import Narrative, NarrativeRequest, NarrativeWriter, TemplateNarrativeWriter
from prompts import load_prompt

_LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "de": "German"}


def _facts(request: NarrativeRequest) -> list[str]:
    return [
        f"Candidate first name: {request.candidate_first_name}",
        f"Job title: {request.title}",
        f"Department: {request.department or '(not given)'}",
        f"Hiring manager: {request.manager_name}",
        f"Company: {request.company_name}",
        f"Start date: {format_long_date(request.start_date, request.language)}",
    ]


class LLMNarrativeWriter:
    """Asks the configured chat model for the paragraph; falls back to `fallback` on any doubt."""

    def __init__(
        self, llm: ChatLLM, *, audit: AuditSink | None = None, fallback: NarrativeWriter | None = None
    ) -> None:
        self.llm = llm
        self.audit = audit or NullAuditSink()
        self.fallback = fallback or TemplateNarrativeWriter()

    def write_narrative(self, request: NarrativeRequest) -> Narrative:
        started = time.perf_counter()
        people = [
            Person(role="candidate", first_name=request.candidate_first_name),
            Person(role="hiring_manager", full_name=request.manager_name),
        ]
        masker = Masker.for_people(people)
        boundary = new_boundary()
        system = load_prompt("narrative_system", request.language)
        user = load_prompt("narrative_user", request.language)
        language_name = _LANGUAGE_NAMES.get(request.language.split("-")[0], "English")
        messages = [
            ChatMessage(
                role="system",
                content=system.render(
                    company_name=request.company_name, language_name=language_name, boundary=boundary
                ),
            ),
            ChatMessage(
                role="user",
                content=user.render(
                    facts_block=fence(boundary, "letter facts", masker.mask("\n".join(_facts(request))))
                ),
            ),
        ]
        refs = [system.ref, user.ref]
        verdict = GuardVerdict(status="not_checked")
        reason: str | None = None
        text = ""
        try:
            text = masker.unmask(self.llm.complete(messages).text).strip()
            grounding = Grounding.from_texts(_facts(request), people=people)
            verdict = check(text, grounding, masker=masker, secrets=[messages[0].content], boundary=boundary)
            reason = None if verdict.status == "passed" and text else "guard_rejected"
        except LLMError as exc:
            reason = exc.reason
        if reason is None:
            narrative = Narrative(
                text=text,
                source={"provider": "openai", "model": self.llm.model, "prompt": ",".join(refs), "guard": "passed"},
            )
        else:
            fallback = self.fallback.write_narrative(request)
            source = {**fallback.source, "fallback_reason": reason, "llm_model": self.llm.model}
            narrative = Narrative(text=fallback.text, source=source)
        self.audit.record_ai_call(
            AICallEvent(
                task="narrative",
                provider="openai",
                model=self.llm.model,
                prompt_refs=refs,
                input_hash=sha256_text([m.model_dump() for m in messages]),
                output_hash=sha256_text(narrative.text),
                latency_ms=(time.perf_counter() - started) * 1000,
                guard=verdict.status,
                unsupported=verdict.unsupported,
                fallback_reason=reason,
                language=request.language,
            )
        )
        return narrative
