"""Received iCIMS event notifications: stored before they are processed, duplicates recognised by a unique key.

iCIMS may deliver the same notification more than once (users can trigger duplicates). The dedup key is
the caller's (e.g. from `icims.webhooks`) or a sha256 over the event's identifying fields. States:
``received → processing → processed | failed | ignored``; a failed event can be processed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.errors import IllegalTransitionError, NotFoundError

IDENTIFYING_FIELDS = ("customerId", "eventType", "systemId", "jobId", "personId", "userId", "oldStatus", "newStatus")
KEPT_HEADERS = ("content-type", "content-encoding", "user-agent", "link", "x-icims-date", "x-transaction")


class EventState(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"
    IGNORED = "ignored"


_NEXT: dict[EventState, frozenset[EventState]] = {
    EventState.RECEIVED: frozenset({EventState.PROCESSING, EventState.IGNORED}),
    EventState.PROCESSING: frozenset({EventState.PROCESSED, EventState.FAILED, EventState.IGNORED}),
    EventState.FAILED: frozenset({EventState.PROCESSING, EventState.IGNORED}),
    EventState.PROCESSED: frozenset(),
    EventState.IGNORED: frozenset(),
}


class WebhookEvent(SQLModel, table=True):
    __tablename__ = "webhook_events"

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(unique=True)
    customer_id: str | None = None
    event_type: str | None = Field(default=None, index=True)
    system_id: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    state: str = Field(default=EventState.RECEIVED.value, index=True)
    duplicates: int = 0
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=Text)
    outcome: str | None = Field(default=None, sa_type=Text)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_duplicate_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class StoredEvent:
    event: WebhookEvent
    duplicate: bool


def dedup_key_of(payload: dict[str, Any]) -> str:
    """sha256 over the identifying fields (as text), so a re-sent notification maps to the same key."""
    identifying = {name: str(payload.get(name)) for name in IDENTIFYING_FIELDS if payload.get(name) is not None}
    return audit.sha256_of(identifying or payload)


def store_event(
    session: Session,
    payload: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    dedup_key: str | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> StoredEvent:
    """Store a received event; a duplicate is counted on the original and reported, not stored again."""
    key = dedup_key or dedup_key_of(payload)
    moment = now or utcnow()
    existing = _by_key(session, key)
    if existing is not None:
        return _count_duplicate(session, existing, moment)
    event = WebhookEvent(
        dedup_key=key,
        customer_id=_text(payload.get("customerId")),
        event_type=_text(payload.get("eventType")),
        system_id=_text(payload.get("systemId")),
        payload=payload,
        headers={k.lower(): v for k, v in (headers or {}).items() if k.lower() in KEPT_HEADERS},
        received_at=moment,
    )
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:  # the same event arrived on another connection at the same moment
        raced = _by_key(session, key)
        if raced is None:
            raise
        return _count_duplicate(session, raced, moment)
    audit.record(
        session,
        actor=actor,
        action="webhook.received",
        subject_type="webhook_event",
        subject_id=event.id or 0,
        icims={"customer_id": event.customer_id, "workflow_id": event.system_id},
        input_hash=audit.sha256_of(payload),
        details={"event_type": event.event_type, "dedup_key": key},
        occurred_at=moment,
    )
    return StoredEvent(event=event, duplicate=False)


def _count_duplicate(session: Session, event: WebhookEvent, moment: datetime) -> StoredEvent:
    # Incremented in SQL: redeliveries of one event arrive on several connections at once, and a count
    # computed in Python would let one overwrite another's.
    session.execute(
        update(WebhookEvent)
        .where(col(WebhookEvent.id) == event.id)
        .values(duplicates=WebhookEvent.duplicates + 1, last_duplicate_at=moment)
        .execution_options(synchronize_session=False)
    )
    session.refresh(event)
    return StoredEvent(event=event, duplicate=True)


def _by_key(session: Session, key: str) -> WebhookEvent | None:
    statement = select(WebhookEvent).where(WebhookEvent.dedup_key == key).execution_options(populate_existing=True)
    return session.exec(statement).one_or_none()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def get_event(session: Session, event_id: int) -> WebhookEvent:
    event = session.get(WebhookEvent, event_id, populate_existing=True)
    if event is None:
        raise NotFoundError(f"webhook event {event_id} does not exist")
    return event


def set_state(
    session: Session,
    event: WebhookEvent,
    target: EventState,
    *,
    actor: Actor,
    outcome: str | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> WebhookEvent:
    current = EventState(event.state)
    if target not in _NEXT[current]:
        raise IllegalTransitionError(f"webhook event {event.id}", current.value, target.value)
    moment = now or utcnow()
    event.state = target.value
    if target is EventState.PROCESSING:
        event.attempts += 1
        event.error = None
    if target in (EventState.PROCESSED, EventState.IGNORED, EventState.FAILED):
        event.processed_at = moment
        event.outcome = outcome
        event.error = error
    session.add(event)
    session.flush()
    if target is not EventState.PROCESSING:
        audit.record(
            session,
            actor=actor,
            action=f"webhook.{target.value}",
            subject_type="webhook_event",
            subject_id=event.id or 0,
            details={"outcome": outcome, "error": error},
            occurred_at=moment,
        )
    return event


def list_events(session: Session, *, states: list[EventState] | None = None, limit: int = 100) -> list[WebhookEvent]:
    statement = select(WebhookEvent).order_by(col(WebhookEvent.id).desc()).limit(limit)
    if states:
        statement = statement.where(col(WebhookEvent.state).in_([s.value for s in states]))
    return list(session.exec(statement))
