"""Scale-out on PostgreSQL: two app processes (`offer-assistant serve --no-workers`) and two worker processes
(`offer-assistant worker`) share one database schema and one iCIMS (the sandbox, reached as a real tenant URL).

Notifications go alternately to either app, and each is then redelivered to the *other* app (as iCIMS's retry
may land on another process behind the load balancer): every workflow is drafted exactly once, each draft shows
in the review queue of the app that did not receive its first notification (a staff sign-in and Socket.IO
session, as the browser opens them), and each outbox job is written to iCIMS exactly once.

Each app process has its own data directory with its own copy of the benefits index: Qdrant's local mode locks
its folder per process, and a Qdrant server cannot be installed on this machine (see docs/deployment.md).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from app.config import DEMO_CONFIG, load_settings
from app.webhooks import WEBHOOK_PATH
from offer_engine.actors import Role
from offer_engine.db import session_scope
from offer_engine.outbox import SyncJob
from offer_engine.webhook_events import WebhookEvent
from tests.reliability.fleet import drafts_per_workflow, notification, offer_ready_fleet, signed_request
from tests.reliability.processes import Deployment, Process, review_queue, running_processes, wait_for
from tests.reliability.support import PostgresSchema, postgres_schema
from tests.support.icims_sandbox import running_sandbox
from tests.support.staff_factories import PASSWORD, make_staff

WORKFLOWS = 12
pytestmark = [pytest.mark.postgres, pytest.mark.timeout(900)]


@pytest.fixture
def schema() -> Iterator[PostgresSchema]:
    with postgres_schema() as created:
        yield created


def _deliver(deployment: Deployment, app: Process, payload: dict[str, object]) -> dict[str, object]:
    url = f"{app.url}{WEBHOOK_PATH}"
    body, headers = signed_request(deployment.settings, url, payload)
    response = httpx.post(url, content=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def _progress(schema: PostgresSchema) -> dict[str, Counter[str]]:
    with session_scope(schema.engine) as session:
        return {
            "events": Counter(e.state for e in session.exec(select(WebhookEvent))),
            "jobs": Counter(j.state for j in session.exec(select(SyncJob))),
        }


def test_two_apps_and_two_workers_draft_once_show_drafts_everywhere_and_write_once(
    schema: PostgresSchema, tmp_path: Path
) -> None:
    demo = load_settings(DEMO_CONFIG)
    fleet = offer_ready_fleet(demo, WORKFLOWS, today=date.today(), parked=True)
    with running_sandbox(fleet.fixture) as icims, running_processes() as started:
        deployment = Deployment.create(tmp_path, schema.url, icims)
        apps = [deployment.app(started), deployment.app(started, behind_proxy=True)]
        workers = [deployment.worker(started), deployment.worker(started)]
        for app in apps:
            ready = httpx.get(f"{app.url}/ready", timeout=30)
            assert ready.status_code == 200, ready.text
            checks = ready.json()["checks"]
            assert {name: c["status"] for name, c in checks.items()} == {
                "database": "ok",
                "vector_store": "ok",
                "icims": "ok",
                "webhook_events": "ok",  # no incoming event ended without a draft
            }

        first_app: dict[int, int] = {}
        for n, workflow_id in enumerate(fleet.workflow_ids):
            icims.move(workflow_id, fleet.ready_status)  # the recruiter's move in iCIMS
            payload = notification(deployment.settings, fleet, workflow_id)
            first = _deliver(deployment, apps[n % 2], payload)
            again = _deliver(deployment, apps[(n + 1) % 2], payload)  # iCIMS's retry, landing on the other app
            assert (first["duplicate"], again["duplicate"]) == (False, True)
            assert again["eventId"] == first["eventId"]
            first_app[workflow_id] = n % 2

        wait_for(
            lambda: (
                _progress(schema)
                == {
                    "events": Counter({"processed": WORKFLOWS}),
                    "jobs": Counter({"delivered": 2 * WORKFLOWS}),
                }
            ),
            "the two workers to draft and deliver everything",
            300,
            lambda: f"{_progress(schema)}\n" + "\n".join(w.output(1500) for w in workers),
        )

        per_workflow = drafts_per_workflow(schema.engine)
        for kind in ("offers", "versions", "letters"):
            assert per_workflow[kind] == Counter(dict.fromkeys(fleet.workflow_ids, 1)), f"one {kind[:-1]} each"
        with session_scope(schema.engine) as session:
            events = list(session.exec(select(WebhookEvent)))
            jobs = list(session.exec(select(SyncJob)))
        assert sorted(e.duplicates for e in events) == [1] * WORKFLOWS
        assert Counter((j.workflow_id, j.kind) for j in jobs) == Counter(
            {(w, kind): 1 for w in fleet.workflow_ids for kind in ("upload_letter", "patch_fields")}
        )
        written = Counter((w.profile_id, w.kind) for w in icims.writes())
        assert written == Counter({(w, kind): 1 for w in fleet.workflow_ids for kind in ("file", "patch")})

        recruiter = make_staff(schema.engine, Role.RECRUITER, username="rhea.recruiter")
        queues = [review_queue(app, recruiter.username, PASSWORD) for app in apps]
        for workflow_id, received_by in first_app.items():
            name = _candidate(fleet.fixture, workflow_id)
            other = queues[1 - received_by]
            assert re.search(rf"\b{re.escape(name)}\b", other), f"{name}'s draft is not in the other app's queue"


def _candidate(fixture: dict[str, object], workflow_id: int) -> str:
    workflows = fixture["applicantworkflows"]
    assert isinstance(workflows, dict)
    value = workflows[str(workflow_id)]["associatedprofile"]["value"]
    return str(value)
