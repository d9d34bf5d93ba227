"""`offer-assistant serve` (its worker thread) and `offer-assistant worker`, stopped with SIGTERM or Ctrl-C
(SIGINT) while they deliver slow iCIMS writes: the write in hand is finished and recorded, the rest of the claim
goes back to the queue at once (nothing stays in flight until a lease runs out), the process exits, and a
restarted process delivers the rest, every write exactly once.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from app.config import DEMO_CONFIG, Settings, load_settings
from offer_engine.delivery import deliver_due
from offer_engine.outbox import JobState
from tests.reliability.fleet import offer_ready_fleet
from tests.reliability.processes import Deployment, Process, running_processes, wait_for
from tests.reliability.support import (
    DEMO_WORKFLOWS,
    PostgresSchema,
    approved_letter_jobs,
    expected_targets,
    jobs,
    postgres_schema,
    target,
    writes,
)
from tests.support.icims_sandbox import running_sandbox

WORKFLOWS = DEMO_WORKFLOWS  # six: the worker's first claim takes one job of each
WRITE_SECONDS = 3.0  # every iCIMS write takes this long: SIGTERM lands while one is on its way

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def schema() -> Iterator[PostgresSchema]:
    with postgres_schema() as created:
        yield created


def _start(deployment: Deployment, started: list[Process], kind: str) -> Process:
    return deployment.app(started, workers=True) if kind == "serve" else deployment.worker(started)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("kind", "stop_signal"),
    [("serve", signal.SIGTERM), ("serve", signal.SIGINT), ("worker", signal.SIGTERM), ("worker", signal.SIGINT)],
    ids=["serve-sigterm", "serve-sigint", "worker-sigterm", "worker-sigint"],
)
def test_a_stop_signal_finishes_the_write_in_hand_returns_the_rest_and_a_restart_delivers_each_once(
    schema: PostgresSchema, tmp_path: Path, kind: str, stop_signal: signal.Signals
) -> None:
    demo = load_settings(DEMO_CONFIG)
    fleet = offer_ready_fleet(demo, 0, today=date.today(), parked=True)  # serve drafts nothing at start-up
    job_ids = approved_letter_jobs(schema.engine, demo.tenant, WORKFLOWS)
    with running_sandbox(fleet.fixture) as icims, running_processes() as started:
        icims.set_faults(latency_seconds=WRITE_SECONDS, methods=["PATCH", "POST"])
        deployment = Deployment.create(tmp_path, schema.url, icims)
        first = _start(deployment, started, kind)
        wait_for(lambda: sum(writes(icims).values()) >= 1, "the first write", 180, first.output)
        wait_for(lambda: _in_flight(schema, job_ids), "a job in flight", 60, first.output)

        first.signal(stop_signal)
        code = first.wait(timeout=120)
        output = first.output(1_000_000)
        assert code == 0, f"exit code {code}\n{output[-6000:]}"

        rows = jobs(schema.engine, job_ids)
        written = writes(icims)
        states = Counter(job.state for job in rows)
        assert JobState.IN_FLIGHT.value not in states, f"nothing left claimed: {states}"
        assert all(job.claim_token is None and job.lease_expires_at is None for job in rows)
        assert states[JobState.PENDING.value] > 0, "the signal came mid-run"
        for job in rows:  # a write in iCIMS is recorded as delivered, and only delivered jobs were written
            assert written[target(job)] == (1 if job.state == JobState.DELIVERED.value else 0), job
        assert max(written.values()) == 1
        assert "claimed sync job(s) not yet started" in output, "the claimed jobs not yet started were given back"

        icims.clear_faults()
        second = _start(deployment, started, kind)
        wait_for(
            lambda: Counter(j.state for j in jobs(schema.engine, job_ids)) == {"delivered": len(job_ids)},
            "the restarted process to deliver the rest",
            120,
            second.output,
        )
        assert writes(icims) == expected_targets(WORKFLOWS), "each write exactly once"
        assert all(job.attempts == 1 for job in jobs(schema.engine, job_ids)), "no write was tried twice"


def _in_flight(schema: PostgresSchema, job_ids: list[int]) -> bool:
    return any(job.state == JobState.IN_FLIGHT.value for job in jobs(schema.engine, job_ids))


def test_a_stopping_round_delivers_the_job_in_hand_and_gives_the_rest_of_its_claim_back(
    engine: Engine, settings: Settings
) -> None:
    job_ids = approved_letter_jobs(engine, settings.tenant, WORKFLOWS)
    with running_sandbox() as icims:
        asked: list[int] = []

        def stopping() -> bool:  # asked before each job: stop once the first has been delivered
            asked.append(1)
            return len(asked) > 1

        round_ = deliver_due(engine, icims.client(max_retries=0), worker_id="w", stopping=stopping)
        assert len(round_.delivered) == 1
        assert len(round_.released) == len(WORKFLOWS) - 1, "one job of each workflow was claimed"
        rows = jobs(engine, job_ids)
        assert Counter(j.state for j in rows) == {"delivered": 1, "pending": len(job_ids) - 1}
        assert all(j.claim_token is None and j.lease_expires_at is None for j in rows)
        assert sorted(j.attempts for j in rows) == [0] * (len(job_ids) - 1) + [1]
        assert sum(writes(icims).values()) == 1

        again = deliver_due(engine, icims.client(max_retries=0), worker_id="w")
        assert again.released == []
        assert not again.already_present, "a released job is not mistaken for an interrupted delivery"
