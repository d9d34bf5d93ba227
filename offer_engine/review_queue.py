"""The recruiter's queue: everything about offers that waits for a person, most urgent (SLA due time) first.

Items: drafts ready for review (from webhooks or the CLI), offers waiting for data, counter-offers, candidate
hand-offs and accept/decline intents, approval steps the viewer may decide, and dead iCIMS writes. A hiring
manager sees only items of their own requisitions (`offer_engine.requisitions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from offer_engine import approval_inbox, candidate_requests, counters
from offer_engine.actors import Role
from offer_engine.offers import Offer, OfferState
from offer_engine.outbox import JobState, SyncJob
from offer_engine.requisitions import can_see
from offer_engine.staff import StaffUser
from offer_engine.versions import current_version

DRAFT_SLA_HOURS = 24
_OfferLookup = Callable[[int], Offer | None]


class ItemKind(StrEnum):
    DRAFT = "draft"
    NEEDS_DATA = "needs_data"
    COUNTER = "counter"
    APPROVAL = "approval"
    HANDOFF = "handoff"
    ACCEPT_INTENT = "accept_intent"
    DECLINE_INTENT = "decline_intent"
    SYNC_FAILED = "sync_failed"


class QueueItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ItemKind
    ref_id: int  # the offer, counter-offer, approval step, candidate request or sync job
    offer_id: int
    workflow_id: int
    candidate: str
    title: str
    due_at: datetime
    summary: str
    holder: str | None = None  # who claimed it, if anyone
    # What is asked, for screens that word it themselves (the summary above is the CLI's one-liner).
    opened_at: datetime | None = None
    terms: list[str] = []  # the terms a counter-offer asks about, or a draft still misses
    version_number: int | None = None
    number: int | None = None  # the counter-offer's number on its offer
    job_kind: str | None = None
    job_state: str | None = None

    def overdue(self, now: datetime) -> bool:
        return self.due_at < now


def review_queue(
    session: Session, viewer: StaffUser, *, draft_sla_hours: int = DRAFT_SLA_HOURS, limit: int = 200
) -> list[QueueItem]:
    """Every open item `viewer` may see, earliest due first."""
    offers_by_id: dict[int, Offer] = {}

    def offer(offer_id: int) -> Offer | None:
        if offer_id not in offers_by_id:
            found = session.get(Offer, offer_id)
            if found is None:
                return None
            offers_by_id[offer_id] = found
        return offers_by_id[offer_id]

    items = [
        *_drafts(session, draft_sla_hours, limit),
        *_counters(session, offer, limit),
        *_requests(session, offer, limit),
        *_approvals(session, viewer, offer),
        *(_dead_jobs(session, offer, limit) if viewer.role_set & {Role.RECRUITER, Role.ADMIN} else []),
    ]
    visible = [i for i in items if (found := offer(i.offer_id)) is not None and can_see(session, viewer, found)]
    return sorted(visible, key=lambda i: (i.due_at, i.kind.value, i.ref_id))[:limit]


def _labels(session: Session, offer: Offer) -> tuple[str, str]:
    context = offer.attributes.get("letter_context") or {}
    candidate = str(context.get("candidate_name") or f"person {offer.person_id}")
    version = current_version(session, offer)
    title = version.offer_terms.title if version is not None else str(context.get("job_title") or "")
    return candidate, title


def _item(
    session: Session,
    offer: Offer,
    kind: ItemKind,
    ref_id: int,
    due: datetime,
    summary: str,
    holder: str | None = None,
    **asked: Any,
) -> QueueItem:
    candidate, title = _labels(session, offer)
    return QueueItem(
        kind=kind,
        ref_id=ref_id,
        offer_id=offer.id or 0,
        workflow_id=offer.workflow_id,
        candidate=candidate,
        title=title,
        due_at=due,
        summary=summary,
        holder=holder,
        **asked,
    )


def _drafts(session: Session, sla_hours: int, limit: int) -> Iterable[QueueItem]:
    states = [OfferState.IN_REVIEW.value, OfferState.NEEDS_DATA.value]
    statement = select(Offer).where(col(Offer.state).in_(states)).order_by(col(Offer.updated_at)).limit(limit)
    for offer in session.exec(statement):
        due = offer.updated_at + timedelta(hours=sla_hours)
        if offer.state == OfferState.NEEDS_DATA.value:
            terms = [str(m.get("term")) for m in offer.missing]
            summary = f"waiting for {', '.join(terms) or 'data'} in iCIMS"
            yield _item(
                session,
                offer,
                ItemKind.NEEDS_DATA,
                offer.id or 0,
                due,
                summary,
                opened_at=offer.updated_at,
                terms=terms,
            )
        else:
            number = offer.current_version_number
            yield _item(
                session,
                offer,
                ItemKind.DRAFT,
                offer.id or 0,
                due,
                f"v{number} ready for review",
                opened_at=offer.updated_at,
                version_number=number,
            )


def _counters(session: Session, offer_of: _OfferLookup, limit: int) -> Iterable[QueueItem]:
    for counter in counters.queue(session, limit=limit):
        offer = offer_of(counter.offer_id)
        if offer is None:
            continue
        terms = [i.term for i in counters.items_of(session, counter.id or 0)]
        summary = f"counter #{counter.number} on v{counter.version_number}: {', '.join(terms)}"
        yield _item(
            session,
            offer,
            ItemKind.COUNTER,
            counter.id or 0,
            counter.due_at,
            summary,
            counter.claimed_by,
            opened_at=counter.created_at,
            terms=terms,
            number=counter.number,
            version_number=counter.version_number,
        )


def _requests(session: Session, offer_of: _OfferLookup, limit: int) -> Iterable[QueueItem]:
    for request in candidate_requests.queue(session, limit=limit):
        offer = offer_of(request.offer_id)
        if offer is None:
            continue
        kind = ItemKind(request.kind)
        text = request.message if len(request.message) <= 80 else request.message[:77] + "..."
        yield _item(
            session,
            offer,
            kind,
            request.id or 0,
            request.due_at,
            text,
            request.claimed_by,
            opened_at=request.created_at,
        )


def _approvals(session: Session, viewer: StaffUser, offer_of: _OfferLookup) -> Iterable[QueueItem]:
    for step, request in approval_inbox.open_steps_for(session, viewer.actor()):
        offer = offer_of(request.offer_id)
        if offer is None:
            continue
        due = step.due_at or request.created_at
        escalated = f" (escalated x{step.escalation_level})" if step.escalation_level else ""
        summary = f"{step.name} for v{request.version_number}{escalated}"
        yield _item(
            session,
            offer,
            ItemKind.APPROVAL,
            step.id or 0,
            due,
            summary,
            opened_at=step.activated_at or request.created_at,
            version_number=request.version_number,
        )


def _dead_jobs(session: Session, offer_of: _OfferLookup, limit: int) -> Iterable[QueueItem]:
    waiting = [JobState.DEAD.value, JobState.HELD.value]  # held: a recruiter chooses which value iCIMS keeps
    statement = select(SyncJob).where(col(SyncJob.state).in_(waiting)).order_by(col(SyncJob.id)).limit(limit)
    for job in session.exec(statement):
        offer = offer_of(job.offer_id) if job.offer_id is not None else None
        if offer is None:
            continue
        summary = f"iCIMS write {job.kind} failed: {(job.last_error or '')[:80]}"
        if job.state == JobState.HELD.value:
            summary = "iCIMS was changed since the draft: choose which value iCIMS keeps"
        failed = job.dead_at or job.created_at
        yield _item(
            session,
            offer,
            ItemKind.SYNC_FAILED,
            job.id or 0,
            failed,
            summary,
            opened_at=failed,
            job_kind=job.kind,
            job_state=job.state,
        )
