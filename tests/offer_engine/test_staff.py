"""Staff users: argon2 sign-in, equal treatment of unknown names, lockout, audited role changes, no defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import select

from offer_engine import staff
from offer_engine.actors import Role, system_actor, user_actor
from offer_engine.audit import AuditEvent, verify_chain
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.errors import PermissionDeniedError
from offer_engine.staff import StaffExistsError, StaffUser, WeakPasswordError
from tests.support.staff_factories import FAST_HASHER, PASSWORD, make_staff


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verifications += 1
        return super().verify(hash, password)


def _login(engine: Engine, username: str, password: str, **kwargs: object) -> StaffUser | None:
    with session_scope(engine) as session:
        return staff.authenticate(session, username, password, hasher=kwargs.pop("hasher", FAST_HASHER), **kwargs)  # type: ignore[arg-type]


def test_a_user_signs_in_with_their_password_and_not_with_another(engine: Engine) -> None:
    user = make_staff(engine, Role.RECRUITER, username="rita.recruiter")
    signed_in = _login(engine, "Rita.Recruiter ", PASSWORD)
    assert signed_in is not None
    assert signed_in.id == user.id
    assert signed_in.last_login_at is not None
    assert _login(engine, "rita.recruiter", PASSWORD + "x") is None
    with session_scope(engine) as session:
        stored = staff.find_user(session, "rita.recruiter")
        assert stored is not None
        assert stored.password_hash is not None
        assert stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash


def test_unknown_names_cost_a_hash_check_like_known_ones(engine: Engine) -> None:
    make_staff(engine, Role.RECRUITER, username="known.user")
    hasher = CountingHasher()
    assert _login(engine, "known.user", "Wrong-Password-123", hasher=hasher) is None
    assert _login(engine, "nobody.here", "Wrong-Password-123", hasher=hasher) is None
    assert hasher.verifications == 2


def test_a_user_without_a_password_cannot_sign_in_with_any(engine: Engine) -> None:
    make_staff(engine, Role.RECRUITER, username="sso.only", password=None, email="sso@corvid.example")
    for attempt in ("", PASSWORD, "sso.only"):
        assert _login(engine, "sso.only", attempt) is None


def test_repeated_failures_lock_the_name_even_for_the_right_password(engine: Engine) -> None:
    make_staff(engine, Role.RECRUITER, username="locked.out")
    start = utcnow()
    for _ in range(staff.MAX_FAILURES):
        assert _login(engine, "locked.out", "Not-The-Password-1", now=start) is None
    assert _login(engine, "locked.out", PASSWORD, now=start + timedelta(minutes=1)) is None
    later = start + timedelta(minutes=staff.LOCK_MINUTES + 2)
    assert _login(engine, "locked.out", PASSWORD, now=later) is not None
    with session_scope(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert "staff.locked" in actions


def test_unknown_names_are_locked_the_same_way(engine: Engine) -> None:
    start = utcnow()
    for _ in range(staff.MAX_FAILURES):
        _login(engine, "ghost", "Whatever-Password-1", now=start)
    with session_scope(engine) as session:
        throttle = session.get(staff.StaffLoginThrottle, "ghost")
        assert throttle is not None
        assert throttle.locked_until is not None
        assert throttle.locked_until > start


def test_an_inactive_user_cannot_sign_in(engine: Engine) -> None:
    make_staff(engine, Role.RECRUITER, username="gone.user", active=False)
    assert _login(engine, "gone.user", PASSWORD) is None


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Short1!", "12 characters"),
        ("alllowercaseletters", "three of"),
        ("aaaaaaaaaaaaaaaaaaaaaaa", "distinct"),
        ("Password-rita.recruiter-1", "user name"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_is_stored(engine: Engine, password: str, why: str) -> None:
    with pytest.raises(WeakPasswordError, match=why), session_scope(engine) as session:
        staff.create_user(
            session,
            username="rita.recruiter",
            display_name="Rita",
            roles=[Role.RECRUITER],
            actor=system_actor("t"),
            password=password,
            hasher=FAST_HASHER,
        )
    with session_scope(engine) as session:
        assert staff.find_user(session, "rita.recruiter") is None


def test_the_first_admin_is_created_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        admin = staff.create_first_admin(session, username="ada", password=PASSWORD, hasher=FAST_HASHER)
        assert admin.roles == ["admin"]
    with pytest.raises(StaffExistsError), session_scope(engine) as session:
        staff.create_first_admin(session, username="eve", password=PASSWORD, hasher=FAST_HASHER)


def test_role_changes_need_an_admin_and_are_audited(engine: Engine) -> None:
    admin = make_staff(engine, Role.ADMIN, username="ada.admin")
    user = make_staff(engine, Role.RECRUITER, username="rita.r")
    with pytest.raises(PermissionDeniedError), session_scope(engine) as session:
        staff.set_roles(session, user.id or 0, [Role.ADMIN], actor=user_actor("rita.r", Role.RECRUITER))
    with session_scope(engine) as session:
        changed = staff.set_roles(session, user.id or 0, [Role.RECRUITER, Role.COMPENSATION], actor=admin.actor())
        assert changed.roles == ["compensation", "recruiter"]
        events = [e for e in session.exec(select(AuditEvent)) if e.action == "staff.roles_changed"]
        assert [e.details["from"] for e in events] == [["recruiter"]]
        assert events[0].details["to"] == ["compensation", "recruiter"]
        assert events[0].actor_id == "ada.admin"
        assert verify_chain(session).ok


def test_the_last_admin_cannot_be_demoted_or_deactivated(engine: Engine) -> None:
    admin = make_staff(engine, Role.ADMIN, username="only.admin")
    with pytest.raises(PermissionDeniedError), session_scope(engine) as session:
        staff.set_roles(session, admin.id or 0, [Role.RECRUITER], actor=admin.actor())
    with pytest.raises(PermissionDeniedError), session_scope(engine) as session:
        staff.set_active(session, admin.id or 0, False, actor=admin.actor())


def test_a_stronger_hasher_rehashes_on_sign_in(engine: Engine) -> None:
    make_staff(engine, Role.RECRUITER, username="old.hash")
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    assert _login(engine, "old.hash", PASSWORD, hasher=stronger) is not None
    with session_scope(engine) as session:
        user = staff.find_user(session, "old.hash")
        assert user is not None
        assert "t=2" in (user.password_hash or "")
