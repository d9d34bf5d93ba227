"""ASGI middleware: a request or socket handshake whose session token we did not issue, or whose session ended
(signed out, expired, idle), reaches Chainlit without it, so Chainlit treats it as signed out; a browser holding
such a cookie is told to drop it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import anyio.to_thread
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.security import sessions
from app.security.cookies import cookie_name, token_from_cookies

# Chainlit's static files need no session: not worth a database read each.
_UNGUARDED_PREFIXES = ("/assets/", "/copilot/", "/public/", "/favicon", "/logo", "/health", "/ready")


@dataclass(frozen=True)
class Credentials:
    cookie_token: str | None
    bearer_token: str | None
    cookie_names: tuple[str, ...]


def credentials(scope: Scope) -> Credentials:
    prefix = cookie_name()
    pairs: list[tuple[str, str]] = []
    bearer = None
    for key, value in scope.get("headers") or []:
        name = bytes(key).lower()
        if name == b"cookie":
            pairs.extend(_cookie_pairs(bytes(value).decode("latin-1")))
        elif name == b"authorization":
            scheme, _, token = bytes(value).decode("latin-1").strip().partition(" ")
            bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else bearer
    ours = tuple(k for k, _ in pairs if k == prefix or k.startswith(f"{prefix}_"))
    return Credentials(cookie_token=token_from_cookies(dict(pairs)), bearer_token=bearer, cookie_names=ours)


def _cookie_pairs(header: str) -> list[tuple[str, str]]:
    result = []
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            result.append((name.strip(), value.strip()))
    return result


def without_credentials(scope: Scope, *, cookie: bool, bearer: bool) -> Scope:
    """A copy of `scope` with our session cookie and/or the bearer token removed."""
    prefix = cookie_name()
    headers = []
    for key, value in scope.get("headers") or []:
        name = bytes(key).lower()
        if bearer and name == b"authorization":
            continue
        if cookie and name == b"cookie":
            kept = [
                f"{k}={v}"
                for k, v in _cookie_pairs(bytes(value).decode("latin-1"))
                if not (k == prefix or k.startswith(f"{prefix}_"))
            ]
            if not kept:
                continue
            value = "; ".join(kept).encode("latin-1")
        headers.append((key, value))
    return {**scope, "headers": headers}


class SessionGuard:
    """Checks the session token of every request and socket handshake against `offer_engine.web_sessions`."""

    def __init__(self, app: ASGIApp, runtime: Callable[[], tuple[Settings, Engine]]) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or str(scope.get("path", "")).startswith(_UNGUARDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        found = credentials(scope)
        drop_cookie = found.cookie_token is not None and not await self._valid(found.cookie_token)
        drop_bearer = found.bearer_token is not None and not await self._valid(found.bearer_token)
        if not (drop_cookie or drop_bearer):
            await self.app(scope, receive, send)
            return
        scope = without_credentials(scope, cookie=drop_cookie, bearer=drop_bearer)
        if drop_cookie and scope["type"] == "http":
            send = _expiring(send, found.cookie_names)
        await self.app(scope, receive, send)

    async def _valid(self, token: str) -> bool:
        settings, db = self.runtime()
        check = await anyio.to_thread.run_sync(sessions.authorised, settings, db, token)
        return check.valid


def _expiring(send: Send, names: tuple[str, ...]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            setting = {
                bytes(v).split(b"=", 1)[0].decode("latin-1") for k, v in headers if bytes(k).lower() == b"set-cookie"
            }
            extra = [
                (b"set-cookie", f"{name}=; Max-Age=0; Path=/; HttpOnly".encode())
                for name in names
                if name not in setting  # a new session cookie (sign-in with a new link) is kept, not undone
            ]
            message = {**message, "headers": [*headers, *extra]}
        await send(message)

    return wrapped
