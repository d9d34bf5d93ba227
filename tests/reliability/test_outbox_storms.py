"""The outbox through fault storms the single-fault tests (tests/offer_engine/test_outbox.py) do not cover: many
workflows through mixed 5xx, 429 bursts and an outage long enough to dead-letter, then recovery; the daily quota
used up. Every job ends delivered or dead with its reason, a write exists exactly when its job was delivered, and
after recovery everything is written exactly once. (A write that lands after its worker died is in
test_worker_kill.py.)"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from app.config import Settings
from icims.client import ICIMSClient
from offer_engine import outbox
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.delivery import RetryPolicy
from offer_engine.outbox import JobState, SyncJob
from tests import factories as f
from tests.reliability.support import (
    DEMO_WORKFLOWS,
    approved_letter_jobs,
    expected_targets,
    jobs,
    run_worker,
    states,
    target,
    writes,
)
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

POLICY = RetryPolicy(base_seconds=5, max_seconds=60, lease_seconds=30)


class Clock:
    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


def _client(icims: SandboxHandle, **overrides: object) -> ICIMSClient:
    return icims.client(max_retries=0, timeout_seconds=overrides.pop("timeout_seconds", 2.0), **overrides)


def _assert_accounted(engine: Engine, icims: SandboxHandle, job_ids: list[int]) -> list[SyncJob]:
    """No job is lost in flight; a dead job says why; a write exists exactly once when, and only when, its job was
    delivered (these faults are all answered before iCIMS processes the request)."""
    rows = jobs(engine, job_ids)
    written = writes(icims)
    for job in rows:
        assert job.state in (JobState.DELIVERED, JobState.DEAD, JobState.PENDING), (job.id, job.state)
        if job.state == JobState.DEAD:
            assert job.last_error, f"dead job {job.id} has no reason"
            assert job.dead_at is not None
        assert written[target(job)] == (1 if job.state == JobState.DELIVERED else 0), (job.id, job.state)
    assert sum(written.values()) == sum(1 for j in rows if j.state == JobState.DELIVERED), "no stray writes"
    return rows


def test_a_storm_then_an_outage_then_recovery(engine: Engine, icims: SandboxHandle, settings: Settings) -> None:
    job_ids = approved_letter_jobs(engine, settings.tenant, DEMO_WORKFLOWS)
    client = _client(icims)

    icims.set_faults(error_rate=0.5, seed=11, error_status=502, throttle_next=5, throttle_retry_after=30)
    log = run_worker(engine, client, policy=POLICY, rounds=2)
    assert log.total("retrying") > 0, "the storm was felt"
    _assert_accounted(engine, icims, job_ids)

    icims.set_faults(outage=True, error_rate=0.0, throttle_next=0)
    run_worker(engine, client, policy=POLICY, rounds=12, step=timedelta(minutes=3), log=log)
    rows = _assert_accounted(engine, icims, job_ids)
    dead = [j for j in rows if j.state == JobState.DEAD]
    assert dead, "the outage lasted long enough to dead-letter"
    assert all("503" in (j.last_error or "") or "Unavailable" in (j.last_error or "") for j in dead)
    assert all(j.failures == j.max_failures for j in dead)

    icims.clear_faults()
    run_worker(engine, client, policy=POLICY, log=log)
    rows = _assert_accounted(engine, icims, job_ids)
    assert {j.state for j in rows} <= {JobState.DELIVERED, JobState.DEAD, JobState.PENDING}
    # each dead job holds back only its own workflow's later jobs
    dead_workflows = {j.workflow_id for j in rows if j.state == JobState.DEAD}
    assert all(j.state == JobState.DELIVERED for j in rows if j.workflow_id not in dead_workflows)

    with session_scope(engine) as session:  # an operator fixes nothing and simply retries the dead jobs
        for job in dead:
            outbox.requeue(session, job.id or 0, actor=f.admin())
    run_worker(engine, client, policy=POLICY, log=log)
    assert states(engine, job_ids) == {"delivered": len(job_ids)}
    assert writes(icims) == expected_targets(DEMO_WORKFLOWS)


def test_the_daily_quota_used_up_delays_everything_and_kills_nothing(
    engine: Engine, icims: SandboxHandle, settings: Settings
) -> None:
    job_ids = approved_letter_jobs(engine, settings.tenant, DEMO_WORKFLOWS[:2])
    clock = Clock()
    client = _client(icims, clock=clock)
    limit = icims.set_quota().limit
    icims.set_quota(used=limit)
    start = utcnow()
    log = run_worker(engine, client, policy=POLICY, start=start)
    assert log.total("retrying") >= 1
    rows = _assert_accounted(engine, icims, job_ids)
    assert all(j.state == JobState.PENDING and j.failures == 0 for j in rows), "a quota is not the job's failure"
    waiting = [j for j in rows if j.attempts]
    assert waiting
    assert all(j.next_attempt_at > start + timedelta(minutes=10) for j in waiting), "it waits for the reset"
    assert all("RateLimited" in (j.last_error or "") for j in waiting)

    reset = max(j.next_attempt_at for j in waiting) - start
    icims.set_quota(used=0)  # midnight UTC in iCIMS
    clock.now += reset.total_seconds() + 1
    run_worker(engine, client, policy=POLICY, start=start + reset + timedelta(seconds=1), log=log)
    assert states(engine, job_ids) == {"delivered": len(job_ids)}
    assert writes(icims) == expected_targets(DEMO_WORKFLOWS[:2])
    assert Counter(j.failures for j in jobs(engine, job_ids)) == {0: len(job_ids)}
