"""`/health` and `/ready` against real dependencies: SQLite/PostgreSQL, Qdrant local mode, the iCIMS sandbox."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from app import wiring
from app.config import Settings, VectorStoreSettings
from app.health import (
    Probe,
    ReadinessChecks,
    health_router,
    icims_probe,
    icims_probe_for,
    install_front,
    vector_store_probe,
)
from icims.client import ICIMSClient
from icims.sandbox import RunningSandbox, Sandbox, SandboxOptions, serve_in_thread
from offer_engine.db import make_engine
from retrieval import RetrievalConfig, close_client
from tests.support.icims_sandbox import DEMO_FIXTURE, SandboxHandle, running_sandbox

CLIENT_ID = "health-check"


async def _get(checks: ReadinessChecks, path: str = "/ready") -> httpx.Response:
    app = FastAPI()
    app.include_router(health_router(checks))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
        return await client.get(path)


@pytest.fixture
def vector_store(tmp_path: Path) -> Iterator[RetrievalConfig]:
    config = RetrievalConfig(benefits_dir=tmp_path, qdrant_path=tmp_path / "store")  # the store "the process" holds
    yield config
    close_client(config)


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


def _icims_client(icims: SandboxHandle) -> ICIMSClient:
    return icims.client(max_retries=0, timeout_seconds=2.0)


async def test_health_always_answers() -> None:
    response = await _get(ReadinessChecks([]), "/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


async def test_ready_when_every_dependency_answers(
    engine: Engine, vector_store: RetrievalConfig, icims: SandboxHandle
) -> None:
    checks = ReadinessChecks.of(
        database=engine, vector_store=vector_store_probe(vector_store), icims=icims_probe(_icims_client(icims))
    )
    response = await _get(checks)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "vector_store", "icims"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert check["latency_ms"] >= 0
        assert check["error"] is None
    assert icims.requests(path_contains=f"/customers/{icims.customer_id}", method="GET"), "iCIMS was really asked"


async def test_an_unreachable_database_is_not_ready(tmp_path: Path) -> None:
    dead = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/test", connect_args={"connect_timeout": 2})
    try:
        response = await _get(ReadinessChecks.of(database=dead))
    finally:
        dead.dispose()
    assert response.status_code == 503
    check = response.json()["checks"]["database"]
    assert check["status"] == "failed"
    assert check["error"] == "OperationalError"


async def test_an_unusable_store_folder_and_a_missing_server_are_not_ready(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    local = RetrievalConfig(benefits_dir=tmp_path, qdrant_path=not_a_folder)
    server = RetrievalConfig(benefits_dir=tmp_path, qdrant_url="http://127.0.0.1:1")
    checks = ReadinessChecks(
        [Probe("local", vector_store_probe(local)), Probe("server", vector_store_probe(server), timeout_seconds=1)]
    )
    response = await _get(checks)
    assert response.status_code == 503
    assert {name: c["status"] for name, c in response.json()["checks"].items()} == {
        "local": "failed",
        "server": "failed",
    }


async def test_icims_stopped_then_started_again(settings: Settings) -> None:
    secret = "health-" + "s3cr3t-value-for-the-probe"
    options = SandboxOptions(client_id=CLIENT_ID, client_secret=SecretStr(secret))
    first = serve_in_thread(Sandbox(DEMO_FIXTURE, options))
    configured = _sandbox_settings(settings, first, secret)
    checks = ReadinessChecks.of(icims=icims_probe_for(configured, timeout_seconds=2.0), icims_cache_seconds=0)
    try:
        assert (await _get(checks)).status_code == 200
    finally:
        first.stop()
    down = await _get(checks)
    assert down.status_code == 503
    assert down.json()["checks"]["icims"]["status"] == "failed"
    again = serve_in_thread(Sandbox(DEMO_FIXTURE, options), port=first.port)
    try:
        back = await _get(checks)
        assert back.status_code == 200, back.json()
        assert back.json()["status"] == "ready"
    finally:
        again.stop()


async def test_wrong_icims_credentials_are_not_ready(icims: SandboxHandle) -> None:
    client = icims.client(max_retries=0, secret="not-the-secret-at-all")
    response = await _get(ReadinessChecks.of(icims=icims_probe(client), icims_cache_seconds=0))
    assert response.status_code == 503
    assert response.json()["checks"]["icims"]["error"] == "AuthError"


async def test_a_passing_icims_probe_is_reused_within_its_cache_time(icims: SandboxHandle) -> None:
    checks = ReadinessChecks.of(icims=icims_probe(_icims_client(icims)), icims_cache_seconds=300)
    first, second = (await _get(checks)).json(), (await _get(checks)).json()
    assert first["checks"]["icims"]["cached"] is False
    assert second["checks"]["icims"]["cached"] is True
    assert len(icims.requests(path_contains=f"/customers/{icims.customer_id}", method="GET")) == 1


async def test_a_failing_icims_probe_is_not_cached(icims: SandboxHandle) -> None:
    checks = ReadinessChecks.of(icims=icims_probe(_icims_client(icims)), icims_cache_seconds=300)
    icims.set_faults(outage=True)
    assert (await _get(checks)).status_code == 503
    icims.clear_faults()
    assert (await _get(checks)).status_code == 200


async def test_a_hanging_probe_times_out_and_is_not_started_twice() -> None:
    release = threading.Event()
    calls: list[float] = []

    def hangs() -> None:
        calls.append(time.monotonic())
        release.wait(10)

    checks = ReadinessChecks([Probe("slow", hangs, timeout_seconds=0.2)])
    try:
        first = (await _get(checks)).json()["checks"]["slow"]
        second = (await _get(checks)).json()["checks"]["slow"]
    finally:
        release.set()
    assert first["status"] == "failed"
    assert first["error"] == "timed out after 0.2 s"
    assert second["error"] == "still running"
    assert len(calls) == 1
    for _ in range(100):  # the hung call returns: the probe may run again
        if not checks._states["slow"].running.is_set():
            break
        time.sleep(0.02)
    ok = (await _get(checks)).json()["checks"]["slow"]
    assert ok["status"] == "ok"
    assert len(calls) == 2


async def test_an_optional_probe_failing_is_degraded_not_unready(engine: Engine) -> None:
    def boom() -> None:
        raise ConnectionError("nope")

    checks = ReadinessChecks([Probe("database", lambda: None), Probe("icims", boom, required=False)])
    response = await _get(checks)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"


async def test_error_details_stay_in_the_log_not_in_the_answer(caplog: pytest.LogCaptureFixture) -> None:
    def leaks() -> None:
        raise ConnectionError("cannot reach db-primary.internal:5432 with password hunter2hunter2")

    response = await _get(ReadinessChecks([Probe("database", leaks)]))
    assert "hunter2" not in response.text
    assert "db-primary" not in response.text
    assert response.json()["checks"]["database"]["error"] == "ConnectionError"
    assert "db-primary.internal" in caplog.text


def test_probe_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        ReadinessChecks([Probe("a", lambda: None), Probe("a", lambda: None)])


async def test_routes_go_in_front_of_a_catch_all() -> None:
    app = FastAPI()

    @app.get("/{full_path:path}")
    async def spa(full_path: str) -> dict[str, Any]:
        return {"spa": full_path}

    install_front(app, health_router(ReadinessChecks([])))
    install_front(app, health_router(ReadinessChecks([])))  # idempotent
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert (await client.get("/ready")).json() == {"status": "ready", "checks": {}}
        assert (await client.get("/other")).json() == {"spa": "other"}
    assert sum(1 for r in app.router.routes if getattr(r, "path", "") == "/health") == 1


def _sandbox_settings(settings: Settings, running: RunningSandbox, secret: str) -> Settings:
    icims = settings.icims.model_copy(
        update={"client_id": CLIENT_ID, "client_secret": SecretStr(secret), "customer_id": running.sandbox.customer_id}
    )
    sandbox = settings.sandbox.model_copy(update={"host": running.host, "port": running.port})
    return settings.model_copy(update={"icims": icims, "sandbox": sandbox})


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


async def test_a_configured_server_url_that_does_not_answer_reports_the_vector_store_down(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:

    url = _closed_port_url()
    config = wiring.retrieval_config(settings.model_copy(update={"vector_store": VectorStoreSettings(url=url)}))
    try:
        response = await _get(ReadinessChecks.of(vector_store=vector_store_probe(config)))
    finally:
        close_client(config)
    assert response.status_code == 503
    check = response.json()["checks"]["vector_store"]
    assert check["status"] == "failed"
    assert check["error"] == "VectorStoreUnavailableError"
    assert url in caplog.text  # the URL and the error go to the log, not to the answer


async def test_the_embedded_edge_store_is_ready(settings: Settings) -> None:

    config = wiring.retrieval_config(settings)
    assert config.engine == "edge"
    try:
        response = await _get(ReadinessChecks.of(vector_store=vector_store_probe(config)))
    finally:
        close_client(config)
    assert response.status_code == 200
    assert response.json()["checks"]["vector_store"]["status"] == "ok"
