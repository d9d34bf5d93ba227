"""Reading event notifications: gzip bodies, string ids, ``links[]`` and iCIMS's odd ``Link`` header."""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from icims.models import ICIMSEvent, Link, WorkflowStatusChangeEvent
from icims.webhooks.errors import MalformedWebhookError

STATUS_CHANGE_EVENT = "WorkFlowStatusChangeEvent"
MAX_BODY_BYTES = 1_048_576  # decompressed; a real event is well under 4 KiB
_LINK_PARAM = re.compile(r'\s*([A-Za-z]+)\s*=\s*"?([^";]*)"?\s*')


def lower_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}


def decode_body(body: bytes, headers: Mapping[str, str] | None = None, *, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """The JSON bytes of a delivery: gunzipped when ``Content-Encoding: gzip`` or the gzip magic says so."""
    if len(body) > max_bytes:
        raise MalformedWebhookError(f"body of {len(body)} bytes exceeds the {max_bytes}-byte limit")
    encoding = lower_headers(headers).get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip"):
        raise MalformedWebhookError(f"unsupported Content-Encoding {encoding!r}; iCIMS sends gzip")
    if encoding in ("gzip", "x-gzip") or body[:2] == b"\x1f\x8b":
        return _gunzip(body, max_bytes)
    return body


def parse_event(
    body: bytes, headers: Mapping[str, str] | None = None, *, max_bytes: int = MAX_BODY_BYTES
) -> ICIMSEvent:
    """Any event; a ``WorkFlowStatusChangeEvent`` comes back as :class:`WorkflowStatusChangeEvent`."""
    payload = _json_object(decode_body(body, headers, max_bytes=max_bytes))
    if "links" not in payload:
        link_header = lower_headers(headers).get("link")
        if link_header:
            payload["links"] = [link.model_dump(exclude_none=True) for link in parse_link_header(link_header)]
    event_type = payload.get("eventType")
    model: type[ICIMSEvent] = ICIMSEvent
    if isinstance(event_type, str) and event_type.strip().lower() == STATUS_CHANGE_EVENT.lower():
        model = WorkflowStatusChangeEvent
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise MalformedWebhookError(_describe(exc)) from None


def parse_status_change(
    body: bytes, headers: Mapping[str, str] | None = None, *, max_bytes: int = MAX_BODY_BYTES
) -> WorkflowStatusChangeEvent:
    """A ``WorkFlowStatusChangeEvent``; any other event type is malformed here."""
    event = parse_event(body, headers, max_bytes=max_bytes)
    if not isinstance(event, WorkflowStatusChangeEvent):
        raise MalformedWebhookError(f"expected eventType {STATUS_CHANGE_EVENT!r}, got {event.event_type!r}")
    return event


def parse_link_header(value: str) -> list[Link]:
    """``url;rel="job";title="Job Profile",url2;rel=...,`` (no angle brackets, trailing comma); RFC 8288 too."""
    links: list[Link] = []
    for piece in re.split(r",(?=\s*<?[A-Za-z][A-Za-z0-9+.-]*://)|,\s*$", value):
        piece = piece.strip()
        if piece.startswith("<") and ">" in piece:
            url, _, rest = piece[1:].partition(">")
        else:
            url, _, rest = piece.partition(";")
        fields: dict[str, str] = {"url": url.strip()}
        for param in rest.split(";"):
            match = _LINK_PARAM.fullmatch(param)
            if match and match.group(1).lower() in ("rel", "title"):
                fields[match.group(1).lower()] = match.group(2)
        if fields["url"]:
            links.append(Link.model_validate(fields))
    return links


def duplicate_key(event: ICIMSEvent) -> str:
    """A stable key for "the same notification delivered again".

    A status change is the same when customer, event type, workflow and the old → new status transition are
    the same. ``userId`` is left out (two users pressing the same transition is one business action) and the
    payload carries no event id or timestamp, so a genuine later re-entry of the same transition has the same
    key: consumers decide (e.g. by the offer's state) whether that is a redelivery. Other event types are the
    same when customer, type, system id, user and every other payload value match.
    """
    parts = [str(event.customer_id), event.event_type.strip().lower(), str(event.system_id)]
    if isinstance(event, WorkflowStatusChangeEvent):
        parts += [event.old_status or "", event.new_status]
    else:
        extras: dict[str, Any] = dict(event.model_extra or {})
        parts += [str(event.user_id or ""), json.dumps(extras, sort_keys=True, default=str)]
    return hashlib.sha256("\x1f".join(["v1", *parts]).encode()).hexdigest()


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise MalformedWebhookError(f"body is not valid gzip: {exc}") from None
    if len(data) > max_bytes:
        raise MalformedWebhookError(f"decompressed body exceeds the {max_bytes}-byte limit")
    if not inflater.eof:
        raise MalformedWebhookError("gzip body is truncated")
    if inflater.unused_data:
        raise MalformedWebhookError("unexpected bytes after the gzip stream")
    return data


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedWebhookError(f"body is not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise MalformedWebhookError(f"body is not JSON: {str(exc)[:200]}") from None
    if not isinstance(payload, dict):
        raise MalformedWebhookError(f"body must be a JSON object, got {type(payload).__name__}")
    return payload


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "body"
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)
