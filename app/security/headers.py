"""Security headers on every response we serve: a Content-Security-Policy that allows scripts, images and
connections only from our own origin (no remote images, so candidate-written Markdown cannot make a recruiter's
browser fetch anything), `frame-ancestors 'none'` everywhere except /careers (the configured widget origins).

Inline scripts are allowed by their SHA-256 only: the middleware hashes each inline ``<script>`` of an HTML
response (Chainlit's index page has two, our careers page one), so nothing injected later can run. Scripts may call
``eval`` ('unsafe-eval'): Chainlit's UI compiles our custom elements (``public/elements``) in the browser; the code it
compiles comes from our own origin, and no remote or injected script runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_MAX_HTML = 2 * 1024 * 1024
FRAMEABLE_PATHS = frozenset({"/careers"})
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def script_hashes(html: bytes) -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def content_security_policy(settings: Settings, path: str, hashes: Iterable[str] = ()) -> str:
    origins = sorted(settings.trusted_origins)
    sockets = " ".join(o.replace("http", "ws", 1) for o in origins)
    ancestors = " ".join(sorted(settings.security.allowed_origins)) or "'none'"
    directives = [
        "default-src 'self'",
        # 'unsafe-eval': Chainlit compiles custom elements (public/elements/*.jsx, served by us) in the browser
        " ".join(["script-src 'self' 'unsafe-eval'", *hashes]),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' blob:",
        f"connect-src 'self' {sockets}",
        "worker-src 'self' blob:",
        "frame-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {ancestors if path in FRAMEABLE_PATHS else chr(39) + 'none' + chr(39)}",
    ]
    return "; ".join(directives)


class SecurityHeaders:
    """ASGI middleware adding the CSP and friends to every HTTP response (HTML bodies are read to hash scripts)."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        path = str(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                if _is_html(message) and not _is_compressed(message):
                    held.append(message)
                    return
                await send(self._decorate(message, path, []))
                return
            if held and message["type"] == "http.response.body":
                held.append(message)
                if not message.get("more_body", False) or _held_size(held) > _MAX_HTML:
                    await self._flush(send, held, path)
                    held.clear()
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)
        if held:
            await self._flush(send, held, path)

    async def _flush(self, send: Send, held: list[Message], path: str) -> None:
        body = b"".join(m.get("body", b"") for m in held[1:])
        await send(self._decorate(held[0], path, script_hashes(body)))
        for message in held[1:]:
            await send(message)

    def _decorate(self, start: Message, path: str, hashes: list[str]) -> Message:
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _OURS]
        values = {**BASE_HEADERS, "content-security-policy": content_security_policy(self.settings(), path, hashes)}
        headers.extend((name.encode(), value.encode()) for name, value in values.items())
        return {**start, "headers": headers}


_OURS = frozenset(name.encode() for name in (*BASE_HEADERS, "content-security-policy"))


def _header(message: Message, name: bytes) -> bytes:
    for key, value in message.get("headers", []):
        if bytes(key).lower() == name:
            return bytes(value)
    return b""


def _is_html(message: Message) -> bool:
    return _header(message, b"content-type").lower().startswith(b"text/html")


def _is_compressed(message: Message) -> bool:
    return bool(_header(message, b"content-encoding"))


def _held_size(held: list[Message]) -> int:
    return sum(len(m.get("body", b"")) for m in held[1:])
