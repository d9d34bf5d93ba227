"""Who acts: every service call that changes something receives an Actor, and the audit trail records it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from offer_engine.errors import PermissionDeniedError


class ActorKind(StrEnum):
    CANDIDATE = "candidate"
    RECRUITER = "recruiter"  # any internal user: recruiter, hiring manager, compensation, legal, admin
    SYSTEM = "system"
    AI = "ai"


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


def user_actor(user_id: str, *roles: Role | str) -> Actor:
    return Actor(kind=ActorKind.RECRUITER, id=user_id, roles=frozenset(Role(r) for r in roles))


def candidate_actor(person_id: str | int) -> Actor:
    return Actor(kind=ActorKind.CANDIDATE, id=str(person_id))
