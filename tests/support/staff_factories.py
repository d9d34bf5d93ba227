"""Staff users for tests, created through `offer_engine.staff` with a cheap argon2 hasher (same algorithm)."""

from __future__ import annotations

import itertools

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from offer_engine import staff
from offer_engine.actors import Role, system_actor
from offer_engine.db import session_scope
from offer_engine.staff import StaffUser

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "Correct-Horse-Battery-9"
_numbers = itertools.count(1)


def make_staff(
    engine: Engine,
    *roles: Role,
    username: str | None = None,
    icims_person_id: int | None = None,
    email: str | None = None,
    password: str | None = PASSWORD,
    active: bool = True,
) -> StaffUser:
    name = username or f"{(roles[0].value if roles else 'staff').replace('_', '-')}{next(_numbers)}"
    with session_scope(engine) as session:
        user = staff.create_user(
            session,
            username=name,
            display_name=name.replace(".", " ").title(),
            roles=roles or (Role.RECRUITER,),
            actor=system_actor("test-setup"),
            email=email,
            password=password,
            icims_person_id=icims_person_id,
            hasher=FAST_HASHER,
        )
        if not active:
            user.active = False
            session.add(user)
        return user
