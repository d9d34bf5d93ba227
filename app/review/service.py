"""Review actions on behalf of one staff user: each loads the user from the database, checks what they may see,
and calls the offer engine, whose services check the roles. Plain functions, so the CLI and tests use them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import Session

from app.review.detail import OfferDetail, build_detail, typed_items
from app.review.runtime import ReviewRuntime
from offer_engine import (
    analytics,
    approvals,
    candidate_requests,
    counters,
    lifecycle,
    messages,
    notifications,
    offers,
    outbox,
    release,
    requisitions,
    review_queue,
    signatures,
    staff,
    versions,
    webhook_events,
)
from offer_engine.actors import Role
from offer_engine.compensation import analyse_counter
from offer_engine.counters import Resolution
from offer_engine.db import session_scope
from offer_engine.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from offer_engine.flows import job_band
from offer_engine.letter_store import latest_letter
from offer_engine.notifications import Notification, NotificationState, Preference
from offer_engine.offers import Offer
from offer_engine.outbox import JobState, SyncJob
from offer_engine.staff import StaffUser
from offer_engine.terms import Term, as_term, term_key
from offer_engine.webhook_events import WebhookEvent

CounterMode = Literal["accept_all", "suggested", "decline", "custom"]
RequestOutcome = Literal["confirm_accept", "confirm_decline", "done"]


@contextmanager
def acting(rt: ReviewRuntime, staff_id: int) -> Iterator[tuple[Session, StaffUser]]:
    """A transaction with the acting staff user, re-read from the database (must be active)."""
    with session_scope(rt.engine) as session:
        user = staff.get_user(session, staff_id)
        if not user.active:
            raise PermissionDeniedError(f"staff user {user.username} is not active")
        yield session, user


def require_role(rt: ReviewRuntime, staff_id: int, *roles: Role, action: str) -> None:
    """Refuse before asking the user to type anything for an action their role may not take."""
    with acting(rt, staff_id) as (_session, user):
        user.actor().require_role(*roles, action=action)


def _visible_offer(session: Session, user: StaffUser, offer_id: int, *, lock: bool = False) -> Offer:
    offer = offers.get_offer(session, offer_id, lock=lock)
    requisitions.require_visible(session, user, offer)
    return offer


def queue(rt: ReviewRuntime, staff_id: int) -> list[review_queue.QueueItem]:
    with acting(rt, staff_id) as (session, user):
        return review_queue.review_queue(session, user)


def offer_detail(rt: ReviewRuntime, staff_id: int, offer_id: int, counter_id: int | None = None) -> OfferDetail:
    with acting(rt, staff_id) as (session, user):
        return build_detail(session, _visible_offer(session, user, offer_id), user, rt.setup, counter_id=counter_id)


def offer_of(rt: ReviewRuntime, staff_id: int, kind: str, ref_id: int) -> int:
    """The offer a queue item belongs to (the item's id is not trusted: the offer is checked for visibility)."""
    with acting(rt, staff_id) as (session, user):
        if kind == "counter":
            offer_id = counters.get_counter(session, ref_id).offer_id
        elif kind in ("handoff", "accept_intent", "decline_intent"):
            offer_id = candidate_requests.get_request(session, ref_id).offer_id
        elif kind == "approval":
            offer_id = _step_offer(session, ref_id)
        elif kind == "sync_failed":
            offer_id = outbox.get_job(session, ref_id).offer_id or 0
        else:
            offer_id = ref_id
        _visible_offer(session, user, offer_id)
        return offer_id


def _step_offer(session: Session, step_id: int) -> int:
    step = session.get(approvals.ApprovalStep, step_id)
    if step is None:
        raise NotFoundError(f"approval step {step_id} does not exist")
    request = session.get(approvals.ApprovalRequest, step.request_id)
    assert request is not None
    return request.offer_id


def resolve_counter(
    rt: ReviewRuntime,
    staff_id: int,
    counter_id: int,
    mode: CounterMode,
    *,
    granted: dict[Term | str, Any] | None = None,
    reasons: list[str] | None = None,
    today: date | None = None,
) -> lifecycle.CounterResolution:
    """Claim (if needed) and resolve a counter-offer; accepting anything makes a new version with its letter."""
    with acting(rt, staff_id) as (session, user):
        counter = counters.get_counter(session, counter_id)
        offer = _visible_offer(session, user, counter.offer_id)
        actor = user.actor()
        if counter.state == counters.CounterState.SUBMITTED.value:
            counters.claim(session, counter_id, actor=actor)
        resolution, values, why = _resolution(session, rt, offer, counter_id, mode, granted or {}, reasons or [])
        return lifecycle.resolve_counter(
            session,
            counter_id,
            rt.setup,
            actor=actor,
            resolution=resolution,
            reasons=why,
            granted=values,
            today=today or date.today(),
        )


def _resolution(
    session: Session,
    rt: ReviewRuntime,
    offer: Offer,
    counter_id: int,
    mode: CounterMode,
    granted: dict[Term | str, Any],
    reasons: list[str],
) -> tuple[Resolution, dict[Term | str, Any] | None, list[str]]:
    if mode == "accept_all":
        return Resolution.ACCEPTED, None, reasons
    if mode == "decline":
        return Resolution.DECLINED, None, reasons or ["the requested terms are outside what we can offer"]
    if mode == "custom":
        if not granted:
            raise InvalidInputError("name at least one item to grant (e.g. base_salary=190000)")
        return (
            Resolution.PARTIALLY,
            granted,
            reasons or [f"granted by the recruiter: {sorted(term_key(t) for t in granted)}"],
        )
    terms = versions.require_current_version(session, offer).offer_terms
    items = counters.items_of(session, counter_id)
    band = rt.setup.policy.band_for(terms, job_band(offer))
    suggestion = analyse_counter(terms, typed_items(terms, items), rt.setup.policy, band).suggestion
    requested = {as_term(i.term) for i in items}
    values: dict[Term | str, Any] = {as_term(t): v for t, v in suggestion.values.items() if as_term(t) in requested}
    if suggestion.kind == "refer":
        raise InvalidInputError("the policy cannot suggest a response here (legal review or clarification needed)")
    if suggestion.kind == "accept":
        return Resolution.ACCEPTED, None, suggestion.reasons
    if not values:
        return Resolution.DECLINED, None, suggestion.reasons or ["declined within policy"]
    return Resolution.PARTIALLY, values, suggestion.reasons


def submit(rt: ReviewRuntime, staff_id: int, offer_id: int) -> approvals.ApprovalRequest:
    with acting(rt, staff_id) as (session, user):
        _visible_offer(session, user, offer_id)
        return lifecycle.submit_for_approval(session, offer_id, rt.setup, actor=user.actor())


def decide(
    rt: ReviewRuntime, staff_id: int, step_id: int, *, approve: bool, comment: str | None = None
) -> approvals.DecisionOutcome:
    with acting(rt, staff_id) as (session, user):
        _visible_offer(session, user, _step_offer(session, step_id))
        outcome = lifecycle.decide(session, step_id, rt.setup, actor=user.actor(), approve=approve, comment=comment)
    if outcome.request_state is approvals.RequestState.APPROVED:
        rt.wake()  # the approved letter's iCIMS writes are queued: deliver them now
    return outcome


def reply(rt: ReviewRuntime, staff_id: int, offer_id: int, text: str | None = None) -> messages.CandidateMessage:
    """Send `text` to the candidate's chat; without text, the current counter's suggested reply."""
    template_ref = None
    if text is None:
        detail = offer_detail(rt, staff_id, offer_id)
        if detail.counter is None or not detail.counter.suggested_reply:
            raise InvalidInputError("there is no suggested reply for this offer: write one")
        text, template_ref = detail.counter.suggested_reply, detail.counter.reply_ref
    with acting(rt, staff_id) as (session, user):
        _visible_offer(session, user, offer_id)
        return messages.post_message(
            session, offer_id, text, actor=user.actor(), author_name=user.display_name, template_ref=template_ref
        )


def release_offer(rt: ReviewRuntime, staff_id: int, offer_id: int) -> release.LinkOutcome:
    with acting(rt, staff_id) as (session, user):
        _visible_offer(session, user, offer_id)
        outcome = release.release_offer(session, offer_id, rt.setup, actor=user.actor(), mint_link=rt.mint_link)
    rt.wake()
    return outcome


def rotate_link(rt: ReviewRuntime, staff_id: int, offer_id: int) -> release.LinkOutcome:
    with acting(rt, staff_id) as (session, user):
        _visible_offer(session, user, offer_id)
        outcome = release.rotate_link(session, offer_id, rt.setup, actor=user.actor(), mint_link=rt.mint_link)
    rt.wake()
    return outcome


def revoke_link(rt: ReviewRuntime, staff_id: int, offer_id: int) -> release.LinkOutcome:
    with acting(rt, staff_id) as (session, user):
        _visible_offer(session, user, offer_id)
        outcome = release.revoke_link(session, offer_id, rt.setup, actor=user.actor())
    rt.wake()
    return outcome


def sync(rt: ReviewRuntime, staff_id: int, offer_id: int) -> list[SyncJob]:
    """Deliver the offer's pending iCIMS writes now and retry its dead ones (recruiters); returns their states."""
    with acting(rt, staff_id) as (session, user):
        _visible_offer(session, user, offer_id)
        actor = user.actor()
        dead = [j for j in outbox.list_jobs(session, states=[JobState.DEAD], limit=1000) if j.offer_id == offer_id]
        if dead:
            actor.require_role(Role.RECRUITER, action="retry failed iCIMS writes")
        for job in dead:
            outbox.requeue(session, job.id or 0, actor=actor)
    rt.wake()
    return jobs_of(rt, staff_id, offer_id)


def jobs_of(rt: ReviewRuntime, staff_id: int, offer_id: int) -> list[SyncJob]:
    with acting(rt, staff_id) as (session, user):
        _visible_offer(session, user, offer_id)
        return [j for j in outbox.list_jobs(session, limit=1000) if j.offer_id == offer_id]


def handle_request(
    rt: ReviewRuntime, staff_id: int, request_id: int, outcome: RequestOutcome, note: str
) -> candidate_requests.CandidateRequest:
    """Close a hand-off or intent; confirming an intent records the candidate's answer on the offer."""
    with acting(rt, staff_id) as (session, user):
        found = candidate_requests.get_request(session, request_id)
        _visible_offer(session, user, found.offer_id)
        actor = user.actor()
        if found.state == candidate_requests.RequestState.OPEN.value:
            candidate_requests.claim(session, request_id, actor=actor)
        if outcome in ("confirm_accept", "confirm_decline"):
            accepted = outcome == "confirm_accept"
            lifecycle.record_candidate_response(
                session, found.offer_id, rt.setup, accepted=accepted, actor=actor, note=note or None
            )
        resolved = candidate_requests.resolve(session, request_id, actor=actor, note=note or outcome.replace("_", " "))
    rt.wake()
    return resolved


def letter_pdf(rt: ReviewRuntime, staff_id: int, offer_id: int) -> tuple[str, bytes]:
    with acting(rt, staff_id) as (session, user):
        offer = _visible_offer(session, user, offer_id)
        version = versions.require_current_version(session, offer)
        letter = latest_letter(session, version.id or 0)
        if letter is None or letter.pdf is None:
            raise NotFoundError(f"version {version.number} of offer {offer_id} has no letter PDF yet")
        signed = signatures.signature_of(session, letter.id or 0) is not None
        return (signatures.signed_file_name(letter) if signed else letter.file_name), letter.pdf


def offer_analytics(rt: ReviewRuntime, staff_id: int, *, since: datetime | None = None) -> analytics.OfferAnalytics:
    with acting(rt, staff_id) as (session, user):
        if user.only_hiring_manager:
            raise PermissionDeniedError("analytics cover every requisition: recruiters, compensation, legal, admins")
        return analytics.compute(session, since=since)


def events_without_draft(rt: ReviewRuntime, staff_id: int) -> list[WebhookEvent]:
    """iCIMS events that ended without a draft, for recruiters and admins (they name no offer to check access
    by, so hiring managers, who see only their own requisitions, are not shown them)."""
    with acting(rt, staff_id) as (session, user):
        if not user.actor().has_role(Role.RECRUITER, Role.ADMIN):
            return []
        return webhook_events.list_unfinished(session, include_waiting=False, limit=50)


def retry_events_without_draft(rt: ReviewRuntime, staff_id: int) -> int:
    """Start every event that ended without a draft again (recruiters and admins); returns how many."""
    with acting(rt, staff_id) as (session, user):
        actor = user.actor()
        actor.require_role(Role.RECRUITER, action="retry iCIMS events that ended without a draft")
        dead = webhook_events.list_unfinished(session, include_waiting=False, limit=1000)
        for event in dead:
            webhook_events.retry(session, event.id or 0, actor=actor)
    rt.wake()
    return len(dead)


def dead_notifications(rt: ReviewRuntime, staff_id: int) -> tuple[list[Notification], dict[int, str]]:
    """Mail that could not be sent (with the reason) and the names of the staff it was for, for recruiters and
    admins."""
    with acting(rt, staff_id) as (session, user):
        if not user.actor().has_role(Role.RECRUITER, Role.ADMIN):
            return [], {}
        rows = notifications.list_notifications(session, states=[NotificationState.DEAD], limit=50)
        names = {u.id or 0: u.display_name for u in staff.list_users(session)}
        return rows, names


def retry_dead_notifications(rt: ReviewRuntime, staff_id: int) -> int:
    """Give every dead notification a fresh set of tries (recruiters and admins); returns how many."""
    with acting(rt, staff_id) as (session, user):
        actor = user.actor()
        actor.require_role(Role.RECRUITER, action="retry notifications that could not be sent")
        dead = notifications.list_notifications(session, states=[NotificationState.DEAD], limit=1000)
        for row in dead:
            notifications.requeue(session, row.id or 0, actor=actor)
    rt.wake()
    return len(dead)


def notification_preference(rt: ReviewRuntime, staff_id: int) -> Preference:
    with acting(rt, staff_id) as (session, user):
        return notifications.preference_of(session, user.id or 0)


def set_notification_preference(rt: ReviewRuntime, staff_id: int, mode: Preference) -> Preference:
    """The signed-in user's own choice: off, immediate or a daily digest."""
    with acting(rt, staff_id) as (session, user):
        return notifications.set_preference(session, user, mode, actor=user.actor())
