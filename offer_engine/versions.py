"""Offer versions: immutable, numbered terms with who made them, why, and the diff from the previous one.

A version is never updated or deleted: the ORM refuses it here (VersionImmutableError) and database
triggers refuse it underneath (see the migration). Any change of terms is a new version, which voids the
offer's pending approvals and sends the offer back to draft.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint, event
from sqlalchemy.orm import Mapper
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor
from offer_engine.approvals import void_open_requests
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.errors import IllegalTransitionError, NotFoundError, NothingChangedError, VersionImmutableError
from offer_engine.offers import TERMINAL_STATES, Offer, OfferState, get_offer, transition
from offer_engine.terms import OfferTerms


class VersionReason(StrEnum):
    INITIAL = "initial_draft"
    ICIMS_REFRESH = "icims_refresh"
    RECRUITER_EDIT = "recruiter_edit"
    COUNTER_OFFER = "counter_offer"


class OfferVersion(SQLModel, table=True):
    __tablename__ = "offer_versions"
    __table_args__ = (UniqueConstraint("offer_id", "number", name="uq_offer_versions_offer_number"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offers.id", index=True)
    number: int
    terms: dict[str, Any] = Field(sa_type=JSON, nullable=False)
    diff: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    reason_kind: str
    reason: str
    counter_offer_id: int | None = None
    created_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

    @property
    def offer_terms(self) -> OfferTerms:
        return OfferTerms.model_validate(self.terms)


@event.listens_for(OfferVersion, "before_update")
def _refuse_update(_mapper: Mapper[Any], _connection: Any, target: OfferVersion) -> None:
    raise VersionImmutableError(
        f"offer version {target.number} of offer {target.offer_id} is immutable; create a new version instead"
    )


@event.listens_for(OfferVersion, "before_delete")
def _refuse_delete(_mapper: Mapper[Any], _connection: Any, target: OfferVersion) -> None:
    raise VersionImmutableError(f"offer version {target.number} of offer {target.offer_id} cannot be deleted")


def terms_json(terms: OfferTerms) -> dict[str, Any]:
    return terms.model_dump(mode="json")


def diff_json(terms: OfferTerms, previous: OfferTerms | None) -> dict[str, Any]:
    """{term: {"from": before, "to": after}} with JSON values; every term is 'added' for a first version."""
    if previous is None:
        return {name: {"from": None, "to": value} for name, value in terms_json(terms).items() if value is not None}
    before, after = terms_json(previous), terms_json(terms)
    return {name: {"from": before[name], "to": after[name]} for name in terms.diff(previous)}


def current_version(session: Session, offer: Offer) -> OfferVersion | None:
    if not offer.current_version_number:
        return None
    statement = select(OfferVersion).where(
        OfferVersion.offer_id == offer.id, OfferVersion.number == offer.current_version_number
    )
    return session.exec(statement).one_or_none()


def require_current_version(session: Session, offer: Offer) -> OfferVersion:
    version = current_version(session, offer)
    if version is None:
        raise NotFoundError(f"offer {offer.id} has no version yet (state {offer.state!r})")
    return version


def get_version(session: Session, version_id: int) -> OfferVersion:
    version = session.get(OfferVersion, version_id)
    if version is None:
        raise NotFoundError(f"offer version {version_id} does not exist")
    return version


def list_versions(session: Session, offer_id: int) -> list[OfferVersion]:
    statement = select(OfferVersion).where(OfferVersion.offer_id == offer_id).order_by(col(OfferVersion.number))
    return list(session.exec(statement))


def add_version(
    session: Session,
    offer: Offer,
    terms: OfferTerms,
    *,
    actor: Actor,
    reason_kind: VersionReason,
    reason: str,
    counter_offer_id: int | None = None,
    now: datetime | None = None,
) -> OfferVersion:
    """Store `terms` as the offer's next version: voids pending approvals, the offer returns to draft."""
    assert offer.id is not None
    offer = get_offer(session, offer.id, lock=True)
    if offer.status in TERMINAL_STATES:
        raise IllegalTransitionError(f"offer {offer.id}", offer.state, "new version", "the offer is closed")
    previous = current_version(session, offer)
    previous_terms = previous.offer_terms if previous is not None else None
    if previous_terms == terms:
        raise NothingChangedError(f"the terms equal version {offer.current_version_number}; no version made")
    moment = now or utcnow()
    offer_id = offer.id or 0
    version = OfferVersion(
        offer_id=offer_id,
        number=offer.current_version_number + 1,
        terms=terms_json(terms),
        diff=diff_json(terms, previous_terms),
        reason_kind=reason_kind.value,
        reason=reason,
        counter_offer_id=counter_offer_id,
        created_by=actor.label,
        created_at=moment,
    )
    session.add(version)
    session.flush()
    offer.current_version_number = version.number
    offer.updated_at = moment
    session.add(offer)
    void_open_requests(session, offer, actor=actor, reason=f"version {version.number} supersedes the terms", now=moment)
    if offer.status is not OfferState.DRAFT:
        transition(session, offer, OfferState.DRAFT, actor=actor, reason=f"version {version.number}", now=moment)
    audit.record(
        session,
        actor=actor,
        action="offer.version_created",
        subject_type="offer",
        subject_id=offer_id,
        icims=offer.icims_ids,
        output_hash=audit.sha256_of(version.terms),
        details={"version": version.number, "reason_kind": reason_kind.value, "reason": reason, "diff": version.diff},
        occurred_at=moment,
    )
    return version
