"""The adapter from the AI layer's `AuditSink` to the hash-chained audit trail of `offer_engine.audit`.

Events are appended in the caller's session, so they commit or roll back with the rest of the turn.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.ai.audit import AICallEvent
from offer_engine import audit
from offer_engine.actors import Actor, ActorKind

ASSISTANT = Actor(kind=ActorKind.AI, id="offer-assistant")


class TrailAuditSink:
    """Records each AI call as an `ai.<task>` event on a subject (usually the offer)."""

    def __init__(
        self,
        session: Session,
        *,
        subject_type: str,
        subject_id: str | int,
        actor: Actor = ASSISTANT,
        icims: dict[str, Any] | None = None,
    ) -> None:
        self.session = session
        self.subject_type = subject_type
        self.subject_id = subject_id
        self.actor = actor
        self.icims = icims

    def record_ai_call(self, event: AICallEvent) -> None:
        audit.record(
            self.session,
            actor=self.actor,
            action=event.action,
            subject_type=self.subject_type,
            subject_id=self.subject_id,
            icims=self.icims,
            model=event.model,
            prompt_version=event.prompt_version,
            input_hash=event.input_hash,
            output_hash=event.output_hash,
            details=event.model_dump(
                mode="json", exclude={"task", "model", "prompt_refs", "input_hash", "output_hash"}
            ),
        )
