"""Staff sign-in for Chainlit: password (argon2, `offer_engine.staff`) and any OAuth/OIDC provider by e-mail.

Importing this module registers `@cl.password_auth_callback` and, when at least one OAuth provider is configured
through Chainlit's ``OAUTH_*`` environment variables, `@cl.oauth_callback` (see docs/staff-auth.md). A signed-in
staff user becomes ``cl.User(identifier="staff:<username>", metadata={"kind": "staff", "roles": [...],
"user_id": ...})``. The metadata is only a hint for the UI: every action reloads the user from the database
(`staff_of`), so a deactivated user or a changed role takes effect at once.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import chainlit as cl
from chainlit.oauth_providers import get_configured_oauth_providers
from sqlmodel import Session

from app.config import Settings
from app.review.runtime import ReviewRuntime, current
from app.security import sessions
from offer_engine import staff
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.errors import PermissionDeniedError
from offer_engine.staff import StaffUser
from offer_engine.web_sessions import SessionKind

STAFF_KIND = "staff"
IDENTIFIER_PREFIX = "staff:"


class NotStaffError(PermissionDeniedError):
    """The session is not a signed-in, active staff user (e.g. a candidate's session)."""


def chainlit_user(user: StaffUser, sid: str | None = None) -> cl.User:
    metadata: dict[str, Any] = {"kind": STAFF_KIND, "roles": sorted(user.roles), "user_id": user.id}
    return cl.User(
        identifier=f"{IDENTIFIER_PREFIX}{user.username}",
        display_name=user.display_name,
        metadata=sessions.with_session(metadata, sid) if sid else metadata,
    )


def staff_session_expiry(settings: Settings, now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(hours=settings.security.staff_session_hours)


def open_staff_session(runtime: ReviewRuntime, user: StaffUser) -> cl.User:
    """A staff session row with the idle and absolute limits, and the Chainlit user naming it."""
    security = runtime.settings.security
    sid = sessions.open_for(
        runtime.engine,
        kind=SessionKind.STAFF,
        subject=f"{IDENTIFIER_PREFIX}{user.username}",
        expires_at=staff_session_expiry(runtime.settings),
        idle_seconds=security.staff_idle_minutes * 60,
    )
    return chainlit_user(user, sid)


def is_staff_session(user: Any) -> bool:
    """Whether the Chainlit user claims to be staff (the UI's dispatch; actions still call `staff_of`)."""
    metadata = getattr(user, "metadata", None) or {}
    identifier = str(getattr(user, "identifier", ""))
    return metadata.get("kind") == STAFF_KIND and identifier.startswith(IDENTIFIER_PREFIX)


def staff_of(session: Session, user: Any) -> StaffUser:
    """The active staff user behind a Chainlit user, read from the database; NotStaffError otherwise."""
    if not is_staff_session(user):
        raise NotStaffError("only signed-in staff may use the review mode")
    user_id = (getattr(user, "metadata", None) or {}).get("user_id")
    if not isinstance(user_id, int):
        raise NotStaffError("the staff session carries no user id")
    found = session.get(StaffUser, user_id, populate_existing=True)
    username = str(user.identifier).removeprefix(IDENTIFIER_PREFIX)
    if found is None or found.username != username or not found.active:
        raise NotStaffError("this staff account is not active")
    return found


def password_login(runtime: ReviewRuntime, username: str, password: str, client: str = "") -> cl.User | None:
    """The staff user these credentials belong to, with a new session; None when refused."""
    with session_scope(runtime.engine) as session:
        user = staff.authenticate(session, username, password, hasher=runtime.hasher, client=client)
    return open_staff_session(runtime, user) if user is not None else None


@cl.password_auth_callback
async def staff_password_login(username: str, password: str) -> cl.User | None:
    """Registered so Chainlit's login page offers the password form; POST /login itself is
    `app.security.routes.staff_login` (throttled, bounded), which calls `password_login`."""
    return await asyncio.to_thread(password_login, current(), username, password)


def provider_email(raw_user_data: dict[str, Any], default_user: cl.User) -> str | None:
    """The verified e-mail an identity provider vouches for, or None."""
    if not _says_verified(raw_user_data.get("email_verified", True)):
        return None
    for key in ("email", "mail", "upn", "preferred_username"):
        value = raw_user_data.get(key)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    identifier = default_user.identifier
    return identifier.strip().lower() if "@" in identifier else None


def _says_verified(claim: Any) -> bool:
    """Whether an `email_verified` claim says yes: true, or the text "true" (some providers, Amazon Cognito among
    them, send the claim as text, so a text "false" must not count as verified). Absent, it is taken as yes (many
    providers, Microsoft Entra ID among them, only ever vouch for verified addresses and send no such claim)."""
    return claim is True or (isinstance(claim, str) and claim.strip().lower() == "true")


def _oauth_login(runtime: ReviewRuntime, provider_id: str, email: str) -> cl.User | None:
    with session_scope(runtime.engine) as session:
        user = staff.find_by_email(session, email)
        if user is None or not user.active:
            return None
        staff.record_external_login(session, user, provider=provider_id)
    return open_staff_session(runtime, user)


async def staff_oauth_login(
    provider_id: str,
    token: str,  # noqa: ARG001 - Chainlit's signature
    raw_user_data: dict[str, Any],
    default_user: cl.User,
    id_token: str | None = None,  # noqa: ARG001
) -> cl.User | None:
    """An identity provider's user becomes the staff user with the same (verified) e-mail; others are refused."""
    email = provider_email(raw_user_data, default_user)
    if email is None:
        return None
    return await asyncio.to_thread(_oauth_login, current(), provider_id, email)


def register_oauth() -> bool:
    """Register the OAuth callback when a provider is configured (Chainlit refuses it otherwise)."""
    if not get_configured_oauth_providers():  # type: ignore[no-untyped-call]
        return False
    cl.oauth_callback(staff_oauth_login)
    return True


OAUTH_ENABLED = register_oauth()
