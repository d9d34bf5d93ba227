"""The AI layer's audit sink, adapted to the offer engine's hash-chained audit trail.

The engine reports each AI call synchronously while it answers; the events are buffered here and written in
one short transaction afterwards, so that no database write happens on the chat's event loop.
"""

from __future__ import annotations

from sqlmodel import Session

from app.ai.audit import AICallEvent
from offer_engine import audit
from offer_engine.actors import Actor, ActorKind


class OfferAuditSink:
    """Collects the AI calls made for one offer; `write` appends them to the audit trail."""

    def __init__(self, *, offer_id: int, icims_ids: dict[str, int | None], channel: str, candidate: str) -> None:
        self.offer_id = offer_id
        self.icims_ids = icims_ids
        self.channel = channel
        self.candidate = candidate
        self.events: list[AICallEvent] = []

    def record_ai_call(self, event: AICallEvent) -> None:
        self.events.append(event)

    def write(self, session: Session) -> int:
        """Append the buffered events (in the caller's transaction); returns how many were written."""
        for event in self.events:
            audit.record(
                session,
                actor=Actor(kind=ActorKind.AI, id=f"{event.provider}:{event.model}"),
                action=event.action,
                subject_type="offer",
                subject_id=self.offer_id,
                icims=self.icims_ids,
                model=event.model,
                prompt_version=event.prompt_version or None,
                input_hash=event.input_hash,
                output_hash=event.output_hash,
                details={
                    "task": event.task,
                    "provider": event.provider,
                    "intent": event.intent,
                    "language": event.language,
                    "guard": event.guard,
                    "unsupported": event.unsupported,
                    "fallback_reason": event.fallback_reason,
                    "latency_ms": round(event.latency_ms, 2),
                    "channel": self.channel,
                    "candidate": self.candidate,
                    **event.details,
                },
            )
        written = len(self.events)
        self.events = []
        return written
