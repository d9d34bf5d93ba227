"""Staff sign-in rules (`app.review.auth`) on a bare database: what an identity provider vouches for, which Chainlit
users count as staff, and the session a sign-in opens (no sandbox, no worker: fast enough to guard every branch).

One migrated SQLite database serves the module (each test makes its own staff users), so a mutation run, which
runs these tests once per mutant, stays affordable; `tests/app/review/test_auth.py` covers both databases."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import chainlit as cl
import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from app.config import Settings, load_settings
from app.review import auth, runtime
from app.review.auth import NotStaffError, provider_email, staff_of
from app.review.runtime import ReviewRuntime
from app.security import sessions
from offer_engine.actors import Role
from offer_engine.db import make_engine, session_scope
from offer_engine.migrations import upgrade
from offer_engine.staff import StaffUser
from offer_engine.web_sessions import WebSession
from tests.support.staff_factories import FAST_HASHER, PASSWORD, make_staff

SOMEONE = cl.User(identifier="someone")
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("auth-rules")


@pytest.fixture(scope="module")
def settings(folder: Path) -> Settings:
    return load_settings(data_dir=folder / "data")


@pytest.fixture(scope="module")
def engine(folder: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{folder / 'auth.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def rt(settings: Settings, engine: Engine) -> Iterator[ReviewRuntime]:
    yield runtime.configure(settings, engine, hasher=FAST_HASHER)
    runtime._current = None


def _name(base: str) -> str:
    return f"{base}{next(_numbers)}"


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
        ({"email": "lena@corvid.example", "email_verified": "true"}, "lena@corvid.example"),
        ({"email": "lena@corvid.example", "email_verified": " True "}, "lena@corvid.example"),
        ({"email": "lena@corvid.example", "email_verified": "false"}, None),  # Amazon Cognito sends text
        ({"email": "lena@corvid.example", "email_verified": "yes"}, None),  # only the text "true" says yes
        ({"email": "lena@corvid.example", "email_verified": "true-ish"}, None),
        ({"email": "lena@corvid.example", "email_verified": 0}, None),
        ({"email": "lena@corvid.example", "email_verified": 1}, None),  # not a yes either: only true counts
        ({"email": "lena@corvid.example", "email_verified": None}, None),
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


def test_a_staff_session_read_back_from_its_token_is_staff() -> None:
    """The metadata comes back from a signed token (JSON): equal text, not the same object as the constant."""
    metadata = json.loads('{"kind": "staff", "user_id": 7}')
    assert auth.is_staff_session(cl.User(identifier="staff:alex", metadata=metadata)) is True


def test_a_staff_user_without_metadata_or_identifier_is_no_staff() -> None:
    assert auth.is_staff_session(object()) is False


def test_staff_of_reads_the_active_user_from_the_database(engine: Engine) -> None:
    name = _name("alex")
    alex = make_staff(engine, Role.RECRUITER, username=name)
    claimed = cl.User(identifier=f"staff:{name}", metadata={"kind": "staff", "roles": ["admin"], "user_id": alex.id})
    with session_scope(engine) as session:
        found = staff_of(session, claimed)
        assert (found.id, found.username, found.roles) == (alex.id, name, ["recruiter"])


def test_staff_of_rereads_a_user_the_session_already_holds(engine: Engine) -> None:
    """An action's session may have loaded the user before (e.g. to list their work); a deactivation written since
    counts all the same."""
    name = _name("alex")
    alex = make_staff(engine, Role.RECRUITER, username=name)
    claimed = cl.User(identifier=f"staff:{name}", metadata={"kind": "staff", "user_id": alex.id})
    with session_scope(engine) as session:
        held = staff_of(session, claimed)  # now in the session's identity map
        assert held.active
        deactivate = update(StaffUser).where(StaffUser.id == alex.id).values(active=False)  # type: ignore[arg-type]
        session.execute(deactivate, execution_options={"synchronize_session": False})  # as another writer would
        with pytest.raises(NotStaffError, match="not active"):
            staff_of(session, claimed)


@pytest.mark.parametrize(
    ("identifier", "user_id", "message"),
    [
        ("staff:ALEX", None, "carries no user id"),
        ("staff:ALEX", "1", "carries no user id"),
        ("staff:ALEX", 999_999, "not active"),
        ("staff:someone-else", "ALEX", "not active"),
        ("staff:aaron", "ALEX", "not active"),  # another name that sorts before the user's own
        ("staff:IDLE", "IDLE", "not active"),
        ("candidate:6120:3401:1", "ALEX", "only signed-in staff"),
    ],
)
def test_staff_of_refuses_what_the_database_does_not_back(
    engine: Engine, identifier: str, user_id: object, message: str
) -> None:
    names = {"ALEX": _name("alex"), "IDLE": _name("idle")}
    ids = {
        "ALEX": make_staff(engine, Role.RECRUITER, username=names["ALEX"]).id,
        "IDLE": make_staff(engine, Role.RECRUITER, username=names["IDLE"], active=False).id,
    }
    metadata = {"kind": "staff", "user_id": ids.get(str(user_id), user_id)}
    who = identifier.replace("ALEX", names["ALEX"]).replace("IDLE", names["IDLE"])
    with session_scope(engine) as session, pytest.raises(NotStaffError, match=message):
        staff_of(session, cl.User(identifier=who, metadata=metadata))


def test_a_password_sign_in_opens_a_staff_session_with_both_limits(rt: ReviewRuntime, settings: Settings) -> None:
    name = _name("alex")
    alex = make_staff(rt.engine, Role.RECRUITER, Role.ADMIN, username=name)
    before = datetime.now(UTC)
    user = auth.password_login(rt, name, PASSWORD, client="203.0.113.9")
    assert user is not None
    assert (user.identifier, user.display_name) == (f"staff:{name}", name.title())
    sid = user.metadata.pop(sessions.SESSION_KEY)
    assert user.metadata == {"kind": "staff", "roles": ["admin", "recruiter"], "user_id": alex.id}
    with session_scope(rt.engine) as session:
        row = session.get(WebSession, sid)
        assert row is not None
        assert (row.kind, row.subject, row.idle_seconds) == ("staff", f"staff:{name}", 30 * 60)
        hours = timedelta(hours=settings.security.staff_session_hours)
        assert before + hours <= row.expires_at <= datetime.now(UTC) + hours


def _session_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.query(WebSession).count()


def test_a_refused_password_opens_no_session(rt: ReviewRuntime) -> None:
    name = _name("alex")
    make_staff(rt.engine, Role.RECRUITER, username=name)
    before = _session_count(rt.engine)
    assert auth.password_login(rt, name, "wrong-" + PASSWORD) is None
    assert _session_count(rt.engine) == before


def test_the_session_expiry_is_the_configured_hours_after_now(settings: Settings) -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    expected = now + timedelta(hours=settings.security.staff_session_hours)
    assert auth.staff_session_expiry(settings, now) == expected


async def test_an_identity_provider_signs_in_only_an_active_user_with_that_email(rt: ReviewRuntime) -> None:
    lena, gone = _name("lena"), _name("gone")
    make_staff(rt.engine, Role.LEGAL, username=lena, email=f"{lena}@corvid.example", password=None)
    make_staff(rt.engine, Role.LEGAL, username=gone, email=f"{gone}@corvid.example", password=None, active=False)
    user = await auth.staff_oauth_login("generic", "token", {"email": f"{lena.title()}@corvid.example"}, SOMEONE)
    assert user is not None
    assert user.identifier == f"staff:{lena}"
    assert sessions.SESSION_KEY in user.metadata
    assert await auth.staff_oauth_login("generic", "token", {"email": f"{gone}@corvid.example"}, SOMEONE) is None
    assert await auth.staff_oauth_login("generic", "token", {"email": "nobody@corvid.example"}, SOMEONE) is None
    unverified = {"email": f"{lena}@corvid.example", "email_verified": False}
    assert await auth.staff_oauth_login("generic", "token", unverified, SOMEONE) is None
