"""POST /webhooks/icims: verified before anything is stored, vendor error bodies, duplicates counted once."""

from __future__ import annotations

import base64
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import Settings
from app.sandbox_settings import event_target
from app.webhooks import WEBHOOK_PATH, router, webhook_secret
from icims.errors import NotFound
from icims.sandbox import ServerThread
from icims.sandbox.emitter import signed_delivery
from icims.webhooks import sign_hmac
from offer_engine import webhook_events
from offer_engine.actors import system_actor
from offer_engine.audit import AuditEvent
from offer_engine.db import session_scope
from offer_engine.webhook_events import EventRetry, EventState, WebhookEvent

URL = f"http://testserver{WEBHOOK_PATH}"


def event_payload(settings: Settings, workflow_id: int = 3402, **changes: Any) -> dict[str, Any]:
    payload = {
        "customerId": str(settings.icims.customer_id),
        "eventType": "WorkFlowStatusChangeEvent",
        "systemId": str(workflow_id),
        "jobId": "2302",
        "personId": "1202",
        "userId": "1401",
        "oldStatus": "20010",
        "newStatus": "20001",
    }
    payload.update(changes)
    return payload


def signed(
    settings: Settings, body: bytes, *, secret: str | None = None, when: datetime | None = None
) -> dict[str, str]:
    headers = sign_hmac(
        method="POST",
        url=URL,
        body=body,
        user=settings.icims.webhook.hmac_user or "",
        secret=secret or webhook_secret(settings),
        now=when,
    )
    headers.pop("host")
    return {**headers, "content-encoding": "gzip"}


def gz(payload: object) -> bytes:
    return gzip.compress(json.dumps(payload).encode())


@pytest.fixture
def stored_ids() -> list[int]:
    return []


@pytest.fixture
def client(settings: Settings, engine: Engine, stored_ids: list[int]) -> TestClient:
    app = FastAPI()
    app.include_router(router(settings, engine, on_stored=stored_ids.append))
    return TestClient(app)


def counts(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        events = session.exec(select(func.count()).select_from(WebhookEvent)).one()
        audits = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return events, audits


def test_a_signed_gzip_notification_is_stored_and_acknowledged(
    client: TestClient, settings: Settings, engine: Engine, stored_ids: list[int]
) -> None:
    body = gz(event_payload(settings))
    response = client.post(WEBHOOK_PATH, content=body, headers=signed(settings, body))
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    with session_scope(engine) as session:
        event = session.exec(select(WebhookEvent)).one()
        assert event.state == "received"
        assert event.system_id == "3402"
        assert event.payload["newStatus"] == "20001"
        assert event.headers["content-encoding"] == "gzip"
    assert stored_ids == [response.json()["eventId"]]


def test_a_redelivery_or_replay_is_recognised_and_nothing_is_done_twice(
    client: TestClient, settings: Settings, engine: Engine, stored_ids: list[int]
) -> None:
    body = gz(event_payload(settings))
    first = client.post(WEBHOOK_PATH, content=body, headers=signed(settings, body)).json()
    again = client.post(WEBHOOK_PATH, content=body, headers=signed(settings, body))
    later = datetime.now(UTC) + timedelta(seconds=30)
    replay_body = gz({**event_payload(settings), "userId": "1402"})  # another user pressing the same transition
    replay = client.post(WEBHOOK_PATH, content=replay_body, headers=signed(settings, replay_body, when=later))
    assert again.status_code == replay.status_code == 200
    assert again.json() == {"status": "duplicate", "eventId": first["eventId"], "duplicate": True}
    assert replay.json()["eventId"] == first["eventId"]
    events, audits = counts(engine)
    assert (events, audits) == (1, 1)
    with session_scope(engine) as session:
        assert session.exec(select(WebhookEvent)).one().duplicates == 2
    assert stored_ids == [first["eventId"]]


@pytest.mark.parametrize("tamper", ["wrong_secret", "no_auth", "body_changed", "stale_date", "basic_instead"])
def test_bad_authentication_gets_401_with_the_vendor_body_and_stores_nothing(
    client: TestClient, settings: Settings, engine: Engine, tamper: str
) -> None:
    body = gz(event_payload(settings))
    headers = signed(settings, body)
    if tamper == "wrong_secret":
        headers = signed(settings, body, secret="another-secret-of-enough-length")
    elif tamper == "no_auth":
        headers.pop("authorization")
    elif tamper == "body_changed":
        body = gz(event_payload(settings, workflow_id=3403))
    elif tamper == "stale_date":
        headers = signed(settings, body, when=datetime.now(UTC) - timedelta(hours=2))
    else:
        headers["authorization"] = "Basic " + base64.b64encode(b"icims-events:guess").decode()
    response = client.post(WEBHOOK_PATH, content=body, headers=headers)
    assert response.status_code == 401
    error = response.json()["error"]
    assert set(error) == {"userMessage", "debugErrorMessage"}
    assert counts(engine) == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        b"\x1f\x8b\x08not really gzip",
        gzip.compress(b"{not json"),
        gzip.compress(b"[1, 2]"),
        gz({"customerId": "6120", "eventType": "WorkFlowStatusChangeEvent"}),
        gz({"customerId": "6120", "eventType": "WorkFlowStatusChangeEvent", "systemId": "34x1", "newStatus": "1"}),
        gz({"customerId": "9999", "eventType": "WorkFlowStatusChangeEvent", "systemId": "3401", "newStatus": "1"}),
    ],
    ids=["bad-gzip", "not-json", "not-object", "missing-fields", "bad-id", "other-customer"],
)
def test_a_malformed_body_gets_400_with_the_vendor_body_and_stores_nothing(
    client: TestClient, settings: Settings, engine: Engine, body: bytes
) -> None:
    response = client.post(WEBHOOK_PATH, content=body, headers=signed(settings, body))
    assert response.status_code == 400
    assert response.json()["error"]["userMessage"] == "The Offer Assistant could not read this notification."
    assert response.json()["error"]["debugErrorMessage"]
    assert counts(engine) == (0, 0)


def test_basic_authentication_mode(settings: Settings, engine: Engine) -> None:
    password = "a-long-webhook-password-9"
    hook = settings.icims.webhook.model_copy(
        update={"mode": "basic", "username": "icims", "password": SecretStr(password)}
    )
    basic = settings.model_copy(update={"icims": settings.icims.model_copy(update={"webhook": hook})})
    app = FastAPI()
    app.include_router(router(basic, engine))
    client = TestClient(app)
    body = gz(event_payload(basic))
    good = {
        "Authorization": "Basic " + base64.b64encode(f"icims:{password}".encode()).decode(),
        "Content-Encoding": "gzip",
    }
    bad = {"Authorization": "Basic " + base64.b64encode(b"icims:nope").decode(), "Content-Encoding": "gzip"}
    assert client.post(WEBHOOK_PATH, content=body, headers=bad).status_code == 401
    assert counts(engine) == (0, 0)
    assert client.post(WEBHOOK_PATH, content=body, headers=good).status_code == 200
    assert counts(engine)[0] == 1


def test_a_redelivery_of_an_event_that_ended_without_a_draft_starts_it_again_over_http(
    settings: Settings, engine: Engine, stored_ids: list[int]
) -> None:
    app = FastAPI()
    app.include_router(router(settings, engine, on_stored=stored_ids.append))
    with ServerThread(app) as server:
        url = f"{server.base_url}{WEBHOOK_PATH}"

        def deliver() -> httpx.Response:  # signed for this server's URL, freshly each time, as iCIMS does
            body, headers = signed_delivery(event_payload(settings), event_target(settings, url))
            return httpx.post(url, content=body, headers=headers, timeout=10)

        first = deliver().json()
        with session_scope(engine) as session:  # the worker found workflow 3402 gone from iCIMS: dead
            event = webhook_events.get_event(session, first["eventId"])
            webhook_events.set_state(session, event, EventState.PROCESSING, actor=system_actor("test"))
            webhook_events.record_failure(
                session, event, NotFound("no such workflow", status=404), retry=EventRetry(), actor=system_actor("t")
            )
        again, third = deliver(), deliver()
    assert again.json() == {"status": "restarted", "eventId": first["eventId"], "duplicate": False}
    assert third.json()["status"] == "duplicate"  # received again, waiting for a worker: a plain duplicate now
    assert stored_ids == [first["eventId"], first["eventId"]]  # the restart wakes the worker too
    with session_scope(engine) as session:
        event = webhook_events.get_event(session, first["eventId"])
        assert (event.state, event.duplicates) == ("received", 1)


# -- issue 14: signatures compared whole, bodies capped before they are read whole ----------------------------------


def _with_signature(headers: dict[str, str], change: Callable[[str], str]) -> dict[str, str]:
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    fields["signature"] = change(fields["signature"])
    return {**headers, "authorization": scheme + " " + ", ".join(f"{k}={v}" for k, v in fields.items())}


@pytest.mark.parametrize(
    "change",
    [lambda s: s[:1], lambda s: s[: len(s) // 2], lambda s: s[:-1], lambda s: s + "0", lambda s: s + s, lambda s: ""],
    ids=["one-character", "half", "one-short", "one-extra", "doubled", "empty"],
)
def test_a_truncated_or_extended_hmac_signature_is_refused(
    client: TestClient, settings: Settings, engine: Engine, change: Callable[[str], str]
) -> None:
    body = gz(event_payload(settings))
    genuine = signed(settings, body)
    response = client.post(WEBHOOK_PATH, content=body, headers=_with_signature(genuine, change))
    assert response.status_code == 401
    assert counts(engine) == (0, 0)
    assert client.post(WEBHOOK_PATH, content=body, headers=genuine).status_code == 200


def _capped(settings: Settings, limit: int) -> Settings:
    return settings.model_copy(
        update={"security": settings.security.model_copy(update={"webhook_max_body_bytes": limit})}
    )


def test_a_body_declared_larger_than_the_cap_gets_413_unread(settings: Settings, engine: Engine) -> None:
    app = FastAPI()
    app.include_router(router(_capped(settings, 2048), engine))
    body = gz(event_payload(settings)) + b"\0" * 4096
    response = TestClient(app).post(WEBHOOK_PATH, content=body, headers=signed(settings, body))
    assert response.status_code == 413
    assert set(response.json()["error"]) == {"userMessage", "debugErrorMessage"}
    assert counts(engine) == (0, 0)


def test_a_streamed_body_without_a_length_is_cut_off_at_the_cap_on_a_real_server(
    settings: Settings, engine: Engine
) -> None:
    app = FastAPI()
    app.include_router(router(_capped(settings, 64 * 1024), engine))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    consumed: list[int] = []

    async def counting(scope: Any, receive: Any, send: Any) -> None:  # what the route takes from the socket
        async def counted() -> Any:
            message = await receive()
            consumed.append(len(message.get("body", b"")))
            return message

        await app(scope, counted, send)

    server = uvicorn.Server(uvicorn.Config(counting, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def large() -> Iterator[bytes]:  # chunked: no Content-Length to refuse it by
        for _ in range(160):  # 10 MiB
            yield b"x" * 65536

    try:
        while not server.started:
            time.sleep(0.05)
        response = httpx.post(f"http://127.0.0.1:{port}{WEBHOOK_PATH}", content=large(), timeout=30)
        assert response.status_code == 413
        assert sum(consumed) <= 2 * 64 * 1024 + 65536  # stopped reading just past the cap
        assert counts(engine) == (0, 0)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
