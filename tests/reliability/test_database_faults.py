"""PostgreSQL connections dropped under a running service (as a failover or a server restart does): the next unit
of work succeeds by itself, and the outbox still writes everything to iCIMS exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import create_engine

from app.config import Settings
from offer_engine import offers
from offer_engine.db import session_scope
from offer_engine.delivery import RetryPolicy, deliver_due
from tests import factories as f
from tests.reliability.support import (
    PostgresSchema,
    WorkerLog,
    approved_letter_jobs,
    expected_targets,
    postgres_schema,
    run_worker,
    states,
    terminate_backends,
    writes,
)
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

pytestmark = pytest.mark.postgres

WORKFLOWS = (3401, 3402, 3403)
POLICY = RetryPolicy(base_seconds=5, max_seconds=60, lease_seconds=30)


@pytest.fixture
def pg() -> Iterator[PostgresSchema]:
    with postgres_schema(pool_size=3) as schema:
        yield schema


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


def _warm_pool(pg: PostgresSchema, connections: int = 3) -> None:
    held = [pg.engine.connect() for _ in range(connections)]
    for conn in held:
        conn.execute(text("SELECT 1"))
    for conn in held:
        conn.close()  # back to the pool, still open on the server


def test_the_fault_is_real_an_engine_without_pre_ping_fails_after_the_drop(pg: PostgresSchema) -> None:
    """The control: without the engine's protection, the same drop breaks the next query."""
    bare = create_engine(pg.url, pool_pre_ping=False)
    try:
        with bare.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert terminate_backends(pg.application_name) >= 1
        with pytest.raises(OperationalError), bare.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        bare.dispose()


def test_a_service_call_after_the_drop_succeeds(pg: PostgresSchema) -> None:
    with session_scope(pg.engine) as session:
        offer_id = f.make_offer(session).id or 0
    _warm_pool(pg)
    assert terminate_backends(pg.application_name) >= 3
    with session_scope(pg.engine) as session:  # no manual action: the pool replaces the dead connections
        assert offers.get_offer(session, offer_id).id == offer_id


def test_outbox_delivery_after_the_drop_writes_everything_once(
    pg: PostgresSchema, icims: SandboxHandle, settings: Settings
) -> None:
    job_ids = approved_letter_jobs(pg.engine, settings.tenant, WORKFLOWS)
    _warm_pool(pg)
    assert terminate_backends(pg.application_name) >= 1
    client = icims.client(max_retries=0, timeout_seconds=5.0)
    first = deliver_due(pg.engine, client, worker_id="after-drop", policy=POLICY)
    assert len(first.delivered) == len(job_ids), "the first round after the drop works"
    assert states(pg.engine, job_ids) == {"delivered": len(job_ids)}
    assert writes(icims) == expected_targets(WORKFLOWS)


def test_connections_dropped_again_and_again_mid_delivery_lose_and_duplicate_nothing(
    pg: PostgresSchema, icims: SandboxHandle, settings: Settings
) -> None:
    job_ids = approved_letter_jobs(pg.engine, settings.tenant, WORKFLOWS)
    icims.set_faults(latency_seconds=0.15, methods=["PATCH", "POST"])  # deliveries spend their time in iCIMS
    client = icims.client(max_retries=0, timeout_seconds=5.0)
    stop = threading.Event()
    dropped: list[int] = []

    def chaos() -> None:  # drop every connection of the service, over and over, while it delivers
        while not stop.is_set():
            dropped.append(terminate_backends(pg.application_name))
            time.sleep(0.1)

    killer = threading.Thread(target=chaos, daemon=True)
    killer.start()
    try:
        log = run_worker(pg.engine, client, policy=POLICY, until_idle=2, max_rounds=80)
    finally:
        stop.set()
        killer.join()
    icims.clear_faults()
    # the chaos ends; whatever a dropped connection left in flight is taken again once its lease runs out
    run_worker(pg.engine, client, policy=POLICY, log=log, until_idle=3)
    assert sum(dropped) > 0, "connections were really dropped during the run"
    assert states(pg.engine, job_ids) == {"delivered": len(job_ids)}
    assert writes(icims) == expected_targets(WORKFLOWS), _describe(log)


def _describe(log: WorkerLog) -> str:
    return f"database errors {log.database_errors}; already present {log.total('already_present')}"
