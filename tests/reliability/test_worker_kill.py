"""The outbox worker as a real process, killed with SIGKILL mid-delivery and started again: every write reaches
iCIMS exactly once, including the one that landed in iCIMS after the worker could no longer record it."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import PROJECT_ROOT, Settings
from offer_engine.audit import AuditEvent
from offer_engine.db import session_scope
from offer_engine.outbox import JobState
from tests.conftest import POSTGRES_URL
from tests.reliability.support import approved_letter_jobs, expected_targets, jobs, states, target, writes
from tests.support.icims_sandbox import DEMO_FIXTURE, SandboxHandle, running_sandbox

WORKFLOWS = (3401, 3402, 3403, 3404)
CLIENT_ID = "kill-test-worker"
LEASE_SECONDS = 4.0

pytestmark = pytest.mark.timeout(400)


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _database_url(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return engine.url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


def _write_config(tmp_path: Path, engine: Engine, icims: SandboxHandle, secret: str) -> Path:
    host, port = icims.base_url.removeprefix("http://").split(":")
    config = tmp_path / "worker.toml"
    config.write_text(
        f"""
data_dir = "{tmp_path / "data"}"
database_url = "{_database_url(engine)}"

[icims]
base_url = "sandbox"
customer_id = {icims.customer_id}
auth = "oauth"
client_id = "{CLIENT_ID}"
client_secret = "{secret}"
timeout_seconds = 1.0

[sandbox]
fixture = "{DEMO_FIXTURE}"
host = "{host}"
port = {port}
"""
    )
    return config


class WorkerProcess:
    def __init__(self, config: Path, log: Path) -> None:
        self.log = log
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        command = [sys.executable, "-m", "tests.reliability.outbox_worker", "--config", str(config)]
        command += ["--lease", str(LEASE_SECONDS)]
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def _workers() -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    try:
        yield started
    finally:
        for worker in started:
            worker.kill()


@contextmanager
def _write_lock(engine: Engine) -> Iterator[None]:
    """Hold what a worker needs to record a delivery, so that it waits with its write already made in iCIMS."""
    if engine.dialect.name == "sqlite":
        raw: Any = engine.raw_connection()
        try:
            raw.cursor().execute("BEGIN IMMEDIATE")
            yield
        finally:
            raw.cursor().execute("ROLLBACK")
            raw.close()
        return
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SELECT id FROM sync_jobs FOR UPDATE"))
        yield


def _catch_a_write_it_cannot_record(engine: Engine, icims: SandboxHandle, worker: WorkerProcess) -> None:
    """Kill the worker right after iCIMS applied a write the worker has not recorded yet."""
    for _ in range(20):
        with _write_lock(engine):
            before = sum(writes(icims).values())
            deadline = time.monotonic() + 2.5
            while time.monotonic() < deadline and sum(writes(icims).values()) == before:
                time.sleep(0.02)
            if sum(writes(icims).values()) > before:
                worker.kill()  # while it waits for the lock: the write is in iCIMS, not in the database
                return
        time.sleep(0.2)  # it was between rounds (waiting to claim): let it start the next write
    raise AssertionError("never caught the worker with a write in flight\n" + worker.output())


def test_a_worker_killed_mid_delivery_and_restarted_writes_everything_exactly_once(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    job_ids = approved_letter_jobs(engine, settings.tenant, WORKFLOWS)
    secret = secrets.token_urlsafe(24)
    with running_sandbox(client_id=CLIENT_ID, client_secret=SecretStr(secret)) as icims, _workers() as started:
        icims.set_faults(latency_seconds=0.3, methods=["PATCH", "POST"])  # every write takes a while
        config = _write_config(tmp_path, engine, icims, secret)
        first = WorkerProcess(config, tmp_path / "worker-1.log")
        started.append(first)
        _wait_for(lambda: sum(writes(icims).values()) >= 2, 90, "the first worker's first writes")
        _catch_a_write_it_cannot_record(engine, icims, first)
        assert first.process.returncode == -signal.SIGKILL

        rows = jobs(engine, job_ids)
        written = writes(icims)
        orphaned = [j for j in rows if j.state == JobState.IN_FLIGHT and written[target(j)] == 1]
        assert orphaned, "a job's write is in iCIMS while the job is still in flight"
        assert sum(written.values()) < len(job_ids), "the kill came mid-run"

        second = WorkerProcess(config, tmp_path / "worker-2.log")
        started.append(second)
        _wait_for(
            lambda: states(engine, job_ids) == {"delivered": len(job_ids)},
            120,
            f"the restarted worker to finish: {second.output()[-2000:]}",
        )
        assert writes(icims) == expected_targets(WORKFLOWS), "each write exactly once"
        for job in orphaned:
            assert _delivery_note(engine, job.id or 0) == "already present in iCIMS (an earlier attempt landed)"
            assert jobs(engine, [job.id or 0])[0].attempts == 2


def _delivery_note(engine: Engine, job_id: int) -> str | None:
    with session_scope(engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "sync.delivered", AuditEvent.subject_id == str(job_id))
        ).all()
        assert len(events) == 1
        note: str | None = events[0].details.get("note")
        return note
