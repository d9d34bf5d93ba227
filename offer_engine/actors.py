"""Who acts: every service call that changes something receives an Actor, and the audit trail records it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from offer_engine.errors import PermissionDeniedError


class ActorKind(StrEnum):
    CANDIDATE = "candidate"
    # Internal users: the kind names their role (the most privileged one when they hold several).
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    COMPENSATION = "compensation"
    LEGAL = "legal"
    ADMIN = "admin"
    SYSTEM = "system"
    AI = "ai"

    @property
    def is_staff(self) -> bool:
        return self in STAFF_KINDS


class Role(StrEnum):
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    COMPENSATION = "compensation"
    LEGAL = "legal"
    ADMIN = "admin"


class Actor(BaseModel):
    """An authenticated caller: kind, stable id (user id, candidate's person id, worker name) and roles."""

    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    id: str = Field(min_length=1)
    roles: frozenset[Role] = frozenset()

    @field_validator("id")
    @classmethod
    def _strip(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("actor id must not be blank")
        return stripped

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def require_role(self, *roles: Role, action: str) -> None:
        """Raise PermissionDeniedError unless the actor holds one of `roles` (admin always qualifies)."""
        if not self.has_role(*roles, Role.ADMIN):
            wanted = ", ".join(sorted(r.value for r in roles))
            raise PermissionDeniedError(f"{self.kind.value} {self.id!r} may not {action}: needs role {wanted}")

    @property
    def label(self) -> str:
        return f"{self.kind.value}:{self.id}"


def system_actor(name: str = "offer-engine") -> Actor:
    return Actor(kind=ActorKind.SYSTEM, id=name)


STAFF_KINDS = frozenset(
    {ActorKind.RECRUITER, ActorKind.HIRING_MANAGER, ActorKind.COMPENSATION, ActorKind.LEGAL, ActorKind.ADMIN}
)
# The kind a staff user's audit events carry: the most privileged role they hold.
_KIND_BY_PRECEDENCE = (
    (Role.ADMIN, ActorKind.ADMIN),
    (Role.COMPENSATION, ActorKind.COMPENSATION),
    (Role.LEGAL, ActorKind.LEGAL),
    (Role.RECRUITER, ActorKind.RECRUITER),
    (Role.HIRING_MANAGER, ActorKind.HIRING_MANAGER),
)


def staff_kind(roles: frozenset[Role]) -> ActorKind:
    """The actor kind for a staff user holding `roles` (recruiter when they hold none yet)."""
    return next((kind for role, kind in _KIND_BY_PRECEDENCE if role in roles), ActorKind.RECRUITER)


def user_actor(user_id: str, *roles: Role | str) -> Actor:
    held = frozenset(Role(r) for r in roles)
    return Actor(kind=staff_kind(held), id=user_id, roles=held)


def candidate_actor(person_id: str | int) -> Actor:
    return Actor(kind=ActorKind.CANDIDATE, id=str(person_id))
