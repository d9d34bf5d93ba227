"""Candidate requests: what a candidate asked for in the chat that a human must handle.

Three kinds, each queued for the recruiter by SLA: a hand-off (a question the assistant could not answer from
the grounding, or one the candidate wants a person to answer), an intent to accept and an intent to decline.
An intent is only recorded here: a recruiter confirms it with the candidate and then records the response on
the offer (`offer_engine.lifecycle.record_candidate_response`); nothing is written to iCIMS from the chat.

States: ``open → claimed → resolved``; a claimed request can be released back to ``open``. A claim is a
conditional UPDATE (plus ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so of two racing recruiters exactly one wins.
An accept or decline intent is idempotent: while one of the same kind is open for the offer, another submission
returns it instead of queueing a duplicate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Text, update
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor, ActorKind, Role
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.db import is_postgres
from offer_engine.errors import (
    ClaimConflictError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from offer_engine.notify_events import notify_handoff_requested
from offer_engine.offers import CLOSED_STATES, Offer, get_offer
from offer_engine.versions import require_current_version


class RequestKind(StrEnum):
    HANDOFF = "handoff"
    ACCEPT_INTENT = "accept_intent"
    DECLINE_INTENT = "decline_intent"


class RequestState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


OPEN_STATES = (RequestState.OPEN, RequestState.CLAIMED)
INTENT_KINDS = frozenset({RequestKind.ACCEPT_INTENT, RequestKind.DECLINE_INTENT})
DEFAULT_SLA_HOURS = 24
MAX_MESSAGE_CHARS = 8000


class CandidateRequest(SQLModel, table=True):
    __tablename__ = "candidate_requests"
    __table_args__ = (Index("ix_candidate_requests_queue", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offers.id", index=True)
    version_id: int = Field(foreign_key="offer_versions.id")
    version_number: int
    kind: str
    state: str = RequestState.OPEN.value
    message: str = Field(sa_type=Text, nullable=False)  # what the candidate wrote
    assistant_reply: str | None = Field(default=None, sa_type=Text)  # what the assistant answered, for context
    intent: str | None = None  # the AI layer's routing of the message
    language: str | None = None
    channel: str | None = None  # portal | widget | cli
    source_message_id: str | None = None
    submitted_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    claimed_by: str | None = None
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: str | None = None
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_note: str | None = Field(default=None, sa_type=Text)

    @property
    def request_kind(self) -> RequestKind:
        return RequestKind(self.kind)


def submit_request(
    session: Session,
    offer: Offer,
    kind: RequestKind,
    *,
    actor: Actor,
    message: str,
    assistant_reply: str | None = None,
    intent: str | None = None,
    language: str | None = None,
    channel: str | None = None,
    source_message_id: str | None = None,
    sla_hours: int = DEFAULT_SLA_HOURS,
    now: datetime | None = None,
) -> CandidateRequest:
    """Queue a request against the offer's current version; an open intent of the same kind is returned as is."""
    assert offer.id is not None
    offer_id = offer.id
    offer = get_offer(session, offer_id)
    if actor.kind is ActorKind.CANDIDATE and str(offer.person_id) != actor.id:
        raise PermissionDeniedError("a candidate may only make requests about their own offer")
    if offer.status in CLOSED_STATES:
        raise IllegalTransitionError(f"offer {offer.id}", offer.state, f"receive a {kind.value}", "the offer is closed")
    text = message.strip()
    if not text:
        raise InvalidInputError("a candidate request needs the candidate's message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInputError(f"the message is longer than {MAX_MESSAGE_CHARS} characters")
    if kind in INTENT_KINDS and (existing := _open_of_kind(session, offer_id, kind)) is not None:
        return existing
    version = require_current_version(session, offer)
    moment = now or utcnow()
    request = CandidateRequest(
        offer_id=offer_id,
        version_id=version.id or 0,
        version_number=version.number,
        kind=kind.value,
        message=text,
        assistant_reply=assistant_reply,
        intent=intent,
        language=language,
        channel=channel,
        source_message_id=source_message_id,
        submitted_by=actor.label,
        created_at=moment,
        due_at=moment + timedelta(hours=sla_hours),
    )
    session.add(request)
    session.flush()
    _audit(session, actor, "candidate_request.submitted", request, offer, {"channel": channel}, moment, text)
    if kind is RequestKind.HANDOFF:
        notify_handoff_requested(session, offer, request.id or 0, actor=actor, now=moment)
    return request


def _open_of_kind(session: Session, offer_id: int, kind: RequestKind) -> CandidateRequest | None:
    statement = select(CandidateRequest).where(
        CandidateRequest.offer_id == offer_id,
        CandidateRequest.kind == kind.value,
        col(CandidateRequest.state).in_([s.value for s in OPEN_STATES]),
    )
    return session.exec(statement).first()


def get_request(session: Session, request_id: int) -> CandidateRequest:
    found = session.get(CandidateRequest, request_id, populate_existing=True)
    if found is None:
        raise NotFoundError(f"candidate request {request_id} does not exist")
    return found


def queue(
    session: Session, *, kinds: list[RequestKind] | None = None, include_claimed: bool = True, limit: int = 100
) -> list[CandidateRequest]:
    """Open requests, most urgent (earliest due time) first."""
    states = [s.value for s in OPEN_STATES] if include_claimed else [RequestState.OPEN.value]
    statement = (
        select(CandidateRequest)
        .where(col(CandidateRequest.state).in_(states))
        .order_by(col(CandidateRequest.due_at), col(CandidateRequest.id))
        .limit(limit)
    )
    if kinds:
        statement = statement.where(col(CandidateRequest.kind).in_([k.value for k in kinds]))
    return list(session.exec(statement))


def requests_for(session: Session, offer_id: int) -> list[CandidateRequest]:
    statement = select(CandidateRequest).where(CandidateRequest.offer_id == offer_id).order_by(col(CandidateRequest.id))
    return list(session.exec(statement))


def claim(session: Session, request_id: int, *, actor: Actor, now: datetime | None = None) -> CandidateRequest:
    """Take the request; ClaimConflictError if another recruiter has (or is taking) it."""
    actor.require_role(Role.RECRUITER, action="claim a candidate request")
    found = get_request(session, request_id)
    if found.state == RequestState.RESOLVED.value:
        raise IllegalTransitionError(f"candidate request {request_id}", found.state, "claimed", "it is resolved")
    if is_postgres(session.get_bind().engine):
        locked = session.exec(
            select(CandidateRequest.id)
            .where(CandidateRequest.id == request_id, CandidateRequest.state == RequestState.OPEN.value)
            .with_for_update(skip_locked=True)
        ).first()
        if locked is None:
            raise ClaimConflictError(f"candidate request {request_id} is already claimed")
    moment = now or utcnow()
    result = session.execute(
        update(CandidateRequest)
        .where(
            col(CandidateRequest.id) == request_id,
            col(CandidateRequest.state) == RequestState.OPEN.value,
        )
        .values(state=RequestState.CLAIMED.value, claimed_by=actor.id, claimed_at=moment)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        holder = get_request(session, request_id)
        raise ClaimConflictError(f"candidate request {request_id} is {holder.state} by {holder.claimed_by}")
    claimed = get_request(session, request_id)
    _audit(session, actor, "candidate_request.claimed", claimed, get_offer(session, claimed.offer_id), {}, moment)
    return claimed


def release(session: Session, request_id: int, *, actor: Actor, now: datetime | None = None) -> CandidateRequest:
    """Give a claimed request back to the queue."""
    found = _held_by(session, request_id, actor, "release")
    found.state, found.claimed_by, found.claimed_at = RequestState.OPEN.value, None, None
    session.add(found)
    moment = now or utcnow()
    _audit(session, actor, "candidate_request.released", found, get_offer(session, found.offer_id), {}, moment)
    return found


def resolve(
    session: Session, request_id: int, *, actor: Actor, note: str, now: datetime | None = None
) -> CandidateRequest:
    """Close a claimed request, saying what was done (answered, acceptance confirmed, ...)."""
    found = _held_by(session, request_id, actor, "resolve")
    if not note.strip():
        raise InvalidInputError("resolving a candidate request needs a note saying what was done")
    moment = now or utcnow()
    found.state, found.resolved_by, found.resolved_at = RequestState.RESOLVED.value, actor.id, moment
    found.resolution_note = note.strip()
    session.add(found)
    offer = get_offer(session, found.offer_id)
    _audit(session, actor, "candidate_request.resolved", found, offer, {"note": found.resolution_note}, moment)
    return found


def close_open_for_offer(
    session: Session, offer: Offer, *, actor: Actor, note: str, now: datetime | None = None
) -> list[CandidateRequest]:
    """Resolve every open or claimed request of an offer that has ended (nothing is left for a person to do)."""
    statement = select(CandidateRequest).where(
        CandidateRequest.offer_id == offer.id, col(CandidateRequest.state).in_([s.value for s in OPEN_STATES])
    )
    closed = list(session.exec(statement))
    moment = now or utcnow()
    for found in closed:
        found.state, found.resolved_by, found.resolved_at = RequestState.RESOLVED.value, actor.id, moment
        found.resolution_note = note
        session.add(found)
        _audit(session, actor, "candidate_request.resolved", found, offer, {"note": note, "automatic": True}, moment)
    return closed


def _held_by(session: Session, request_id: int, actor: Actor, action: str) -> CandidateRequest:
    found = get_request(session, request_id)
    if found.state != RequestState.CLAIMED.value:
        raise IllegalTransitionError(f"candidate request {request_id}", found.state, action, "claim it first")
    if found.claimed_by != actor.id and not actor.has_role(Role.ADMIN):
        raise PermissionDeniedError(f"candidate request {request_id} is claimed by {found.claimed_by}, not {actor.id}")
    return found


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    request: CandidateRequest,
    offer: Offer,
    details: dict[str, Any],
    at: datetime,
    message: str | None = None,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="candidate_request",
        subject_id=request.id or 0,
        icims=offer.icims_ids,
        input_hash=audit.sha256_of(message) if message else None,
        details={"offer_id": offer.id, "kind": request.kind, "version": request.version_number, **details},
        occurred_at=at,
    )
