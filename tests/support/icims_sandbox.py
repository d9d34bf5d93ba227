"""The iCIMS sandbox for tests: a real HTTP server on a free loopback port, with a client wired to it.

    from tests.support.icims_sandbox import DEMO_FIXTURE, running_sandbox

    with running_sandbox(DEMO_FIXTURE) as icims:          # or a fixture dict built by the test
        client = icims.client()                           # ICIMSClient, OAuth, valid credentials
        icims.set_faults(fail_next=2)                     # next two calls answer 503
        icims.stop_listening(); icims.listen_again()      # an outage: connections refused, state kept
        client.set_workflow_status(3401, "C20002")
        assert [w.kind for w in icims.writes()] == ["status"]

``running_sandbox(fixture, **options)`` takes any :class:`icims.sandbox.SandboxOptions` field (``daily_quota``,
``required_fields``, ``hidden_fields``, ``denied``, ``token_expires_in``, ``events``, ``faults``…) plus
``clock=`` / ``now=`` to drive token expiry and the quota day. Credentials are random per run. Clients made by
``icims.client()`` do not really sleep between retries: every back-off wait is appended to ``icims.sleeps``.

``running_event_receiver()`` is a real HTTP endpoint that records what is POSTed to it (for the sandbox's
status-change notifications).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from icims.client import ICIMSClient
from icims.config import ICIMSConnection
from icims.sandbox import RunningSandbox, Sandbox, SandboxOptions, ServerThread, serve_in_thread
from icims.sandbox.core import RequestRecord, WriteRecord
from icims.sandbox.emitter import Delivery
from icims.sandbox.options import EventTarget, Faults
from icims.sandbox.store import PatchResult

DEMO_FIXTURE = Path(__file__).resolve().parents[2] / "demo" / "icims-fixture.json"


class RecordingSleep:
    """A ``sleep`` that records the wait instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class SandboxHandle:
    """A running sandbox: its URL, credentials, clients, fault injection, and logs."""

    def __init__(
        self,
        sandbox: Sandbox,
        base_url: str,
        credentials: dict[str, str],
        stack: ExitStack,
        server: RunningSandbox | None = None,
    ) -> None:
        self.sandbox = sandbox
        self._server = server
        self.base_url = base_url
        self.customer_id = sandbox.customer_id
        self.client_id = credentials["client_id"]
        self.client_secret = credentials["client_secret"]
        self.username = credentials["username"]
        self.password = credentials["password"]
        self.sleeps = RecordingSleep()
        self._stack = stack

    def connection(self, *, auth: str = "oauth", **overrides: Any) -> ICIMSConnection:
        """An ICIMSConnection for this sandbox; short timeouts and back-off unless overridden."""
        values: dict[str, Any] = {
            "base_url": "sandbox",
            "customer_id": self.customer_id,
            "auth": auth,
            "client_id": self.client_id,
            "username": self.username,
            "timeout_seconds": 5.0,
            "max_retries": 4,
            "backoff_base_seconds": 0.05,
            "backoff_max_seconds": 30.0,
        }
        values.update(overrides)
        return ICIMSConnection.model_validate(values)

    def client(
        self,
        *,
        auth: str = "oauth",
        secret: str | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        **connection_overrides: Any,
    ) -> ICIMSClient:
        """An ICIMSClient with valid credentials (``secret=`` to try others); closed when the sandbox stops."""
        if secret is None:
            secret = self.client_secret if auth == "oauth" else self.password
        extra: dict[str, Any] = {"clock": clock} if clock is not None else {}
        client = ICIMSClient(
            self.connection(auth=auth, **connection_overrides),
            base_url=self.base_url,
            secret=secret,
            sleep=sleep or self.sleeps,
            **extra,
        )
        self._stack.callback(client.close)
        return client

    def authorization(self) -> str:
        """A valid ``Authorization`` header value (a fresh Bearer token), for raw HTTP calls."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "audience": "https://api.icims.com/v1/",
        }
        response = httpx.post(f"{self.base_url}/oauth/token", data=form, timeout=10)
        response.raise_for_status()
        return f"Bearer {response.json()['access_token']}"

    # -- the sandbox's controls, forwarded -------------------------------------------------------------

    def stop_listening(self) -> None:
        """iCIMS goes away: its port refuses connections; the tenant's data and logs are kept."""
        assert self._server is not None
        self._server.stop_listening()

    def listen_again(self) -> None:
        """iCIMS is back, on the same URL, with the same data."""
        assert self._server is not None
        self._server.listen_again()

    def set_faults(self, **changes: Any) -> Faults:
        return self.sandbox.set_faults(**changes)

    def clear_faults(self) -> Faults:
        return self.sandbox.clear_faults()

    def set_quota(self, limit: int | None = None, used: int | None = None) -> Any:
        return self.sandbox.set_quota(limit, used)

    def revoke_tokens(self) -> None:
        self.sandbox.revoke_tokens()

    def configure_events(self, **changes: Any) -> EventTarget:
        return self.sandbox.configure_events(**changes)

    def move(self, workflow_id: int, status_id: str, *, user_id: int | None = None) -> PatchResult:
        return self.sandbox.move(workflow_id, status_id, user_id=user_id)

    def profile(self, profile_type: str, profile_id: int) -> dict[str, Any]:
        return self.sandbox.profile(profile_type, profile_id)

    def edit(self, profile_type: str, profile_id: int, values: dict[str, Any]) -> PatchResult:
        return self.sandbox.edit(profile_type, profile_id, values)

    def restrict_fields(self, **rules: dict[str, list[str]]) -> Any:
        return self.sandbox.restrict_fields(**rules)

    def writes(self, source: str | None = "api") -> list[WriteRecord]:
        return self.sandbox.writes(source)

    def requests(self, path_contains: str | None = None, method: str | None = None) -> list[RequestRecord]:
        return [
            r
            for r in self.sandbox.requests()
            if (path_contains is None or path_contains in r.path) and (method is None or r.method == method)
        ]

    def wait_for_deliveries(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        return self.sandbox.wait_for_deliveries(count, timeout)


@contextmanager
def running_sandbox(
    fixture: Path | dict[str, Any] = DEMO_FIXTURE,
    *,
    clock: Callable[[], float] | None = None,
    now: Callable[[], datetime] | None = None,
    **options: Any,
) -> Iterator[SandboxHandle]:
    """Serve ``fixture`` (a file or a dict) on a free port for the duration of the block."""
    credentials = {
        "client_id": f"test-client-{secrets.token_hex(4)}",
        "client_secret": secrets.token_urlsafe(24),
        "username": f"integration-{secrets.token_hex(4)}",
        "password": secrets.token_urlsafe(24),
    }
    sandbox_options = SandboxOptions.model_validate(
        {
            "client_id": credentials["client_id"],
            "client_secret": SecretStr(credentials["client_secret"]),
            "username": credentials["username"],
            "password": SecretStr(credentials["password"]),
            **options,
        }
    )
    kwargs: dict[str, Any] = {}
    if clock is not None:
        kwargs["clock"] = clock
    if now is not None:
        kwargs["now"] = now
    sandbox = Sandbox(fixture, sandbox_options, **kwargs)
    with ExitStack() as stack:
        running = serve_in_thread(sandbox)
        stack.callback(running.stop)
        yield SandboxHandle(sandbox, running.base_url, credentials, stack, running)


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class EventReceiver:
    """What a receiver got; ``status_code`` is what it answers (change it to simulate failures)."""

    base_url: str = ""
    status_code: int = 200
    received: list[ReceivedRequest] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"{self.base_url}/icims/events"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedRequest]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    async def _endpoint(self, request: Request) -> Response:
        item = ReceivedRequest(
            request.method,
            request.url.path,
            request.url.query,
            {k.lower(): v for k, v in request.headers.items()},
            await request.body(),
        )
        with self._arrived:
            self.received.append(item)
            self._arrived.notify_all()
        return JSONResponse({"received": len(self.received)}, status_code=self.status_code)


@contextmanager
def running_event_receiver() -> Iterator[EventReceiver]:
    """A real HTTP endpoint (``receiver.url``) that records every request to it."""
    receiver = EventReceiver()
    app = Starlette(routes=[Route("/icims/events", receiver._endpoint, methods=["POST"])])
    with ServerThread(app) as server:
        receiver.base_url = server.base_url
        yield receiver
