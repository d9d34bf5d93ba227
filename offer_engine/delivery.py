"""The outbox worker: delivers due sync jobs to iCIMS, at most once in effect, surviving crashes and restarts.

A round claims due jobs (committed, with a lease), calls iCIMS outside any database transaction, and
records each outcome in its own transaction. The client should be built with ``max_retries=0`` so that
every retry goes through the outbox (with its back-off and dead-lettering) and none hides inside the client.

Exactly-once in effect: a job that was tried before (its earlier attempt may have reached iCIMS before a
time-out or a crash) first reads iCIMS and skips the write when the result is already there: the same
file bytes, the same field values, a note carrying the job's marker, the same status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from icims.client import ICIMSClient
from icims.errors import AccessDenied, BadRequest, ICIMSError, NotFound, RateLimited, RequiredField
from offer_engine import term_sync
from offer_engine.actors import Actor, system_actor
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.letter_store import Letter
from offer_engine.outbox import JobKind, JobState, SyncJob, claim_due, mark_delivered, mark_failed, release
from offer_engine.release import LinkGrant, LinkMinter
from offer_engine.tenant_gate import TenantGate

log = logging.getLogger(__name__)

WORKFLOWS = "applicantworkflows"
# Failures no retry can fix (the tenant's configuration or data must change): dead-lettered at once.
PERMANENT = (NotFound, AccessDenied, RequiredField, BadRequest)


class PermanentDeliveryError(Exception):
    """The job itself cannot be delivered (e.g. its letter has no PDF)."""


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 5.0
    max_seconds: float = 900.0
    lease_seconds: float = 120.0
    batch: int = 20
    passes: int = 10

    def backoff(self, failures: int) -> float:
        return float(min(self.max_seconds, self.base_seconds * 2 ** max(0, failures - 1)))


@dataclass
class DeliveryRound:
    delivered: list[int] = field(default_factory=list)
    already_present: list[int] = field(default_factory=list)  # delivered by an earlier, interrupted attempt
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)  # the lease ran out and another worker took the job
    released: list[int] = field(default_factory=list)  # claimed, not started, given back (stopping, or throttled)
    held: list[int] = field(default_factory=list)  # iCIMS changed a field since the draft: a recruiter decides
    throttled: bool = False  # iCIMS throttled or did not answer: the rest of the round was left for later

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.retrying) + len(self.dead) + len(self.lost)


def deliver_due(
    engine: Engine,
    client: ICIMSClient,
    *,
    worker_id: str,
    now: datetime | None = None,
    policy: RetryPolicy | None = None,
    actor: Actor | None = None,
    stopping: Callable[[], bool] | None = None,
    gate: TenantGate | None = None,
    mint_link: LinkMinter | None = None,
) -> DeliveryRound:
    """Claim and deliver the jobs due at `now`; returns what happened to each.

    A delivered job can unblock the next write of its workflow, so claiming repeats (up to `rules.passes`
    times) while the previous pass delivered something. Once `stopping()` is true the job in hand is finished
    and the rest of the claim is released at once (not left in flight until its lease runs out). With a
    `gate`, nothing is claimed while the tenant is closed, and a 429 (or no answer) closes it: the throttled
    job waits for its Retry-After, the rest of the claim is released, still due, and nobody sleeps.
    """
    rules = policy or RetryPolicy()
    _check_lease(rules, client)
    who = actor or system_actor(worker_id)
    outcome = DeliveryRound()
    tenant = client.connection.customer_id
    for _ in range(rules.passes):
        moment = now or utcnow()
        if gate is not None and not gate.is_open(tenant, moment):
            outcome.throttled = True
            break
        with session_scope(engine) as session:
            jobs = claim_due(
                session, worker_id=worker_id, now=moment, limit=rules.batch, lease_seconds=rules.lease_seconds
            )
        delivered_before = len(outcome.delivered)
        for n, job in enumerate(jobs):
            if stopping is not None and stopping():
                _release(engine, jobs[n:], outcome)
                return outcome
            if gate is not None and not gate.is_open(tenant, now or utcnow()):
                outcome.throttled = True
                _release(engine, jobs[n:], outcome)
                return outcome
            _deliver_one(engine, client, job, Delivery(rules, who, now, mint_link, gate), outcome)
        if len(outcome.delivered) == delivered_before or (stopping is not None and stopping()):
            break
    return outcome


def _release(engine: Engine, jobs: list[SyncJob], outcome: DeliveryRound) -> None:
    with session_scope(engine) as session:
        for job in jobs:
            if release(session, job):
                outcome.released.append(job.id or 0)
    log.info("released %d claimed sync job(s) not yet started", len(outcome.released))


def _check_lease(rules: RetryPolicy, client: ICIMSClient) -> None:
    """A lease must outlast a delivery (token, read-back and write, each with its retries), or a second worker
    could take a job whose first delivery is still on its way."""
    connection = client.connection
    worst = 3 * connection.timeout_seconds * (connection.max_retries + 1)
    if rules.lease_seconds <= worst:
        raise ValueError(
            f"lease_seconds {rules.lease_seconds} must exceed the longest delivery ({worst:.0f} s with a "
            f"{connection.timeout_seconds} s time-out and {connection.max_retries} retries)"
        )


@dataclass(frozen=True)
class Delivery:
    """How this round delivers: retry policy, who acts, when (None: the time of each job), chat-link minting and
    the tenant's rate-limit gate."""

    rules: RetryPolicy
    actor: Actor
    now: datetime | None = None
    mint_link: LinkMinter | None = None
    gate: TenantGate | None = None


def _deliver_one(engine: Engine, client: ICIMSClient, job: SyncJob, how: Delivery, outcome: DeliveryRound) -> None:
    rules, actor, now, gate = how.rules, how.actor, how.now, how.gate
    job_id = job.id or 0
    verified: dict[str, Any] | None = None
    try:
        pdf = _letter_pdf(engine, job) if job.kind == JobKind.UPLOAD_LETTER.value else None
        link = _chat_link(job, how.mint_link, now or utcnow()) if job.kind == JobKind.WRITE_CHAT_LINK.value else None
        if job.kind == JobKind.WRITE_TERMS.value:  # reads before it writes: a retry never writes twice
            present, verified = False, term_sync.write_and_verify(client, job)
        else:
            present = job.attempts > 1 and _already_applied(client, job, pdf, link)
        if not present and verified is None:
            _apply(client, job, pdf, link)
    except term_sync.HeldForRecruiter as held:
        _held(engine, job, held, actor, now or utcnow(), outcome)
        return
    except term_sync.TermsRefusedError as refused:
        with session_scope(engine) as session:
            term_sync.record_refused(session, job, refused, actor=actor, at=now or utcnow())
        _failed(engine, job, refused, None, True, actor, now or utcnow(), outcome)
        return
    except RateLimited as exc:  # not the job's fault: wait for the reset, do not count it
        moment = now or utcnow()
        if gate is not None:
            gate.after_failure(job.customer_id, exc, moment)
        retry_in = exc.reset_seconds if exc.reset_seconds is not None else rules.backoff(job.failures + 1)
        _failed(engine, job, exc, retry_in, False, actor, moment, outcome)
        return
    except (PermanentDeliveryError, *PERMANENT) as exc:
        _failed(engine, job, exc, None, True, actor, now or utcnow(), outcome)
        return
    except ICIMSError as exc:  # 5xx, time-outs, refused tokens: retry with back-off
        moment = now or utcnow()
        if gate is not None:
            gate.after_failure(job.customer_id, exc, moment)
        _failed(engine, job, exc, rules.backoff(job.failures + 1), True, actor, moment, outcome)
        return
    moment = now or utcnow()
    with session_scope(engine) as session:
        note = "already present in iCIMS (an earlier attempt landed)" if present else None
        if mark_delivered(session, job, actor=actor, note=note, now=moment):
            redact_delivered(session, job)
            if verified is not None:
                term_sync.record_verified(session, job, verified, actor=actor, at=moment)
            outcome.delivered.append(job_id)
            if present:
                outcome.already_present.append(job_id)
        else:
            outcome.lost.append(job_id)


def _held(
    engine: Engine, job: SyncJob, held: term_sync.HeldForRecruiter, actor: Actor, at: datetime, outcome: DeliveryRound
) -> None:
    log.info("sync job %s held: %s", job.id, held)
    with session_scope(engine) as session:
        kept = term_sync.hold(session, job, held, actor=actor, now=at)
    (outcome.held if kept else outcome.lost).append(job.id or 0)


def _failed(
    engine: Engine,
    job: SyncJob,
    exc: Exception,
    retry_in: float | None,
    counted: bool,
    actor: Actor,
    moment: datetime,
    outcome: DeliveryRound,
) -> None:
    error = f"{type(exc).__name__}: {exc}"
    log.warning("sync job %s (%s) failed: %s", job.id, job.kind, error)
    with session_scope(engine) as session:
        state = mark_failed(
            session, job, error=error, retry_in_seconds=retry_in, counted=counted, actor=actor, now=moment
        )
    bucket = {JobState.DEAD: outcome.dead, JobState.PENDING: outcome.retrying, None: outcome.lost}[state]
    bucket.append(job.id or 0)


def _letter_pdf(engine: Engine, job: SyncJob) -> bytes:
    with session_scope(engine) as session:
        letter = session.get(Letter, job.letter_id) if job.letter_id is not None else None
        if letter is None or letter.pdf is None:
            raise PermanentDeliveryError(f"letter {job.letter_id} has no PDF to upload")
        return letter.pdf


def _chat_link(job: SyncJob, mint_link: LinkMinter | None, moment: datetime) -> str:
    """The value a chat-link job writes: minted now from the job's link reference (the outbox holds no token),
    or a literal value (`""` clears the field; jobs queued before references existed hold a URL)."""
    reference = job.payload.get("link")
    if reference is None:
        return str(job.payload.get("url") or "")
    if mint_link is None:
        raise PermanentDeliveryError("no link minter configured: chat links cannot be written by this worker")
    grant = LinkGrant.model_validate(reference)
    if grant.expires_at <= moment:
        raise PermanentDeliveryError(f"the chat link expired ({grant.expires_at.isoformat()}) before delivery")
    return mint_link(grant)


REDACTED = "[redacted after delivery]"


def redact_delivered(session: Session, job: SyncJob) -> None:
    """A delivered chat-link job keeps no URL (a link in clear is a live credential until it expires)."""
    if job.kind != JobKind.WRITE_CHAT_LINK.value or not job.payload.get("url"):
        return
    payload = {**job.payload, "url": REDACTED}
    session.execute(update(SyncJob).where(col(SyncJob.id) == job.id).values(payload=payload))
    job.payload = payload


def _apply(client: ICIMSClient, job: SyncJob, pdf: bytes | None, link: str | None = None) -> None:
    payload, workflow = job.payload, job.workflow_id
    kind = JobKind(job.kind)
    if kind is JobKind.UPLOAD_LETTER:
        assert pdf is not None
        client.upload_file(WORKFLOWS, workflow, payload["field"], filename=payload["file_name"], content=pdf)
    elif kind is JobKind.PATCH_FIELDS:
        client.update_profile(WORKFLOWS, workflow, payload["fields"])
    elif kind is JobKind.WRITE_CHAT_LINK:
        client.update_profile(WORKFLOWS, workflow, {payload["field"]: link or ""})
    elif kind is JobKind.ADD_NOTE:
        client.add_note(WORKFLOWS, workflow, payload["text"])
    elif kind is JobKind.SET_STATUS:
        client.set_workflow_status(workflow, payload["status_id"])


def _already_applied(client: ICIMSClient, job: SyncJob, pdf: bytes | None, link: str | None = None) -> bool:
    """Whether iCIMS already shows what the job would write (so an earlier attempt got through). A minted chat
    link differs on every attempt: it is simply written again (same workflow, same generation, same expiry)."""
    payload, workflow = job.payload, job.workflow_id
    kind = JobKind(job.kind)
    if kind is JobKind.WRITE_CHAT_LINK and "link" in payload:
        return False
    if kind is JobKind.UPLOAD_LETTER:
        try:
            return client.download_file(WORKFLOWS, workflow, payload["field"]).content == pdf
        except NotFound:
            return False
    if kind in (JobKind.PATCH_FIELDS, JobKind.WRITE_CHAT_LINK):
        wanted = payload["fields"] if kind is JobKind.PATCH_FIELDS else {payload["field"]: link or ""}
        current = client.get_profile(WORKFLOWS, workflow, fields=list(wanted))
        return all(_same(current.get(name), value) for name, value in wanted.items())
    if kind is JobKind.ADD_NOTE:
        collection = client.connection.notes_collection
        rows = client.get_profile(WORKFLOWS, workflow, fields=[collection]).get(collection) or []
        return any(payload["marker"] in str(row) for row in rows)
    if kind is JobKind.SET_STATUS:
        return bool(client.get_workflow(workflow).status_id == payload["status_id"])
    return False


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, dict):  # a list node answers {"id", "value", ...} for a value we set by text or id
        return wanted in (current.get("id"), current.get("value")) or str(wanted) in (
            str(current.get("id")),
            str(current.get("value")),
        )
    return current == wanted or (current is not None and str(current) == str(wanted))
