"""Origin allow-list for the chat socket and every state-changing request (cross-site WebSocket hijacking, login
CSRF): allowed are public_url's origin and `security.allowed_origins`. A request without an Origin header comes
from no browser page (iCIMS, curl) and is let through; browsers always send one on WebSockets and POSTs."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SOCKET_PATH = "/ws/socket.io"


def origins(scope: Scope) -> list[str]:
    """Every Origin the request names (a browser sends one; more, or a list, is a forgery to refuse)."""
    found: list[str] = []
    for key, value in scope.get("headers") or []:
        if bytes(key).lower() == b"origin":
            found.extend(part.strip().lower() for part in bytes(value).decode("latin-1").split(","))
    return found


def refused_origin(scope: Scope, settings: Settings) -> str | None:
    """The foreign Origin a WebSocket or state-changing request comes from, or None when it may proceed."""
    socket = str(scope.get("path", "")).startswith(SOCKET_PATH)  # every Socket.IO request, polling GETs included
    if scope["type"] == "http" and scope.get("method", "GET") in SAFE_METHODS and not socket:
        return None
    if scope["type"] not in ("http", "websocket"):
        return None
    named = origins(scope)
    foreign = [origin for origin in named if origin not in settings.trusted_origins]
    if foreign or len(named) > 1:
        return ", ".join(foreign or named)
    return None


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
