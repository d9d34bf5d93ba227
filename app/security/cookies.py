"""Chainlit's session cookie, set and cleared with our lifetimes and `Secure` whenever public_url is https."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from starlette.responses import Response

from app.config import Settings


def cookie_name() -> str:
    from chainlit.auth import cookie

    return str(cookie._auth_cookie_name)


def _samesite() -> str:
    from chainlit.auth import cookie

    return str(cookie._cookie_samesite)


def apply_cookie_policy(settings: Settings) -> None:
    """Make Chainlit's own cookies (OAuth state, its sign-in routes) `Secure` when the public URL is https."""
    from chainlit.auth import cookie

    cookie._cookie_secure = settings.secure_cookies or _samesite() == "none"


def secure(settings: Settings) -> bool:
    return settings.secure_cookies or _samesite() == "none"


def set_session_cookie(settings: Settings, response: Response, token: str, expires_at: float) -> None:
    """The cookie lives exactly as long as the session it carries (never longer than what we issued)."""
    response.set_cookie(
        cookie_name(),
        token,
        max_age=max(0, int(expires_at - time.time())),
        path="/",
        httponly=True,
        secure=secure(settings),
        samesite=_samesite(),  # type: ignore[arg-type]
    )


def clear_session_cookies(settings: Settings, response: Response, present: Iterable[str]) -> None:
    prefix = cookie_name()
    for name in present:
        if name.startswith(prefix):
            response.delete_cookie(name, path="/", secure=secure(settings), samesite=_samesite())  # type: ignore[arg-type]


def token_from_cookies(cookies: Mapping[str, str]) -> str | None:
    from chainlit.auth import get_token_from_cookies

    token = get_token_from_cookies(dict(cookies))
    return str(token) if token else None
