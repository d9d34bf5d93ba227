"""Benchmark of issue 17: an iCIMS outage with webhooks arriving, and a 429 storm, with two workers.

Everything is real and local: the sandbox iCIMS over HTTP (its listener stopped for the outage and started again
on the same port, its data kept), the webhook route under uvicorn, two workers (each its own iCIMS clients,
gate and loop, as two processes would have), a SQLite database in a temporary folder, real letters and PDFs.
Back-off and pauses are the configured ones (``workers.*``): the real durations.

Outage: iCIMS stops listening; `webhooks` signed notifications arrive over the first 60 % of `outage_seconds`;
iCIMS listens again; the figure is the time from then until every workflow has its draft and both writes
(letter, draft status) delivered, and whether each write landed exactly once.

Storm: `webhooks` notifications are drafted first (their writes queued, due), then `storm_calls` iCIMS calls in a
row answer 429 with ``Retry-After: retry_after_seconds`` while two workers deliver. Every request is recorded on
the client side; for each 429 a worker got, the figure is how late the tenant's next call came after the
Retry-After ran out (its "overshoot"), against one worker round (the interval plus the longest round); and for
each throttled call, how late the next call to the same resource (the job's or event's own retry) came after its
own Retry-After.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import ConfigError, Settings
from app.sandbox_settings import event_target, sandbox_options
from app.webhooks import WEBHOOK_PATH, router
from app.workers import RoundReport, Workers, build_workers
from icims.sandbox import RunningSandbox, Sandbox, ServerThread, add_offer_ready_candidates, serve_in_thread
from icims.sandbox.emitter import signed_delivery
from icims.webhooks import STATUS_CHANGE_EVENT
from offer_engine.db import make_engine, session_scope
from offer_engine.intake import read_terms
from offer_engine.migrations import upgrade
from offer_engine.outbox import SyncJob
from offer_engine.webhook_events import WebhookEvent

Echo = Callable[[str], None]
INTERVAL_SECONDS = 2.0  # the workers' round interval (WorkerThread's default)


class OutageResult(BaseModel):
    outage_seconds: float
    webhooks: int
    workers: int
    events_dead: int  # ended without a draft: must be 0
    max_attempts_during_outage: int
    drafted: int
    written_once: int  # workflows whose letter and draft status each reached iCIMS exactly once
    duplicate_writes: int
    settle_seconds: float | None  # from iCIMS listening again to every workflow drafted and written


class StormResult(BaseModel):
    storm_calls: int
    retry_after_seconds: float
    webhooks: int
    workers: int
    throttled_answers: int  # 429s the workers got
    slept_seconds: float  # back-off waits inside the iCIMS clients: must be 0
    round_seconds: float  # one worker round: the interval plus the longest round's own time
    max_overshoot_seconds: float  # a worker's next call to the tenant after a 429, beyond its Retry-After
    max_job_overshoot_seconds: float | None  # a throttled item's own retry (same resource), beyond its Retry-After
    drain_seconds: float  # from the storm's start to every workflow drafted and written
    drafted: int
    written_once: int
    duplicate_writes: int


class OutageBench(BaseModel):
    outage: OutageResult
    storm: StormResult


@dataclass
class Call:
    at: float
    worker: str
    method: str
    path: str
    status: int
    retry_after: float | None


@dataclass
class CallLog:
    calls: list[Call] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def transport(self, worker: str) -> httpx.BaseTransport:
        return _Recording(httpx.HTTPTransport(), self, worker)

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(seconds)
        time.sleep(seconds)


class _Recording(httpx.BaseTransport):
    """Every request a worker's clients send, with its answer's status and Retry-After, timed on arrival."""

    def __init__(self, inner: httpx.BaseTransport, log: CallLog, worker: str) -> None:
        self.inner, self.log, self.worker = inner, log, worker

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        after = response.headers.get("retry-after")
        call = Call(
            time.monotonic(),
            self.worker,
            request.method,
            request.url.path,
            response.status_code,
            float(after) if after else None,
        )
        with self.log.lock:
            self.log.calls.append(call)
        return response

    def close(self) -> None:
        self.inner.close()


class WorkerLoop:
    """A worker's rounds in a thread, as `WorkerThread` runs them, timing each round."""

    def __init__(self, workers: Workers, interval: float = INTERVAL_SECONDS) -> None:
        self.workers, self.interval = workers, interval
        self.round_seconds: list[float] = []
        self._thread = threading.Thread(target=self._run, name=f"bench-{workers.worker_id}", daemon=True)

    def start(self) -> WorkerLoop:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.workers.stopping.set()
        self._thread.join(120)
        self.workers.close()

    def _run(self) -> None:
        while not self.workers.stopping.is_set():
            started = time.monotonic()
            report = self.workers.run_once()
            self.round_seconds.append(time.monotonic() - started)
            if not report.busy:
                self.workers.stopping.wait(self.interval)


@dataclass
class Stage:
    """A private sandbox (its fixture with `count` offer-ready clones), database, webhook route and workers."""

    settings: Settings
    engine: Engine
    fixture: dict[str, Any]
    workflow_ids: list[int]
    sandbox: Sandbox
    icims: RunningSandbox
    server: ServerThread
    calls: CallLog
    loops: list[WorkerLoop] = field(default_factory=list)

    @property
    def webhook_url(self) -> str:
        return f"{self.server.base_url}{WEBHOOK_PATH}"

    def start_workers(self, count: int) -> None:
        for n in range(count):
            name = f"bench-worker-{n + 1}"
            transport = self.calls.transport(name)
            workers = build_workers(
                self.settings, self.engine, worker_id=name, transport=transport, sleep=self.calls.sleep
            )
            self.loops.append(WorkerLoop(workers).start())

    def draft_only(self) -> None:
        """Draft every stored event (letters, PDFs, writes queued) without delivering anything yet."""
        workers = build_workers(self.settings, self.engine, worker_id="bench-drafter")
        try:
            for _ in range(100):
                if all(e.state == "processed" for e in self.events()):
                    return
                workers.process_events(RoundReport())
        finally:
            workers.close()
        raise RuntimeError(f"the benchmark's drafts did not all succeed: {Counter(e.state for e in self.events())}")

    def notify(self, workflow_id: int) -> None:
        workflow = self.fixture["applicantworkflows"][str(workflow_id)]
        payload = {
            "customerId": str(self.settings.icims.customer_id),
            "eventType": STATUS_CHANGE_EVENT,
            "systemId": str(workflow_id),
            "jobId": str(workflow["baseprofile"]["id"]),
            "personId": str(workflow["associatedprofile"]["id"]),
            "userId": "1401",
            "oldStatus": "20010",
            "newStatus": "".join(ch for ch in workflow["status"]["id"] if ch.isdigit()),
        }
        body, headers = signed_delivery(payload, event_target(self.settings, self.webhook_url))
        answer = httpx.post(self.webhook_url, content=body, headers=headers, timeout=30)
        if answer.status_code != 200:
            raise RuntimeError(f"the webhook route answered {answer.status_code}: {answer.text[:200]}")

    def done(self) -> bool:
        with session_scope(self.engine) as session:
            events = Counter(e.state for e in session.exec(select(WebhookEvent)))
            jobs = Counter(j.state for j in session.exec(select(SyncJob)))
        count = len(self.workflow_ids)
        return events == Counter({"processed": count}) and jobs == Counter({"delivered": 2 * count})

    def events(self) -> list[WebhookEvent]:
        with session_scope(self.engine) as session:
            return list(session.exec(select(WebhookEvent)))

    def writes(self) -> tuple[int, int, int]:
        """(workflows drafted, workflows whose two writes each landed exactly once, duplicate writes)."""
        written = Counter((w.profile_id, w.kind) for w in self.sandbox.writes("api"))
        once = sum(1 for w in self.workflow_ids if written[(w, "file")] == 1 and written[(w, "patch")] == 1)
        duplicates = sum(n - 1 for n in written.values() if n > 1)
        drafted = sum(1 for e in self.events() if e.state == "processed")
        return drafted, once, duplicates

    def close(self) -> None:
        for loop in self.loops:
            loop.stop()
        self.icims.stop()
        self.server.stop()
        self.engine.dispose()


def _stage(settings: Settings, folder: Path, count: int, name: str) -> Stage:
    local = settings.model_copy(update={"data_dir": folder / name})
    engine = make_engine(f"sqlite:///{folder / f'{name}.db'}")
    upgrade(engine)
    mapping = local.tenant
    data = json.loads(local.sandbox.fixture.read_text(encoding="utf-8"))
    synthetic = add_offer_ready_candidates(
        data, mapping, count, today=date.today(), usable=lambda bundle: not read_terms(bundle, mapping).missing
    )
    sandbox = Sandbox(synthetic.fixture, sandbox_options(local))
    icims = serve_in_thread(sandbox)
    local = local.model_copy(
        update={"sandbox": local.sandbox.model_copy(update={"host": icims.host, "port": icims.port})}
    )
    api = FastAPI()
    server = ServerThread(api).start()
    api.include_router(router(local, engine))
    return Stage(local, engine, synthetic.fixture, synthetic.workflow_ids, sandbox, icims, server, CallLog())


def _wait(condition: Callable[[], bool], timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    return None


def run_outage(
    settings: Settings, folder: Path, *, outage_seconds: float, webhooks: int, workers: int, echo: Echo
) -> OutageResult:
    stage = _stage(settings, folder, webhooks, "outage")
    try:
        stage.start_workers(workers)
        stage.icims.stop_listening()
        began = time.monotonic()
        spacing = 0.6 * outage_seconds / max(1, webhooks)
        for n, workflow_id in enumerate(stage.workflow_ids):
            time.sleep(max(0.0, began + n * spacing - time.monotonic()))
            stage.notify(workflow_id)
        time.sleep(max(0.0, began + outage_seconds - time.monotonic()))
        during = stage.events()
        echo(
            f"outage {outage_seconds:.0f} s over: events {dict(Counter(e.state for e in during))}, "
            f"attempts up to {max(e.attempts for e in during)}"
        )
        stage.icims.listen_again()
        settle = _wait(stage.done, 600)
        drafted, once, duplicates = stage.writes()
    finally:
        stage.close()
    return OutageResult(
        outage_seconds=outage_seconds,
        webhooks=webhooks,
        workers=workers,
        events_dead=sum(1 for e in during if e.state == "dead"),
        max_attempts_during_outage=max(e.attempts for e in during),
        drafted=drafted,
        written_once=once,
        duplicate_writes=duplicates,
        settle_seconds=round(settle, 1) if settle is not None else None,
    )


def run_storm(
    settings: Settings, folder: Path, *, storm_calls: int, retry_after: int, webhooks: int, workers: int, echo: Echo
) -> StormResult:
    stage = _stage(settings, folder, webhooks, "storm")
    try:
        for workflow_id in stage.workflow_ids:
            stage.notify(workflow_id)
        stage.draft_only()  # the writes are due when the storm starts: the storm hits them, not only the drafts
        stage.sandbox.set_faults(throttle_next=storm_calls, throttle_retry_after=retry_after)
        began = time.monotonic()
        stage.start_workers(workers)
        drain = _wait(stage.done, 900)
        drafted, once, duplicates = stage.writes()
        rounds = [s for loop in stage.loops for s in loop.round_seconds]
    finally:
        stage.close()
    calls = sorted(stage.calls.calls, key=lambda c: c.at)
    overshoot, job_overshoot = _overshoots(calls)
    result = StormResult(
        storm_calls=storm_calls,
        retry_after_seconds=retry_after,
        webhooks=webhooks,
        workers=workers,
        throttled_answers=sum(1 for c in calls if c.status == 429),
        slept_seconds=round(sum(stage.calls.sleeps), 2),
        round_seconds=round(INTERVAL_SECONDS + max(rounds, default=0.0), 2),
        max_overshoot_seconds=round(overshoot, 2),
        max_job_overshoot_seconds=round(job_overshoot, 2) if job_overshoot is not None else None,
        drain_seconds=round(drain if drain is not None else time.monotonic() - began, 1),
        drafted=drafted,
        written_once=once,
        duplicate_writes=duplicates,
    )
    echo(f"429 storm: {result.throttled_answers} throttled answers, drained in {result.drain_seconds:.0f} s")
    return result


def _overshoots(calls: list[Call]) -> tuple[float, float | None]:
    """The longest delay beyond a Retry-After: of the tenant's next call (by either worker) once a 429's
    Retry-After ran out, and of the throttled item's own next try (the next call to the same resource: the
    write's read-back or the write itself, the draft's read) after its own Retry-After."""
    worst, worst_job = 0.0, None
    for n, call in enumerate(calls):
        if call.status != 429:
            continue
        ready = call.at + (call.retry_after or 0.0)
        following = next((c for c in calls[n + 1 :] if c.at >= ready), None)
        if following is not None:
            worst = max(worst, following.at - ready)
        again = next((c for c in calls[n + 1 :] if c.path == call.path), None)
        if again is not None:
            worst_job = max(worst_job or 0.0, again.at - ready)
    return worst, worst_job


def run_bench(
    settings: Settings,
    *,
    outage_seconds: float = 150.0,
    webhooks: int = 20,
    workers: int = 2,
    storm_calls: int = 120,
    retry_after: int = 2,
    echo: Echo = print,
) -> OutageBench:
    if not settings.sandbox_mode:
        raise ConfigError("the outage benchmark runs against the local sandbox (icims.base_url = 'sandbox')")
    with tempfile.TemporaryDirectory(prefix="offer-outage-bench-") as tmp:
        folder = Path(tmp)
        outage = run_outage(
            settings, folder, outage_seconds=outage_seconds, webhooks=webhooks, workers=workers, echo=echo
        )
        echo(
            f"outage {outage.outage_seconds:.0f} s, {outage.webhooks} webhooks, {outage.workers} workers: "
            f"{outage.drafted}/{outage.webhooks} drafted, {outage.written_once} written exactly once, "
            f"settled {outage.settle_seconds} s after iCIMS returned (target: all, within 120 s)"
        )
        storm = run_storm(
            settings,
            folder,
            storm_calls=storm_calls,
            retry_after=retry_after,
            webhooks=webhooks,
            workers=workers,
            echo=echo,
        )
        echo(
            f"429 storm of {storm.storm_calls} calls (Retry-After {storm.retry_after_seconds:g} s): next call at most "
            f"{storm.max_overshoot_seconds:.2f} s after a Retry-After ran out (a round: {storm.round_seconds:.2f} s); "
            f"slept {storm.slept_seconds} s; {storm.written_once}/{storm.webhooks} written exactly once"
        )
    return OutageBench(outage=outage, storm=storm)
