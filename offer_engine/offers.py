"""Offers: one per iCIMS applicant workflow, and the state machine every change of state goes through.

States::

    needs_data → draft → in_review → pending_approval → approved → sent → accepted | declined | expired
    (any open state) → withdrawn

A new version sends the offer back to draft (and voids pending approvals; see `versions`). At most one open
offer exists per (customer, workflow): a partial unique index enforces it in the database, the service
checks first so that the caller gets a clear error.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor, ActorKind
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.errors import IllegalTransitionError, LiveOfferExistsError, NotFoundError, PermissionDeniedError


class OfferState(StrEnum):
    NEEDS_DATA = "needs_data"
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


# Closed offers free their workflow for a new offer; an accepted offer keeps it (the hire is done).
CLOSED_STATES = frozenset({OfferState.DECLINED, OfferState.EXPIRED, OfferState.WITHDRAWN})
TERMINAL_STATES = CLOSED_STATES | {OfferState.ACCEPTED}
CHAIN_STATES = frozenset({OfferState.PENDING_APPROVAL, OfferState.APPROVED})
_EDITABLE = {OfferState.DRAFT, OfferState.IN_REVIEW, OfferState.PENDING_APPROVAL, OfferState.APPROVED}

TRANSITIONS: dict[OfferState, frozenset[OfferState]] = {
    OfferState.NEEDS_DATA: frozenset({OfferState.DRAFT, OfferState.WITHDRAWN}),
    OfferState.DRAFT: frozenset({OfferState.NEEDS_DATA, OfferState.IN_REVIEW, OfferState.WITHDRAWN}),
    OfferState.IN_REVIEW: frozenset(
        {OfferState.NEEDS_DATA, OfferState.DRAFT, OfferState.PENDING_APPROVAL, OfferState.WITHDRAWN}
    ),
    OfferState.PENDING_APPROVAL: frozenset(
        {OfferState.NEEDS_DATA, OfferState.DRAFT, OfferState.IN_REVIEW, OfferState.APPROVED, OfferState.WITHDRAWN}
    ),
    OfferState.APPROVED: frozenset({OfferState.NEEDS_DATA, OfferState.DRAFT, OfferState.SENT, OfferState.WITHDRAWN}),
    OfferState.SENT: frozenset(
        {OfferState.DRAFT, OfferState.ACCEPTED, OfferState.DECLINED, OfferState.EXPIRED, OfferState.WITHDRAWN}
    ),
    OfferState.ACCEPTED: frozenset(),
    OfferState.DECLINED: frozenset(),
    OfferState.EXPIRED: frozenset(),
    OfferState.WITHDRAWN: frozenset(),
}

_OPEN_SQL = "state NOT IN ('declined', 'expired', 'withdrawn')"


class Offer(SQLModel, table=True):
    __tablename__ = "offers"
    __table_args__ = (
        Index(
            "uq_offers_open_workflow",
            "customer_id",
            "workflow_id",
            unique=True,
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        Index("ix_offers_workflow", "customer_id", "workflow_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int
    workflow_id: int
    person_id: int | None = None
    job_id: int | None = None
    state: str = Field(default=OfferState.NEEDS_DATA.value, index=True)
    current_version_number: int = 0
    missing: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def status(self) -> OfferState:
        return OfferState(self.state)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATES

    @property
    def icims_ids(self) -> dict[str, int | None]:
        return {
            "customer_id": self.customer_id,
            "workflow_id": self.workflow_id,
            "person_id": self.person_id,
            "job_id": self.job_id,
        }


def get_offer(session: Session, offer_id: int, *, lock: bool = False) -> Offer:
    statement = select(Offer).where(Offer.id == offer_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    offer = session.exec(statement).one_or_none()
    if offer is None:
        raise NotFoundError(f"offer {offer_id} does not exist")
    return offer


def find_open_offer(session: Session, customer_id: int, workflow_id: int) -> Offer | None:
    statement = select(Offer).where(
        Offer.customer_id == customer_id,
        Offer.workflow_id == workflow_id,
        col(Offer.state).not_in([s.value for s in CLOSED_STATES]),
    )
    return session.exec(statement).one_or_none()


def latest_offer(session: Session, customer_id: int, workflow_id: int, *, lock: bool = False) -> Offer | None:
    """The workflow's open offer, else its most recently opened closed one (None if it never had an offer)."""
    statement = (
        select(Offer)
        .where(Offer.customer_id == customer_id, Offer.workflow_id == workflow_id)
        .order_by(col(Offer.state).in_([s.value for s in CLOSED_STATES]), col(Offer.id).desc())
        .limit(1)
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.exec(statement).first()


def list_offers(session: Session, *, states: list[OfferState] | None = None, limit: int = 200) -> list[Offer]:
    statement = select(Offer).order_by(col(Offer.updated_at).desc()).limit(limit)
    if states:
        statement = statement.where(col(Offer.state).in_([s.value for s in states]))
    return list(session.exec(statement))


def open_offer(
    session: Session,
    *,
    customer_id: int,
    workflow_id: int,
    person_id: int | None,
    job_id: int | None,
    actor: Actor,
    attributes: dict[str, Any] | None = None,
) -> Offer:
    """A new offer in `needs_data` with no version yet; `versions.add_version` makes it a draft."""
    existing = find_open_offer(session, customer_id, workflow_id)
    if existing is not None:
        raise LiveOfferExistsError(
            f"workflow {workflow_id} already has offer {existing.id} in state {existing.state!r}; "
            "refresh or withdraw it instead of opening another"
        )
    offer = Offer(
        customer_id=customer_id,
        workflow_id=workflow_id,
        person_id=person_id,
        job_id=job_id,
        attributes=dict(attributes or {}),
        created_by=actor.label,
    )
    try:
        with session.begin_nested():
            session.add(offer)
            session.flush()
    except IntegrityError as exc:  # a concurrent opener won the race: the partial unique index said no
        raise LiveOfferExistsError(f"workflow {workflow_id} already has an open offer") from exc
    audit.record(
        session,
        actor=actor,
        action="offer.opened",
        subject_type="offer",
        subject_id=_id(offer),
        icims=offer.icims_ids,
    )
    return offer


def transition(
    session: Session,
    offer: Offer,
    target: OfferState,
    *,
    actor: Actor,
    reason: str,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
    by_approval_chain: bool = False,
) -> Offer:
    """Move `offer` to `target` if the state machine allows it; audited.

    Only the approval chain (`approvals`, passing `by_approval_chain=True`) moves an offer into
    `pending_approval` or `approved`: no other caller can approve an offer by setting its state.
    """
    current = offer.status
    if target not in TRANSITIONS[current]:
        raise IllegalTransitionError(f"offer {offer.id}", current.value, target.value, reason)
    if target in CHAIN_STATES and not by_approval_chain:
        raise IllegalTransitionError(
            f"offer {offer.id}", current.value, target.value, "only its approval chain moves an offer there"
        )
    moment = now or utcnow()
    offer.state = target.value
    offer.updated_at = moment
    if target is OfferState.SENT:
        offer.sent_at = moment
    if target in TERMINAL_STATES:
        offer.closed_at = moment
    if target is not OfferState.NEEDS_DATA:
        offer.missing = []
    session.add(offer)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"offer.{target.value}",
        subject_type="offer",
        subject_id=_id(offer),
        icims=offer.icims_ids,
        details={"from": current.value, "to": target.value, "reason": reason, **(details or {})},
        occurred_at=moment,
    )
    return offer


def require_state(offer: Offer, allowed: set[OfferState] | frozenset[OfferState], action: str) -> None:
    if offer.status not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise IllegalTransitionError(f"offer {offer.id}", offer.state, action, f"only allowed in: {names}")


def mark_needs_data(
    session: Session, offer: Offer, missing: list[dict[str, Any]], *, actor: Actor, now: datetime | None = None
) -> Offer:
    """Put the offer in `needs_data` listing exactly what is missing (kept on the offer for the recruiter)."""
    listed = [dict(m) for m in missing]
    if offer.status is OfferState.NEEDS_DATA and offer.missing == listed:
        return offer  # asked again, nothing new: no write, no event
    if offer.status is not OfferState.NEEDS_DATA:
        if offer.status not in _EDITABLE:
            raise IllegalTransitionError(f"offer {offer.id}", offer.state, OfferState.NEEDS_DATA.value)
        from offer_engine.approvals import void_open_requests  # imported here: approvals imports offers

        void_open_requests(session, offer, actor=actor, reason="offer data went missing in iCIMS")
        transition(session, offer, OfferState.NEEDS_DATA, actor=actor, reason="mandatory data missing", now=now)
    offer.missing = listed
    offer.updated_at = now or utcnow()
    session.add(offer)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="offer.missing_data_listed",
        subject_type="offer",
        subject_id=_id(offer),
        icims=offer.icims_ids,
        details={"missing": offer.missing},
    )
    return offer


def mark_sent(session: Session, offer: Offer, *, actor: Actor, now: datetime | None = None) -> Offer:
    return transition(session, offer, OfferState.SENT, actor=actor, reason="letter released to the candidate", now=now)


def record_response(
    session: Session,
    offer: Offer,
    *,
    accepted: bool,
    actor: Actor,
    note: str | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Offer:
    """The candidate's answer (from chat, or from an iCIMS status change)."""
    if actor.kind is ActorKind.CANDIDATE and str(offer.person_id) != actor.id:
        raise PermissionDeniedError("a candidate may only answer their own offer")
    target = OfferState.ACCEPTED if accepted else OfferState.DECLINED
    reason = note or f"candidate {target.value}"
    return transition(session, offer, target, actor=actor, reason=reason, details=details, now=now)


def withdraw(
    session: Session,
    offer: Offer,
    *,
    actor: Actor,
    reason: str,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Offer:
    if offer.status is not OfferState.NEEDS_DATA:
        from offer_engine.approvals import void_open_requests  # imported here: approvals imports offers

        void_open_requests(session, offer, actor=actor, reason=f"offer withdrawn: {reason}")
    return transition(session, offer, OfferState.WITHDRAWN, actor=actor, reason=reason, details=details, now=now)


def close_from_icims(
    session: Session,
    offer: Offer,
    target: OfferState,
    *,
    actor: Actor,
    status_id: str,
    event_id: int | None,
    reason: str | None = None,
    now: datetime | None = None,
) -> Offer:
    """iCIMS reports the workflow at a status that ends the offer there: accepted, declined or withdrawn.

    Audited with the iCIMS status and the notification it came in; nothing is written back (iCIMS has it).
    """
    details = {"source": "icims", "icims_status": status_id, "webhook_event_id": event_id}
    reason = reason or f"{target.value} in iCIMS (status {status_id})"
    if target is OfferState.WITHDRAWN:
        return withdraw(session, offer, actor=actor, reason=reason, details=details, now=now)
    if target not in (OfferState.ACCEPTED, OfferState.DECLINED):
        raise IllegalTransitionError(f"offer {offer.id}", offer.state, target.value, "iCIMS only ends an offer")
    accepted = target is OfferState.ACCEPTED
    return record_response(session, offer, accepted=accepted, actor=actor, note=reason, details=details, now=now)


def expire_overdue(session: Session, *, today: date, actor: Actor, now: datetime | None = None) -> list[Offer]:
    """Sent offers whose current version's expiry date has passed become `expired` (a worker step)."""
    from offer_engine.versions import current_version  # imported here: versions imports offers

    expired: list[Offer] = []
    for offer in session.exec(select(Offer).where(Offer.state == OfferState.SENT.value)):
        version = current_version(session, offer)
        expiry = version.offer_terms.expiry_date if version is not None else None
        if expiry is not None and expiry < today:
            transition(session, offer, OfferState.EXPIRED, actor=actor, reason=f"expired on {expiry}", now=now)
            expired.append(offer)
    return expired


def _id(offer: Offer) -> int:
    assert offer.id is not None, "offer must be flushed before it is referenced"
    return offer.id
