"""An iCIMS outage with notifications arriving, two `offer-assistant worker` processes on PostgreSQL, one of them
killed (SIGKILL) mid-outage and replaced: no event runs out of tries, every worker honours the wait stored with
each event, and once iCIMS listens again every workflow is drafted and written exactly once, with no manual step.

Real parts throughout: the sandbox's listener is stopped (connections refused) and started again on the same port
with its state; the webhook route under uvicorn; PostgreSQL; worker processes as production runs them. The
outage lasts until every event has failed `OUTAGE_ATTEMPTS` times (more than the three tries events used to
have); the back-off is short here (`workers.*` settings) — the benchmark runs the real durations.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from app.config import DEMO_CONFIG, load_settings
from app.webhooks import WEBHOOK_PATH, router
from icims.sandbox import ServerThread
from offer_engine import audit
from offer_engine.db import session_scope
from offer_engine.outbox import SyncJob
from offer_engine.webhook_events import WebhookEvent
from tests.reliability.fleet import drafts_per_workflow, notification, offer_ready_fleet, signed_request
from tests.reliability.processes import Deployment, running_processes, wait_for
from tests.reliability.support import PostgresSchema, postgres_schema
from tests.support.icims_sandbox import running_sandbox

WORKFLOWS = int(os.environ.get("OUTAGE_TEST_WORKFLOWS", "8"))
OUTAGE_ATTEMPTS = int(os.environ.get("OUTAGE_TEST_ATTEMPTS", "5"))
SHORT_BACKOFF = {"EVENT_RETRY_BASE_SECONDS": "0.5", "EVENT_RETRY_MAX_SECONDS": "2", "UNREACHABLE_PAUSE_SECONDS": "0.3"}
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]


@pytest.fixture
def schema() -> Iterator[PostgresSchema]:
    with postgres_schema() as created:
        yield created


def _events(schema: PostgresSchema) -> list[WebhookEvent]:
    with session_scope(schema.engine) as session:
        return list(session.exec(select(WebhookEvent).order_by(WebhookEvent.id)))  # type: ignore[arg-type]


def _progress(schema: PostgresSchema) -> dict[str, Counter[str]]:
    with session_scope(schema.engine) as session:
        jobs = list(session.exec(select(SyncJob)))
    return {"events": Counter(e.state for e in _events(schema)), "jobs": Counter(j.state for j in jobs)}


def _failures(schema: PostgresSchema, event_id: int) -> list[tuple[datetime, datetime]]:
    """(when it failed, when it was due again) for each failed attempt of the event, from the audit trail."""
    with session_scope(schema.engine) as session:
        trail = audit.events_for(session, "webhook_event", event_id)
    return [
        (e.occurred_at, datetime.fromisoformat(str(e.details["next_attempt_at"])))
        for e in trail
        if e.action == "webhook.failed"
    ]


def test_an_outage_with_a_worker_killed_loses_no_draft_and_writes_each_once(
    schema: PostgresSchema, tmp_path: Path
) -> None:
    fleet = offer_ready_fleet(load_settings(DEMO_CONFIG), WORKFLOWS, today=date.today())
    with running_sandbox(fleet.fixture) as icims, running_processes() as started:
        deployment = Deployment.create(tmp_path, schema.url, icims)
        deployment.env.update({f"OFFER_ASSISTANT_WORKERS__{k}": v for k, v in SHORT_BACKOFF.items()})
        api = FastAPI()
        api.include_router(router(deployment.settings, schema.engine))
        with ServerThread(api) as server:
            icims.stop_listening()  # iCIMS goes away before the notifications arrive
            url = f"{server.base_url}{WEBHOOK_PATH}"
            for workflow_id in fleet.workflow_ids:
                body, headers = signed_request(
                    deployment.settings, url, notification(deployment.settings, fleet, workflow_id)
                )
                answer = httpx.post(url, content=body, headers=headers, timeout=30)
                assert (answer.status_code, answer.json()["status"]) == (200, "accepted")
            workers = [deployment.worker(started, interval=0.3), deployment.worker(started, interval=0.3)]
            logs = lambda: f"{_progress(schema)}\n" + "\n".join(w.output(1500) for w in workers)  # noqa: E731

            wait_for(lambda: min(e.attempts for e in _events(schema)) >= 2, "every event to fail twice", 240, logs)
            workers[0].signal(signal.SIGKILL)  # mid-outage, perhaps mid-attempt
            workers[0].wait(30)
            workers.append(deployment.worker(started, interval=0.3))
            wait_for(
                lambda: min(e.attempts for e in _events(schema)) >= OUTAGE_ATTEMPTS,
                f"every event to fail {OUTAGE_ATTEMPTS} times",
                240,
                logs,
            )
            assert {e.state for e in _events(schema)} <= {"failed", "processing", "received"}, "none may end"
            assert {e.failure_kind for e in _events(schema)} == {"unreachable"}

            icims.listen_again()  # iCIMS is back: nobody does anything
            wait_for(
                lambda: (
                    _progress(schema)
                    == {"events": Counter({"processed": WORKFLOWS}), "jobs": Counter({"delivered": 2 * WORKFLOWS})}
                ),
                "every workflow drafted and written",
                240,
                logs,
            )

    for event in _events(schema):  # whichever worker tried next, it waited for the time stored with the event
        failures = _failures(schema, event.id or 0)
        assert len(failures) >= OUTAGE_ATTEMPTS - 1
        for (_failed, due), (next_failed, _due) in pairwise(failures):
            assert next_failed >= due, f"event {event.id} was tried before its next attempt time"
    per_workflow = drafts_per_workflow(schema.engine)
    for kind in ("offers", "versions", "letters"):
        assert per_workflow[kind] == Counter(dict.fromkeys(fleet.workflow_ids, 1)), f"one {kind[:-1]} each"
    written = Counter((w.profile_id, w.kind) for w in icims.writes())
    assert written == Counter({(w, kind): 1 for w in fleet.workflow_ids for kind in ("file", "patch")})
