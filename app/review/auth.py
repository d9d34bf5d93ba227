"""Staff sign-in for Chainlit: password (argon2, `offer_engine.staff`) and any OAuth/OIDC provider by e-mail.

Importing this module registers `@cl.password_auth_callback` and, when at least one OAuth provider is configured
through Chainlit's ``OAUTH_*`` environment variables, `@cl.oauth_callback` (see docs/staff-auth.md). A signed-in
staff user becomes ``cl.User(identifier="staff:<username>", metadata={"kind": "staff", "roles": [...],
"user_id": ...})``. The metadata is only a hint for the UI: every action reloads the user from the database
(`staff_of`), so a deactivated user or a changed role takes effect at once.
"""

from __future__ import annotations

import asyncio
from typing import Any

import chainlit as cl
from chainlit.oauth_providers import get_configured_oauth_providers
from sqlmodel import Session

from app.review.runtime import ReviewRuntime, current
from offer_engine import staff
from offer_engine.db import session_scope
from offer_engine.errors import PermissionDeniedError
from offer_engine.staff import StaffUser

STAFF_KIND = "staff"
IDENTIFIER_PREFIX = "staff:"


class NotStaffError(PermissionDeniedError):
    """The session is not a signed-in, active staff user (e.g. a candidate's session)."""


def chainlit_user(user: StaffUser) -> cl.User:
    return cl.User(
        identifier=f"{IDENTIFIER_PREFIX}{user.username}",
        display_name=user.display_name,
        metadata={"kind": STAFF_KIND, "roles": sorted(user.roles), "user_id": user.id},
    )


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


def _password_login(runtime: ReviewRuntime, username: str, password: str) -> cl.User | None:
    with session_scope(runtime.engine) as session:
        user = staff.authenticate(session, username, password, hasher=runtime.hasher)
        return chainlit_user(user) if user is not None else None


@cl.password_auth_callback
async def staff_password_login(username: str, password: str) -> cl.User | None:
    """Chainlit's POST /login: a staff user name and password (argon2 runs off the event loop)."""
    return await asyncio.to_thread(_password_login, current(), username, password)


def provider_email(raw_user_data: dict[str, Any], default_user: cl.User) -> str | None:
    """The verified e-mail an identity provider vouches for, or None."""
    if raw_user_data.get("email_verified") is False:
        return None
    for key in ("email", "mail", "upn", "preferred_username"):
        value = raw_user_data.get(key)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    identifier = default_user.identifier
    return identifier.strip().lower() if "@" in identifier else None


def _oauth_login(runtime: ReviewRuntime, provider_id: str, email: str) -> cl.User | None:
    with session_scope(runtime.engine) as session:
        user = staff.find_by_email(session, email)
        if user is None or not user.active:
            return None
        staff.record_external_login(session, user, provider=provider_id)
        return chainlit_user(user)


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
