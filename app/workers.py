"""The background work: stored iCIMS notifications → drafts, the sync outbox, approval escalation, expiry.

One round (`Workers.run_once`) processes received notifications one at a time (offer-ready → version 1, letter,
compliance check, PDF, and the draft's upload queued for iCIMS: `offer_engine.lifecycle.handle_status_event`),
delivers due outbox jobs (`offer_engine.delivery.deliver_due`), records who owns newly seen requisitions,
escalates overdue approval steps, expires sent offers past their expiry date and deletes expired signature
challenges.

Safe in several processes: an event is taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (and with a
guarded write that takes SQLite's write lock first), and only while it is due (received, or failed with its
stored ``next_attempt_at`` passed), so two workers never draft from the same event and neither skips an event's
back-off; outbox jobs are claimed by `deliver_due` the same way. A transient failure (iCIMS unreachable, 5xx,
429) never exhausts an event: it waits with capped back-off (`EventRetry`) or iCIMS's Retry-After. Nobody
sleeps on a rate limit: the worker's `TenantGate` stops calls to a throttled or unreachable tenant until its
wait is over, leaving that tenant's due work due, and the round goes on. `WorkerThread.stop()` lets the item
in hand finish and gives back the outbox jobs claimed but not yet started.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.review.runtime import chat_link_minter
from icims.client import ICIMSClient
from icims.errors import ICIMSError
from offer_engine import (
    approval_inbox,
    chat_history,
    lifecycle,
    notifications,
    offers,
    requisitions,
    signatures,
    webhook_events,
)
from offer_engine.actors import Actor, system_actor
from offer_engine.approvals import ApprovalStep, StepState
from offer_engine.columns import utcnow
from offer_engine.db import is_postgres, session_scope
from offer_engine.delivery import RetryPolicy, deliver_due
from offer_engine.flows import EngineSetup
from offer_engine.notify_delivery import Notifier, NotifyRetry, deliver_notifications
from offer_engine.offers import Offer, OfferState
from offer_engine.release import LinkMinter
from offer_engine.tenant_gate import TenantGate
from offer_engine.versions import current_version
from offer_engine.webhook_events import EventRetry, EventState, FailureKind, WebhookEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    interval_seconds: float = 2.0
    event_batch: int = 25
    event_retry: EventRetry = field(default_factory=EventRetry)
    unreachable_pause_seconds: float = 5.0
    owner_batch: int = 20
    delivery: RetryPolicy = field(default_factory=RetryPolicy)
    history_retention: timedelta = timedelta(days=90)  # settings' chat.history_retention_days
    reminder_before: timedelta = timedelta(hours=4)  # settings' notifications.reminder_hours_before_due
    digest_hour_utc: int = 8


@dataclass
class RoundReport:
    events_processed: list[int] = field(default_factory=list)
    events_failed: list[int] = field(default_factory=list)  # transient: each waits for its next attempt
    events_dead: list[int] = field(default_factory=list)  # ended without a draft, with the reason
    events_ignored: list[int] = field(default_factory=list)
    throttled: bool = False  # iCIMS throttled or did not answer: due work of the tenant was left for later
    owners_recorded: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    escalated: int = 0
    expired: int = 0
    history_purged: int = 0
    challenges_purged: int = 0  # expired signature challenges deleted
    reminders: int = 0
    digests: int = 0
    notified: list[int] = field(default_factory=list)  # notifications delivered (mail sent, note queued)
    notify_retrying: list[int] = field(default_factory=list)
    notify_dead: list[int] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        events = self.events_processed or self.events_failed or self.events_dead or self.events_ignored
        return bool(events or self.delivered or self.notified)


class Workers:
    """The rounds of background work for one process; `fetch_client` reads iCIMS, `delivery_client` writes."""

    def __init__(
        self,
        engine: Engine,
        setup: EngineSetup,
        *,
        fetch_client: ICIMSClient,
        delivery_client: ICIMSClient,
        worker_id: str = "worker",
        config: WorkerConfig | None = None,
        today: Callable[[], date] = date.today,
        mint_link: LinkMinter | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.engine, self.setup = engine, setup
        self.notifier = notifier  # None: notifications stay queued (not delivered by this worker)
        self.mint_link = mint_link  # chat links are minted when delivered (the outbox holds only a reference)
        self.fetch_client, self.delivery_client = fetch_client, delivery_client
        self.worker_id = worker_id
        self.config = config or WorkerConfig()
        self.actor: Actor = system_actor(worker_id)
        self._today = today
        self.stopping = threading.Event()
        self.gate = TenantGate(unreachable_pause_seconds=self.config.unreachable_pause_seconds)
        self.tenant = setup.customer_id
        self._outage_seen = False  # an event failed on an unreachable or failing iCIMS since the last success

    def _open(self, report: RoundReport, now: datetime | None) -> bool:
        """Whether this worker may call the tenant now (its per-tenant budget); notes it in the report if not."""
        if self.gate.is_open(self.tenant, now or utcnow()):
            return True
        report.throttled = True
        return False

    # -- notifications -------------------------------------------------------------------------------------

    def process_events(self, report: RoundReport, now: datetime | None = None) -> None:
        buckets = {
            EventState.PROCESSED: report.events_processed,
            EventState.FAILED: report.events_failed,
            EventState.DEAD: report.events_dead,
            EventState.IGNORED: report.events_ignored,
        }
        for event_id in self._due_events(now or utcnow()):
            if self.stopping.is_set() or not self._open(report, now):
                return  # a throttled or unreachable tenant: the rest stays due for a later round
            state = self._process_one(event_id, now)
            if state is not None:
                buckets[state].append(event_id)

    def _due_events(self, now: datetime) -> list[int]:
        with session_scope(self.engine) as session:
            statement = select(WebhookEvent.id).where(webhook_events.due(now)).order_by(col(WebhookEvent.id))
            ids = list(session.exec(statement.limit(self.config.event_batch)))
        return [i for i in ids if i is not None]

    def _process_one(self, event_id: int, now: datetime | None) -> EventState | None:
        try:
            with session_scope(self.engine) as session:
                if not _take(session, event_id, now or utcnow()):
                    return None  # another worker has it, already did it, or its back-off is not over
                event = lifecycle.handle_status_event(
                    session,
                    event_id,
                    self.fetch_client,
                    self.setup,
                    actor=self.actor,
                    today=self._today(),
                    now=now,
                    retry=self.config.event_retry,
                )
                self._after_event(session, event, now)
                return EventState(event.state)
        except Exception as exc:  # one bad event must not stop the worker: it waits and is tried again
            log.exception("processing webhook event %s failed", event_id)
            return self._record_crash(event_id, exc, now)

    def _after_event(self, session: Session, event: WebhookEvent, now: datetime | None) -> None:
        """A throttled or unreachable tenant closes this worker's gate: no more calls there until the wait is over.
        The first event that gets through after iCIMS was unreachable or failing makes the events still waiting
        for that reason due at once: the outage is over, their back-off need not run out."""
        kind = event.failure_kind
        if event.state != EventState.FAILED.value:
            if self._outage_seen and event.state == EventState.PROCESSED.value:
                self._outage_seen = False
                brought = webhook_events.bring_forward(session, now=now)
                if brought:
                    log.info("iCIMS answers again: %d waiting event(s) are due now", brought)
            return
        if kind == FailureKind.RATE_LIMITED.value and event.next_attempt_at is not None:
            self.gate.close(self.tenant, event.next_attempt_at)
        elif kind in (FailureKind.UNREACHABLE.value, FailureKind.SERVER_ERROR.value):
            self._outage_seen = True
            if kind == FailureKind.UNREACHABLE.value:
                pause = timedelta(seconds=self.config.unreachable_pause_seconds)
                self.gate.close(self.tenant, (now or utcnow()) + pause)

    def _record_crash(self, event_id: int, exc: Exception, now: datetime | None) -> EventState | None:
        """An unexpected error (ours, or the database's) fails the event with back-off instead of retrying it
        every round; if even that cannot be written, it stays due and the next round tries again."""
        try:
            with session_scope(self.engine) as session:
                if not _take(session, event_id, now or utcnow()):
                    return None
                event = webhook_events.get_event(session, event_id)
                webhook_events.set_state(session, event, EventState.PROCESSING, actor=self.actor, now=now)
                failed = webhook_events.record_failure(
                    session, event, exc, retry=self.config.event_retry, actor=self.actor, now=now, internal=True
                )
                return EventState(failed.state)
        except Exception:
            log.exception("cannot record the failure of webhook event %s", event_id)
            return None

    # -- requisition owners --------------------------------------------------------------------------------

    def record_owners(self, report: RoundReport, now: datetime | None = None) -> None:
        with session_scope(self.engine) as session:
            missing = requisitions.jobs_without_owner(session, limit=self.config.owner_batch)
        for customer_id, job_id in missing:
            if self.stopping.is_set() or not self._open(report, now):
                return
            try:
                job = self.fetch_client.get_job(job_id, fields=["hiringmanager", "recruiter"])
            except ICIMSError as exc:
                log.warning("cannot read the owner of job %s: %s", job_id, exc)
                self.gate.after_failure(self.tenant, exc, now or utcnow())
                continue
            with session_scope(self.engine) as session:
                requisitions.record_owner(
                    session,
                    customer_id=customer_id,
                    job_id=job_id,
                    hiring_manager_person_id=job.hiringmanager.id if job.hiringmanager else None,
                    recruiter_person_id=job.recruiter.id if job.recruiter else None,
                    now=now,
                )
            report.owners_recorded += 1

    # -- outbox, escalation, expiry ------------------------------------------------------------------------

    def deliver(self, report: RoundReport, now: datetime | None = None) -> None:
        result = deliver_due(
            self.engine,
            self.delivery_client,
            worker_id=self.worker_id,
            now=now,
            policy=self.config.delivery,
            actor=self.actor,
            stopping=self.stopping.is_set,
            gate=self.gate,
            mint_link=self.mint_link,
        )
        report.throttled = report.throttled or result.throttled
        report.delivered += len(result.delivered)
        report.retrying += len(result.retrying)
        report.dead += len(result.dead)

    def housekeeping(self, report: RoundReport, now: datetime | None = None) -> None:
        """Escalate overdue approval steps, expire sent offers past expiry, purge conversations past retention
        and expired signature challenges; writes only when there is work."""
        moment, today = now or utcnow(), self._today()
        with session_scope(self.engine) as session:
            escalate, expire = _escalation_due(session, moment), _expiry_due(session, today)
            purge = chat_history.purge_due(session, retention=self.config.history_retention, now=moment)
            challenges = signatures.expired_challenges_waiting(session, now=moment)
        if not (escalate or expire or purge or challenges):
            return  # no write at all: an idle worker must not disturb other SQLite connections
        with session_scope(self.engine) as session:
            if escalate:
                report.escalated += len(approval_inbox.escalate_overdue(session, now=moment, actor=self.actor))
            if expire:
                report.expired += len(offers.expire_overdue(session, today=today, actor=self.actor, now=moment))
            if purge:
                retention = self.config.history_retention
                report.history_purged += chat_history.purge_expired(session, retention=retention, now=moment)
            if challenges:
                report.challenges_purged += signatures.purge_expired_challenges(session, now=moment)

    # -- notifications to people -----------------------------------------------------------------------------

    def notify(self, report: RoundReport, now: datetime | None = None) -> None:
        """Queue reminders for approval steps falling due soon and the daily digests when their hour has come,
        then send the due notifications (last in the round: what this round escalated goes out in it)."""
        moment = now or utcnow()
        before = self.config.reminder_before
        with session_scope(self.engine) as session:
            remind = approval_inbox.reminder_due(session, now=moment, before=before)
            digest = moment.hour >= self.config.digest_hour_utc and notifications.digest_waiting(session)
        if remind or digest:
            with session_scope(self.engine) as session:
                if remind:
                    report.reminders += approval_inbox.remind_due_soon(
                        session, now=moment, before=before, actor=self.actor
                    )
                if digest:
                    queued = notifications.queue_digests(session, day=moment.date(), actor=self.actor, now=moment)
                    report.digests += len(queued)
        if self.notifier is None:
            return
        result = deliver_notifications(
            self.engine, self.notifier, actor=self.actor, now=now, stopping=self.stopping.is_set
        )
        report.notified += result.delivered
        report.notify_retrying += result.retrying
        report.notify_dead += result.dead

    def close(self) -> None:
        self.fetch_client.close()
        self.delivery_client.close()

    def run_once(self, now: datetime | None = None) -> RoundReport:
        report = RoundReport()
        # Writes before owner look-ups: when iCIMS throttles, what is due to be written goes first.
        for step in (self.process_events, self.deliver, self.record_owners, self.housekeeping, self.notify):
            if self.stopping.is_set():
                break
            try:
                step(report, now)
            except Exception:  # a database or iCIMS outage: log it, try again next round
                log.exception("worker step %s failed", step.__name__)
        return report


def _escalation_due(session: Session, now: datetime) -> bool:
    statement = select(ApprovalStep.id).where(
        ApprovalStep.state == StepState.ACTIVE.value, col(ApprovalStep.due_at) < now
    )
    return session.exec(statement.limit(1)).first() is not None


def _expiry_due(session: Session, today: date) -> bool:
    for offer in session.exec(select(Offer).where(Offer.state == OfferState.SENT.value)):
        version = current_version(session, offer)
        expiry = version.offer_terms.expiry_date if version is not None else None
        if expiry is not None and expiry < today:
            return True
    return False


def _take(session: Session, event_id: int, now: datetime) -> bool:
    """Lock the event for this transaction if it is still due at `now`; False if another worker holds or did it,
    or failed it a moment ago (its next attempt, stored with it, is not yet due: every worker honours it)."""
    due = webhook_events.due(now)
    if is_postgres(session.get_bind().engine):
        statement = select(WebhookEvent.id).where(WebhookEvent.id == event_id, due).with_for_update(skip_locked=True)
        return session.exec(statement).first() is not None
    # SQLite: writing first takes the database's write lock, so the state read next is current.
    result = session.execute(
        update(WebhookEvent)
        .where(col(WebhookEvent.id) == event_id, due)
        .values(attempts=WebhookEvent.attempts)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def on_stop_signals(on_first: Callable[[int], None]) -> dict[int, Any]:
    """SIGTERM and SIGINT call `on_first` (finish the item in hand, then stop); a second Ctrl-C raises
    KeyboardInterrupt to abort. Main thread only. Returns the handlers that were in place, to restore."""
    signalled = threading.Event()

    def handle(signum: int, _frame: object) -> None:
        if signalled.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        signalled.set()
        on_first(signum)

    return {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}


class WorkerThread:
    """Runs `Workers` rounds in a daemon thread until `stop()`; `wake()` starts the next round at once."""

    def __init__(self, workers: Workers, *, on_round: Callable[[RoundReport], None] | None = None) -> None:
        self.workers = workers
        self._wake = threading.Event()
        self._on_round = on_round
        self._thread = threading.Thread(target=self._run, name=f"offer-worker-{workers.worker_id}", daemon=True)

    def start(self) -> WorkerThread:
        self._thread.start()
        return self

    def wake(self, _event_id: int | None = None) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask the loop to stop after the item in hand; True if it ended within `timeout`."""
        self.workers.stopping.set()
        self._wake.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while not self.workers.stopping.is_set():
            self._wake.clear()  # a wake-up during the round below is kept for the wait after it
            report = self.workers.run_once()
            if self._on_round is not None:
                self._on_round(report)
            if not report.busy:  # when busy, more may be waiting: go again without sleeping
                self._wake.wait(self.workers.config.interval_seconds)


def build_workers(
    settings: Settings,
    engine: Engine,
    *,
    worker_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Workers:
    """Workers for the configured tenant (the local sandbox in sandbox mode); `close()` them when done.
    `transport` and `sleep` reach the iCIMS clients (a benchmark records requests and back-off waits)."""
    from app.wiring import engine_setup, icims_client

    tuning = settings.workers
    config = WorkerConfig(
        event_retry=EventRetry(tuning.event_retry_base_seconds, tuning.event_retry_max_seconds),
        unreachable_pause_seconds=tuning.unreachable_pause_seconds,
        history_retention=settings.chat.history_retention,
        reminder_before=settings.notifications.reminder_before,
        digest_hour_utc=settings.notifications.digest_hour_utc,
    )
    io: dict[str, Any] = {"transport": transport, "sleep": sleep, "rate_limit_wait_seconds": 0}
    fetch_client = icims_client(settings, max_retries=tuning.fetch_retries, **io)
    mint_link = chat_link_minter(settings)
    return Workers(
        engine,
        engine_setup(settings),
        # A 429 is never slept through: the event or job is rescheduled with its Retry-After instead.
        fetch_client=fetch_client,
        delivery_client=icims_client(settings, max_retries=0, **io),  # retries belong to the outbox
        worker_id=worker_id or f"worker-{socket.gethostname()}-{os.getpid()}",
        config=config,
        mint_link=mint_link,
        notifier=build_notifier(settings, fetch_client, mint_link) if settings.notifications.enabled else None,
    )


def build_notifier(settings: Settings, client: ICIMSClient, mint_link: LinkMinter) -> Notifier:
    """The configured mail server and iCIMS notes; candidates' addresses are read from their iCIMS person."""
    tuning = settings.notifications

    def candidate_address(person_id: int) -> str | None:
        return client.get_person(person_id, fields=["email"]).email

    return Notifier(
        smtp=tuning.smtp,
        public_url=settings.public_url,
        company_name=settings.company_name,
        mint_link=mint_link,
        candidate_address=candidate_address,
        icims_notes=tuning.icims_notes,
        retry=NotifyRetry(
            base_seconds=tuning.retry_base_seconds,
            max_seconds=tuning.retry_max_seconds,
            max_failures=tuning.max_failures,
            # A claim outlasts a slow mail server (connect, greeting, envelope, content, each up to the time-out).
            lease_seconds=max(300.0, 8 * tuning.smtp.timeout_seconds),
        ),
    )
