"""The AI layer: the embedded grounded engine, OpenAI-compatible LLMs behind PII masking and the grounding guard.

Public API (what the chat pipeline, the `ask` CLI and letters call):

- `AnswerEngine(llm=None, audit=None, options=None)` / `AnswerEngine.from_settings(settings, audit)`:
  `answer(AnswerRequest) -> Answer`, `await aanswer(request)`, `async for delta in astream(request)`,
  `extract_counter_offer(message, terms, today, people=None)`.
- `extract_counter_offer(message, terms, today) -> CounterProposal | None`: the rules alone, no I/O.
- `AuditSink` (protocol: `record_ai_call(AICallEvent)`), `InMemoryAuditSink`.
- Models: `AnswerRequest`, `Answer`, `AnswerDelta`, `Citation`, `CounterProposal`, `Passage`, `Person`,
  `OfferFact`, `Intent`, `GuardVerdict`, `EngineOptions`.
"""

from __future__ import annotations

from app.ai.audit import AICallEvent, AuditSink, InMemoryAuditSink, NullAuditSink
from app.ai.counter import extract_counter_offer
from app.ai.engine import AnswerEngine
from app.ai.llm import ChatLLM, LLMError, OpenAICompatibleLLM
from app.ai.masking import Masker
from app.ai.models import (
    Answer,
    AnswerDelta,
    AnswerRequest,
    Citation,
    CounterProposal,
    EngineOptions,
    GuardVerdict,
    Intent,
    OfferFact,
    Passage,
    Person,
)

__all__ = [
    "AICallEvent",
    "Answer",
    "AnswerDelta",
    "AnswerEngine",
    "AnswerRequest",
    "AuditSink",
    "ChatLLM",
    "Citation",
    "CounterProposal",
    "EngineOptions",
    "GuardVerdict",
    "InMemoryAuditSink",
    "Intent",
    "LLMError",
    "Masker",
    "NullAuditSink",
    "OfferFact",
    "OpenAICompatibleLLM",
    "Passage",
    "Person",
    "extract_counter_offer",
]
