"""Received iCIMS event notifications: stored before they are processed, duplicates recognised by a unique key.

iCIMS may deliver the same notification more than once (users can trigger duplicates). The dedup key is
the caller's (e.g. from `icims.webhooks`) or a sha256 over the event's identifying fields. States:
``received → processing → processed | failed | dead | ignored``.

``failed`` is a transient failure (iCIMS unreachable, 5xx, 429, time-out): the event waits until its stored
``next_attempt_at`` (capped exponential back-off, or the Retry-After iCIMS gave) and is tried again, by whichever
worker comes first, however often it takes; it never runs out of tries. ``dead`` is an event that ended
without a draft for a reason no retry fixes by itself (a 404 for the workflow, a mapping or domain refusal):
it is listed (`list_unfinished`, `count_dead`: `/ready`, review mode, ``offer-assistant events list``), and `retry` or a
redelivery of the same notification starts it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from icims.errors import AuthError, ICIMSError, RateLimited, ServerError, Unavailable
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
    FAILED = "failed"  # transient: waits for next_attempt_at, then is tried again
    DEAD = "dead"  # ended without a draft; `retry` (or a redelivery) starts it again
    IGNORED = "ignored"


_NEXT: dict[EventState, frozenset[EventState]] = {
    EventState.RECEIVED: frozenset({EventState.PROCESSING, EventState.IGNORED}),
    EventState.PROCESSING: frozenset({EventState.PROCESSED, EventState.FAILED, EventState.DEAD, EventState.IGNORED}),
    EventState.FAILED: frozenset({EventState.PROCESSING, EventState.IGNORED, EventState.RECEIVED}),
    EventState.DEAD: frozenset({EventState.RECEIVED}),
    EventState.PROCESSED: frozenset(),
    EventState.IGNORED: frozenset(),
}
_ENDED = (EventState.PROCESSED, EventState.IGNORED, EventState.FAILED, EventState.DEAD)


class FailureKind(StrEnum):
    """Why an attempt failed: every kind but PERMANENT is transient (retried without end); PERMANENT ends it."""

    RATE_LIMITED = "rate_limited"  # HTTP 429 or the quota used up: retried after iCIMS's Retry-After
    UNREACHABLE = "unreachable"  # no answer: connection refused, time-out
    SERVER_ERROR = "server_error"  # HTTP 5xx
    AUTH = "auth"  # credentials refused: fixed by an operator, then the event goes on by itself
    INTERNAL = "internal"  # an unexpected error of ours or of the database: retried with back-off
    PERMANENT = "permanent"  # 404 for the workflow, access denied, a mapping or domain refusal

    @property
    def transient(self) -> bool:
        return self is not FailureKind.PERMANENT


def failure_kind(exc: Exception) -> FailureKind:
    """Transient for iCIMS being unreachable, failing (5xx), throttling or refusing our credentials; permanent
    for everything else (NotFound, AccessDenied, BadRequest, RequiredField, an unreadable answer, a domain error)."""
    if isinstance(exc, RateLimited):
        return FailureKind.RATE_LIMITED
    if isinstance(exc, Unavailable):
        return FailureKind.UNREACHABLE
    if isinstance(exc, ServerError):
        return FailureKind.SERVER_ERROR
    if isinstance(exc, AuthError):
        return FailureKind.AUTH
    return FailureKind.PERMANENT


@dataclass(frozen=True)
class EventRetry:
    """When a transiently failed event is tried again: ``base * 2**(attempts-1)`` seconds, capped at
    ``max_seconds``; a rate limit waits exactly what iCIMS said (``Retry-After``), when it said something."""

    base_seconds: float = 5.0
    max_seconds: float = 60.0

    def delay(self, attempts: int, kind: FailureKind, retry_after: float | None = None) -> float:
        if kind is FailureKind.RATE_LIMITED and retry_after is not None:
            return max(0.0, retry_after)
        return float(min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1)))


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
    failure_kind: str | None = None  # FailureKind of the last failed attempt
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)  # when failed
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_duplicate_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


@dataclass(frozen=True)
class StoredEvent:
    event: WebhookEvent
    duplicate: bool
    restarted: bool = False  # a redelivery of an event that had ended without a draft: it starts again


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
        return _redelivered(session, existing, moment, actor)
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
        return _redelivered(session, raced, moment, actor)
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


def _redelivered(session: Session, event: WebhookEvent, moment: datetime, actor: Actor) -> StoredEvent:
    """A redelivery starts an event that ended without a draft again; otherwise it is a duplicate."""
    if event.state == EventState.DEAD.value and _restart(session, event.id or 0):
        session.refresh(event)
        _audit_restart(session, event, actor, moment, "redelivered by iCIMS")
        return StoredEvent(event=event, duplicate=False, restarted=True)
    return _count_duplicate(session, event, moment)


def _restart(session: Session, event_id: int, states: tuple[EventState, ...] = ()) -> bool:
    """Back to received, due at once; guarded in SQL so that one of two concurrent redeliveries restarts it."""
    result = session.execute(
        update(WebhookEvent)
        .where(
            col(WebhookEvent.id) == event_id,
            col(WebhookEvent.state).in_([s.value for s in states or (EventState.DEAD,)]),
        )
        .values(state=EventState.RECEIVED.value, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _audit_restart(session: Session, event: WebhookEvent, actor: Actor, moment: datetime, why: str) -> None:
    audit.record(
        session,
        actor=actor,
        action="webhook.restarted",
        subject_type="webhook_event",
        subject_id=event.id or 0,
        icims={"customer_id": event.customer_id, "workflow_id": event.system_id},
        details={"why": why, "last_error": event.error},
        occurred_at=moment,
    )


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
    kind: FailureKind | None = None,
    next_attempt_at: datetime | None = None,
) -> WebhookEvent:
    """Move the event on; FAILED needs `next_attempt_at` (when it is tried again), FAILED and DEAD a `kind`."""
    current = EventState(event.state)
    if target not in _NEXT[current]:
        raise IllegalTransitionError(f"webhook event {event.id}", current.value, target.value)
    moment = now or utcnow()
    if target is EventState.FAILED and next_attempt_at is None:
        raise ValueError("a failed event needs the time of its next attempt")
    event.state = target.value
    if target is EventState.PROCESSING:
        event.attempts += 1
        event.error = None
    event.next_attempt_at = next_attempt_at if target is EventState.FAILED else None
    if target in _ENDED:
        event.processed_at = moment
        event.outcome = outcome
        event.error = error
        event.failure_kind = kind.value if kind is not None and target in (EventState.FAILED, EventState.DEAD) else None
    session.add(event)
    session.flush()
    if target is not EventState.PROCESSING:
        audit.record(
            session,
            actor=actor,
            action=f"webhook.{target.value}",
            subject_type="webhook_event",
            subject_id=event.id or 0,
            details={
                "outcome": outcome,
                "error": error,
                "kind": event.failure_kind,
                "next_attempt_at": _iso(next_attempt_at),
            },
            occurred_at=moment,
        )
    return event


def list_events(session: Session, *, states: list[EventState] | None = None, limit: int = 100) -> list[WebhookEvent]:
    statement = select(WebhookEvent).order_by(col(WebhookEvent.id).desc()).limit(limit)
    if states:
        statement = statement.where(col(WebhookEvent.state).in_([s.value for s in states]))
    return list(session.exec(statement))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def record_failure(
    session: Session,
    event: WebhookEvent,
    exc: Exception,
    *,
    retry: EventRetry,
    actor: Actor,
    now: datetime | None = None,
    internal: bool = False,
) -> WebhookEvent:
    """A processing event failed: transient failures wait (FAILED, next attempt per `retry`), others end it (DEAD).
    `internal`: an unexpected error outside iCIMS and the domain rules, retried with back-off."""
    moment = now or utcnow()
    kind = FailureKind.INTERNAL if internal else failure_kind(exc)
    error = f"{type(exc).__name__}: {exc}" if isinstance(exc, ICIMSError) else str(exc)
    if not kind.transient:
        return set_state(session, event, EventState.DEAD, actor=actor, error=error, kind=kind, now=moment)
    hint = exc.reset_seconds if isinstance(exc, RateLimited) else None
    due = moment + timedelta(seconds=retry.delay(event.attempts, kind, hint))
    return set_state(
        session, event, EventState.FAILED, actor=actor, error=error, kind=kind, now=moment, next_attempt_at=due
    )


def due(now: datetime) -> Any:
    """The SQL condition for an event a worker may take at `now`: received, or failed and its wait is over."""
    waited = or_(col(WebhookEvent.next_attempt_at).is_(None), col(WebhookEvent.next_attempt_at) <= now)
    received = col(WebhookEvent.state) == EventState.RECEIVED.value
    return or_(received, (col(WebhookEvent.state) == EventState.FAILED.value) & waited)


def retry(session: Session, event_id: int, *, actor: Actor, now: datetime | None = None) -> WebhookEvent:
    """Start an event that ended without a draft (or is waiting after a failure) again, due at once."""
    event = get_event(session, event_id)
    moment = now or utcnow()
    if not _restart(session, event_id, (EventState.DEAD, EventState.FAILED)):
        raise IllegalTransitionError(
            f"webhook event {event_id}", event.state, EventState.RECEIVED.value, "only dead or failed events"
        )
    session.refresh(event)
    _audit_restart(session, event, actor, moment, f"retried by {actor.label}")
    return event


def list_unfinished(session: Session, *, include_waiting: bool = True, limit: int = 200) -> list[WebhookEvent]:
    """Events that ended without a draft (dead) and, with `include_waiting`, those waiting after a failure."""
    states = [EventState.DEAD] + ([EventState.FAILED] if include_waiting else [])
    return list_events(session, states=states, limit=limit)


def count_dead(session: Session) -> int:
    statement = select(func.count()).select_from(WebhookEvent).where(WebhookEvent.state == EventState.DEAD.value)
    return int(session.exec(statement).one())


def bring_forward(session: Session, *, now: datetime | None = None) -> int:
    """iCIMS answers again: events waiting after it was unreachable or failing (5xx) are due at once instead of
    sitting out the rest of their back-off. Returns how many were brought forward."""
    moment = now or utcnow()
    kinds = [FailureKind.UNREACHABLE.value, FailureKind.SERVER_ERROR.value]
    result = session.execute(
        update(WebhookEvent)
        .where(
            col(WebhookEvent.state) == EventState.FAILED.value,
            col(WebhookEvent.failure_kind).in_(kinds),
            col(WebhookEvent.next_attempt_at) > moment,
        )
        .values(next_attempt_at=moment)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
