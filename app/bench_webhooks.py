"""Benchmark of the webhook path on the local sandbox: webhook → draft ready, and webhooks accepted per second.

Everything is real and local: the sandbox iCIMS (HTTP), the webhook route under uvicorn, the worker thread, a
SQLite database in a temporary folder. Phase 1 moves cloned offer-ready workflows into the offer stage one at a
time and times each from the status change to the stored letter (webhook delivery, verification, storage,
worker wake-up, iCIMS reads, letter, compliance check, PDF). Phase 2 fires a burst of distinct signed
notifications from several threads and counts what was acknowledged and stored (nothing may be lost).
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel
from sqlmodel import col, func, select

from app.config import ConfigError, Settings
from app.sandbox_settings import event_target, sandbox_options
from app.webhooks import WEBHOOK_PATH, router
from app.wiring import engine_setup, icims_client
from app.workers import Workers, WorkerThread
from icims.client import ICIMSClient
from icims.sandbox import FixtureError, Sandbox, ServerThread, add_offer_ready_candidates, serve_in_thread
from icims.sandbox.emitter import signed_delivery
from icims.webhooks import STATUS_CHANGE_EVENT
from offer_engine.analytics import percentile
from offer_engine.db import make_engine, session_scope
from offer_engine.intake import read_terms
from offer_engine.letter_store import Letter
from offer_engine.migrations import upgrade
from offer_engine.offers import Offer
from offer_engine.webhook_events import WebhookEvent


class BenchResult(BaseModel):
    drafts: int
    draft_p50_seconds: float
    draft_p95_seconds: float
    burst: int
    acknowledged: int
    stored: int
    lost: int
    accepted_per_second: float


def bench_fixture(settings: Settings, copies: int) -> tuple[dict[str, Any], list[int], str]:
    """The configured fixture with `copies` synthetic candidates parked outside the offer stage, each cloned from
    a workflow that drafts a complete offer. Returns (fixture, clone ids, the offer-ready status id)."""
    data: dict[str, Any] = json.loads(settings.sandbox.fixture.read_text(encoding="utf-8"))
    mapping = settings.tenant
    try:
        synthetic = add_offer_ready_candidates(
            data,
            mapping,
            copies,
            today=date.today(),
            parked=True,
            usable=lambda bundle: not read_terms(bundle, mapping).missing,
        )
    except FixtureError as exc:
        raise ConfigError(f"cannot make benchmark candidates from the sandbox fixture: {exc}") from exc
    return synthetic.fixture, synthetic.workflow_ids, synthetic.ready_status


def _client(settings: Settings, base_url: str, retries: int | None = None) -> ICIMSClient:
    return icims_client(settings, base_url=base_url, max_retries=retries)


def run_benchmark(
    settings: Settings, *, drafts: int = 20, burst: int = 400, threads: int = 16, echo: Callable[[str], None] = print
) -> BenchResult:
    """Run both phases on a private copy of the sandbox and database; prints and returns the figures."""
    if not settings.sandbox_mode:
        raise ConfigError("the webhook benchmark runs against the local sandbox (icims.base_url = 'sandbox')")
    with tempfile.TemporaryDirectory(prefix="offer-bench-") as tmp:
        local = settings.model_copy(update={"data_dir": Path(tmp)})
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        fixture, ids, ready = bench_fixture(local, drafts)
        ready_form = re.sub(r"\D", "", ready)
        status_form = "numeric" if ready_form and local.tenant.is_offer_ready(ready_form) else "id"
        api = FastAPI()
        server = ServerThread(api).start()
        url = f"{server.base_url}{WEBHOOK_PATH}"
        sandbox = Sandbox(fixture, sandbox_options(local, event_url=url))
        sandbox.configure_events(status_form=status_form)
        running = serve_in_thread(sandbox)
        workers = Workers(
            engine,
            engine_setup(local),
            fetch_client=_client(local, running.base_url),
            delivery_client=_client(local, running.base_url, retries=0),
            worker_id="bench",
        )
        thread = WorkerThread(workers).start()
        api.include_router(router(local, engine, on_stored=thread.wake))
        try:
            latencies = _draft_latencies(engine, sandbox, ids, ready, echo)
            thread.stop()
            acknowledged, stored, elapsed = _burst(local, url, engine, burst, threads)
        finally:
            thread.stop()
            workers.close()
            running.stop()
            server.stop()
            engine.dispose()
    ordered = sorted(latencies)
    result = BenchResult(
        drafts=len(ordered),
        draft_p50_seconds=round(percentile(ordered, 50), 3),
        draft_p95_seconds=round(percentile(ordered, 95), 3),
        burst=burst,
        acknowledged=acknowledged,
        stored=stored,
        lost=burst - stored,
        accepted_per_second=round(burst / elapsed, 1),
    )
    echo(
        f"webhook → draft ready: p50 {result.draft_p50_seconds:.3f} s, p95 {result.draft_p95_seconds:.3f} s "
        f"over {result.drafts} drafts (target p95 < 2 s)"
    )
    echo(
        f"webhooks accepted: {result.accepted_per_second:.0f}/s ({result.acknowledged}/{burst} acknowledged, "
        f"{result.stored} stored, {result.lost} lost; target ≥ 200/s, none lost)"
    )
    return result


def _draft_latencies(
    engine: Any, sandbox: Sandbox, ids: list[int], ready: str, echo: Callable[[str], None]
) -> list[float]:
    latencies = []
    for workflow_id in ids:
        started = time.perf_counter()
        sandbox.move(workflow_id, ready)
        deadline = started + 30
        while time.perf_counter() < deadline:
            with session_scope(engine) as session:
                letter = session.exec(
                    select(Letter.id)
                    .join(Offer, col(Offer.id) == col(Letter.offer_id))
                    .where(Offer.workflow_id == workflow_id)
                ).first()
            if letter is not None:
                latencies.append(time.perf_counter() - started)
                break
            time.sleep(0.01)
        else:
            echo(f"workflow {workflow_id}: no draft within 30 s")
    if not latencies:
        raise RuntimeError("no draft was produced: check the sandbox fixture and tenant mapping")
    return latencies


def _signed(settings: Settings, url: str, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    return signed_delivery(payload, event_target(settings, url))


def _post_slice(url: str, requests: list[tuple[bytes, dict[str, str]]], threads: int) -> int:
    """POST the requests over `threads` connections (runs in a separate process: the client is not the server)."""
    with httpx.Client(timeout=30, limits=httpx.Limits(max_connections=threads)) as client:

        def post(request: tuple[bytes, dict[str, str]]) -> bool:
            return client.post(url, content=request[0], headers=request[1]).status_code == 200

        with ThreadPoolExecutor(max_workers=threads) as pool:
            return sum(pool.map(post, requests))


def _burst(settings: Settings, url: str, engine: Any, count: int, threads: int) -> tuple[int, int, float]:
    customer = str(settings.icims.customer_id)
    requests = [
        _signed(
            settings,
            url,
            {
                "customerId": customer,
                "eventType": STATUS_CHANGE_EVENT,
                "systemId": str(9_000_000 + n),
                "oldStatus": "1",
                "newStatus": "2",
            },
        )
        for n in range(count)
    ]
    with session_scope(engine) as session:
        before = session.exec(select(func.count()).select_from(WebhookEvent)).one()
    processes = max(1, min(4, threads // 4))
    slices = [requests[i::processes] for i in range(processes)]
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        list(pool.map(_post_slice, [url] * processes, [[]] * processes, [1] * processes))  # start the processes first
        started = time.perf_counter()
        acknowledged = sum(pool.map(_post_slice, [url] * processes, slices, [max(1, threads // processes)] * processes))
        elapsed = time.perf_counter() - started
    with session_scope(engine) as session:
        after = session.exec(select(func.count()).select_from(WebhookEvent)).one()
    return acknowledged, after - before, elapsed
