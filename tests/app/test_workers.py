"""The background worker: stored notifications become drafts exactly once, iCIMS gets the draft, owners are kept."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from app.config import Settings
from app.workers import WorkerConfig, Workers, WorkerThread
from offer_engine import chat_history, requisitions, signatures, webhook_events
from offer_engine.actors import system_actor
from offer_engine.chat_history import ChatThread, ThreadOwner
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.flows import EngineSetup
from offer_engine.letter_store import Letter
from offer_engine.offers import Offer
from offer_engine.policy import load_policy
from offer_engine.signatures import SignatureChallenge
from offer_engine.webhook_events import EventRetry, WebhookEvent
from tests import factories
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

TODAY = date(2026, 11, 20)  # the demo fixture's offers expire in December 2026


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


def make_workers(engine: Engine, setup: EngineSetup, icims: SandboxHandle, name: str = "w1", **config: Any) -> Workers:
    return Workers(
        engine,
        setup,
        fetch_client=icims.client(max_retries=0),
        delivery_client=icims.client(max_retries=0),
        worker_id=name,
        config=WorkerConfig(**config),
        today=lambda: TODAY,
    )


def store(engine: Engine, workflow_id: int, new_status: str = "20001", job_id: int = 2302) -> int:
    payload = {
        "customerId": "6120",
        "eventType": "WorkFlowStatusChangeEvent",
        "systemId": str(workflow_id),
        "jobId": str(job_id),
        "oldStatus": "20010",
        "newStatus": new_status,
    }
    with session_scope(engine) as session:
        return webhook_events.store_event(session, payload, actor=system_actor("test")).event.id or 0


def test_an_offer_ready_event_becomes_a_draft_for_review_and_goes_to_icims(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    event_id = store(engine, 3402)
    workers = make_workers(engine, setup, icims)
    report = workers.run_once()
    assert report.events_processed == [event_id]
    assert report.owners_recorded == 1
    with session_scope(engine) as session:
        offer = session.exec(select(Offer).where(Offer.workflow_id == 3402)).one()
        assert offer.state == "in_review"
        assert session.exec(select(Letter).where(Letter.offer_id == offer.id)).one().compliance_passed
        owner = requisitions.owner_of(session, 6120, 2302)
        assert owner is not None
        assert owner.hiring_manager_person_id == 1302
        assert owner.recruiter_person_id == 1401
    for _ in range(3):
        workers.run_once(now=utcnow() + timedelta(minutes=5))
    workflow = icims.profile("applicantworkflows", 3402)
    assert workflow["field31020"] == setup.mapping.draft_status_values.generated
    assert icims.sandbox.file("applicantworkflows", 3402, "field31022") is not None
    assert sorted(w.kind for w in icims.writes()) == ["file", "patch"]
    assert workers.run_once().events_processed == []  # nothing is drafted twice


def test_a_status_outside_the_offer_stage_is_ignored(engine: Engine, setup: EngineSetup, icims: SandboxHandle) -> None:
    event_id = store(engine, 3406, new_status="20010")
    assert make_workers(engine, setup, icims).run_once().events_ignored == [event_id]
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Offer)).one() == 0
    assert icims.writes() == []


def test_an_event_that_failed_on_an_icims_outage_is_retried_later(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    event_id = store(engine, 3403)
    workers = make_workers(engine, setup, icims, event_retry=EventRetry(60, 60))
    icims.set_faults(outage=True)
    assert workers.run_once().events_failed == [event_id]
    icims.clear_faults()
    assert workers.run_once().events_failed == []  # not due yet
    assert workers.run_once(now=utcnow() + timedelta(minutes=2)).events_processed == [event_id]
    with session_scope(engine) as session:
        event = session.get(WebhookEvent, event_id)
        assert event is not None
        assert event.state == "processed"
        assert event.attempts == 2


def test_workers_racing_on_the_same_events_draft_each_once(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    event_ids = [store(engine, wf, job_id=job) for wf, job in ((3401, 2301), (3402, 2302), (3403, 2303))]
    crew = [make_workers(engine, setup, icims, name=f"w{n}") for n in range(3)]
    barrier = threading.Barrier(len(crew))
    reports: list[list[int]] = []

    def run(workers: Workers) -> None:
        barrier.wait()
        reports.append(workers.run_once().events_processed)

    threads = [threading.Thread(target=run, args=(w,)) for w in crew]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(i for r in reports for i in r) == event_ids
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Offer)).one() == 3
        assert [e.attempts for e in session.exec(select(WebhookEvent).order_by(col(WebhookEvent.id)))] == [1, 1, 1]


def test_the_worker_thread_wakes_on_demand_and_stops_cleanly(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    rounds: list[int] = []
    done = threading.Event()

    def seen(report: Any) -> None:
        rounds.append(len(report.events_processed))
        if report.events_processed:
            done.set()

    thread = WorkerThread(make_workers(engine, setup, icims, interval_seconds=60), on_round=seen).start()
    try:
        store(engine, 3405, job_id=2305)
        thread.wake()
        assert done.wait(60)
    finally:
        assert thread.stop(timeout=60)
    assert sum(rounds) == 1


def test_housekeeping_purges_conversations_past_the_configured_retention(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    with session_scope(engine) as session:
        offer = factories.make_offer(session)
        owner = ThreadOwner(
            identifier="candidate:x", customer_id=1, workflow_id=offer.workflow_id, offer_id=offer.id or 0
        )
        chat_history.save_step(
            session, owner, "t-old", "s-1", {"output": "weeks ago"}, now=utcnow() - timedelta(days=8)
        )
        chat_history.save_step(session, owner, "t-new", "s-2", {"output": "today"})
    workers = make_workers(engine, setup, icims, history_retention=timedelta(days=7))
    try:
        report = workers.run_once()
    finally:
        workers.close()
    assert report.history_purged == 1
    with session_scope(engine) as session:
        assert [t.id for t in session.exec(select(ChatThread))] == ["t-new"]


def test_housekeeping_removes_expired_signature_challenges_and_keeps_live_ones(
    engine: Engine, setup: EngineSetup, icims: SandboxHandle
) -> None:
    now = utcnow()
    with session_scope(engine) as session:
        offer = factories.make_offer(session)
        letter = factories.make_letter(session, offer)

        def challenge(name: str, expires_in: timedelta, *, used: bool = False) -> SignatureChallenge:
            return SignatureChallenge(
                token_sha256=name.ljust(64, "0"),
                session_sha256="s" * 64,
                offer_id=offer.id or 0,
                letter_id=letter.id or 0,
                letter_sha256="l" * 64,
                issued_at=now + expires_in - signatures.CHALLENGE_TTL,
                expires_at=now + expires_in,
                consumed_at=now + expires_in - timedelta(minutes=1) if used else None,
            )

        session.add(challenge("stale", -timedelta(minutes=1)))
        session.add(challenge("used", -timedelta(hours=2), used=True))
        session.add(challenge("live", timedelta(minutes=9)))
    workers = make_workers(engine, setup, icims)
    try:
        report = workers.run_once(now)
    finally:
        workers.close()
    assert report.challenges_purged == 2
    with session_scope(engine) as session:
        left = [c.token_sha256 for c in session.exec(select(SignatureChallenge))]
    assert left == ["live".ljust(64, "0")]
