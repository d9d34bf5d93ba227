"""The candidate's own counter-offers as their chat may tell them: read from the queue for one offer only."""

from __future__ import annotations

from typing import Literal

from sqlmodel import Session, col, select

from app.ai.models import CounterStatus
from offer_engine.counters import CounterOffer, CounterOfferItem
from offer_engine.offers import Offer, OfferState

Revision = Literal["none", "awaiting_approval", "approved", "sent"]
_SENT_STATES = frozenset({OfferState.SENT, OfferState.ACCEPTED})


def counter_statuses(session: Session, offer: Offer, current_version_id: int) -> list[CounterStatus]:
    """Every counter-offer on `offer` (the signed session's), oldest first, with the state of its revision."""
    counters = list(
        session.exec(select(CounterOffer).where(CounterOffer.offer_id == offer.id).order_by(col(CounterOffer.number)))
    )
    if not counters:
        return []
    ids = [c.id for c in counters]
    items = session.exec(
        select(CounterOfferItem)
        .where(col(CounterOfferItem.counter_id).in_(ids))
        .order_by(col(CounterOfferItem.counter_id), col(CounterOfferItem.position))
    )
    terms: dict[int, list[str]] = {}
    for item in items:
        terms.setdefault(item.counter_id, []).append(item.term)
    return [
        CounterStatus.model_validate(
            {
                "number": c.number,
                "terms": terms.get(c.id or 0, []),
                "submitted_at": c.created_at,
                "due_at": c.due_at,
                "state": c.state,
                "resolution": c.resolution,
                "revision": _revision(c, offer, current_version_id),
            }
        )
        for c in counters
    ]


def _revision(counter: CounterOffer, offer: Offer, current_version_id: int) -> Revision:
    """Where the revised version a resolution made stands; a later version replaces it for the candidate."""
    if counter.resulting_version_id is None:
        return "none"
    if counter.resulting_version_id != current_version_id:
        return "awaiting_approval" if offer.status not in _SENT_STATES else "sent"
    if offer.status in _SENT_STATES:
        return "sent"
    return "approved" if offer.status is OfferState.APPROVED else "awaiting_approval"
