"""Shared pieces of the fault tests: outbox work to deliver, a worker loop, and how to read the sandbox's writes."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from icims.client import ICIMSClient
from icims.mapping import TenantMapping
from offer_engine import letter_store, outbox, writebacks
from offer_engine.columns import utcnow
from offer_engine.db import make_engine, session_scope
from offer_engine.delivery import DeliveryRound, RetryPolicy, deliver_due
from offer_engine.migrations import upgrade
from offer_engine.offers import OfferState
from offer_engine.outbox import JobKind, JobState, SyncJob
from tests import factories as f
from tests.conftest import POSTGRES_URL
from tests.support.icims_sandbox import SandboxHandle

DEMO_WORKFLOWS = (3401, 3402, 3403, 3404, 3405, 3407)
FINAL = {JobState.DELIVERED.value, JobState.DEAD.value}
Target = tuple[int, str, tuple[str, ...]]
# What each kind of job writes, as the sandbox's write log names it (demo tenant mapping).
WRITE_OF = {
    JobKind.UPLOAD_LETTER.value: ("file", ("field31022",)),
    JobKind.PATCH_FIELDS.value: ("patch", ("field31020", "field31021")),
    JobKind.ADD_NOTE.value: ("entry", ("notes",)),
}


def approved_letter_jobs(engine: Engine, mapping: TenantMapping, workflow_ids: tuple[int, ...]) -> list[int]:
    """An approved offer with its letter for each workflow, and the outbox jobs that write it to iCIMS."""
    jobs: list[int] = []
    for workflow_id in workflow_ids:
        with session_scope(engine) as session:
            offer = f.make_offer(session, workflow_id=workflow_id, state=OfferState.APPROVED)
            letter = letter_store.latest_letter(session, f.current(session, offer).id or 0)
            assert letter is not None
            plan = writebacks.enqueue_letter_approved(
                session, offer=offer, letter=letter, mapping=mapping, actor=f.system()
            )
            assert plan.skipped == []
            jobs += [job.id or 0 for job in plan.jobs]
    return jobs


def expected_targets(workflow_ids: tuple[int, ...]) -> Counter[Target]:
    """What an approved letter writes per workflow (demo mapping): the PDF, two fields, one note — once each."""
    return Counter({(w, kind, fields): 1 for w in workflow_ids for kind, fields in WRITE_OF.values()})


def target(job: SyncJob) -> Target:
    kind, fields = WRITE_OF[job.kind]
    return (job.workflow_id, kind, fields)


def writes(icims: SandboxHandle) -> Counter[Target]:
    return Counter((w.profile_id, w.kind, w.fields) for w in icims.writes())


def jobs(engine: Engine, job_ids: list[int]) -> list[SyncJob]:
    with session_scope(engine) as session:
        return [outbox.get_job(session, job_id) for job_id in job_ids]


def states(engine: Engine, job_ids: list[int]) -> Counter[str]:
    return Counter(job.state for job in jobs(engine, job_ids))


@dataclass
class WorkerLog:
    rounds: list[DeliveryRound] = field(default_factory=list)
    database_errors: list[str] = field(default_factory=list)
    now: datetime | None = None  # the simulated clock where the last round left it

    def total(self, bucket: str) -> int:
        return sum(len(getattr(r, bucket)) for r in self.rounds)


def run_worker(
    engine: Engine,
    client: ICIMSClient,
    *,
    policy: RetryPolicy,
    start: datetime | None = None,
    step: timedelta = timedelta(minutes=2),
    max_rounds: int = 60,
    until_idle: int = 3,
    rounds: int | None = None,
    log: WorkerLog | None = None,
) -> WorkerLog:
    """Delivery rounds on a simulated clock, as the worker loop runs them: a database error fails the round (it is
    logged and the next round goes on); stops after `until_idle` rounds in a row with nothing to do, or after
    exactly `rounds` rounds when given."""
    record = log or WorkerLog()
    now, idle = start or record.now or utcnow(), 0
    for _ in range(rounds or max_rounds):
        record.now = now
        try:
            result = deliver_due(engine, client, worker_id="reliability", now=now, policy=policy)
        except DBAPIError as exc:
            record.database_errors.append(type(exc.orig).__name__ if exc.orig else type(exc).__name__)
            idle = 0
        else:
            record.rounds.append(result)
            idle = idle + 1 if result.attempted == 0 else 0
            if rounds is None and idle >= until_idle:
                return record
        now += step
    if rounds is not None:
        record.now = now
        return record
    raise AssertionError(f"the outbox did not settle in {max_rounds} rounds")


# -- PostgreSQL with connections we can find and kill -----------------------------------------------------------


@dataclass(frozen=True)
class PostgresSchema:
    engine: Engine
    schema: str
    application_name: str

    @property
    def url(self) -> str:
        """A URL another process can use to reach the same schema."""
        return f"{POSTGRES_URL}?options=-csearch_path%3D{self.schema}&application_name={self.application_name}"


@contextmanager
def postgres_schema(**engine_options: object) -> Iterator[PostgresSchema]:
    """A migrated schema reached through connections tagged with a unique application_name (ours alone)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    name = f"reliability-{uuid.uuid4().hex[:8]}"
    with admin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(
        POSTGRES_URL,
        connect_args={"options": f"-csearch_path={schema}", "application_name": name},
        **engine_options,
    )
    try:
        upgrade(engine)
        yield PostgresSchema(engine, schema, name)
    finally:
        engine.dispose()
        with admin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@contextmanager
def admin() -> Iterator[object]:
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def terminate_backends(application_name: str) -> int:
    """Drop every server connection of `application_name` in this database (others' connections are left alone:
    several engineers share the server), as a failover or a restart would; returns how many were dropped."""
    with admin() as conn:
        rows = conn.execute(  # type: ignore[attr-defined]
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = :name"
            ),
            {"name": application_name},
        ).all()
    return sum(1 for (done,) in rows if done)
