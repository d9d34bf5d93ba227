"""Webhook intake on PostgreSQL whose connections are terminated under it (a failover, a restart): the route
retries once on a fresh connection, so iCIMS gets 200 and the event is stored, instead of a 500 that only the
sender's own re-send would have saved. Real HTTP (uvicorn), real PostgreSQL, real `pg_terminate_backend`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text
from sqlmodel import func, select

from app.config import Settings
from app.webhooks import WEBHOOK_PATH, router
from icims.sandbox import ServerThread
from icims.webhooks import STATUS_CHANGE_EVENT
from offer_engine.db import session_scope
from offer_engine.webhook_events import WebhookEvent
from tests.reliability.fleet import signed_request
from tests.reliability.support import PostgresSchema, admin, postgres_schema, terminate_backends

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]


@pytest.fixture
def pg() -> Iterator[PostgresSchema]:
    with postgres_schema() as schema:
        yield schema


def _payload(settings: Settings, workflow_id: int) -> dict[str, Any]:
    return {
        "customerId": str(settings.icims.customer_id),
        "eventType": STATUS_CHANGE_EVENT,
        "systemId": str(workflow_id),
        "oldStatus": "20010",
        "newStatus": "20001",
    }


def _stored(pg: PostgresSchema) -> int:
    with session_scope(pg.engine) as session:
        return int(session.exec(select(func.count()).select_from(WebhookEvent)).one())


def test_a_connection_dropped_in_the_middle_of_storing_costs_a_retry_not_a_500(
    pg: PostgresSchema, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    dropped: list[int] = []

    @event.listens_for(pg.engine, "before_cursor_execute")
    def drop_once(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not dropped and statement.lstrip().upper().startswith("INSERT INTO WEBHOOK_EVENTS"):
            pid = conn.connection.dbapi_connection.info.backend_pid
            with admin() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})  # type: ignore[attr-defined]
            dropped.append(pid)

    app = FastAPI()
    app.include_router(router(settings, pg.engine))
    with ServerThread(app) as server, caplog.at_level(logging.WARNING, logger="app.webhooks"):
        url = f"{server.base_url}{WEBHOOK_PATH}"
        body, headers = signed_request(settings, url, _payload(settings, 3402))
        answer = httpx.post(url, content=body, headers=headers, timeout=30)
    assert dropped, "the connection was never dropped: the test proves nothing"
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "accepted"
    assert _stored(pg) == 1
    assert any("retrying once on a fresh one" in r.getMessage() for r in caplog.records)


def test_a_burst_of_webhooks_while_connections_are_terminated_again_and_again_is_all_stored(
    pg: PostgresSchema, settings: Settings
) -> None:
    app = FastAPI()
    app.include_router(router(settings, pg.engine))
    stop, terminated = threading.Event(), []

    def chaos() -> None:
        while not stop.wait(0.25):
            terminated.append(terminate_backends(pg.application_name))

    with ServerThread(app) as server:
        url = f"{server.base_url}{WEBHOOK_PATH}"
        requests = [signed_request(settings, url, _payload(settings, 8_000_000 + n)) for n in range(120)]
        thread = threading.Thread(target=chaos, daemon=True)
        thread.start()
        try:
            with (
                httpx.Client(timeout=30, limits=httpx.Limits(max_connections=4)) as client,
                ThreadPoolExecutor(max_workers=4) as pool,
            ):

                def post(request: tuple[bytes, dict[str, str]]) -> int:
                    time.sleep(0.01)  # spread the burst over several terminations
                    return client.post(url, content=request[0], headers=request[1]).status_code

                statuses = list(pool.map(post, requests))
        finally:
            stop.set()
            thread.join(10)
    assert sum(terminated) > 0, "no connection was terminated: the test proves nothing"
    assert statuses == [200] * 120
    assert _stored(pg) == 120
