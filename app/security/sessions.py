"""Chainlit session tokens we mint, each naming a row of `offer_engine.web_sessions`, and their checks.

Chainlit would accept any token signed with its secret until the token's `exp`. Ours also carry the id of the
session row (`metadata.session`): a token opens something only while that row is valid (not signed out, not past
its absolute expiry, not idle too long). `authorised` is what the guards call on every request and socket event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt
import jwt.types
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.engine import Engine

from app.config import Settings
from offer_engine import web_sessions
from offer_engine.db import session_scope
from offer_engine.web_sessions import SessionCheck, SessionKind

SESSION_KEY = "session"
ALGORITHM = "HS256"


class SessionToken(BaseModel):
    """What a session token we minted carries (Chainlit's user, plus our session id)."""

    model_config = ConfigDict(frozen=True)

    identifier: str
    sid: str
    exp: int


class SessionTokenError(ValueError):
    """Not a token we minted, or its signature or expiry is wrong."""


def with_session(metadata: dict[str, Any], sid: str) -> dict[str, Any]:
    return {**metadata, SESSION_KEY: sid}


def mint(settings: Settings, *, identifier: str, display_name: str | None, metadata: dict[str, Any], exp: int) -> str:
    """A Chainlit JWT for a session opened with `open_for`, expiring at `exp` (seconds since the epoch)."""
    now = int(datetime.now(UTC).timestamp())
    claims = {"identifier": identifier, "display_name": display_name, "metadata": metadata, "iat": now, "exp": exp}
    return jwt.encode(claims, settings.secret("security.chainlit_auth_secret"), algorithm=ALGORITHM)


def read(settings: Settings, token: str, *, verify_exp: bool = True) -> SessionToken:
    """The verified contents of a session token; SessionTokenError otherwise."""
    if not token or len(token) > 16384:
        raise SessionTokenError("empty or oversized token")
    options: jwt.types.Options = {"require": ["exp"], "verify_exp": verify_exp}
    try:
        raw = jwt.decode(
            token, settings.secret("security.chainlit_auth_secret"), algorithms=[ALGORITHM], options=options
        )
        metadata = raw.get("metadata")
        sid = metadata.get(SESSION_KEY) if isinstance(metadata, dict) else None
        return SessionToken(identifier=raw.get("identifier"), sid=sid, exp=raw["exp"])
    except (jwt.InvalidTokenError, ValidationError, TypeError) as exc:
        raise SessionTokenError(f"{type(exc).__name__}: {exc}") from exc


def open_for(
    db: Engine, *, kind: SessionKind, subject: str, expires_at: datetime, idle_seconds: int | None = None
) -> str:
    """A new session row; returns its id."""
    with session_scope(db) as session:
        row = web_sessions.open_session(
            session, kind=kind, subject=subject, expires_at=expires_at, idle_seconds=idle_seconds
        )
        return row.id


def authorised(settings: Settings, db: Engine, token: str) -> SessionCheck:
    """Whether `token` may be used now: ours, signed, unexpired, and its session row still valid."""
    try:
        claims = read(settings, token)
    except SessionTokenError as exc:
        return SessionCheck(valid=False, reason=str(exc))
    with session_scope(db) as session:
        return web_sessions.check_session(session, claims.sid, claims.identifier)


def sign_out(settings: Settings, db: Engine, token: str) -> bool:
    """Revoke the session a (possibly expired) token names; False when it names none."""
    try:
        claims = read(settings, token, verify_exp=False)
    except SessionTokenError:
        return False
    with session_scope(db) as session:
        return web_sessions.revoke_session(session, claims.sid)
