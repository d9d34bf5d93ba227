"""Delivers WorkFlowStatusChangeEvent notifications the way iCIMS does: gzip JSON POST, ``Link`` header,
Basic or HMAC authentication, a 30 s timeout, from a background thread (the status change does not wait)."""

from __future__ import annotations

import base64
import gzip
import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from icims.sandbox.options import EventTarget
from icims.webhooks import STATUS_CHANGE_EVENT, sign_hmac

log = logging.getLogger(__name__)
USER_AGENT = "Apache-HttpClient/4.5.13 (Java/11.0.20) icims-sandbox"


@dataclass(frozen=True)
class StatusChange:
    customer_id: int
    workflow_id: int
    job_id: int | None
    person_id: int | None
    user_id: int | None
    old_status: str | None
    new_status: str
    api_base: str


@dataclass
class Delivery:
    """One POST of one event: what was sent and how the receiver answered."""

    payload: dict[str, Any]
    url: str
    copy: int
    status_code: int | None = None
    error: str | None = None
    response_body: str | None = None
    at: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def event_payload(change: StatusChange, status_form: str) -> dict[str, Any]:
    """The JSON iCIMS sends: every id a string; statuses as numeric strings unless ``status_form == "id"``."""
    base = f"{change.api_base}/customers/{change.customer_id}"

    def status(value: str | None) -> str | None:
        if value is None or status_form == "id":
            return value
        return re.sub(r"\D", "", value) or value

    links = [
        {
            "rel": "applicantWorkflow",
            "title": "Applicant Workflow",
            "url": f"{base}/applicantworkflows/{change.workflow_id}",
        }
    ]
    if change.job_id is not None:
        links.append({"rel": "job", "title": "Job Profile", "url": f"{base}/jobs/{change.job_id}"})
    if change.person_id is not None:
        links.append({"rel": "person", "title": "Person Profile", "url": f"{base}/people/{change.person_id}"})
    if change.user_id is not None:
        links.append({"rel": "user", "title": "Posting User", "url": f"{base}/people/{change.user_id}"})
    payload: dict[str, Any] = {
        "customerId": str(change.customer_id),
        "eventType": STATUS_CHANGE_EVENT,
        "systemId": str(change.workflow_id),
        "jobId": _text(change.job_id),
        "personId": _text(change.person_id),
        "userId": _text(change.user_id),
        "oldStatus": status(change.old_status),
        "newStatus": status(change.new_status),
        "links": links,
    }
    return {k: v for k, v in payload.items() if v is not None}


def link_header(links: list[dict[str, str]]) -> str:
    """iCIMS's non-RFC form: ``url;rel="job";title="Job Profile",`` repeated, with a trailing comma."""
    return "".join(f'{lk["url"]};rel="{lk["rel"]}";title="{lk["title"]}",' for lk in links)


class EventEmitter:
    """A queue and one worker thread; ``wait_for(n)`` lets tests wait for deliveries without sleeping blindly."""

    def __init__(self, target: Callable[[], EventTarget]) -> None:
        self._target = target
        self._queue: queue.Queue[tuple[StatusChange, EventTarget] | None] = queue.Queue()
        self._done = threading.Condition()
        self.deliveries: list[Delivery] = []
        self._thread = threading.Thread(target=self._run, name="icims-sandbox-events", daemon=True)
        self._thread.start()

    def submit(self, change: StatusChange) -> bool:
        """Queue a notification if an event URL is configured; True if one was queued."""
        target = self._target()
        if not target.url:
            return False
        self._queue.put((change, target))
        return True

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        with self._done:
            while len(self.deliveries) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._done.wait(left)
            return list(self.deliveries)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            change, target = item
            payload = event_payload(change, target.status_form)
            for number in range(1, target.copies + 1):
                delivery = self._deliver(payload, target, number)
                with self._done:
                    self.deliveries.append(delivery)
                    self._done.notify_all()

    def _deliver(self, payload: dict[str, Any], target: EventTarget, number: int) -> Delivery:
        url = target.url or ""
        body, headers = signed_delivery(payload, target)
        headers.update({"User-Agent": USER_AGENT, "Connection": "close", "Link": link_header(payload["links"])})
        delivery = Delivery(payload=payload, url=url, copy=number)
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=target.timeout_seconds)
        except httpx.HTTPError as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
            log.warning("sandbox event to %s failed: %s", target.url, delivery.error)
            return delivery
        delivery.status_code = response.status_code
        delivery.response_body = response.text[:2000]
        return delivery


def signed_delivery(payload: dict[str, Any], target: EventTarget) -> tuple[bytes, dict[str, str]]:
    """The gzipped body and the headers of `payload` sent to `target.url`, authenticated as the target says."""
    body = gzip.compress(json.dumps(payload).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", **_auth_headers(target, body)}
    return body, headers


def _auth_headers(target: EventTarget, body: bytes) -> dict[str, str]:
    if target.auth == "basic" and target.username and target.password:
        pair = f"{target.username}:{target.password.get_secret_value()}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
    if target.auth == "hmac" and target.url and target.hmac_user and target.hmac_secret:
        signed = sign_hmac(
            method="POST",
            url=target.url,
            body=body,
            user=target.hmac_user,
            secret=target.hmac_secret.get_secret_value(),
        )
        return {k: v for k, v in signed.items() if k != "host"}
    return {}


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)
