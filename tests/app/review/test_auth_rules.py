"""Staff sign-in rules (`app.review.auth`) on a bare database: what an identity provider vouches for, which Chainlit
users count as staff, and the session a sign-in opens (no sandbox, no worker: fast enough to guard every branch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import chainlit as cl
import pytest
from sqlalchemy.engine import Engine

from app.config import Settings
from app.review import auth, runtime
from app.review.auth import NotStaffError, provider_email, staff_of
from app.review.runtime import ReviewRuntime
from app.security import sessions
from offer_engine.actors import Role
from offer_engine.db import session_scope
from offer_engine.web_sessions import WebSession
from tests.support.staff_factories import FAST_HASHER, PASSWORD, make_staff

SOMEONE = cl.User(identifier="someone")


@pytest.fixture
def rt(settings: Settings, engine: Engine) -> ReviewRuntime:
    return runtime.configure(settings, engine, hasher=FAST_HASHER)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"email": " Lena.Legal@Corvid.example "}, "lena.legal@corvid.example"),
        ({"email": "lena@corvid.example", "email_verified": True}, "lena@corvid.example"),
        ({"mail": "m@corvid.example"}, "m@corvid.example"),
        ({"upn": "u@corvid.example"}, "u@corvid.example"),
        ({"preferred_username": "p@corvid.example"}, "p@corvid.example"),
        ({"email": "first@corvid.example", "mail": "second@corvid.example"}, "first@corvid.example"),
        ({"email": "not-an-address", "mail": "second@corvid.example"}, "second@corvid.example"),
        ({"email": ["a@corvid.example"], "upn": "u@corvid.example"}, "u@corvid.example"),
        ({"email": "lena@corvid.example", "email_verified": False}, None),
        ({"preferred_username": "lena"}, None),
        ({}, None),
    ],
)
def test_the_email_an_identity_provider_vouches_for(raw: dict[str, Any], expected: str | None) -> None:
    assert provider_email(raw, SOMEONE) == expected


def test_without_an_email_claim_the_providers_identifier_counts_only_when_it_is_an_address() -> None:
    assert provider_email({}, cl.User(identifier=" Lena@Corvid.example ")) == "lena@corvid.example"
    assert provider_email({}, cl.User(identifier="lena")) is None
    unverified = {"email_verified": False}
    assert provider_email(unverified, cl.User(identifier="lena@corvid.example")) is None


@pytest.mark.parametrize(
    ("identifier", "metadata", "expected"),
    [
        ("staff:alex", {"kind": "staff"}, True),
        ("staff:alex", {"kind": "candidate"}, False),
        ("staff:alex", None, False),
        ("candidate:6120:3401:1", {"kind": "staff"}, False),
        ("xstaff:alex", {"kind": "staff"}, False),
    ],
)
def test_a_staff_session_claims_the_staff_kind_and_a_staff_identifier(
    identifier: str, metadata: dict[str, Any] | None, expected: bool
) -> None:
    assert auth.is_staff_session(cl.User(identifier=identifier, metadata=metadata or {})) is expected


def test_a_staff_user_without_metadata_or_identifier_is_no_staff() -> None:
    assert auth.is_staff_session(object()) is False


def test_staff_of_reads_the_active_user_from_the_database(engine: Engine) -> None:
    alex = make_staff(engine, Role.RECRUITER, username="alex")
    claimed = cl.User(identifier="staff:alex", metadata={"kind": "staff", "roles": ["admin"], "user_id": alex.id})
    with session_scope(engine) as session:
        found = staff_of(session, claimed)
        assert (found.id, found.username, found.roles) == (alex.id, "alex", ["recruiter"])


@pytest.mark.parametrize(
    ("identifier", "user_id", "message"),
    [
        ("staff:alex", None, "carries no user id"),
        ("staff:alex", "1", "carries no user id"),
        ("staff:alex", 999_999, "not active"),
        ("staff:someone-else", "ALEX", "not active"),
        ("staff:idle", "IDLE", "not active"),
        ("candidate:6120:3401:1", "ALEX", "only signed-in staff"),
    ],
)
def test_staff_of_refuses_what_the_database_does_not_back(
    engine: Engine, identifier: str, user_id: object, message: str
) -> None:
    ids = {
        "ALEX": make_staff(engine, Role.RECRUITER, username="alex").id,
        "IDLE": make_staff(engine, Role.RECRUITER, username="idle", active=False).id,
    }
    metadata = {"kind": "staff", "user_id": ids.get(str(user_id), user_id)}
    with session_scope(engine) as session, pytest.raises(NotStaffError, match=message):
        staff_of(session, cl.User(identifier=identifier, metadata=metadata))


def test_a_password_sign_in_opens_a_staff_session_with_both_limits(rt: ReviewRuntime, settings: Settings) -> None:
    alex = make_staff(rt.engine, Role.RECRUITER, Role.ADMIN, username="alex")
    before = datetime.now(UTC)
    user = auth.password_login(rt, "alex", PASSWORD, client="203.0.113.9")
    assert user is not None
    assert (user.identifier, user.display_name) == ("staff:alex", "Alex")
    sid = user.metadata.pop(sessions.SESSION_KEY)
    assert user.metadata == {"kind": "staff", "roles": ["admin", "recruiter"], "user_id": alex.id}
    with session_scope(rt.engine) as session:
        row = session.get(WebSession, sid)
        assert row is not None
        assert (row.kind, row.subject, row.idle_seconds) == ("staff", "staff:alex", 30 * 60)
        hours = timedelta(hours=settings.security.staff_session_hours)
        assert before + hours <= row.expires_at <= datetime.now(UTC) + hours


def test_a_refused_password_opens_no_session(rt: ReviewRuntime) -> None:
    make_staff(rt.engine, Role.RECRUITER, username="alex")
    assert auth.password_login(rt, "alex", "wrong-" + PASSWORD) is None
    with session_scope(rt.engine) as session:
        assert session.query(WebSession).count() == 0


def test_the_session_expiry_is_the_configured_hours_after_now(settings: Settings) -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    expected = now + timedelta(hours=settings.security.staff_session_hours)
    assert auth.staff_session_expiry(settings, now) == expected


async def test_an_identity_provider_signs_in_only_an_active_user_with_that_email(rt: ReviewRuntime) -> None:
    make_staff(rt.engine, Role.LEGAL, username="lena", email="lena@corvid.example", password=None)
    make_staff(rt.engine, Role.LEGAL, username="gone", email="gone@corvid.example", password=None, active=False)
    user = await auth.staff_oauth_login("generic", "token", {"email": "Lena@corvid.example"}, SOMEONE)
    assert user is not None
    assert user.identifier == "staff:lena"
    assert sessions.SESSION_KEY in user.metadata
    assert await auth.staff_oauth_login("generic", "token", {"email": "gone@corvid.example"}, SOMEONE) is None
    assert await auth.staff_oauth_login("generic", "token", {"email": "nobody@corvid.example"}, SOMEONE) is None
    unverified = {"email": "lena@corvid.example", "email_verified": False}
    assert await auth.staff_oauth_login("generic", "token", unverified, SOMEONE) is None
