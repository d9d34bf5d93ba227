"""After drafting: approval (policy steps), release, the candidate's answer, counter-offers, iCIMS events.

An iCIMS status change either starts a draft (offer-ready) or ends the workflow's offer the way iCIMS says
(accepted, declined, withdrawn: rejected, candidate withdrew, requisition closed), closing what waited for a
recruiter on it; such a change is not written back, iCIMS already has it.

Each function combines the domain services with the policy and queues the iCIMS write-backs the change
implies (an approved letter is uploaded, an accepted offer moves the workflow to the tenant's status).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from icims.client import ICIMSClient
from icims.errors import ICIMSError
from icims.mapping import TenantMapping
from offer_engine import (
    approvals,
    counters,
    offers,
    term_sync,
    versions,
    webhook_events,
    writebacks,
)
from offer_engine.actors import Actor
from offer_engine.approvals import ApprovalRequest, DecisionOutcome, RequestState
from offer_engine.compliance import ComplianceReport
from offer_engine.errors import DomainError
from offer_engine.flows import EngineSetup, draft_from_icims, job_band, render_current
from offer_engine.icims_status import IcimsStatusChange, finish, follow_icims_status
from offer_engine.letter_store import Letter, get_letter
from offer_engine.letters.model import LetterRenderError
from offer_engine.offers import Offer
from offer_engine.outbox import SyncJob
from offer_engine.policy import ApprovalStepSpec
from offer_engine.terms import OfferTerms, Term
from offer_engine.versions import OfferVersion
from offer_engine.webhook_events import EventState


def _previous_terms(session: Session, offer: Offer) -> OfferTerms | None:
    earlier = [v for v in versions.list_versions(session, offer.id or 0) if v.number < offer.current_version_number]
    return earlier[-1].offer_terms if earlier else None


def preview_steps(session: Session, offer_id: int, setup: EngineSetup) -> list[ApprovalStepSpec]:
    """The approval steps the current version would need (shown before anything is submitted)."""
    offer = offers.get_offer(session, offer_id)
    terms = versions.require_current_version(session, offer).offer_terms
    band = setup.policy.band_for(terms, job_band(offer))
    return setup.policy.approval_steps(terms, _previous_terms(session, offer), band)


def submit_for_approval(
    session: Session, offer_id: int, setup: EngineSetup, *, actor: Actor, now: datetime | None = None
) -> ApprovalRequest:
    """Start the policy's approval chain for the current version (approved at once when no step applies)."""
    specs = preview_steps(session, offer_id, setup)
    offer = offers.get_offer(session, offer_id)
    request = approvals.start_chain(session, offer, list(specs), actor=actor, now=now)
    if request.state == RequestState.APPROVED.value:
        _queue_approved_letter(session, offer, request, setup, actor, now)
    return request


def decide(
    session: Session,
    step_id: int,
    setup: EngineSetup,
    *,
    actor: Actor,
    approve: bool,
    comment: str | None = None,
    now: datetime | None = None,
) -> DecisionOutcome:
    """Approve or reject a step; when the chain completes, the approved letter is queued for iCIMS."""
    outcome = approvals.decide(session, step_id, actor=actor, approve=approve, comment=comment, now=now)
    if outcome.request_state is RequestState.APPROVED:
        _queue_approved_letter(session, outcome.offer, outcome.request, setup, actor, now)
    return outcome


def _queue_approved_letter(
    session: Session, offer: Offer, request: ApprovalRequest, setup: EngineSetup, actor: Actor, now: datetime | None
) -> list[SyncJob]:
    if request.letter_id is None:
        return []
    letter = get_letter(session, request.letter_id)
    version = session.get(OfferVersion, letter.version_id)
    plan = writebacks.enqueue_letter_approved(
        session, offer=offer, letter=letter, mapping=setup.mapping, actor=actor, now=now
    )
    group = f"letter:{letter.id}:approved"
    if version is not None:
        terms_job = term_sync.enqueue_term_writes(
            session,
            offer=offer,
            version=version,
            catalogue=setup.catalogue,
            mapping=setup.mapping,
            group=group,
            letter_id=letter.id,
            actor=actor,
            now=now,
        )
        plan.jobs += [terms_job] if terms_job is not None else []
    status = setup.mapping.offer_approved_status
    if status:
        reason = f"approved-v{letter.version_number}"
        plan.jobs.append(
            writebacks.enqueue_status_change(
                session, offer=offer, status_id=status, reason=reason, actor=actor, now=now
            )
        )
    return plan.jobs


def release(session: Session, offer_id: int, setup: EngineSetup, *, actor: Actor, now: datetime | None = None) -> Offer:
    """The approved letter goes to the candidate: the offer is `sent` and iCIMS's draft status says 'Released'."""
    offer = offers.get_offer(session, offer_id, lock=True)
    offers.mark_sent(session, offer, actor=actor, now=now)
    field_name = setup.mapping.draft_status_field
    if field_name:
        writebacks.enqueue_fields(
            session,
            offer=offer,
            fields={field_name: setup.mapping.draft_status_values.released},
            key=f"offer:{offer.id}:v{offer.current_version_number}:released",
            actor=actor,
            now=now,
        )
    status = setup.mapping.offer_extended_status
    if status:
        reason = f"extended-v{offer.current_version_number}"
        writebacks.enqueue_status_change(session, offer=offer, status_id=status, reason=reason, actor=actor, now=now)
    return offer


def record_candidate_response(
    session: Session,
    offer_id: int,
    setup: EngineSetup,
    *,
    accepted: bool,
    actor: Actor,
    note: str | None = None,
    now: datetime | None = None,
) -> Offer:
    """Accept or decline; the workflow moves to the tenant's accepted/declined status when one is mapped.

    Counter-offers still open on the offer are withdrawn: the candidate has answered the offer as it stands.
    """
    return answer_offer(session, offer_id, setup.mapping, accepted=accepted, actor=actor, note=note, now=now)


def answer_offer(
    session: Session,
    offer_id: int,
    mapping: TenantMapping,
    *,
    accepted: bool,
    actor: Actor,
    note: str | None = None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Offer:
    """`record_candidate_response` with only the tenant mapping (the candidate's signature needs no policy)."""
    offer = offers.get_offer(session, offer_id, lock=True)
    offers.record_response(session, offer, accepted=accepted, actor=actor, note=note, details=details, now=now)
    reason = "accepted" if accepted else "declined"
    for counter in counters.open_for_offer(session, offer_id):
        counters.withdraw(session, counter.id or 0, actor=actor, reason=f"the candidate {reason} the offer", now=now)
    status = mapping.offer_accepted_status if accepted else mapping.offer_declined_status
    if status:
        writebacks.enqueue_status_change(session, offer=offer, status_id=status, reason=reason, actor=actor, now=now)
    return offer


@dataclass
class CounterResolution:
    counter: counters.CounterOffer
    letter: Letter | None = None
    report: ComplianceReport | None = None


def resolve_counter(
    session: Session,
    counter_id: int,
    setup: EngineSetup,
    *,
    actor: Actor,
    resolution: counters.Resolution,
    reasons: list[str],
    granted: dict[Term | str, Any] | None = None,
    today: date,
    now: datetime | None = None,
) -> CounterResolution:
    """Resolve a claimed counter-offer; a new version gets its revised letter drafted for review at once."""
    counter = counters.resolve(
        session, counter_id, actor=actor, resolution=resolution, reasons=reasons, granted=granted, now=now
    )
    result = CounterResolution(counter=counter)
    if counter.resulting_version_id is not None:
        offer = offers.get_offer(session, counter.offer_id)
        result.letter, result.report = render_current(session, offer, setup, actor=actor, today=today, now=now)
    return result


def handle_status_event(
    session: Session,
    event_id: int,
    client: ICIMSClient,
    setup: EngineSetup,
    *,
    actor: Actor,
    today: date,
    now: datetime | None = None,
    retry: webhook_events.EventRetry | None = None,
) -> webhook_events.WebhookEvent:
    """Process a stored status-change event: offer-ready → draft (and write the draft to iCIMS); a status that
    ends the offer (accepted, declined, withdrawn in iCIMS) → the offer follows; any other status is ignored.

    iCIMS unreachable, failing, throttling: the event is failed and waits for its next attempt (`retry`);
    a refusal no retry fixes (a 404 for the workflow, a domain refusal such as the workflow having moved on)
    ends it dead with the reason. Either is committed by the caller; the event's own changes are rolled back
    with a savepoint.
    """
    event = webhook_events.get_event(session, event_id)
    webhook_events.set_state(session, event, EventState.PROCESSING, actor=actor, now=now)
    new_status = str(event.payload.get("newStatus") or "")
    workflow = event.system_id or ""
    outcome = setup.mapping.outcome_of(new_status)
    if workflow.isdigit() and setup.mapping.is_offer_ready(new_status):
        policy = retry or webhook_events.EventRetry()
        return _draft_from_event(session, event, client, setup, actor=actor, today=today, now=now, retry=policy)
    if workflow.isdigit() and outcome is not None:
        change = IcimsStatusChange(event=event, workflow_id=int(workflow), status_id=new_status, outcome=outcome)
        return follow_icims_status(session, change, setup, actor=actor, now=now)
    why = f"status {new_status!r} is not an offer-ready status nor one that ends an offer"
    if not workflow.isdigit():
        why = f"the event names no applicant workflow (systemId {event.system_id!r})"
    return finish(session, event, EventState.IGNORED, why, actor, now)


def _draft_from_event(
    session: Session,
    event: webhook_events.WebhookEvent,
    client: ICIMSClient,
    setup: EngineSetup,
    *,
    actor: Actor,
    today: date,
    now: datetime | None,
    retry: webhook_events.EventRetry,
) -> webhook_events.WebhookEvent:
    try:
        with session.begin_nested():
            outcome = draft_from_icims(
                session,
                client,
                setup,
                int(event.system_id or 0),
                actor=actor,
                today=today,
                now=now,
                write_draft_to_icims=True,
            )
    except (DomainError, ICIMSError, LetterRenderError) as exc:
        return webhook_events.record_failure(session, event, exc, retry=retry, actor=actor, now=now)
    summary = f"offer {outcome.offer.id} is {outcome.offer.state}" + (
        f" (missing: {', '.join(m.term for m in outcome.missing)})" if outcome.missing else ""
    )
    return finish(session, event, EventState.PROCESSED, summary, actor, now)
