"""`POST /webhooks/icims`: iCIMS event notifications, verified, stored and acknowledged fast.

Order matters: the raw bytes are verified (Basic or HMAC, per ``icims.webhook``) before anything is read or
stored; a bad signature gets 401, an unreadable body 400, both with iCIMS's vendor error body and nothing
stored. A valid event is stored as a WebhookEvent under its duplicate key (a redelivery is counted on the
original and changes nothing else) and answered 200 at once; the worker (`app.workers`) does the iCIMS calls.
A redelivery of an event that ended without a draft starts it again ("restarted"). A database connection that
drops under the request (a failover, a terminated backend) costs one retry on a fresh connection, not a 500.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from app.config import ConfigError, Settings
from icims.config import WebhookAuth
from icims.models import ICIMSEvent
from icims.webhooks import (
    MAX_BODY_BYTES,
    MalformedWebhookError,
    WebhookError,
    decode_body,
    duplicate_key,
    parse_event,
    verify_request,
)
from offer_engine import webhook_events
from offer_engine.actors import system_actor
from offer_engine.db import session_scope

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/icims"
_ACTOR = system_actor("icims-webhook")
MAX_NESTING = 32  # a real event is three levels deep; far deeper JSON overflows the stack on its way to storage
# NUL cannot be stored in a PostgreSQL text column, and an unpaired surrogate cannot be encoded as UTF-8 at all
_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


class Receipt(BaseModel):
    """What the route answers for a stored (or recognised duplicate) event."""

    status: str  # "accepted" | "duplicate" | "restarted" (a redelivery of an event that had ended without a draft)
    eventId: int  # noqa: N815 - iCIMS-style JSON
    duplicate: bool


def webhook_secret(settings: Settings) -> str:
    """The Basic password or HMAC key the notifications are checked with (generated once in sandbox mode)."""
    hook = settings.icims.webhook
    if hook.mode == "basic" and not hook.username:
        raise ConfigError("icims.webhook.username must be set for Basic webhook authentication")
    if hook.mode == "hmac" and not hook.hmac_user:
        raise ConfigError("icims.webhook.hmac_user must be set for HMAC webhook authentication")
    return settings.secret("icims.webhook.hmac_secret" if hook.mode == "hmac" else "icims.webhook.password")


def router(
    settings: Settings,
    engine: Engine,
    *,
    on_stored: Callable[[int], None] | None = None,
    path: str = WEBHOOK_PATH,
) -> APIRouter:
    """The webhook route; `on_stored(event_id)` is called after a new event is committed (e.g. to wake a worker)."""
    hook = settings.icims.webhook
    secret = webhook_secret(settings)  # fail at start-up, not on the first notification
    customer_id = settings.icims.customer_id
    api = APIRouter()

    max_bytes = settings.security.webhook_max_body_bytes

    @api.post(path, response_model=Receipt)
    async def receive_icims_event(request: Request) -> JSONResponse:
        try:
            body = await read_capped(request, max_bytes)
        except BodyTooLargeError as exc:
            return JSONResponse(MalformedWebhookError(str(exc)).error_body(), status_code=413)
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            event, payload = read_notification(hook, secret, customer_id, request, headers, body)
        except WebhookError as exc:
            return JSONResponse(exc.error_body(), status_code=exc.status_code)
        receipt = await run_in_threadpool(store, engine, event, payload, headers)
        if on_stored is not None and not receipt.duplicate:
            on_stored(receipt.eventId)
        return JSONResponse(receipt.model_dump(), status_code=200)

    return api


class BodyTooLargeError(Exception):
    """The body is larger than `security.webhook_max_body_bytes` (it was not read whole)."""


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The body, refused (BodyTooLargeError) as soon as its declared or received size passes `max_bytes`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLargeError(f"a body of {declared} bytes exceeds the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes:
            raise BodyTooLargeError(f"the body exceeds the {max_bytes}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def read_notification(
    hook: WebhookAuth,
    secret: str,
    customer_id: int,
    request: Request,
    headers: Mapping[str, str],
    body: bytes,
) -> tuple[ICIMSEvent, dict[str, Any]]:
    """Verify, then parse; WebhookAuthError (401) or MalformedWebhookError (400)."""
    verify_request(
        hook,
        secret=secret,
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        headers=headers,
        body=body,
    )
    if len(body) > MAX_BODY_BYTES:
        raise MalformedWebhookError(f"body of {len(body)} bytes exceeds the {MAX_BODY_BYTES}-byte limit")
    event = parse_event(body, headers)
    if event.customer_id != customer_id:
        raise MalformedWebhookError(f"customerId {event.customer_id} is not this tenant ({customer_id})")
    payload = json.loads(decode_body(body, headers))
    require_storable(payload)
    if "links" not in payload and event.links:
        payload["links"] = [link.model_dump(exclude_none=True) for link in event.links]
    return event, payload


def require_storable(payload: dict[str, Any]) -> None:
    """MalformedWebhookError (400) for JSON that would fail on its way to the database: nested deeper than
    `MAX_NESTING`, or any key or text holding NUL or an unpaired surrogate (iCIMS never sends either)."""
    pending: list[tuple[object, int]] = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_NESTING:
            raise MalformedWebhookError(f"the notification is nested deeper than {MAX_NESTING} levels")
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and _UNSTORABLE_TEXT.search(value):
            raise MalformedWebhookError("the notification holds a NUL or an unpaired surrogate character")


def store(engine: Engine, event: ICIMSEvent, payload: dict[str, Any], headers: Mapping[str, str]) -> Receipt:
    """Store the event; a dropped database connection is retried once on a fresh one (the pool discards the
    dead connections), and the duplicate key makes the retry safe if the first commit did land."""
    try:
        return _store_once(engine, event, payload, headers)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.warning("the database connection dropped while storing a webhook; retrying once on a fresh one")
    return _store_once(engine, event, payload, headers)


def _store_once(engine: Engine, event: ICIMSEvent, payload: dict[str, Any], headers: Mapping[str, str]) -> Receipt:
    with session_scope(engine) as session:
        stored = webhook_events.store_event(
            session, payload, headers=dict(headers), dedup_key=duplicate_key(event), actor=_ACTOR
        )
        event_id = stored.event.id or 0
    status = "duplicate" if stored.duplicate else "restarted" if stored.restarted else "accepted"
    return Receipt(status=status, eventId=event_id, duplicate=stored.duplicate)
