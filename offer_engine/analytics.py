"""Offer analytics over every offer and every version: speed of drafting and approval, negotiation, outcomes.

- webhook → draft: an offer-ready notification's receipt to the first letter of the offer it opened;
- webhook → approval and draft → approval: to the first approval request of that offer that was approved;
- approval cycle per step (activation to decision) and per request (submission to close), all versions;
- counter rate: offers with at least one counter-offer among offers with terms;
- rounds to close: counter-offers and versions of offers the candidate accepted or declined;
- acceptance rate: accepted among accepted, declined and expired offers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, computed_field
from sqlmodel import Session, col, func, select

from offer_engine.approvals import ApprovalRequest, ApprovalStep, RequestState, StepState
from offer_engine.counters import CounterOffer
from offer_engine.letter_store import Letter
from offer_engine.offers import Offer, OfferState
from offer_engine.versions import OfferVersion
from offer_engine.webhook_events import EventState, WebhookEvent


class DurationStats(BaseModel):
    count: int = 0
    mean_seconds: float | None = None
    p50_seconds: float | None = None
    p95_seconds: float | None = None
    max_seconds: float | None = None

    @classmethod
    def of(cls, seconds: Iterable[float]) -> DurationStats:
        values = sorted(s for s in seconds if s >= 0)
        if not values:
            return cls()
        return cls(
            count=len(values),
            mean_seconds=round(sum(values) / len(values), 3),
            p50_seconds=round(percentile(values, 50), 3),
            p95_seconds=round(percentile(values, 95), 3),
            max_seconds=round(values[-1], 3),
        )


class Rate(BaseModel):
    numerator: int
    denominator: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


class RoundsToClose(BaseModel):
    closed_offers: int = 0
    mean_counters: float | None = None
    mean_versions: float | None = None
    counters_histogram: dict[int, int] = {}


class OfferAnalytics(BaseModel):
    offers: int
    webhook_to_draft: DurationStats
    webhook_to_approval: DurationStats
    draft_to_approval: DurationStats
    approval_request_cycle: DurationStats
    approval_step_cycle: dict[str, DurationStats]
    counter_rate: Rate
    rounds_to_close: RoundsToClose
    acceptance_rate: Rate


def percentile(values: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile (the analytics' and every benchmark's)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else (end - start).total_seconds()


def compute(session: Session, *, since: datetime | None = None) -> OfferAnalytics:
    """Analytics over offers created at or after `since` (all offers when None)."""
    offer_rows = [o for o in session.exec(select(Offer)) if since is None or o.created_at >= since]
    offer_ids = {o.id for o in offer_rows if o.id is not None}
    first_letter = _first_letters(session, offer_ids)
    first_approval = _first_approvals(session, offer_ids)
    drafted_from_event = _event_offers(session, offer_rows)
    return OfferAnalytics(
        offers=len(offer_rows),
        webhook_to_draft=DurationStats.of(
            s for event_at, oid in drafted_from_event if (s := _seconds(event_at, first_letter.get(oid))) is not None
        ),
        webhook_to_approval=DurationStats.of(
            s for event_at, oid in drafted_from_event if (s := _seconds(event_at, first_approval.get(oid))) is not None
        ),
        draft_to_approval=DurationStats.of(
            s for oid in offer_ids if (s := _seconds(first_letter.get(oid), first_approval.get(oid))) is not None
        ),
        approval_request_cycle=_request_cycle(session, offer_ids),
        approval_step_cycle=_step_cycles(session, offer_ids),
        counter_rate=_counter_rate(session, offer_rows),
        rounds_to_close=_rounds(session, offer_rows),
        acceptance_rate=_acceptance(offer_rows),
    )


def _first_letters(session: Session, offer_ids: set[int]) -> dict[int, datetime]:
    statement = select(Letter.offer_id, func.min(Letter.created_at)).group_by(col(Letter.offer_id))
    return {oid: at for oid, at in session.exec(statement) if oid in offer_ids and at is not None}


def _first_approvals(session: Session, offer_ids: set[int]) -> dict[int, datetime]:
    statement = (
        select(ApprovalRequest.offer_id, func.min(ApprovalRequest.closed_at))
        .where(ApprovalRequest.state == RequestState.APPROVED.value)
        .group_by(col(ApprovalRequest.offer_id))
    )
    return {oid: at for oid, at in session.exec(statement) if oid in offer_ids and at is not None}


def _event_offers(session: Session, offer_rows: list[Offer]) -> list[tuple[datetime, int]]:
    """(receipt time, offer id) for each processed notification that opened an offer."""
    by_workflow: dict[tuple[str | None, str], list[Offer]] = defaultdict(list)
    for offer in offer_rows:
        by_workflow[(str(offer.customer_id), str(offer.workflow_id))].append(offer)
    pairs: list[tuple[datetime, int]] = []
    statement = select(WebhookEvent).where(WebhookEvent.state == EventState.PROCESSED.value)
    for event in session.exec(statement.order_by(col(WebhookEvent.received_at))):
        candidates = by_workflow.get((event.customer_id, event.system_id or ""), [])
        opened = [o for o in candidates if o.created_at >= event.received_at and o.id is not None]
        if opened:
            offer = min(opened, key=lambda o: o.created_at)
            pairs.append((event.received_at, offer.id or 0))
            candidates.remove(offer)  # one notification per offer: a later refresh is not a new draft
    return pairs


def _request_cycle(session: Session, offer_ids: set[int]) -> DurationStats:
    closed = [RequestState.APPROVED.value, RequestState.REJECTED.value]
    statement = select(ApprovalRequest).where(col(ApprovalRequest.state).in_(closed))
    return DurationStats.of(
        s
        for r in session.exec(statement)
        if r.offer_id in offer_ids and (s := _seconds(r.created_at, r.closed_at)) is not None
    )


def _step_cycles(session: Session, offer_ids: set[int]) -> dict[str, DurationStats]:
    decided = [StepState.APPROVED.value, StepState.REJECTED.value]
    statement = (
        select(ApprovalStep, ApprovalRequest.offer_id)
        .join(ApprovalRequest, col(ApprovalRequest.id) == col(ApprovalStep.request_id))
        .where(col(ApprovalStep.state).in_(decided))
    )
    seconds: dict[str, list[float]] = defaultdict(list)
    for step, offer_id in session.exec(statement):
        value = _seconds(step.activated_at, step.decided_at)
        if offer_id in offer_ids and value is not None:
            seconds[step.key].append(value)
    return {key: DurationStats.of(values) for key, values in sorted(seconds.items())}


def _counts(session: Session, model: type[CounterOffer] | type[OfferVersion]) -> dict[int, int]:
    statement = select(model.offer_id, func.count()).group_by(col(model.offer_id))
    return dict(session.exec(statement).all())


def _counter_rate(session: Session, offer_rows: list[Offer]) -> Rate:
    counters = _counts(session, CounterOffer)
    with_terms = [o for o in offer_rows if o.current_version_number > 0]
    return Rate(numerator=sum(1 for o in with_terms if counters.get(o.id or 0)), denominator=len(with_terms))


def _rounds(session: Session, offer_rows: list[Offer]) -> RoundsToClose:
    closed = [o for o in offer_rows if o.status in (OfferState.ACCEPTED, OfferState.DECLINED)]
    if not closed:
        return RoundsToClose()
    counters, versions = _counts(session, CounterOffer), _counts(session, OfferVersion)
    rounds = [counters.get(o.id or 0, 0) for o in closed]
    histogram: dict[int, int] = defaultdict(int)
    for value in rounds:
        histogram[value] += 1
    return RoundsToClose(
        closed_offers=len(closed),
        mean_counters=round(sum(rounds) / len(closed), 3),
        mean_versions=round(sum(versions.get(o.id or 0, 0) for o in closed) / len(closed), 3),
        counters_histogram=dict(sorted(histogram.items())),
    )


def _acceptance(offer_rows: list[Offer]) -> Rate:
    decided = [o for o in offer_rows if o.status in (OfferState.ACCEPTED, OfferState.DECLINED, OfferState.EXPIRED)]
    return Rate(numerator=sum(1 for o in decided if o.status is OfferState.ACCEPTED), denominator=len(decided))
