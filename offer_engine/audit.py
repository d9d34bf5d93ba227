"""The audit trail: append-only events, chained by sha256 so that any edit, deletion or reordering shows.

Each event stores the hash of its predecessor and its own hash over a canonical JSON form of its content
(sorted keys, no spaces, UTC timestamps with microseconds). A single head row holds the last sequence number
and hash; appends lock it (a no-op UPDATE, then ``SELECT … FOR UPDATE``), so writers queue on it and concurrent
appends always extend the chain in one line. Database triggers (see the migration) refuse UPDATE and DELETE
on events; `verify_chain` catches tampering by anyone who bypasses them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import JSON, Index, update
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine.actors import Actor
from offer_engine.columns import UTCDateTime, as_utc, utcnow
from offer_engine.errors import AuditTamperingError

GENESIS_HASH = "0" * 64
HEAD_ID = 1


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    actor_kind: str
    actor_id: str
    action: str = Field(index=True)
    subject_type: str
    subject_id: str
    icims: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    model: str | None = None
    prompt_version: str | None = None
    input_hash: str | None = None
    output_hash: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    prev_hash: str
    hash: str = Field(unique=True)


class AuditChainHead(SQLModel, table=True):
    """The one row that says where the chain ends; locked by every append."""

    __tablename__ = "audit_chain_head"

    id: int = Field(primary_key=True)
    last_seq: int = 0
    last_hash: str = GENESIS_HASH


def _jsonable(value: Any) -> Any:
    """`value` as it will read back from a JSON column (str keys, Decimal and dates as strings)."""
    return json.loads(json.dumps(to_jsonable_python(value), ensure_ascii=False))


def canonical_json(value: Any) -> str:
    return json.dumps(to_jsonable_python(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(value: str | bytes | Mapping[str, Any] | list[Any]) -> str:
    """The hash the AI layer and services record as input/output hashes."""
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode("utf-8")
    else:
        data = canonical_json(value).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def event_hash(event: AuditEvent) -> str:
    """The hash an event must carry, computed from its content and its predecessor's hash."""
    content = {
        "seq": event.seq,
        "occurred_at": as_utc(event.occurred_at).isoformat(timespec="microseconds"),
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "icims": event.icims,
        "model": event.model,
        "prompt_version": event.prompt_version,
        "input_hash": event.input_hash,
        "output_hash": event.output_hash,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str | int,
    icims: dict[str, Any] | None = None,
    model: str | None = None,
    prompt_version: str | None = None,
    input_hash: str | None = None,
    output_hash: str | None = None,
    details: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain (in the caller's transaction: it commits or rolls back with the change)."""
    head = _locked_head(session)
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=as_utc(occurred_at or utcnow()),
        actor_kind=actor.kind.value,
        actor_id=actor.id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        icims=_jsonable(icims) if icims is not None else None,
        model=model,
        prompt_version=prompt_version,
        input_hash=input_hash,
        output_hash=output_hash,
        details=_jsonable(details or {}),
        prev_hash=head.last_hash,
        hash="",
    )
    event.hash = event_hash(event)
    head.last_seq, head.last_hash = event.seq, event.hash
    session.add(event)
    session.add(head)
    session.flush()
    return event


def _locked_head(session: Session) -> AuditChainHead:
    # Writing the row first takes the write lock on every backend (SQLite would otherwise let two
    # connections read the same head before either writes); FOR UPDATE then reads it under the lock.
    session.execute(
        update(AuditChainHead)
        .where(col(AuditChainHead.id) == HEAD_ID)
        .values(last_seq=AuditChainHead.last_seq)
        .execution_options(synchronize_session=False)
    )
    statement = (
        select(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.exec(statement).one_or_none()
    if head is not None:
        return head
    if session.exec(select(AuditEvent.id).limit(1)).first() is not None:
        raise AuditTamperingError("the audit chain head row is missing while events exist; run `audit verify`")
    head = AuditChainHead(id=HEAD_ID)
    session.add(head)
    session.flush()
    return head


def events_for(session: Session, subject_type: str, subject_id: str | int) -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == str(subject_id))
        .order_by(col(AuditEvent.seq))
    )
    return list(session.exec(statement))


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    event_id: int | None
    kind: str  # hash_mismatch | broken_link | sequence_gap | out_of_order | head_mismatch
    message: str


@dataclass
class VerifyReport:
    events_checked: int = 0
    last_seq: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session, *, batch_size: int = 1000) -> VerifyReport:
    """Walk the chain in sequence order and report every event that does not verify."""
    report = VerifyReport()
    previous_hash, previous_seq, previous_id = GENESIS_HASH, 0, 0
    statement = select(AuditEvent).order_by(col(AuditEvent.seq)).execution_options(yield_per=batch_size)
    for event in session.exec(statement):
        report.events_checked += 1
        _check_event(report, event, previous_hash, previous_seq, previous_id)
        previous_hash, previous_seq, previous_id = event.hash, event.seq, event.id or 0
    report.last_seq = previous_seq
    _check_head(session, report, previous_hash, previous_seq)
    return report


def _check_event(report: VerifyReport, event: AuditEvent, prev_hash: str, prev_seq: int, prev_id: int) -> None:
    def problem(kind: str, message: str) -> None:
        report.problems.append(ChainProblem(event.seq, event.id, kind, message))

    if event.seq != prev_seq + 1:
        problem("sequence_gap", f"event {event.seq} follows {prev_seq}: events were deleted or renumbered")
    if event.id is not None and event.id < prev_id:
        problem("out_of_order", f"event {event.seq} (id {event.id}) was stored before its predecessor (id {prev_id})")
    if event.prev_hash != prev_hash:
        problem("broken_link", f"event {event.seq} does not point at its predecessor: deleted, inserted or moved")
    if event_hash(event) != event.hash:
        problem("hash_mismatch", f"event {event.seq} ({event.action}) does not match its hash: edited")


def _check_head(session: Session, report: VerifyReport, last_hash: str, last_seq: int) -> None:
    head = session.get(AuditChainHead, HEAD_ID)
    if head is None:
        if last_seq:
            report.problems.append(ChainProblem(None, None, "head_mismatch", "the chain head row is missing"))
        return
    if (head.last_seq, head.last_hash) != (last_seq, last_hash):
        report.problems.append(
            ChainProblem(
                head.last_seq,
                None,
                "head_mismatch",
                f"the chain should end at event {head.last_seq} but ends at {last_seq}: trailing events deleted",
            )
        )
