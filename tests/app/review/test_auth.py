"""Staff sign-in through Chainlit's callbacks: password, identity-provider e-mail, and what a session may claim."""

from __future__ import annotations

import chainlit as cl
import pytest
from sqlalchemy.engine import Engine

from app.review import auth
from app.review.auth import NotStaffError, staff_of
from offer_engine.actors import Role
from offer_engine.db import session_scope
from tests.app.review.conftest import ReviewWorld
from tests.support.staff_factories import PASSWORD, make_staff


async def test_password_sign_in_makes_a_staff_user_with_roles(world: ReviewWorld) -> None:
    user = await auth.staff_password_login("Alex", PASSWORD)
    assert user is not None
    assert user.identifier == "staff:alex"
    session_id = user.metadata.pop("session")  # the session row the cookie names (app.security.sessions)
    assert isinstance(session_id, str)
    assert len(session_id) >= 24
    assert user.metadata == {"kind": "staff", "roles": ["recruiter"], "user_id": world.user("alex").id}
    assert await auth.staff_password_login("alex", "wrong-" + PASSWORD) is None
    assert await auth.staff_password_login("nobody", PASSWORD) is None


async def test_an_identity_provider_user_maps_to_staff_by_verified_email(world: ReviewWorld) -> None:
    make_staff(world.engine, Role.LEGAL, username="lena", email="Lena.Legal@corvid.example", password=None)
    default = cl.User(identifier="someone", metadata={"provider": "generic"})
    user = await auth.staff_oauth_login("generic", "token", {"email": "lena.legal@corvid.example"}, default)
    assert user is not None
    assert user.identifier == "staff:lena"
    assert user.metadata["roles"] == ["legal"]
    unverified = {"email": "lena.legal@corvid.example", "email_verified": False}
    assert await auth.staff_oauth_login("generic", "token", unverified, default) is None
    assert await auth.staff_oauth_login("generic", "token", {"email": "stranger@corvid.example"}, default) is None
    by_identifier = cl.User(identifier="lena.legal@corvid.example")
    assert await auth.staff_oauth_login("azure-ad", "token", {}, by_identifier) is not None


def test_oauth_is_registered_only_when_a_provider_is_configured() -> None:
    assert auth.register_oauth() is False  # no OAUTH_* variables in the test environment


def _session_user(engine: Engine, metadata: dict[str, object], identifier: str) -> cl.User:
    return cl.User(identifier=identifier, metadata=metadata)


@pytest.mark.parametrize(
    ("identifier", "metadata"),
    [
        ("candidate:6120:3401:1", {"offer_assistant": {"workflow_id": 3401}, "roles": ["candidate"]}),
        ("candidate:6120:3401:1", {"kind": "staff", "roles": ["admin"], "user_id": 1}),  # forged kind, wrong identifier
        ("staff:alex", {"kind": "staff", "roles": ["admin"]}),  # no user id
        ("staff:someone-else", {"kind": "staff", "roles": ["admin"], "user_id": "ID"}),
    ],
)
def test_only_an_active_staff_user_from_the_database_counts(
    world: ReviewWorld, identifier: str, metadata: dict[str, object]
) -> None:
    if metadata.get("user_id") == "ID":
        metadata = {**metadata, "user_id": world.user("alex").id}  # the right id with another user's name
    with session_scope(world.engine) as session, pytest.raises(NotStaffError):
        staff_of(session, cl.User(identifier=identifier, metadata=metadata))


def test_roles_come_from_the_database_not_the_session(world: ReviewWorld) -> None:
    alex = world.user("alex")
    claimed = cl.User(identifier="staff:alex", metadata={"kind": "staff", "roles": ["admin"], "user_id": alex.id})
    with session_scope(world.engine) as session:
        assert staff_of(session, claimed).roles == ["recruiter"]
