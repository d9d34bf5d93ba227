"""Issue 17 on real HTTP (the sandbox, its listener stopped and started again) and both databases: an event's
back-off holds across workers, a transient failure never exhausts it, a permanent one ends it with the reason,
a 429 reschedules the event or job with its Retry-After and nobody sleeps.

The clock is simulated (`now=`) wherever waiting would otherwise be needed: nothing here waits for real time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import Settings
from app.workers import RoundReport, Workers
from offer_engine import audit, webhook_events
from offer_engine.actors import system_actor
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.delivery import deliver_due
from offer_engine.errors import IllegalTransitionError
from offer_engine.flows import EngineSetup
from offer_engine.offers import Offer
from offer_engine.outbox import JobState, SyncJob
from offer_engine.policy import load_policy
from offer_engine.tenant_gate import TenantGate
from offer_engine.webhook_events import EventRetry, WebhookEvent
from tests.app.test_workers import make_workers, store
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

RETRY = EventRetry(base_seconds=2, max_seconds=16)


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def setup(settings: Settings, icims: SandboxHandle) -> EngineSetup:
    return EngineSetup(
        customer_id=icims.customer_id,
        company_name=settings.company_name,
        mapping=settings.tenant,
        policy=load_policy(settings.policy_file),
    )


def event(engine: Engine, event_id: int) -> WebhookEvent:
    with session_scope(engine) as session:
        found = webhook_events.get_event(session, event_id)
        session.expunge(found)
        return found


def crew(engine: Engine, setup: EngineSetup, icims: SandboxHandle, size: int = 2, **config: object) -> list[Workers]:
    return [make_workers(engine, setup, icims, name=f"w{n}", event_retry=RETRY, **config) for n in range(size)]


def test_a_second_worker_honours_the_wait_the_first_stored_with_the_event(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    event_id = store(engine, 3402)
    first, second = crew(engine, setup, icims)
    icims.stop_listening()
    now = utcnow()
    assert first.run_once(now=now).events_failed == [event_id]
    failed = event(engine, event_id)
    assert (failed.state, failed.failure_kind, failed.attempts) == ("failed", "unreachable", 1)
    assert failed.next_attempt_at == now + timedelta(seconds=RETRY.base_seconds)
    # the other worker, a moment later, finds it failed but not due: it does not try at once
    assert second.run_once(now=now + timedelta(seconds=1)).events_failed == []
    assert event(engine, event_id).attempts == 1
    assert second.run_once(now=now + timedelta(seconds=3)).events_failed == [event_id]
    assert event(engine, event_id).attempts == 2


def test_an_outage_never_exhausts_an_event_and_it_is_drafted_and_written_once_when_icims_returns(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    event_id = store(engine, 3403, job_id=2303)
    workers = crew(engine, setup, icims)
    icims.stop_listening()
    now, waits = utcnow(), []
    for n in range(12):  # far more than the three tries events used to have
        report = workers[n % 2].run_once(now=now)
        assert report.events_failed == [event_id]
        failed = event(engine, event_id)
        assert failed.next_attempt_at is not None
        waits.append((failed.next_attempt_at - now).total_seconds())
        now = failed.next_attempt_at
    assert waits == [2, 4, 8, 16, 16, 16, 16, 16, 16, 16, 16, 16]  # doubling, capped
    assert event(engine, event_id).state == "failed"
    assert icims.sleeps.calls == []

    icims.listen_again()  # the same tenant, the same data, the same URL
    assert workers[0].run_once(now=now).events_processed == [event_id]
    for minutes in (1, 2, 3):
        workers[1].run_once(now=now + timedelta(minutes=minutes))
    with session_scope(engine) as session:
        assert len(list(session.exec(select(Offer).where(Offer.workflow_id == 3403)))) == 1
    assert Counter(w.kind for w in icims.writes()) == Counter({"file": 1, "patch": 1})
    assert event(engine, event_id).attempts == 13


def test_a_workflow_icims_does_not_know_ends_the_event_with_the_reason(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    event_id = store(engine, 987654)
    workers = crew(engine, setup, icims, size=1)[0]
    assert workers.run_once().events_dead == [event_id]
    dead = event(engine, event_id)
    assert (dead.state, dead.failure_kind, dead.next_attempt_at) == ("dead", "permanent", None)
    assert "NotFound" in (dead.error or "")
    assert workers.run_once(now=utcnow() + timedelta(days=1)).events_dead == []  # never tried again by itself
    with session_scope(engine) as session:
        assert webhook_events.count_dead(session) == 1


def test_a_redelivered_notification_starts_an_event_that_ended_without_a_draft(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    # 3401 was moved back to Second Interview before the offer-ready notification was processed: refused
    icims.move(3401, "C20010")
    event_id = store(engine, 3401, job_id=2301)
    workers = crew(engine, setup, icims, size=1)[0]
    assert workers.run_once().events_dead == [event_id]
    assert "not one of the offer-ready statuses" in (event(engine, event_id).error or "")
    icims.move(3401, "C20001")  # the recruiter fixes the workflow in iCIMS, and iCIMS sends the notification again
    assert store(engine, 3401, job_id=2301) == event_id
    restarted = event(engine, event_id)
    assert (restarted.state, restarted.duplicates) == ("received", 0)
    assert workers.run_once().events_processed == [event_id]
    with session_scope(engine) as session:
        assert webhook_events.count_dead(session) == 0
        actions = [e.action for e in audit.events_for(session, "webhook_event", event_id)]
    assert actions == ["webhook.received", "webhook.dead", "webhook.restarted", "webhook.processed"]


def test_retry_starts_dead_and_waiting_events_at_once(engine: Engine, setup: EngineSetup, icims: SandboxHandle) -> None:
    dead_id = store(engine, 987654)
    workers = crew(engine, setup, icims, size=1)[0]
    assert workers.run_once().events_dead == [dead_id]
    waiting_id = store(engine, 3401, job_id=2301)
    icims.stop_listening()
    now = utcnow()
    assert workers.run_once(now=now).events_failed == [waiting_id]
    icims.listen_again()
    with session_scope(engine) as session:
        for event_id in (dead_id, waiting_id):
            assert webhook_events.retry(session, event_id, actor=system_actor("ops")).state == "received"
    other = crew(engine, setup, icims, size=1)[0]  # (the first one's gate still pauses calls after the outage)
    report = other.run_once(now=now)  # the waiting event's back-off is not over, yet retry made it due
    assert (report.events_processed, report.events_dead) == ([waiting_id], [dead_id])  # 987654: still unknown
    with session_scope(engine) as session, pytest.raises(IllegalTransitionError):  # processed: not started again
        webhook_events.retry(session, waiting_id, actor=system_actor("ops"))


def test_a_throttled_draft_is_rescheduled_with_its_retry_after_and_the_worker_sleeps_through_nothing(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    first, second = store(engine, 3401, job_id=2301), store(engine, 3402, job_id=2302)
    workers = Workers(
        engine,
        setup,
        fetch_client=icims.client(max_retries=4, rate_limit_wait_seconds=0),
        delivery_client=icims.client(max_retries=0, rate_limit_wait_seconds=0),
        worker_id="w",
        today=lambda: date(2026, 11, 20),
    )
    icims.set_faults(throttle_next=1, throttle_retry_after=7)
    now = utcnow()
    report = workers.run_once(now=now)
    assert report.events_failed == [first]
    assert report.throttled  # the tenant asked for 7 s: the second event was left due, untouched
    throttled = event(engine, first)
    assert (throttled.failure_kind, throttled.next_attempt_at) == ("rate_limited", now + timedelta(seconds=7))
    assert event(engine, second).state == "received"
    assert icims.sleeps.calls == []
    assert workers.run_once(now=now + timedelta(seconds=6)).events_processed == []
    assert workers.run_once(now=now + timedelta(seconds=7)).events_processed == [first, second]


def test_a_throttled_write_goes_back_with_its_retry_after_and_the_rest_of_the_claim_stays_due(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    for workflow_id, job_id in ((3401, 2301), (3402, 2302), (3403, 2303)):
        store(engine, workflow_id, job_id=job_id)
    workers = crew(engine, setup, icims, size=1)[0]
    now = utcnow()
    report = RoundReport()
    workers.process_events(report, now)  # three drafts: six writes queued, none delivered yet
    client = icims.client(max_retries=0, rate_limit_wait_seconds=0)
    gate = TenantGate()
    icims.set_faults(throttle_next=1, throttle_retry_after=9)
    result = deliver_due(engine, client, worker_id="w", now=now, gate=gate)
    assert len(report.events_processed) == 3
    assert result.throttled
    assert (len(result.retrying), len(result.delivered)) == (1, 0)
    jobs = _jobs(engine)
    throttled = next(j for j in jobs if j.id == result.retrying[0])
    assert throttled.next_attempt_at == now + timedelta(seconds=9)
    assert throttled.failures == 0  # a rate limit is not the job's failure
    assert {j.state for j in jobs} == {JobState.PENDING.value}
    assert all(j.next_attempt_at <= now for j in jobs if j.id != throttled.id)  # still due, not pushed back
    assert icims.sleeps.calls == []
    assert deliver_due(engine, client, worker_id="w", now=now + timedelta(seconds=8), gate=gate).attempted == 0
    later = now + timedelta(seconds=9)
    assert len(deliver_due(engine, client, worker_id="w", now=later, gate=gate).delivered) == len(jobs)
    assert Counter(w.kind for w in icims.writes()) == Counter({"file": 3, "patch": 3})


def _jobs(engine: Engine) -> list[SyncJob]:
    with session_scope(engine) as session:
        return list(session.exec(select(SyncJob).order_by(SyncJob.id)))  # type: ignore[arg-type]


def test_the_first_draft_after_an_outage_makes_the_events_still_waiting_due_at_once(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    waiting = [store(engine, w, job_id=j) for w, j in ((3401, 2301), (3402, 2302))]
    workers = crew(engine, setup, icims, size=1, unreachable_pause_seconds=0)[0]  # each round tries both
    icims.stop_listening()
    now = utcnow()
    for _ in range(4):  # both fail again and again: their back-off grows to the cap
        workers.run_once(now=now)
        now += timedelta(seconds=RETRY.max_seconds)
    assert all(event(engine, e).next_attempt_at is not None for e in waiting)
    icims.listen_again()
    fresh = store(engine, 3403, job_id=2303)  # a notification arrives as iCIMS comes back
    back = now - timedelta(seconds=RETRY.max_seconds) + timedelta(seconds=1)  # the waiting ones are not due yet
    assert workers.run_once(now=back).events_processed == [fresh]
    assert all(event(engine, e).next_attempt_at == back for e in waiting)  # due at once, not at the end of the wait
    assert workers.run_once(now=back).events_processed == waiting
