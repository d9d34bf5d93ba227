"""Who owns a requisition (iCIMS job): its hiring manager and recruiter, and what a staff user may see.

A user whose only role is hiring manager sees and acts on the offers of jobs whose ``hiringmanager`` in iCIMS
is their own iCIMS person id, nothing else; every other staff role sees all offers. The owners are read from
iCIMS by the worker (`record_owner`) and kept here, so the check needs no iCIMS call. An offer whose job owner
is not known yet is hidden from hiring managers (fail closed).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.errors import PermissionDeniedError
from offer_engine.offers import CLOSED_STATES, Offer
from offer_engine.staff import StaffUser


class JobOwner(SQLModel, table=True):
    __tablename__ = "job_owners"
    __table_args__ = (UniqueConstraint("customer_id", "job_id", name="uq_job_owners_job"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int
    job_id: int = Field(index=True)
    hiring_manager_person_id: int | None = Field(default=None, index=True)
    recruiter_person_id: int | None = None
    refreshed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def owner_of(session: Session, customer_id: int, job_id: int) -> JobOwner | None:
    statement = select(JobOwner).where(JobOwner.customer_id == customer_id, JobOwner.job_id == job_id)
    return session.exec(statement).one_or_none()


def record_owner(
    session: Session,
    *,
    customer_id: int,
    job_id: int,
    hiring_manager_person_id: int | None,
    recruiter_person_id: int | None,
    now: datetime | None = None,
) -> JobOwner:
    """Store (or refresh) who owns the job, as iCIMS says now."""
    moment = now or utcnow()
    owner = owner_of(session, customer_id, job_id)
    if owner is None:
        owner = JobOwner(customer_id=customer_id, job_id=job_id)
        try:
            with session.begin_nested():
                _fill(owner, hiring_manager_person_id, recruiter_person_id, moment)
                session.add(owner)
                session.flush()
            return owner
        except IntegrityError:  # another worker recorded it at the same moment
            owner = owner_of(session, customer_id, job_id)
            assert owner is not None
    _fill(owner, hiring_manager_person_id, recruiter_person_id, moment)
    session.add(owner)
    session.flush()
    return owner


def _fill(owner: JobOwner, manager: int | None, recruiter: int | None, moment: datetime) -> None:
    owner.hiring_manager_person_id, owner.recruiter_person_id, owner.refreshed_at = manager, recruiter, moment


def jobs_without_owner(session: Session, *, limit: int = 50) -> list[tuple[int, int]]:
    """(customer id, job id) of open offers whose job owner is not recorded yet."""
    known = select(JobOwner.id).where(
        col(JobOwner.customer_id) == col(Offer.customer_id), col(JobOwner.job_id) == col(Offer.job_id)
    )
    statement = (
        select(Offer.customer_id, Offer.job_id)
        .where(
            col(Offer.job_id).is_not(None),
            col(Offer.state).not_in([s.value for s in CLOSED_STATES]),
            ~known.exists(),
        )
        .distinct()
        .limit(limit)
    )
    return [(customer, job) for customer, job in session.exec(statement) if job is not None]


def can_see(session: Session, user: StaffUser, offer: Offer) -> bool:
    if not user.active:
        return False
    if not user.only_hiring_manager:
        return True
    if user.icims_person_id is None or offer.job_id is None:
        return False
    owner = owner_of(session, offer.customer_id, offer.job_id)
    return owner is not None and owner.hiring_manager_person_id == user.icims_person_id


def require_visible(session: Session, user: StaffUser, offer: Offer) -> None:
    """PermissionDeniedError unless `user` may see and act on `offer`."""
    if not can_see(session, user, offer):
        raise PermissionDeniedError(f"{user.username} may not see offer {offer.id}: it is not on their requisitions")


def visible_job_ids(session: Session, user: StaffUser) -> set[tuple[int, int]] | None:
    """(customer, job) pairs a hiring manager may see; None means every job (any other role)."""
    if not user.only_hiring_manager:
        return None
    if user.icims_person_id is None or not user.active:
        return set()
    statement = select(JobOwner.customer_id, JobOwner.job_id).where(
        JobOwner.hiring_manager_person_id == user.icims_person_id
    )
    return {(customer, job) for customer, job in session.exec(statement)}
