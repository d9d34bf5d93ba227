"""The staff e-mail's link to one offer, `{public_url}/?offer=N`: review mode opens that offer.

The link's request is answered with a redirect to `/` and a short-lived cookie naming the offer, because the offer
must survive the sign-in: Chainlit's sign-in page always returns to `/`, dropping the query. The review mode's
first screen reads the cookie from the chat connection's request (`requested_offer`) and opens that offer once;
a fresh chat in the same browser shows the queue again. The cookie only asks: the service checks that the signed-in
user may see the offer, exactly as for any offer they open, and a candidate's chat ignores it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.security.cookies import secure

OFFER_PARAM = "offer"
COOKIE = "review_open"
COOKIE_MAX_AGE_SECONDS = 15 * 60  # long enough to sign in, also through an OAuth provider
_NO_OFFER = "none"  # the link's `offer` was not an offer number: review mode says so


class LinkedOffer(BaseModel):
    """What a followed link asked for: `offer_id` None when its `offer` parameter was not an offer number."""

    offer_id: int | None
    nonce: str


def offer_number(text: str) -> int | None:
    """An offer id typed by staff or carried by a link: ASCII digits that fit the database's BIGINT, else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def cookie_value(requested: str) -> str:
    number = offer_number(requested)
    return f"{number if number is not None else _NO_OFFER}.{secrets.token_urlsafe(12)}"


def parse_cookie_header(header: str | None) -> LinkedOffer | None:
    """The linked offer a request's Cookie header carries, or None when it carries none (or a mangled one)."""
    if not header:
        return None
    try:
        jar = SimpleCookie(header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    if morsel is None:
        return None
    offer, _, nonce = morsel.value.partition(".")
    if not nonce or not nonce.replace("-", "").replace("_", "").isalnum():
        return None
    if offer == _NO_OFFER:
        return LinkedOffer(offer_id=None, nonce=nonce)
    number = offer_number(offer)
    return LinkedOffer(offer_id=number, nonce=nonce) if number is not None else None


class _Taken:
    """Nonces already opened in this process, forgotten once their cookie has expired anyway."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}

    def first_time(self, nonce: str, now: float) -> bool:
        with self._lock:
            self._until = {n: t for n, t in self._until.items() if t > now}
            if nonce in self._until:
                return False
            self._until[nonce] = now + COOKIE_MAX_AGE_SECONDS
            return True


_taken = _Taken()


def requested_offer(environ: Mapping[str, Any] | None, now: float | None = None) -> LinkedOffer | None:
    """The offer a followed link asked this chat to open, the first time a chat of this process asks."""
    linked = parse_cookie_header((environ or {}).get("HTTP_COOKIE"))
    if linked is None or not _taken.first_time(linked.nonce, time.time() if now is None else now):
        return None
    return linked


class DeepLinkMiddleware:
    """Answers `GET /?offer=…` with the cookie and a redirect to `/`; every other request passes through."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings]) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        requested = _requested(scope)
        if requested is None:
            await self.app(scope, receive, send)
            return
        home = f"{scope.get('root_path', '')}/"
        response = RedirectResponse(home, status_code=303, headers={"Cache-Control": "no-store"})
        response.set_cookie(
            COOKIE,
            cookie_value(requested),
            max_age=COOKIE_MAX_AGE_SECONDS,
            path="/",
            httponly=True,
            secure=secure(self.settings()),
            samesite="lax",  # set and sent on the top-level navigation from a mail client
        )
        await response(scope, receive, send)


def _requested(scope: Scope) -> str | None:
    if scope["type"] != "http" or scope.get("method") != "GET":
        return None
    if scope.get("path") not in ("/", f"{scope.get('root_path', '')}/"):
        return None
    values = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True).get(OFFER_PARAM)
    return values[0].strip() if values else None


def install_deep_link(app: Any, settings: Callable[[], Settings]) -> None:
    """Add the middleware once (tests build the app several times), inside the origin and session guards."""
    if not any(getattr(m, "cls", None) is DeepLinkMiddleware for m in app.user_middleware):
        app.user_middleware.append(Middleware(DeepLinkMiddleware, settings=settings))
