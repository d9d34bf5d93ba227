"""Browser sessions we issued (candidate links, careers widget, staff sign-in), checked on every request.

Chainlit's session cookie is a JWT that Chainlit itself would accept until it expires; this table is what makes a
session end when we say so: at its absolute expiry (a candidate's link expiry, the widget token's, or the staff
limit), after an idle period (staff), or at logout. Every token we issue names its row (`sid`); a token whose row
is missing, revoked, idle or expired opens nothing, whatever its own `exp` says.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete
from sqlmodel import Field, Session, SQLModel, col

from offer_engine.columns import UTCDateTime, utcnow

TOUCH_EVERY = timedelta(seconds=30)  # idle time is tracked to this precision (fewer writes)
KEEP_ENDED = timedelta(days=1)


class SessionKind(StrEnum):
    CANDIDATE = "candidate"
    WIDGET = "widget"
    STAFF = "staff"


class WebSession(SQLModel, table=True):
    __tablename__ = "web_sessions"

    id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)
    subject: str = Field(max_length=200)  # Chainlit's user identifier the session belongs to
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    idle_seconds: int | None = None
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SessionCheck(BaseModel):
    """Whether a session may be used now; `reason` says why not."""

    model_config = ConfigDict(frozen=True)

    valid: bool
    reason: str = ""
    expires_at: datetime | None = None


def open_session(
    session: Session,
    *,
    kind: SessionKind,
    subject: str,
    expires_at: datetime,
    idle_seconds: int | None = None,
    now: datetime | None = None,
) -> WebSession:
    """A new session row (and a sweep of rows ended more than a day ago)."""
    moment = now or utcnow()
    session.execute(delete(WebSession).where(col(WebSession.expires_at) < moment - KEEP_ENDED))
    row = WebSession(
        id=secrets.token_urlsafe(24),
        kind=kind.value,
        subject=subject[:200],
        created_at=moment,
        last_seen_at=moment,
        expires_at=expires_at,
        idle_seconds=idle_seconds,
    )
    session.add(row)
    session.flush()
    return row


def check_session(session: Session, sid: str, subject: str, *, now: datetime | None = None) -> SessionCheck:
    """Valid when the row exists for `subject`, is not revoked, expired or idle; a valid use is recorded."""
    moment = now or utcnow()
    row = session.get(WebSession, sid, populate_existing=True) if sid else None
    refusal = _refusal(row, subject, moment)
    if refusal or row is None:
        return SessionCheck(valid=False, reason=refusal or "unknown session")
    if moment - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = moment
        session.add(row)
    return SessionCheck(valid=True, expires_at=row.expires_at)


def _refusal(row: WebSession | None, subject: str, moment: datetime) -> str:
    if row is None or row.subject != subject[:200]:
        return "unknown session"
    if row.revoked_at is not None:
        return "signed out"
    if row.expires_at <= moment:
        return "expired"
    if row.idle_seconds is not None and moment - row.last_seen_at > timedelta(seconds=row.idle_seconds):
        return "idle too long"
    return ""


def revoke_session(session: Session, sid: str, *, now: datetime | None = None) -> bool:
    """End a session now (logout); False when there was nothing to end."""
    row = session.get(WebSession, sid, populate_existing=True) if sid else None
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now or utcnow()
    session.add(row)
    return True
