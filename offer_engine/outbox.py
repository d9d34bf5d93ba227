"""The sync outbox: what the offer engine must write to iCIMS, stored in the same transaction as the change.

Each job has a unique idempotency key (enqueuing twice yields the same job). Jobs of one applicant workflow
are delivered in the order they were queued: a job waits until every earlier job of its workflow is
delivered (the PDF goes up before the status says "Approved", and "Approved" never lands after "Released"),
so a dead job holds back its workflow's later writes until it is requeued. A job has attempts, the next
attempt time, the last error, and a state ``pending → in_flight → delivered``, or ``dead`` after too many
failures (visible, and retryable with `requeue`), or ``cancelled`` when it was superseded before delivery
(`cancel_undelivered`). Claims take rows with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional UPDATE everywhere, with a lease: a job whose
worker died mid-delivery is claimed again once its lease has expired.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Text, and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit, leases
from offer_engine.actors import Actor
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.db import add_once
from offer_engine.errors import IllegalTransitionError, NotFoundError

DEFAULT_MAX_FAILURES = 8


class JobKind(StrEnum):
    UPLOAD_LETTER = "upload_letter"  # payload: letter_id, field, file_name
    PATCH_FIELDS = "patch_fields"  # payload: fields {name: value}
    ADD_NOTE = "add_note"  # payload: text, marker
    WRITE_CHAT_LINK = "write_chat_link"  # payload: field, url
    SET_STATUS = "set_status"  # payload: status_id
    WRITE_TERMS = "write_terms"  # payload: writes [term_sync.TermWrite], resolutions; checked, written, read back


class JobState(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DELIVERED = "delivered"
    DEAD = "dead"
    CANCELLED = "cancelled"  # superseded before delivery (iCIMS moved on); never written, holds nothing back
    HELD = "held"  # waits for a recruiter's choice (iCIMS changed a field since the draft); see term_sync


_SETTLED = (JobState.DELIVERED.value, JobState.CANCELLED.value)  # later jobs of the workflow may go
# A job that writes terms stands aside when it is held or dead: the letter, status and link still go out.
_STANDS_ASIDE = (JobState.HELD.value, JobState.DEAD.value)


class SyncJob(SQLModel, table=True):
    __tablename__ = "sync_jobs"
    __table_args__ = (Index("ix_sync_jobs_workflow_state", "customer_id", "workflow_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    idempotency_key: str = Field(unique=True)
    group_key: str = Field(index=True)
    customer_id: int
    workflow_id: int
    offer_id: int | None = Field(default=None, foreign_key="offers.id", index=True)
    letter_id: int | None = Field(default=None, foreign_key="letters.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    state: str = Field(default=JobState.PENDING.value, index=True)
    attempts: int = 0  # deliveries started (claims)
    failures: int = 0  # counted failures; a rate limit is not the job's failure and does not count
    max_failures: int = DEFAULT_MAX_FAILURES
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    claim_token: str | None = None
    claimed_by: str | None = None
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dead_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def enqueue(
    session: Session,
    *,
    kind: JobKind,
    idempotency_key: str,
    group_key: str,
    customer_id: int,
    workflow_id: int,
    payload: dict[str, Any],
    actor: Actor,
    offer_id: int | None = None,
    letter_id: int | None = None,
    max_failures: int = DEFAULT_MAX_FAILURES,
    now: datetime | None = None,
) -> SyncJob:
    """Add a job, or return the existing one with that idempotency key (enqueuing is idempotent)."""
    existing = find_job(session, idempotency_key)
    if existing is not None:
        return existing
    moment = now or utcnow()
    job = SyncJob(
        kind=kind.value,
        idempotency_key=idempotency_key,
        group_key=group_key,
        customer_id=customer_id,
        workflow_id=workflow_id,
        offer_id=offer_id,
        letter_id=letter_id,
        payload=payload,
        max_failures=max_failures,
        next_attempt_at=moment,
        created_at=moment,
    )
    job, new = add_once(session, job, lambda: find_job(session, idempotency_key))
    if not new:  # a concurrent enqueue of the same key won
        return job
    record_job_event(session, actor, "sync.enqueued", job, {"kind": job.kind, "key": idempotency_key}, moment)
    return job


def find_job(session: Session, idempotency_key: str) -> SyncJob | None:
    return session.exec(select(SyncJob).where(SyncJob.idempotency_key == idempotency_key)).one_or_none()


def get_job(session: Session, job_id: int) -> SyncJob:
    job = session.get(SyncJob, job_id, populate_existing=True)
    if job is None:
        raise NotFoundError(f"sync job {job_id} does not exist")
    return job


def list_jobs(session: Session, *, states: list[JobState] | None = None, limit: int = 200) -> list[SyncJob]:
    statement = select(SyncJob).order_by(col(SyncJob.id)).limit(limit)
    if states:
        statement = statement.where(col(SyncJob.state).in_([s.value for s in states]))
    return list(session.exec(statement))


def _claimable(now: datetime) -> Any:
    earlier = aliased(SyncJob)
    blocked = exists().where(
        col(earlier.customer_id) == col(SyncJob.customer_id),
        col(earlier.workflow_id) == col(SyncJob.workflow_id),
        col(earlier.id) < col(SyncJob.id),
        col(earlier.state).not_in(_SETTLED),
        ~and_(col(earlier.kind) == JobKind.WRITE_TERMS.value, col(earlier.state).in_(_STANDS_ASIDE)),
    )
    due = or_(
        and_(col(SyncJob.state) == JobState.PENDING.value, col(SyncJob.next_attempt_at) <= now),
        and_(col(SyncJob.state) == JobState.IN_FLIGHT.value, col(SyncJob.lease_expires_at) < now),
    )
    return and_(due, ~blocked)


def claim_due(
    session: Session, *, worker_id: str, now: datetime | None = None, limit: int = 20, lease_seconds: float = 120.0
) -> list[SyncJob]:
    """Take up to `limit` due jobs for `worker_id` (the caller commits before delivering them), oldest first: a
    job sent back by a 429 keeps its place in the line, so it is the first to go once its Retry-After is over."""
    moment = now or utcnow()
    ids = leases.claim(
        session, SyncJob, _claimable(moment), now=moment, limit=limit, lease_seconds=lease_seconds, claimed_by=worker_id
    )
    return [get_job(session, job_id) for job_id in ids]


def _owned(session: Session, job: SyncJob, values: dict[str, Any]) -> bool:
    return leases.update_if_owned(session, SyncJob, job, values)


def mark_delivered(
    session: Session, job: SyncJob, *, actor: Actor, note: str | None = None, now: datetime | None = None
) -> bool:
    moment = now or utcnow()
    done = _owned(
        session,
        job,
        {"state": JobState.DELIVERED.value, "delivered_at": moment, "lease_expires_at": None, "claim_token": None},
    )
    if done:
        record_job_event(
            session, actor, "sync.delivered", job, {"kind": job.kind, "attempts": job.attempts, "note": note}, moment
        )
    return done


def release(session: Session, job: SyncJob) -> bool:
    """Give back a claimed job whose delivery was never started (the worker is stopping): pending again at
    once, its claim undone, for any worker to take; False if the claim was lost meanwhile."""
    return _owned(
        session,
        job,
        {
            "state": JobState.PENDING.value,
            "claim_token": None,
            "claimed_by": None,
            "lease_expires_at": None,
            "attempts": SyncJob.attempts - 1,  # attempts counts deliveries started; this one never was
        },
    )


def mark_failed(
    session: Session,
    job: SyncJob,
    *,
    error: str,
    retry_in_seconds: float | None,
    counted: bool,
    actor: Actor,
    now: datetime | None = None,
) -> JobState | None:
    """Record a failed delivery: retry after `retry_in_seconds`, or dead when out of tries or not retryable.

    Returns the job's new state, or None if the claim was lost meanwhile (another worker owns the job).
    """
    moment = now or utcnow()
    failures = job.failures + (1 if counted else 0)
    dead = retry_in_seconds is None or failures >= job.max_failures
    values: dict[str, Any] = {
        "failures": failures,
        "last_error": error[:2000],
        "lease_expires_at": None,
        "claim_token": None,
    }
    if dead:
        values.update(state=JobState.DEAD.value, dead_at=moment)
    else:
        values.update(state=JobState.PENDING.value, next_attempt_at=moment + timedelta(seconds=retry_in_seconds or 0))
    if not _owned(session, job, values):
        return None
    if dead:
        record_job_event(session, actor, "sync.dead_lettered", job, {"kind": job.kind, "error": error[:500]}, moment)
    return JobState.DEAD if dead else JobState.PENDING


def mark_held(
    session: Session, job: SyncJob, *, reason: str, payload: dict[str, Any], actor: Actor, now: datetime | None = None
) -> bool:
    """Hold a job in flight for a person's decision (`payload` keeps what they must decide); False if the claim
    was lost meanwhile. Not a failure: it counts no try and is never retried on its own."""
    moment = now or utcnow()
    values = {
        "state": JobState.HELD.value,
        "payload": payload,
        "last_error": reason[:2000],
        "lease_expires_at": None,
        "claim_token": None,
    }
    if not _owned(session, job, values):
        return False
    record_job_event(session, actor, "sync.held", job, {"kind": job.kind, "reason": reason[:500]}, moment)
    return True


def resume_held(
    session: Session, job_id: int, *, payload: dict[str, Any], actor: Actor, now: datetime | None = None
) -> SyncJob:
    """A held job goes on (pending now) with the decision recorded in `payload`."""
    job = get_job(session, job_id)
    if job.state != JobState.HELD.value:
        raise IllegalTransitionError(f"sync job {job_id}", job.state, JobState.PENDING.value, "only held jobs")
    moment = now or utcnow()
    job.state, job.payload, job.next_attempt_at, job.last_error = JobState.PENDING.value, payload, moment, None
    session.add(job)
    session.flush()
    record_job_event(session, actor, "sync.resumed", job, {"kind": job.kind}, moment)
    return job


def cancel_undelivered(
    session: Session, jobs: list[SyncJob], *, reason: str, actor: Actor, now: datetime | None = None
) -> list[SyncJob]:
    """Cancel those of `jobs` still pending, held or dead (a job in flight is on its way and is left alone): they are
    never delivered and no longer hold back their workflow's later jobs. Returns the jobs cancelled."""
    moment = now or utcnow()
    cancelled: list[SyncJob] = []
    for job in jobs:
        result = session.execute(
            update(SyncJob)
            .where(col(SyncJob.id) == job.id, col(SyncJob.state).in_([JobState.PENDING.value, *_STANDS_ASIDE]))
            .values(state=JobState.CANCELLED.value, last_error=reason[:2000], lease_expires_at=None, claim_token=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            session.refresh(job)
            record_job_event(session, actor, "sync.cancelled", job, {"kind": job.kind, "reason": reason[:500]}, moment)
            cancelled.append(job)
    return cancelled


def requeue(session: Session, job_id: int, *, actor: Actor, now: datetime | None = None) -> SyncJob:
    """Give a dead job a fresh set of tries (after whatever made it fail has been fixed)."""
    job = get_job(session, job_id)
    if job.state != JobState.DEAD.value:
        raise IllegalTransitionError(f"sync job {job_id}", job.state, JobState.PENDING.value, "only dead jobs")
    moment = now or utcnow()
    job.state, job.failures, job.next_attempt_at, job.dead_at = JobState.PENDING.value, 0, moment, None
    session.add(job)
    session.flush()
    record_job_event(session, actor, "sync.requeued", job, {"kind": job.kind, "last_error": job.last_error}, moment)
    return job


def record_job_event(
    session: Session, actor: Actor, action: str, job: SyncJob, details: dict[str, Any], at: datetime
) -> None:
    """An audit event about an outbox job (its offer, workflow and group with `details`)."""
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="sync_job",
        subject_id=job.id or 0,
        icims={"customer_id": job.customer_id, "workflow_id": job.workflow_id},
        details={"offer_id": job.offer_id, "group": job.group_key, **details},
        occurred_at=at,
    )
