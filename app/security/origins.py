"""Origin allow-list for the chat socket and every state-changing request (cross-site WebSocket hijacking, login
CSRF): allowed are public_url's origin and `security.allowed_origins`. A request without an Origin header comes
from no browser page (iCIMS, curl) and is let through; browsers always send one on WebSockets and POSTs."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if bytes(key).lower() == name:
            return bytes(value).decode("latin-1")
    return None


def refused_origin(scope: Scope, settings: Settings) -> str | None:
    """The foreign Origin a WebSocket or state-changing request comes from, or None when it may proceed."""
    if scope["type"] == "http" and scope.get("method", "GET") in SAFE_METHODS:
        return None
    if scope["type"] not in ("http", "websocket"):
        return None
    origin = header(scope, b"origin")
    if origin is None:
        return None
    return None if origin.strip().lower() in settings.trusted_origins else origin


class OriginGuard:
    """ASGI middleware: 403 for a WebSocket or state-changing request from an origin not on the allow-list."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = refused_origin(scope, self.settings()) if scope["type"] in ("http", "websocket") else None
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "origin not allowed"})
            return
        body = b'{"detail":"requests from this origin are not allowed"}'
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


def apply_socket_origins(settings: Settings) -> None:
    """Socket.IO's own check as a second line (Chainlit creates its server with the check turned off)."""
    from chainlit.server import sio

    sio.eio.cors_allowed_origins = sorted(settings.trusted_origins)
