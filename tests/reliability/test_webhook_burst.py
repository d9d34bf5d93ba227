"""A burst of 200 signed iCIMS notifications over real HTTP, 10 % of them redeliveries, about 180 offer-ready
candidates, two worker threads draining: every notification acknowledged, each stored once, exactly one offer
with one version-1 letter per workflow, one outbox job per write and each write in iCIMS once.

Only WeasyPrint is replaced (by a tiny PDF unique to each letter's HTML): 180 real PDFs would take minutes on a
loaded 2-core machine, and what is tested here is how many drafts there are, not how they print (the letter
tests cover the PDF). Everything else is the product's: route, verification, storage, workers, iCIMS reads
from the sandbox, rendering, compliance check, letter store, outbox, delivery.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import Settings
from app.webhooks import WEBHOOK_PATH, router
from app.wiring import engine_setup
from app.workers import WorkerConfig, Workers, WorkerThread
from icims.sandbox import ServerThread
from offer_engine import audit, flows, webhook_events
from offer_engine.db import session_scope
from offer_engine.letter_store import Letter
from offer_engine.letters import RenderedLetter
from offer_engine.outbox import SyncJob
from offer_engine.webhook_events import WebhookEvent
from tests.factories import MINIMAL_PDF, system
from tests.reliability.fleet import Fleet, drafts_per_workflow, notification, offer_ready_fleet, signed_request
from tests.reliability.processes import wait_for
from tests.reliability.support import PostgresSchema, postgres_schema
from tests.support.icims_sandbox import running_sandbox

WORKFLOWS = 180
REDELIVERED = 20  # 10 % of the 200 notifications are redeliveries of one already sent
pytestmark = pytest.mark.timeout(300)


def tiny_pdf(rendered: RenderedLetter) -> bytes:
    marker = hashlib.sha256(rendered.html.encode()).hexdigest()
    return MINIMAL_PDF.replace(b"%%EOF", f"%letter {marker}\n%%EOF".encode())


def deliveries(settings: Settings, fleet: Fleet, url: str, seed: int = 8) -> list[tuple[int, bytes, dict[str, str]]]:
    """One signed delivery per workflow plus a second, identical delivery for every ninth: shuffled, so a
    redelivery may arrive before, with or after its original."""
    once = [(w, *signed_request(settings, url, notification(settings, fleet, w))) for w in fleet.workflow_ids]
    again = [item for n, item in enumerate(once) if n % (WORKFLOWS // REDELIVERED) == 0][:REDELIVERED]
    burst = once + again
    random.Random(seed).shuffle(burst)
    return burst


def post_all(url: str, burst: list[tuple[int, bytes, dict[str, str]]], threads: int = 24) -> list[dict[str, Any]]:
    with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=threads)) as client:

        def post(item: tuple[int, bytes, dict[str, str]]) -> dict[str, Any]:
            workflow_id, body, headers = item
            response = client.post(url, content=body, headers=headers)
            return {"workflow": workflow_id, "status": response.status_code, "body": response.json()}

        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(post, burst))


def progress(engine: Engine) -> dict[str, object]:
    with session_scope(engine) as session:
        events = list(session.exec(select(WebhookEvent)))
        jobs = list(session.exec(select(SyncJob)))
    return {
        "events": Counter(e.state for e in events),
        "jobs": Counter(j.state for j in jobs),
        "errors": Counter([*(e.error for e in events if e.error), *(j.last_error for j in jobs if j.last_error)]),
    }


def settled(engine: Engine, expected_jobs: int) -> bool:
    now = progress(engine)
    return now["events"] == {"processed": WORKFLOWS} and now["jobs"] == {"delivered": expected_jobs}


@pytest.fixture
def app_and_workers(settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setattr(flows, "write_pdf", tiny_pdf)
    fleet = offer_ready_fleet(settings, WORKFLOWS, today=date.today())
    with running_sandbox(fleet.fixture) as icims:
        setup = engine_setup(settings)
        threads = [
            WorkerThread(
                Workers(
                    engine,
                    setup,
                    fetch_client=icims.client(max_retries=2),
                    delivery_client=icims.client(max_retries=0),
                    worker_id=f"burst-{n}",
                    config=WorkerConfig(interval_seconds=0.3),
                )
            )
            for n in range(2)
        ]

        def wake_all(event_id: int) -> None:
            for thread in threads:
                thread.wake(event_id)

        api = FastAPI()
        api.include_router(router(settings, engine, on_stored=wake_all))
        server = ServerThread(api).start()
        for thread in threads:
            thread.start()
        try:
            yield {"icims": icims, "fleet": fleet, "url": f"{server.base_url}{WEBHOOK_PATH}"}
        finally:
            stopped = [t.stop(60) for t in threads]
            server.stop()
            assert all(stopped)


def test_a_burst_with_redeliveries_drafts_exactly_once_per_workflow(
    settings: Settings, engine: Engine, app_and_workers: dict[str, Any]
) -> None:
    icims, fleet, url = app_and_workers["icims"], app_and_workers["fleet"], app_and_workers["url"]
    burst = deliveries(settings, fleet, url)
    assert len(burst) == WORKFLOWS + REDELIVERED == 200
    answers = post_all(url, burst)

    assert Counter(a["status"] for a in answers) == {200: len(burst)}, "every notification acknowledged"
    receipts = Counter((a["workflow"], a["body"]["duplicate"]) for a in answers)
    assert sum(1 for (_, duplicate) in receipts if duplicate) == REDELIVERED
    assert all(receipts[(w, False)] == 1 for w in fleet.workflow_ids), "each workflow's first delivery stored"
    ids_by_workflow = {(a["workflow"], a["body"]["eventId"]) for a in answers}
    assert len(ids_by_workflow) == WORKFLOWS, "a redelivery is answered with its original's event id"

    # each job the draft writes (the PDF and the draft-status fields) per workflow
    wait_for(
        lambda: settled(engine, 2 * WORKFLOWS),
        "the workers to draft everything and drain the outbox",
        180,
        lambda: str(progress(engine)),
    )

    with session_scope(engine) as session:
        events = list(session.exec(select(WebhookEvent)))
        jobs = list(session.exec(select(SyncJob)))
        letters = list(session.exec(select(Letter)))
        assert audit.verify_chain(session).ok
    assert len(events) == WORKFLOWS, "stored once each"
    assert sum(e.duplicates for e in events) == REDELIVERED, "every redelivery counted on its original"
    assert {int(e.system_id or 0) for e in events} == set(fleet.workflow_ids)
    per_workflow = drafts_per_workflow(engine)
    for kind in ("offers", "versions", "letters"):
        assert per_workflow[kind] == Counter(dict.fromkeys(fleet.workflow_ids, 1)), f"exactly one {kind[:-1]} each"
    assert {letter.version_number for letter in letters} == {1}
    assert all(letter.compliance_passed for letter in letters)
    assert Counter((j.workflow_id, j.kind) for j in jobs) == Counter(
        {(w, kind): 1 for w in fleet.workflow_ids for kind in ("upload_letter", "patch_fields")}
    ), "no duplicate outbox jobs"
    written = Counter((w.profile_id, w.kind) for w in icims.writes())
    assert written == Counter({(w, kind): 1 for w in fleet.workflow_ids for kind in ("file", "patch")})


@pytest.mark.postgres
def test_redeliveries_arriving_at_the_same_moment_are_all_counted() -> None:
    """Two connections count a redelivery of the same event at once: neither count may overwrite the other."""
    with postgres_schema() as schema:
        _count_two_redeliveries_at_once(schema)


def _count_two_redeliveries_at_once(schema: PostgresSchema) -> None:
    pg_engine = schema.engine
    payload = {"customerId": "6120", "eventType": "WorkFlowStatusChangeEvent", "systemId": "1", "newStatus": "2"}
    actor = system()
    with session_scope(pg_engine) as session:
        webhook_events.store_event(session, payload, dedup_key="k", actor=actor)
    finished = threading.Event()

    def second_connection() -> None:
        with session_scope(pg_engine) as other:
            webhook_events.store_event(other, payload, dedup_key="k", actor=actor)
        finished.set()

    with session_scope(pg_engine) as first:
        webhook_events.store_event(first, payload, dedup_key="k", actor=actor)  # holds the row until commit
        thread = threading.Thread(target=second_connection)
        thread.start()
        wait_for(lambda: _waiting_on_a_lock(schema), "the second connection to wait for the row", 30)
    thread.join(30)
    assert finished.is_set()
    with session_scope(pg_engine) as session:
        [event] = session.exec(select(WebhookEvent)).all()
    assert event.duplicates == 2


def _waiting_on_a_lock(schema: PostgresSchema) -> bool:
    with schema.engine.connect() as conn:
        waiting = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                "AND wait_event_type = 'Lock' AND query ILIKE 'UPDATE webhook_events%'"
            ),
            {"name": schema.application_name},
        ).scalar_one()
    return bool(waiting)
