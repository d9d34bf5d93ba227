"""Staff users: recruiters, hiring managers, compensation, legal and admins, with argon2 password sign-in.

Passwords are hashed with argon2id. `authenticate` takes the same time whether or not the user exists (an
unknown name is checked against a dummy hash) and locks a name for a while after repeated failures from one client
address; the lock is kept per name and address in `staff_login_throttle`, for unknown names too, so lockouts reveal
nothing either, and nobody can lock a colleague out from elsewhere. There is no
default password anywhere: the first admin is created explicitly (`create_first_admin`), and every other user
by an admin. Role changes, activation and password resets are audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor, ActorKind, Role, system_actor, user_actor
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.errors import DomainError, InvalidInputError, NotFoundError, PermissionDeniedError
from offer_engine.mail import is_address

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_COMMON = frozenset(
    {"password1234", "123456789012", "qwertyuiop12", "letmein12345", "administrator", "welcome12345", "iloveyou1234"}
)


class WeakPasswordError(InvalidInputError):
    """The password does not meet the strength rules; the message says which."""


class StaffExistsError(DomainError):
    code = "staff_exists"


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str
    email: str | None = Field(default=None, index=True)
    roles: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    icims_person_id: int | None = None  # for hiring managers: the person iCIMS names as a job's hiring manager
    active: bool = True
    password_hash: str | None = None  # None: sign-in through the identity provider only
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles)

    def actor(self) -> Actor:
        return user_actor(self.username, *self.role_set)

    @property
    def only_hiring_manager(self) -> bool:
        """A user whose only role is hiring manager sees only their own requisitions."""
        return self.role_set == {Role.HIRING_MANAGER}


class StaffLoginThrottle(SQLModel, table=True):
    """Consecutive failed sign-ins per (normalised) user name, known or not, and client address (`throttle_key`)."""

    __tablename__ = "staff_login_throttle"

    name: str = Field(primary_key=True, max_length=128)
    failures: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_failure_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


@lru_cache(maxsize=1)
def default_hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism).hash("no-such-user")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_password_strength(password: str, *, username: str = "") -> None:
    """Raise WeakPasswordError unless `password` is long and varied enough and not built from the user name."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    classes = sum(
        bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
    )  # a long passphrase may use fewer kinds of characters
    if classes < 3 and len(password) < 20:
        problems.append("three of: lower case, upper case, digits, symbols (or 20+ characters)")
    if len(set(password)) < 6:
        problems.append("more distinct characters")
    lowered = password.lower()
    name = normalise_username(username)
    if lowered in _COMMON or (name and len(name) >= 3 and name in lowered):
        problems.append("not a common password and not containing the user name")
    if problems:
        raise WeakPasswordError("the password needs " + "; ".join(problems))


def _validated_roles(roles: Iterable[Role | str]) -> list[str]:
    values = sorted({Role(r).value for r in roles})
    if not values:
        raise InvalidInputError("a staff user needs at least one role")
    return values


def _require_admin(actor: Actor, action: str) -> None:
    if actor.kind is not ActorKind.SYSTEM:
        actor.require_role(Role.ADMIN, action=action)


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    roles: Iterable[Role | str],
    actor: Actor,
    email: str | None = None,
    password: str | None = None,
    icims_person_id: int | None = None,
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> StaffUser:
    """Add a staff user (admins only; the system actor for bootstrap). A password is strength-checked."""
    _require_admin(actor, "create staff users")
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise InvalidInputError("a user name is 2-64 characters: letters, digits, '.', '_', '-', '@'")
    if find_user(session, name) is not None:
        raise StaffExistsError(f"a staff user named {name!r} already exists")
    if password is not None:
        check_password_strength(password, username=name)
    moment = now or utcnow()
    user = StaffUser(
        username=name,
        display_name=display_name.strip() or name,
        email=email.strip().lower() if email else None,
        roles=_validated_roles(roles),
        icims_person_id=icims_person_id,
        password_hash=(hasher or default_hasher()).hash(password) if password is not None else None,
        created_at=moment,
        updated_at=moment,
    )
    session.add(user)
    session.flush()
    _audit(session, actor, "staff.created", user, {"roles": user.roles, "icims_person_id": icims_person_id}, moment)
    return user


def create_first_admin(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str = "",
    email: str | None = None,
    hasher: PasswordHasher | None = None,
) -> StaffUser:
    """The first admin of an installation; refused once any active admin exists."""
    if any(Role.ADMIN.value in u.roles for u in list_users(session, active_only=True)):
        raise StaffExistsError("an admin already exists: ask them to add users (offer-assistant staff add)")
    return create_user(
        session,
        username=username,
        display_name=display_name or username,
        roles=[Role.ADMIN],
        actor=system_actor("staff-bootstrap"),
        email=email,
        password=password,
        hasher=hasher,
    )


def find_user(session: Session, username: str) -> StaffUser | None:
    statement = select(StaffUser).where(StaffUser.username == normalise_username(username))
    return session.exec(statement).one_or_none()


def find_by_email(session: Session, email: str) -> StaffUser | None:
    statement = select(StaffUser).where(StaffUser.email == email.strip().lower())
    return session.exec(statement).first()


def get_user(session: Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id, populate_existing=True)
    if user is None:
        raise NotFoundError(f"staff user {user_id} does not exist")
    return user


def list_users(session: Session, *, active_only: bool = False) -> list[StaffUser]:
    statement = select(StaffUser).order_by(col(StaffUser.username))
    if active_only:
        statement = statement.where(col(StaffUser.active))
    return list(session.exec(statement))


def set_roles(
    session: Session, user_id: int, roles: Iterable[Role | str], *, actor: Actor, now: datetime | None = None
) -> StaffUser:
    _require_admin(actor, "change staff roles")
    user = get_user(session, user_id)
    before, after = list(user.roles), _validated_roles(roles)
    if before == after:
        return user
    if Role.ADMIN.value in before and Role.ADMIN.value not in after:
        _keep_an_admin(session, user)
    user.roles, user.updated_at = after, now or utcnow()
    session.add(user)
    session.flush()
    _audit(session, actor, "staff.roles_changed", user, {"from": before, "to": after}, user.updated_at)
    return user


def set_email(session: Session, user_id: int, email: str, *, actor: Actor, now: datetime | None = None) -> StaffUser:
    """Set the address notifications go to (and identity-provider sign-in matches); must be an address."""
    _require_admin(actor, "change a staff user's e-mail")
    address = email.strip().lower()
    if not is_address(address):
        raise InvalidInputError(f"{email!r} is not an e-mail address")
    user = get_user(session, user_id)
    user.email, user.updated_at = address, now or utcnow()
    session.add(user)
    session.flush()
    _audit(session, actor, "staff.email_changed", user, {}, user.updated_at)
    return user


def set_active(session: Session, user_id: int, active: bool, *, actor: Actor, now: datetime | None = None) -> StaffUser:
    _require_admin(actor, "activate or deactivate staff users")
    user = get_user(session, user_id)
    if user.active == active:
        return user
    if not active and Role.ADMIN.value in user.roles:
        _keep_an_admin(session, user)
    user.active, user.updated_at = active, now or utcnow()
    session.add(user)
    session.flush()
    _audit(session, actor, "staff.activated" if active else "staff.deactivated", user, {}, user.updated_at)
    return user


def set_password(
    session: Session,
    user_id: int,
    password: str,
    *,
    actor: Actor,
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
) -> StaffUser:
    """Reset a password: an admin for anyone, a user for themselves."""
    user = get_user(session, user_id)
    if actor.id != user.username:
        _require_admin(actor, "reset another user's password")
    check_password_strength(password, username=user.username)
    user.password_hash = (hasher or default_hasher()).hash(password)
    user.updated_at = now or utcnow()
    session.add(user)
    session.execute(
        delete(StaffLoginThrottle).where(
            (col(StaffLoginThrottle.name) == user.username)
            | col(StaffLoginThrottle.name).startswith(f"{user.username}|", autoescape=True)
        )
    )
    _audit(session, actor, "staff.password_set", user, {}, user.updated_at)
    return user


def _keep_an_admin(session: Session, leaving: StaffUser) -> None:
    others = [u for u in list_users(session, active_only=True) if u.id != leaving.id and Role.ADMIN.value in u.roles]
    if not others:
        raise PermissionDeniedError("this is the last active admin: make someone else an admin first")


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    hasher: PasswordHasher | None = None,
    now: datetime | None = None,
    client: str = "",
) -> StaffUser | None:
    """The active user these credentials belong to, or None (unknown, wrong, inactive or locked: same answer).

    Failures lock the name for `client` only (the caller's address): someone guessing from elsewhere cannot
    lock a colleague out. Guessing from many addresses is what the sign-in route's global throttle is for.
    """
    checker = hasher or default_hasher()
    moment = now or utcnow()
    name = normalise_username(username)[:64]
    user = find_user(session, name) if name else None
    stored = user.password_hash if user is not None and user.password_hash else None
    key = throttle_key(name, client)
    throttle = session.get(StaffLoginThrottle, key, populate_existing=True) if name else None
    locked = throttle is not None and throttle.locked_until is not None and throttle.locked_until > moment
    target = stored or _dummy_hash(checker.time_cost, checker.memory_cost, checker.parallelism)
    matches = not locked and _verify(checker, target, password) and stored is not None  # locked: no argon2 work
    if not matches or locked or user is None or not user.active:
        if name:
            _count_failure(session, key, throttle, user, moment)
        return None
    if throttle is not None:
        session.delete(throttle)
    if checker.check_needs_rehash(stored or ""):
        user.password_hash = checker.hash(password)
    user.last_login_at = moment
    session.add(user)
    session.flush()
    _audit(session, user.actor(), "staff.signed_in", user, {"method": "password"}, moment)
    return user


def throttle_key(name: str, client: str) -> str:
    """The lock-out key: the name alone for local callers (CLI), else the name at one client address."""
    return f"{name[:64]}|{client[:60]}" if client else name[:128]


def _verify(hasher: PasswordHasher, hashed: str, password: str) -> bool:
    try:
        return hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(
    session: Session, name: str, throttle: StaffLoginThrottle | None, user: StaffUser | None, moment: datetime
) -> None:
    if throttle is None:
        throttle = _new_throttle(session, name, moment)
    elif throttle.last_failure_at < moment - timedelta(days=1):
        throttle.failures = 0  # failures a day apart are not an attack in progress
    throttle.failures += 1
    throttle.last_failure_at = moment
    if throttle.failures >= MAX_FAILURES:
        newly_locked = throttle.locked_until is None or throttle.locked_until <= moment
        throttle.locked_until = moment + timedelta(minutes=LOCK_MINUTES)
        if newly_locked and user is not None:
            _audit(session, system_actor("staff-auth"), "staff.locked", user, {"failures": throttle.failures}, moment)
    session.add(throttle)
    session.flush()


def _new_throttle(session: Session, name: str, moment: datetime) -> StaffLoginThrottle:
    session.execute(
        delete(StaffLoginThrottle).where(col(StaffLoginThrottle.last_failure_at) < moment - timedelta(days=1))
    )
    try:
        with session.begin_nested():
            throttle = StaffLoginThrottle(name=name, failures=0, last_failure_at=moment)
            session.add(throttle)
            session.flush()
    except IntegrityError:  # a concurrent failure for the same name created the row first
        found = session.get(StaffLoginThrottle, name, populate_existing=True)
        if found is None:
            raise
        return found
    return throttle


def record_external_login(session: Session, user: StaffUser, *, provider: str, now: datetime | None = None) -> None:
    """Note a sign-in through an identity provider (OAuth/OIDC)."""
    moment = now or utcnow()
    user.last_login_at = moment
    session.add(user)
    session.flush()
    _audit(session, user.actor(), "staff.signed_in", user, {"method": "oauth", "provider": provider}, moment)


def _audit(
    session: Session, actor: Actor, action: str, user: StaffUser, details: dict[str, object], at: datetime
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="staff_user",
        subject_id=user.id or 0,
        details={"username": user.username, **details},
        occurred_at=at,
    )
