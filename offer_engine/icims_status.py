"""A workflow moved in iCIMS to a status that ends its offer: accepted, declined, or withdrawn (rejected,
candidate withdrew, requisition closed). The offer follows when its state machine allows it, what waited for a
recruiter on it is closed, and nothing is written back: iCIMS already has it. iCIMS's status also wins over our
own status writes not yet delivered, which are cancelled rather than allowed to overwrite it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from icims.mapping import StatusOutcome, same_status
from offer_engine import approval_inbox, audit, candidate_requests, counters, offers, outbox, webhook_events
from offer_engine.actors import Actor
from offer_engine.approvals import RequestState
from offer_engine.errors import DomainError
from offer_engine.flows import EngineSetup
from offer_engine.offers import CLOSED_STATES, Offer, OfferState
from offer_engine.outbox import JobKind, SyncJob
from offer_engine.webhook_events import EventState, WebhookEvent


def finish(
    session: Session, event: WebhookEvent, state: EventState, outcome: str, actor: Actor, now: datetime | None
) -> WebhookEvent:
    return webhook_events.set_state(session, event, state, actor=actor, outcome=outcome, now=now)


# Before the letter went out an offer cannot be declined; the candidate saying no still ends it: withdrawn.
_UNSENT = frozenset(
    {OfferState.NEEDS_DATA, OfferState.DRAFT, OfferState.IN_REVIEW, OfferState.PENDING_APPROVAL, OfferState.APPROVED}
)


@dataclass(frozen=True)
class IcimsStatusChange:
    event: WebhookEvent
    workflow_id: int
    status_id: str
    outcome: StatusOutcome


def follow_icims_status(
    session: Session, change: IcimsStatusChange, setup: EngineSetup, *, actor: Actor, now: datetime | None
) -> WebhookEvent:
    """The offer takes the state iCIMS reports when its state machine allows it; otherwise it is left as it is.

    Nothing already so (a duplicate, or our own status write coming back) and a state the offer cannot take
    (accepted while still a draft, anything after it closed) mark the event ignored with the reason: retrying
    cannot change the answer. A conflict on a live offer is also put on the offer's history for the recruiter.
    """
    event = change.event
    offer = offers.latest_offer(session, setup.customer_id, change.workflow_id, lock=True)
    if offer is None:
        why = f"workflow {change.workflow_id} has no offer ({change.outcome.value} in iCIMS changes nothing here)"
        return finish(session, event, EventState.IGNORED, why, actor, now)
    cancelled = _cancel_superseded_status_writes(session, offer, change, actor, now)
    note = f"; cancelled our undelivered status write(s): sync job {', '.join(str(j.id) for j in cancelled)}"
    suffix = note if cancelled else ""
    target = _target_state(change.outcome, offer)
    if offer.status is target:
        return finish(session, event, EventState.IGNORED, _already(session, offer, change) + suffix, actor, now)
    if target not in offers.TRANSITIONS[offer.status]:
        why = _not_applicable(offer, change)
        if offer.status not in CLOSED_STATES:
            _record_not_applied(session, offer, change, why, actor, now)
        return finish(session, event, EventState.IGNORED, why + suffix, actor, now)
    try:
        with session.begin_nested():
            summary = _close_offer(session, offer, target, change, actor=actor, now=now)
    except DomainError as exc:
        kind = webhook_events.FailureKind.PERMANENT
        return webhook_events.set_state(
            session, event, EventState.DEAD, actor=actor, error=str(exc), kind=kind, now=now
        )
    return finish(session, event, EventState.PROCESSED, summary + suffix, actor, now)


def _cancel_superseded_status_writes(
    session: Session, offer: Offer, change: IcimsStatusChange, actor: Actor, now: datetime | None
) -> list[SyncJob]:
    """A status a person set in iCIMS wins over our status writes not yet delivered: they would overwrite it.
    Not so for our own write coming back (the status is one we queued): that one is already iCIMS's state."""
    if _our_status_write(session, offer, change.status_id) is not None:
        return []
    reason = f"superseded: iCIMS reports status {change.status_id} for the workflow ({change.outcome.value})"
    return outbox.cancel_undelivered(session, _status_writes(session, offer), reason=reason, actor=actor, now=now)


def _target_state(outcome: StatusOutcome, offer: Offer) -> OfferState:
    if outcome is StatusOutcome.DECLINED and offer.status in _UNSENT:
        return OfferState.WITHDRAWN
    return OfferState(outcome.value)


def _close_offer(
    session: Session,
    offer: Offer,
    target: OfferState,
    change: IcimsStatusChange,
    *,
    actor: Actor,
    now: datetime | None,
) -> str:
    """Move the offer, then close what waits for a recruiter on it; no write-back (iCIMS already has it).

    Withdrawing voids pending approvals (`offers.withdraw`); a sent offer has none left to void.
    """
    before = offer.state
    pending = [r for r in approval_inbox.requests_for(session, offer.id or 0) if r.state == RequestState.PENDING.value]
    said = change.outcome.value + ("" if target.value == change.outcome.value else " before the letter was sent")
    note = f"offer {said} in iCIMS (status {change.status_id})"
    offers.close_from_icims(
        session, offer, target, actor=actor, status_id=change.status_id, event_id=change.event.id, reason=note, now=now
    )
    open_counters = counters.open_for_offer(session, offer.id or 0)
    for counter in open_counters:
        counters.withdraw(session, counter.id or 0, actor=actor, reason=note, now=now)
    requests = candidate_requests.close_open_for_offer(session, offer, actor=actor, note=note, now=now)
    closed = f"{len(open_counters)} counter-offer(s), {len(requests)} candidate request(s), {len(pending)} approval(s)"
    return f"offer {offer.id} {before} → {offer.state} from iCIMS status {change.status_id}; closed {closed}"


def _already(session: Session, offer: Offer, change: IcimsStatusChange) -> str:
    job = _our_status_write(session, offer, change.status_id)
    if job is not None:
        return f"offer {offer.id} is already {offer.state}: our own status write (sync job {job.id}) came back"
    return f"offer {offer.id} is already {offer.state}"


def _status_writes(session: Session, offer: Offer) -> list[SyncJob]:
    statement = select(SyncJob).where(SyncJob.offer_id == offer.id, SyncJob.kind == JobKind.SET_STATUS.value)
    return list(session.exec(statement))


def _our_status_write(session: Session, offer: Offer, status_id: str) -> SyncJob | None:
    writes = _status_writes(session, offer)
    return next((j for j in writes if same_status(status_id, str(j.payload.get("status_id")))), None)


def _not_applicable(offer: Offer, change: IcimsStatusChange) -> str:
    if offer.status in CLOSED_STATES:
        return f"offer {offer.id} is already closed ({offer.state}): {change.outcome.value} in iCIMS changes nothing"
    return (
        f"iCIMS reports {change.outcome.value} (status {change.status_id}) but offer {offer.id} is {offer.state}, "
        f"which cannot become {change.outcome.value}: left as it is for the recruiter to reconcile"
    )


def _record_not_applied(
    session: Session, offer: Offer, change: IcimsStatusChange, why: str, actor: Actor, now: datetime | None
) -> None:
    audit.record(
        session,
        actor=actor,
        action="offer.icims_status_not_applied",
        subject_type="offer",
        subject_id=offer.id or 0,
        icims=offer.icims_ids,
        details={"icims_status": change.status_id, "webhook_event_id": change.event.id, "reason": why},
        occurred_at=now,
    )
