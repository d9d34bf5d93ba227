"""Candidate access to an offer's chat: link generations, revocation and one-time links.

A candidate link is a signed token (see `app.links`) that names a workflow and a link generation.
Rotating a link bumps the generation and revoking one marks the access revoked, so every older token
stops working at once, including chat sessions already open (the chat checks on each message).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from offer_engine import audit
from offer_engine.actors import Actor, Role
from offer_engine.columns import UTCDateTime, as_utc, utcnow
from offer_engine.errors import DomainError


class AccessDeniedError(DomainError):
    """The link was valid once but no longer opens the chat (rotated, revoked, or already used)."""


class CandidateAccess(SQLModel, table=True):
    __tablename__ = "candidate_access"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(index=True)
    workflow_id: int = Field(index=True)
    generation: int = 0
    revoked: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # type: ignore[call-overload]


class UsedLinkToken(SQLModel, table=True):
    """Token ids of one-time links already opened; the primary key makes a second use fail atomically."""

    __tablename__ = "used_link_token"

    jti: str = Field(primary_key=True, max_length=64)
    workflow_id: int
    expires_at: datetime = Field(sa_type=UTCDateTime)  # type: ignore[call-overload]
    used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # type: ignore[call-overload]


def _access(session: Session, customer_id: int, workflow_id: int) -> CandidateAccess:
    found = session.exec(
        select(CandidateAccess).where(
            CandidateAccess.customer_id == customer_id, CandidateAccess.workflow_id == workflow_id
        )
    ).first()
    if found is None:
        found = CandidateAccess(customer_id=customer_id, workflow_id=workflow_id)
        session.add(found)
        session.flush()
    return found


def current_generation(session: Session, customer_id: int, workflow_id: int) -> int:
    """The generation new links must carry; raises AccessDeniedError when access is revoked."""
    access = _access(session, customer_id, workflow_id)
    if access.revoked:
        raise AccessDeniedError(f"access to workflow {workflow_id} has been revoked")
    return access.generation


def check_generation(session: Session, customer_id: int, workflow_id: int, generation: int) -> None:
    """Raise AccessDeniedError unless `generation` is the workflow's current, unrevoked one."""
    if current_generation(session, customer_id, workflow_id) != generation:
        raise AccessDeniedError("this link has been replaced by a newer one")


def rotate(session: Session, customer_id: int, workflow_id: int, actor: Actor) -> int:
    """Invalidate every existing link for the workflow and re-enable access; returns the new generation."""
    actor.require_role(Role.RECRUITER, action="rotate a candidate link")
    access = _access(session, customer_id, workflow_id)
    access.generation += 1
    access.revoked = False
    access.updated_at = utcnow()
    session.add(access)
    audit.record(
        session,
        actor=actor,
        action="candidate_link.rotated",
        subject_type="workflow",
        subject_id=workflow_id,
        icims={"customer_id": customer_id, "workflow_id": workflow_id},
        details={"generation": access.generation},
    )
    return access.generation


def revoke(session: Session, customer_id: int, workflow_id: int, actor: Actor) -> None:
    """Stop every link for the workflow from opening the chat until the link is rotated."""
    actor.require_role(Role.RECRUITER, action="revoke a candidate link")
    access = _access(session, customer_id, workflow_id)
    access.revoked = True
    access.generation += 1
    access.updated_at = utcnow()
    session.add(access)
    audit.record(
        session,
        actor=actor,
        action="candidate_link.revoked",
        subject_type="workflow",
        subject_id=workflow_id,
        icims={"customer_id": customer_id, "workflow_id": workflow_id},
    )


def consume_one_time(session: Session, jti: str, workflow_id: int, expires_at: datetime) -> None:
    """Record the use of a one-time link; AccessDeniedError if it was used before."""
    try:
        with session.begin_nested():
            session.add(UsedLinkToken(jti=jti, workflow_id=workflow_id, expires_at=as_utc(expires_at)))
    except IntegrityError as exc:
        raise AccessDeniedError("this one-time link has already been used") from exc


def forget_expired_tokens(session: Session, now: datetime | None = None) -> int:
    """Drop used-token records past their expiry (they could not be replayed anyway)."""
    cutoff = as_utc(now or utcnow())
    expired = session.exec(select(UsedLinkToken).where(UsedLinkToken.expires_at < cutoff)).all()
    for row in expired:
        session.delete(row)
    return len(expired)
