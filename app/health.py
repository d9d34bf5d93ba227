"""`/health` (the process answers) and `/ready` (its dependencies answer): database, vector store, iCIMS, and
whether incoming iCIMS events ended without a draft (degraded, with their count: `offer-assistant events`).

    checks = ReadinessChecks.of(
        database=engine,
        vector_store=vector_store_probe(retrieval_config),  # the vector store this process already holds
        icims=icims_probe_for(settings),                     # a cheap GET of the customer root, short time-out
    )
    app.include_router(health_router(checks))

`/ready` runs every probe at once in worker threads, each with its own time-out, and answers 200 when every
required probe passed, 503 otherwise, with each probe's status and latency. Error details go to the log only
(the answer names the exception type): a readiness endpoint must not tell the world about internal hosts.
A probe still hanging from an earlier call is not started again. iCIMS counts every request against the
tenant's daily quota, so a passing iCIMS probe is reused for `cache_seconds` (a load balancer polls often).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.config import Settings
from icims.client import ICIMSClient
from offer_engine.db import session_scope
from offer_engine.webhook_events import count_dead
from retrieval import store
from retrieval.config import RetrievalConfig

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 3.0
ICIMS_CACHE_SECONDS = 30.0
_NO_CACHE = {"Cache-Control": "no-store"}


class CheckResult(BaseModel):
    status: Literal["ok", "failed"]
    required: bool
    latency_ms: float
    error: str | None = None
    cached: bool = False
    count: int | None = None  # how many items the check found wrong (e.g. events that ended without a draft)


class CheckFailed(Exception):  # noqa: N818 - a probe's verdict, not a crash
    """Raised by a probe that ran fine but found something wrong: its message and count are shown in `/ready`."""

    def __init__(self, message: str, count: int | None = None) -> None:
        super().__init__(message)
        self.count = count


class Readiness(BaseModel):
    status: Literal["ready", "degraded", "not_ready"]
    checks: dict[str, CheckResult]


@dataclass(frozen=True)
class Probe:
    """One dependency: `run` returns when it answers and raises when it does not."""

    name: str
    run: Callable[[], object]
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    cache_seconds: float = 0.0
    required: bool = True


@dataclass
class _State:
    running: threading.Event = field(default_factory=threading.Event)
    last_ok: tuple[float, CheckResult] | None = None


class ReadinessChecks:
    """The probes `/ready` runs, and what it remembers between calls."""

    def __init__(self, probes: list[Probe]) -> None:
        names = [p.name for p in probes]
        if len(set(names)) != len(names):
            raise ValueError(f"probe names must be unique: {names}")
        self.probes = probes
        self._states = {p.name: _State() for p in probes}

    @classmethod
    def of(
        cls,
        *,
        database: Engine | None = None,
        vector_store: Callable[[], object] | None = None,
        icims: Callable[[], object] | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        icims_cache_seconds: float = ICIMS_CACHE_SECONDS,
        icims_required: bool = True,
        events: Engine | None = None,
    ) -> ReadinessChecks:
        probes = []
        if database is not None:
            probes.append(Probe("database", database_probe(database), timeout_seconds))
        if vector_store is not None:
            probes.append(Probe("vector_store", vector_store, timeout_seconds))
        if icims is not None:
            probes.append(Probe("icims", icims, timeout_seconds, icims_cache_seconds, icims_required))
        if events is not None:
            probes.append(Probe("webhook_events", dead_events_probe(events), timeout_seconds, required=False))
        return cls(probes)

    async def run(self) -> Readiness:
        results = await asyncio.gather(*(self._check(p) for p in self.probes))
        checks = {p.name: r for p, r in zip(self.probes, results, strict=True)}
        failed = [r for r in checks.values() if r.status == "failed"]
        if any(r.required for r in failed):
            status: Literal["ready", "degraded", "not_ready"] = "not_ready"
        else:
            status = "degraded" if failed else "ready"
        return Readiness(status=status, checks=checks)

    async def _check(self, probe: Probe) -> CheckResult:
        state = self._states[probe.name]
        if state.last_ok is not None and time.monotonic() - state.last_ok[0] < probe.cache_seconds:
            return state.last_ok[1].model_copy(update={"cached": True})
        if state.running.is_set():
            return CheckResult(status="failed", required=probe.required, latency_ms=0.0, error="still running")
        state.running.set()
        started = time.perf_counter()
        try:
            await asyncio.wait_for(asyncio.to_thread(_run_and_clear, probe.run, state.running), probe.timeout_seconds)
        except TimeoutError:
            log.warning("readiness: %s did not answer within %.1f s", probe.name, probe.timeout_seconds)
            return _failed(probe, started, f"timed out after {probe.timeout_seconds:g} s")
        except CheckFailed as exc:
            return _failed(probe, started, str(exc)).model_copy(update={"count": exc.count})
        except Exception as exc:
            log.warning("readiness: %s failed: %s: %s", probe.name, type(exc).__name__, exc)
            return _failed(probe, started, type(exc).__name__)
        result = CheckResult(status="ok", required=probe.required, latency_ms=_ms_since(started))
        state.last_ok = (time.monotonic(), result)
        return result


def _run_and_clear(run: Callable[[], object], running: threading.Event) -> None:
    try:
        run()
    finally:
        running.clear()


def _failed(probe: Probe, started: float, error: str) -> CheckResult:
    return CheckResult(status="failed", required=probe.required, latency_ms=_ms_since(started), error=error)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


# -- probes -----------------------------------------------------------------------------------------------------


def database_probe(engine: Engine) -> Callable[[], None]:
    def probe() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()

    return probe


def dead_events_probe(engine: Engine) -> Callable[[], None]:
    """Fails (degraded, with the count) while any incoming iCIMS event has ended without a draft."""

    def probe() -> None:
        with session_scope(engine) as session:
            dead = count_dead(session)
        if dead:
            raise CheckFailed(f"{dead} iCIMS event(s) ended without a draft: offer-assistant events list", dead)

    return probe


def vector_store_probe(config: RetrievalConfig) -> Callable[[], None]:
    """The configured vector store through the backend this process holds (Edge folder, local folder, or server):
    a server URL that does not answer fails it (`VectorStoreUnavailableError` names the URL in the log)."""

    def probe() -> None:
        store.client_for(config).backend.ping()

    return probe


def icims_probe(client: ICIMSClient) -> Callable[[], None]:
    """A GET of the customer root through `client` (build it with ``max_retries=0`` and a short time-out)."""

    def probe() -> None:
        client.get_customer()

    return probe


def icims_probe_for(settings: Settings, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> Callable[[], None]:
    """A dedicated client for the configured tenant (or sandbox): no retries, a short time-out."""
    from app.wiring import icims_client

    return icims_probe(icims_client(settings, max_retries=0, timeout_seconds=timeout_seconds))


# -- routes -----------------------------------------------------------------------------------------------------


def health_router(checks: ReadinessChecks) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers=_NO_CACHE)

    @router.get("/ready")
    async def ready() -> JSONResponse:
        readiness = await checks.run()
        code = 503 if readiness.status == "not_ready" else 200
        return JSONResponse(readiness.model_dump(mode="json"), status_code=code, headers=_NO_CACHE)

    return router


def install_front(app: Any, router: APIRouter) -> None:
    """Add `router`'s routes to an app whose GET catch-all (Chainlit's) would otherwise answer them first."""
    names = {(getattr(r, "path", None), tuple(sorted(getattr(r, "methods", None) or ()))) for r in router.routes}
    app.router.routes[:] = [
        r
        for r in app.router.routes
        if (getattr(r, "path", None), tuple(sorted(getattr(r, "methods", None) or ()))) not in names
    ]
    app.router.routes[0:0] = list(router.routes)
