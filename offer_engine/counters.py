"""Counter-offers: candidate requests as structured items, queued for recruiters by SLA.

States: ``submitted → in_review (claimed) → resolved (accepted | partially | declined)``, or ``withdrawn``
from either open state. A claim is exclusive: on PostgreSQL the row is taken with ``FOR UPDATE SKIP
LOCKED``; on every backend the claim itself is a conditional UPDATE, so exactly one of two racing
recruiters wins. Accepting (wholly or partly) makes a new offer version through `versions.add_version`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import JSON, Text, UniqueConstraint, update
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor, ActorKind, Role
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.db import is_postgres
from offer_engine.errors import (
    ClaimConflictError,
    IllegalTransitionError,
    InvalidCounterError,
    NotFoundError,
    PermissionDeniedError,
)
from offer_engine.notify_events import notify_counter_queued
from offer_engine.offers import Offer, OfferState, get_offer, require_state
from offer_engine.terms import MONEY_TERMS, CounterItem, OfferTerms, Term, apply_counter_items, as_term, term_key
from offer_engine.versions import VersionReason, add_version, require_current_version


class CounterState(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"


class Resolution(StrEnum):
    ACCEPTED = "accepted"
    PARTIALLY = "partially"
    DECLINED = "declined"


OPEN_STATES = (CounterState.SUBMITTED, CounterState.IN_REVIEW)
COUNTERABLE_OFFER_STATES = frozenset(
    {OfferState.DRAFT, OfferState.IN_REVIEW, OfferState.PENDING_APPROVAL, OfferState.APPROVED, OfferState.SENT}
)
DEFAULT_SLA_HOURS = 24


class CounterOffer(SQLModel, table=True):
    __tablename__ = "counter_offers"
    __table_args__ = (UniqueConstraint("offer_id", "number", name="uq_counter_offers_number"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offers.id", index=True)
    number: int
    version_id: int = Field(foreign_key="offer_versions.id")
    version_number: int
    state: str = Field(default=CounterState.SUBMITTED.value, index=True)
    resolution: str | None = None
    rationale: str | None = Field(default=None, sa_type=Text)
    competing_offer: str | None = Field(default=None, sa_type=Text)
    source_message_id: str | None = None
    source_message_text: str | None = Field(default=None, sa_type=Text)
    submitted_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    claimed_by: str | None = None
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: str | None = None
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_reasons: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    resulting_version_id: int | None = Field(default=None, foreign_key="offer_versions.id")


class CounterOfferItem(SQLModel, table=True):
    __tablename__ = "counter_offer_items"

    id: int | None = Field(default=None, primary_key=True)
    counter_id: int = Field(foreign_key="counter_offers.id", index=True)
    position: int
    term: str
    current: Any = Field(default=None, sa_type=JSON, nullable=True)
    requested: Any = Field(default=None, sa_type=JSON, nullable=True)
    currency: str | None = None
    note: str | None = Field(default=None, sa_type=Text)
    granted: Any = Field(default=None, sa_type=JSON, nullable=True)
    decision: str | None = None  # granted | declined, set on resolution

    def as_counter_item(self) -> CounterItem:
        return CounterItem(
            term=as_term(self.term), current=self.current, requested=self.requested, currency=self.currency
        )


def submit_counter(
    session: Session,
    offer: Offer,
    items: list[CounterItem],
    *,
    actor: Actor,
    rationale: str | None = None,
    competing_offer: str | None = None,
    source_message_id: str | None = None,
    source_message_text: str | None = None,
    sla_hours: int = DEFAULT_SLA_HOURS,
    now: datetime | None = None,
) -> CounterOffer:
    """Queue a counter-offer against the offer's current version (the candidate has confirmed the items)."""
    assert offer.id is not None
    offer = get_offer(session, offer.id, lock=True)
    if actor.kind is ActorKind.CANDIDATE and str(offer.person_id) != actor.id:
        raise PermissionDeniedError("a candidate may only counter their own offer")
    require_state(offer, COUNTERABLE_OFFER_STATES, "receive a counter-offer")
    version = require_current_version(session, offer)
    terms = version.offer_terms
    _validate_items(terms, items)
    moment = now or utcnow()
    number = len(list(session.exec(select(CounterOffer.id).where(CounterOffer.offer_id == offer.id)))) + 1
    counter = CounterOffer(
        offer_id=version.offer_id,
        number=number,
        version_id=version.id or 0,
        version_number=version.number,
        rationale=rationale,
        competing_offer=competing_offer,
        source_message_id=source_message_id,
        source_message_text=source_message_text,
        submitted_by=actor.label,
        created_at=moment,
        due_at=moment + timedelta(hours=sla_hours),
    )
    session.add(counter)
    session.flush()
    current = terms.model_dump(mode="json")
    session.add_all(
        CounterOfferItem(
            counter_id=counter.id or 0,
            position=position,
            term=item.key,
            current=current.get(item.key),
            requested=_json_value(item.requested),
            currency=item.currency.upper() if item.currency else None,
            note=item.note,
        )
        for position, item in enumerate(items, start=1)
    )
    _audit(session, actor, "counter.submitted", counter, offer, {"items": [i.key for i in items]}, moment)
    notify_counter_queued(session, offer, counter.id or 0, actor=actor, now=moment)
    return counter


def _validate_items(terms: OfferTerms, items: list[CounterItem]) -> None:
    if not items:
        raise InvalidCounterError("a counter-offer needs at least one item")
    named = [item.term for item in items if item.term is not Term.OTHER]
    if len(named) != len(set(named)):
        raise InvalidCounterError("each term may appear only once in a counter-offer")
    for item in items:
        if item.term in MONEY_TERMS and item.currency and item.currency.upper() != terms.currency:
            raise InvalidCounterError(
                f"{item.key} is requested in {item.currency.upper()} but the offer is in {terms.currency}"
            )
    try:
        apply_counter_items(terms, items)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InvalidCounterError(f"a requested value is not valid for its term: {problems}") from exc


def _json_value(value: Any) -> Any:
    return to_jsonable_python(value) if value is not None else None


def get_counter(session: Session, counter_id: int) -> CounterOffer:
    counter = session.get(CounterOffer, counter_id, populate_existing=True)
    if counter is None:
        raise NotFoundError(f"counter-offer {counter_id} does not exist")
    return counter


def items_of(session: Session, counter_id: int) -> list[CounterOfferItem]:
    statement = (
        select(CounterOfferItem)
        .where(CounterOfferItem.counter_id == counter_id)
        .order_by(col(CounterOfferItem.position))
    )
    return list(session.exec(statement))


def queue(session: Session, *, include_claimed: bool = True, limit: int = 100) -> list[CounterOffer]:
    """Open counter-offers, most urgent (earliest SLA due time) first."""
    states = [s.value for s in OPEN_STATES] if include_claimed else [CounterState.SUBMITTED.value]
    statement = (
        select(CounterOffer)
        .where(col(CounterOffer.state).in_(states))
        .order_by(col(CounterOffer.due_at), col(CounterOffer.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def open_for_offer(session: Session, offer_id: int) -> list[CounterOffer]:
    """The offer's counter-offers still waiting for a recruiter (submitted or claimed)."""
    statement = (
        select(CounterOffer)
        .where(CounterOffer.offer_id == offer_id, col(CounterOffer.state).in_([s.value for s in OPEN_STATES]))
        .order_by(col(CounterOffer.id))
    )
    return list(session.exec(statement))


def claim(session: Session, counter_id: int, *, actor: Actor, now: datetime | None = None) -> CounterOffer:
    """Take the counter-offer for review; ClaimConflictError if someone else has (or is taking) it."""
    actor.require_role(Role.RECRUITER, action="claim a counter-offer")
    found = get_counter(session, counter_id)
    if found.state not in {s.value for s in OPEN_STATES}:
        raise IllegalTransitionError(f"counter-offer {counter_id}", found.state, "claimed", "it is closed")
    if is_postgres(session.get_bind().engine):
        statement = (
            select(CounterOffer.id)
            .where(CounterOffer.id == counter_id, CounterOffer.state == CounterState.SUBMITTED.value)
            .with_for_update(skip_locked=True)
        )
        if session.exec(statement).first() is None:
            raise ClaimConflictError(f"counter-offer {counter_id} is already claimed or no longer open")
    if not _try_claim(session, counter_id, actor, now or utcnow()):
        holder = get_counter(session, counter_id)
        raise ClaimConflictError(
            f"counter-offer {counter_id} is {holder.state}"
            + (f", claimed by {holder.claimed_by}" if holder.claimed_by else "")
        )
    return get_counter(session, counter_id)


def claim_next(session: Session, *, actor: Actor, now: datetime | None = None) -> CounterOffer | None:
    """Claim the most urgent unclaimed counter-offer, skipping ones other recruiters are taking."""
    actor.require_role(Role.RECRUITER, action="claim a counter-offer")
    statement = (
        select(CounterOffer.id)
        .where(CounterOffer.state == CounterState.SUBMITTED.value)
        .order_by(col(CounterOffer.due_at), col(CounterOffer.id))
    )
    if is_postgres(session.get_bind().engine):
        statement = statement.limit(1).with_for_update(skip_locked=True)
    for counter_id in list(session.exec(statement)):
        if counter_id is not None and _try_claim(session, counter_id, actor, now or utcnow()):
            return get_counter(session, counter_id)
    return None


def _try_claim(session: Session, counter_id: int, actor: Actor, moment: datetime) -> bool:
    result = session.execute(
        update(CounterOffer)
        .where(
            col(CounterOffer.id) == counter_id,
            col(CounterOffer.state) == CounterState.SUBMITTED.value,
            col(CounterOffer.claimed_by).is_(None),
        )
        .values(state=CounterState.IN_REVIEW.value, claimed_by=actor.id, claimed_at=moment)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    counter = get_counter(session, counter_id)
    _audit(session, actor, "counter.claimed", counter, get_offer(session, counter.offer_id), {}, moment)
    return True


def release(session: Session, counter_id: int, *, actor: Actor, now: datetime | None = None) -> CounterOffer:
    """Give a claimed counter-offer back to the queue."""
    counter = _held_by(session, counter_id, actor, "release")
    counter.state, counter.claimed_by, counter.claimed_at = CounterState.SUBMITTED.value, None, None
    session.add(counter)
    _audit(session, actor, "counter.released", counter, get_offer(session, counter.offer_id), {}, now or utcnow())
    return counter


def resolve(
    session: Session,
    counter_id: int,
    *,
    actor: Actor,
    resolution: Resolution,
    reasons: list[str],
    granted: dict[Term | str, Any] | None = None,
    now: datetime | None = None,
) -> CounterOffer:
    """Close a claimed counter-offer: a new version with the granted values, or a decline with reasons.

    `granted` (term → value) is required for a partial resolution; for `accepted` every item is granted
    at its requested value. An `other` item's granted text is added to the special terms.
    """
    counter = _held_by(session, counter_id, actor, "resolve")
    reasons = [r.strip() for r in reasons if r.strip()]
    if resolution is not Resolution.ACCEPTED and not reasons:
        raise InvalidCounterError(f"a {resolution.value} resolution needs at least one reason")
    items = items_of(session, counter_id)
    values = _granted_values(items, resolution, granted or {})
    offer = get_offer(session, counter.offer_id, lock=True)
    moment = now or utcnow()
    if values:
        current = require_current_version(session, offer)
        version = add_version(
            session,
            offer,
            _apply_granted(current.offer_terms, values),
            actor=actor,
            reason_kind=VersionReason.COUNTER_OFFER,
            reason=f"counter-offer {counter.number} {resolution.value}",
            counter_offer_id=counter.id,
            now=moment,
        )
        counter.resulting_version_id = version.id
    for item in items:
        item.granted = _json_value(values[as_term(item.term)]) if as_term(item.term) in values else None
        item.decision = "granted" if as_term(item.term) in values else "declined"
        session.add(item)
    counter.state, counter.resolution = CounterState.RESOLVED.value, resolution.value
    counter.resolved_by, counter.resolved_at, counter.resolution_reasons = actor.id, moment, reasons
    session.add(counter)
    details = {
        "resolution": resolution.value,
        "reasons": reasons,
        "granted": {term_key(t): v for t, v in values.items()},
    }
    _audit(session, actor, "counter.resolved", counter, offer, details, moment)
    return counter


def _granted_values(
    items: list[CounterOfferItem], resolution: Resolution, granted: dict[Term | str, Any]
) -> dict[Term | str, Any]:
    requested = {as_term(i.term): i.requested for i in items}
    if resolution is Resolution.DECLINED:
        if granted:
            raise InvalidCounterError("a declined counter-offer grants nothing")
        return {}
    if resolution is Resolution.ACCEPTED:
        return requested
    unknown = set(granted) - set(requested)
    if unknown:
        raise InvalidCounterError(f"granted terms not in the counter-offer: {sorted(term_key(t) for t in unknown)}")
    if not granted:
        raise InvalidCounterError("a partial resolution must grant at least one item (with its value)")
    return dict(granted)


def _apply_granted(terms: OfferTerms, values: dict[Term | str, Any]) -> OfferTerms:
    named = [CounterItem(term=t, requested=v) for t, v in values.items() if t is not Term.OTHER]
    revised = apply_counter_items(terms, named)
    if Term.OTHER in values:
        extra = str(values[Term.OTHER]).strip()
        special = "\n".join(p for p in (revised.special_terms, extra) if p)
        revised = OfferTerms.model_validate({**revised.model_dump(), "special_terms": special})
    return revised


def withdraw(
    session: Session, counter_id: int, *, actor: Actor, reason: str, now: datetime | None = None
) -> CounterOffer:
    counter = get_counter(session, counter_id)
    offer = get_offer(session, counter.offer_id)
    if actor.kind is ActorKind.CANDIDATE and str(offer.person_id) != actor.id:
        raise PermissionDeniedError("a candidate may only withdraw their own counter-offer")
    if counter.state not in {s.value for s in OPEN_STATES}:
        raise IllegalTransitionError(f"counter-offer {counter_id}", counter.state, CounterState.WITHDRAWN.value)
    counter.state = CounterState.WITHDRAWN.value
    counter.resolution_reasons = [reason]
    session.add(counter)
    _audit(session, actor, "counter.withdrawn", counter, offer, {"reason": reason}, now or utcnow())
    return counter


def _held_by(session: Session, counter_id: int, actor: Actor, action: str) -> CounterOffer:
    counter = get_counter(session, counter_id)
    if counter.state != CounterState.IN_REVIEW.value:
        raise IllegalTransitionError(f"counter-offer {counter_id}", counter.state, action, "claim it first")
    if counter.claimed_by != actor.id and not actor.has_role(Role.ADMIN):
        raise PermissionDeniedError(f"counter-offer {counter_id} is claimed by {counter.claimed_by}, not {actor.id}")
    return counter


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    counter: CounterOffer,
    offer: Offer,
    details: dict[str, Any],
    at: datetime,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="counter_offer",
        subject_id=counter.id or 0,
        icims=offer.icims_ids,
        input_hash=audit.sha256_of(counter.source_message_text) if counter.source_message_text else None,
        details={"offer_id": offer.id, "number": counter.number, "version": counter.version_number, **details},
        occurred_at=at,
    )
