"""The review mode's Chainlit handlers: the queue, an opened offer with its actions, analytics.

The app entry dispatches staff sessions here (`start_review`, `on_review_message`); the action callbacks are
registered on import. Every callback re-checks on the server that the session is an active staff user
(`auth.staff_of`) and goes through `service`, where visibility and the offer engine's role checks apply: a
button a user should not have is refused just the same when a crafted request calls it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import chainlit as cl
from chainlit.context import context
from pydantic import BaseModel, ValidationError

from app.review import analytics_charts, charts, conflicts, pictures, service, views, wording
from app.review.auth import NotStaffError, staff_of
from app.review.deep_link import LinkedOffer, offer_number, requested_offer
from app.review.detail import OfferDetail
from app.review.grants import parse_grants
from app.review.payloads import (
    CounterChoice,
    Empty,
    ItemRef,
    OfferRef,
    PreferenceChoice,
    ReplyChoice,
    RequestChoice,
    StepChoice,
)
from app.review.runtime import current
from app.security.text import plain
from icims.errors import ICIMSError
from offer_engine import audit
from offer_engine.actors import Actor, ActorKind, Role
from offer_engine.catalogue import staff_label
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.errors import DomainError
from offer_engine.offers import OfferState
from offer_engine.policy import PolicyError
from offer_engine.terms import OfferTerms

log = logging.getLogger(__name__)
ASK_TIMEOUT = 600
QUEUE_BUTTONS = 12
HELP = "Type **queue**, **analytics**, **notifications** or **help**; or use the buttons."


async def _in_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, *args, **kwargs)


async def staff_id_of(user: Any) -> int:
    """The active staff user's id for this session; NotStaffError (audited) for anyone else."""

    def check() -> int:
        with session_scope(current().engine) as session:
            return staff_of(session, user).id or 0

    try:
        return int(await _in_thread(check))
    except NotStaffError:
        await _in_thread(_audit_refusal, user)
        raise


def _audit_refusal(user: Any) -> None:
    identifier = str(getattr(user, "identifier", "") or "anonymous")
    with session_scope(current().engine) as session:
        audit.record(
            session,
            actor=Actor(
                kind=ActorKind.CANDIDATE if identifier.startswith("candidate:") else ActorKind.SYSTEM, id=identifier
            ),
            action="review.refused",
            subject_type="session",
            subject_id=identifier,
            details={"reason": "not an active staff user"},
        )


async def _say(text: str, actions: list[cl.Action] | None = None, elements: list[Any] | None = None) -> None:
    message = cl.Message(content=text, actions=actions or [], elements=elements or [], author="Review")
    await message.send()  # type: ignore[no-untyped-call]


def review_action(name: str, payload_model: type[BaseModel]) -> Callable[..., Any]:
    """Register an action callback that validates its payload, resolves the staff user and reports refusals."""

    def decorator(func: Callable[[int, Any], Awaitable[None]]) -> Callable[[cl.Action], Awaitable[None]]:
        async def handler(action: cl.Action) -> None:
            try:
                staff_id = await staff_id_of(context.session.user)
                choice = payload_model.model_validate(action.payload or {})
                await func(staff_id, choice)
            except NotStaffError:
                await _say("This action is only for signed-in staff.")
            except ValidationError:
                await _say("That button is out of date: open the item again.")
            except (DomainError, PolicyError, ICIMSError) as exc:
                await _say(f"Not done: {exc}")
            finally:
                await _end_busy_state()

        # Not functools.wraps: Chainlit passes arguments by the parameter names inspect.signature reports.
        handler.__name__, handler.__qualname__, handler.__doc__ = func.__name__, func.__qualname__, func.__doc__
        cl.action_callback(name)(handler)
        return handler

    return decorator


async def _end_busy_state() -> None:
    """Give the composer back when an action is done. Chainlit runs action callbacks outside a task, but a
    question asked inside one (AskUserMessage) re-opens a task when it is answered and nothing closes it: the
    composer stays a stop button and every button stays greyed out until the page is reloaded."""
    await context.emitter.task_end()  # type: ignore[no-untyped-call]


async def start_review(user: Any) -> None:
    """The review mode's first screen for a signed-in staff user: greeting and the queue."""
    try:
        staff_id = await staff_id_of(user)
    except NotStaffError:
        await _say("The review mode is only for signed-in staff.")
        return
    name = getattr(user, "display_name", None) or getattr(user, "identifier", "")
    await _say(f"Welcome, {name}. {HELP}")
    linked = requested_offer(getattr(context.session, "environ", None))
    if linked is None:
        await show_queue(staff_id)
    else:
        await open_linked_offer(staff_id, linked)


async def open_linked_offer(staff_id: int, linked: LinkedOffer) -> None:
    """The offer an e-mail's link named (`app.review.deep_link`), checked like any offer the user opens; the
    queue when the link named none or one this user may not open (without saying whether it exists)."""
    if linked.offer_id is None:
        await _say("The link you followed does not name an offer. Here is your queue.")
        await show_queue(staff_id)
        return
    try:
        await show_offer(staff_id, linked.offer_id)
    except (DomainError, PolicyError, ICIMSError) as exc:
        log.info("a linked offer was not opened for staff %s: %s", staff_id, exc)
        await _say("The offer in that link cannot be opened: it is not one you may see, or it no longer exists.")
        await show_queue(staff_id)


async def on_review_message(message: cl.Message, user: Any) -> None:
    try:
        staff_id = await staff_id_of(user)
    except NotStaffError:
        await _say("The review mode is only for signed-in staff.")
        return
    words = message.content.strip().lower().split()
    try:
        if words[:1] == ["queue"]:
            await show_queue(staff_id)
        elif words[:1] == ["analytics"]:
            await show_analytics(staff_id)
        elif words[:1] == ["notifications"]:
            await show_preference(staff_id)
        elif len(words) == 2 and words[0] == "open" and offer_number(words[1]) is not None:
            await show_offer(staff_id, int(words[1]))
        else:
            await _say(HELP)
    except (DomainError, PolicyError, ICIMSError) as exc:
        await _say(f"Not done: {exc}")


async def show_queue(staff_id: int) -> None:
    items = await _in_thread(service.queue, current(), staff_id)
    stuck = await _in_thread(service.events_without_draft, current(), staff_id)
    if stuck:
        retry = cl.Action(
            name="review_retry_events", payload={}, label=f"Retry {len(stuck)} event(s)", icon="rotate-cw"
        )
        await _say(views.events_without_draft_markdown(stuck), [retry])
    unsent, names = await _in_thread(service.dead_notifications, current(), staff_id)
    if unsent:
        retry = cl.Action(
            name="review_retry_notifications",
            payload={},
            label=f"Retry {len(unsent)} notification(s)",
            icon="rotate-cw",
        )
        await _say(views.dead_notifications_markdown(unsent, names), [retry])
    actions = [
        cl.Action(
            name="review_open_item",
            payload={"kind": i.kind.value, "ref_id": i.ref_id},
            label=f"{n}. {i.candidate}: {views.KIND_LABELS.get(i.kind.value, i.kind.value)}",
        )
        for n, i in enumerate(items[:QUEUE_BUTTONS], start=1)
    ]
    actions.append(cl.Action(name="review_analytics", payload={}, label="Analytics", icon="chart-column"))
    actions.append(cl.Action(name="review_notifications", payload={}, label="My notifications", icon="bell"))
    await _say(views.queue_markdown(items, utcnow(), _staff_label), actions)


def _staff_label(key: str) -> str:
    return staff_label(key, current().setup.catalogue)


async def show_offer(staff_id: int, offer_id: int, counter_id: int | None = None) -> None:
    detail: OfferDetail = await _in_thread(service.offer_detail, current(), staff_id, offer_id, counter_id)
    cl.user_session.set("review_offer", offer_id)  # type: ignore[no-untyped-call]
    elements: list[Any] = []
    terms = detail.terms
    points = views.band_points(detail, _requested_base(detail, terms) if terms is not None else None)
    if points is not None:
        elements.append(pictures.chart(charts.band_chart(points, views.band_money(detail)), "Salary band position"))
    record = await _in_thread(conflicts.sync_record, current(), staff_id, detail)  # iCIMS holds the approved terms?
    text = views.offer_markdown(detail, utcnow(), icims_record=record.text)
    await _say(text, offer_actions(detail) + record.actions, elements)


def _requested_base(detail: OfferDetail, terms: OfferTerms) -> Decimal | None:
    item = next((i for i in detail.counter.items if i.term == "base_salary"), None) if detail.counter else None
    if item is None or item.requested is None:
        return None
    try:
        requested = Decimal(str(item.requested))
    except InvalidOperation:
        return None
    return requested if requested > 0 and terms.currency else None


def offer_actions(detail: OfferDetail) -> list[cl.Action]:
    """The buttons for this offer that the viewer's roles may use (the engine checks every one again)."""
    offer_id, state = detail.offer.id or 0, detail.offer.status
    ref = {"offer_id": offer_id}
    recruiter = detail.viewer_may(Role.RECRUITER)
    actions = [cl.Action(name="review_queue", payload={}, label="Back to queue", icon="list")]
    if detail.letter is not None:
        label = "Open the signed letter" if detail.signature is not None else "Preview letter & changes"
        actions.append(cl.Action(name="review_preview", payload=ref, label=label, icon="file-text"))
    if detail.counter is not None and recruiter:
        actions += _counter_actions(detail.counter.counter.id or 0, bool(detail.counter.suggested_reply), ref)
    if recruiter:
        actions.append(
            cl.Action(name="review_reply", payload=ref, label="Write to the candidate", icon="message-square")
        )
    actions.append(cl.Action(name="review_thread", payload=ref, label="Conversation", icon="messages-square"))
    if state is OfferState.IN_REVIEW and detail.viewer_may(Role.RECRUITER, Role.HIRING_MANAGER):
        actions.append(cl.Action(name="review_submit", payload=ref, label="Submit for approval", icon="send"))
    for step in detail.decidable:
        for approve, verb in ((True, "Approve"), (False, "Reject")):
            actions.append(
                cl.Action(
                    name="review_decide", payload={"step_id": step.id, "approve": approve}, label=f"{verb}: {step.name}"
                )
            )
    if recruiter:
        actions += _release_actions(state, ref) + _request_actions(detail)
    actions.append(cl.Action(name="review_sync", payload=ref, label="Sync to iCIMS", icon="refresh-cw"))
    return actions


def _counter_actions(counter_id: int, has_suggested_reply: bool, ref: dict[str, int]) -> list[cl.Action]:
    actions = [
        cl.Action(name="review_counter", payload={"counter_id": counter_id, "mode": mode}, label=label)
        for mode, label in (
            ("accept_all", "Accept all"),
            ("suggested", "Accept suggested"),
            ("custom", "Accept some / edit values"),
            ("decline", "Decline"),
        )
    ]
    if has_suggested_reply:
        actions.append(
            cl.Action(name="review_reply", payload={**ref, "use_suggestion": True}, label="Send suggested reply")
        )
    return actions


def _release_actions(state: OfferState, ref: dict[str, int]) -> list[cl.Action]:
    if state is OfferState.APPROVED:
        return [cl.Action(name="review_release", payload=ref, label="Release to candidate", icon="mail")]
    if state is OfferState.SENT:
        return [
            cl.Action(name="review_rotate_link", payload=ref, label="Rotate candidate link"),
            cl.Action(name="review_revoke_link", payload=ref, label="Revoke candidate link"),
        ]
    return []


def _request_actions(detail: OfferDetail) -> list[cl.Action]:
    actions = []
    for number, request in enumerate(detail.requests, start=1):
        outcomes = {
            "accept_intent": [("confirm_accept", "Confirm acceptance")],
            "decline_intent": [("confirm_decline", "Confirm decline")],
        }.get(request.kind, [])
        for outcome, label in [*outcomes, ("done", "Mark handled")]:
            actions.append(
                cl.Action(
                    name="review_request",
                    payload={"request_id": request.id, "outcome": outcome},
                    label=f"{label} (request {number})" if len(detail.requests) > 1 else label,
                )
            )
    return actions


async def show_analytics(staff_id: int) -> None:
    report = await _in_thread(service.offer_analytics, current(), staff_id)
    step_names = {step.key: step.name for step in current().setup.policy.steps}
    elements = [pictures.chart(svg, alt) for alt, svg in analytics_charts.charts(report, step_names)]
    back = [cl.Action(name="review_queue", payload={}, label="Back to queue")]
    await _say(analytics_charts.summary_markdown(report), back, elements)


async def _ask(text: str) -> str | None:
    answer = await cl.AskUserMessage(content=text, timeout=ASK_TIMEOUT).send()
    output = (answer or {}).get("output")
    return str(output).strip() if output else None


@review_action("review_queue", Empty)
async def on_queue(staff_id: int, _choice: Empty) -> None:
    await show_queue(staff_id)


@review_action("review_retry_events", Empty)
async def on_retry_events(staff_id: int, _choice: Empty) -> None:
    count = await _in_thread(service.retry_events_without_draft, current(), staff_id)
    await _say(f"{count} iCIMS event(s) started again; their drafts appear in the queue once the workers are done.")


@review_action("review_retry_notifications", Empty)
async def on_retry_notifications(staff_id: int, _choice: Empty) -> None:
    count = await _in_thread(service.retry_dead_notifications, current(), staff_id)
    await _say(f"{count} notification(s) will be sent again by the workers.")


async def show_preference(staff_id: int) -> None:
    chosen = await _in_thread(service.notification_preference, current(), staff_id)
    choices = [
        cl.Action(name="review_set_notifications", payload={"mode": mode.value}, label=label)
        for mode, label in views.PREFERENCE_LABELS.items()
        if mode is not chosen
    ]
    await _say(views.preference_markdown(chosen), choices)


@review_action("review_notifications", Empty)
async def on_notifications(staff_id: int, _choice: Empty) -> None:
    await show_preference(staff_id)


@review_action("review_set_notifications", PreferenceChoice)
async def on_set_notifications(staff_id: int, choice: PreferenceChoice) -> None:
    chosen = await _in_thread(service.set_notification_preference, current(), staff_id, choice.mode)
    await _say(views.preference_markdown(chosen))


@review_action("review_analytics", Empty)
async def on_analytics(staff_id: int, _choice: Empty) -> None:
    await show_analytics(staff_id)


@review_action("review_open_item", ItemRef)
async def on_open_item(staff_id: int, choice: ItemRef) -> None:
    offer_id = await _in_thread(service.offer_of, current(), staff_id, choice.kind, choice.ref_id)
    await show_offer(staff_id, offer_id, choice.ref_id if choice.kind == "counter" else None)


@review_action("review_open", OfferRef)
async def on_open(staff_id: int, choice: OfferRef) -> None:
    await show_offer(staff_id, choice.offer_id)


@review_action("review_counter", CounterChoice)
async def on_counter(staff_id: int, choice: CounterChoice) -> None:
    rt = current()
    granted, reasons = None, None
    if choice.mode in ("custom", "decline"):
        await _in_thread(service.require_role, rt, staff_id, Role.RECRUITER, action="answer a counter-offer")
    if choice.mode == "custom":
        detail = await _in_thread(_detail_for_counter, staff_id, choice.counter_id)
        text = await _ask(views.grant_prompt(detail))
        if text is None or detail.counter is None or detail.terms is None:
            return
        granted = parse_grants(text, detail.counter.items, detail.terms)
    if choice.mode == "decline":
        reason = await _ask("Why is it declined? (kept with the counter-offer)")
        if reason is None:
            return
        reasons = [reason]
    result = await _in_thread(
        service.resolve_counter, rt, staff_id, choice.counter_id, choice.mode, granted=granted, reasons=reasons
    )
    outcome = f"Counter-offer C-{result.counter.number}: {result.counter.resolution}."
    if result.letter is not None:
        outcome += f" Revision {result.letter.version_number} drafted; its letter is ready to preview."
    await _say(outcome)
    await show_offer(staff_id, result.counter.offer_id)


def _detail_for_counter(staff_id: int, counter_id: int) -> OfferDetail:
    offer_id = service.offer_of(current(), staff_id, "counter", counter_id)
    return service.offer_detail(current(), staff_id, offer_id)


@review_action("review_preview", OfferRef)
async def on_preview(staff_id: int, choice: OfferRef) -> None:
    name, pdf = await _in_thread(service.letter_pdf, current(), staff_id, choice.offer_id)
    detail = await _in_thread(service.offer_detail, current(), staff_id, choice.offer_id)
    pages: list[Any] = await _in_thread(pictures.letter_pages, pdf)
    version = detail.version_name(detail.version.number) if detail.version is not None else "letter"
    kind = "Signed offer letter" if detail.signature is not None else "Offer letter"
    file_name = f"{kind} {detail.candidate} ({version}).pdf" if pages else name
    download = cl.File(name=file_name, content=pdf, mime="application/pdf", display="inline")
    elements = [*pages, download] if pages else [cl.Pdf(name=name, content=pdf, display="side")]
    intro = f"{kind} of {plain(detail.candidate)}, {version}" + (" (PDF below)" if pages else f": {name}")
    if detail.signature is not None:
        intro += "\n\n" + views.signature_line(detail.signature)
    await _say(f"{intro}\n\n{views.diff_markdown(detail)}", elements=elements)


@review_action("review_submit", OfferRef)
async def on_submit(staff_id: int, choice: OfferRef) -> None:
    await _in_thread(service.submit, current(), staff_id, choice.offer_id)
    await _say("Sent for approval; each approver sees it in their queue.")
    await show_offer(staff_id, choice.offer_id)


@review_action("review_decide", StepChoice)
async def on_decide(staff_id: int, choice: StepChoice) -> None:
    comment = None
    if not choice.approve:
        comment = await _ask("Why do you reject it? (the recruiter sees this)")
        if comment is None:
            return
    outcome = await _in_thread(
        service.decide, current(), staff_id, choice.step_id, approve=choice.approve, comment=comment
    )
    step = wording.words(wording.APPROVAL_STATES, outcome.step.state)
    await _say(f"{outcome.step.name}: {step}. Offer: {wording.words(wording.OFFER_STATES, outcome.offer.state)}.")
    await show_offer(staff_id, outcome.offer.id or 0)


@review_action("review_reply", ReplyChoice)
async def on_reply(staff_id: int, choice: ReplyChoice) -> None:
    text = None
    if not choice.use_suggestion:
        await _in_thread(service.require_role, current(), staff_id, Role.RECRUITER, action="message a candidate")
        text = await _ask("Write your message to the candidate (shown in their chat on their next visit).")
        if text is None:
            return
    message = await _in_thread(service.reply, current(), staff_id, choice.offer_id, text)
    await _say(f"Sent to the candidate's chat:\n\n> {message.body.replace(chr(10), chr(10) + '> ')}")


@review_action("review_release", OfferRef)
async def on_release(staff_id: int, choice: OfferRef) -> None:
    outcome = await _in_thread(service.release_offer, current(), staff_id, choice.offer_id)
    where = "written to iCIMS" if outcome.plan.jobs else "not written to iCIMS (no chat-link field mapped)"
    await _say(f"Released. The candidate's chat link (valid until {views.when(outcome.expires_at)}) is {where}.")
    await show_offer(staff_id, choice.offer_id)


@review_action("review_rotate_link", OfferRef)
async def on_rotate(staff_id: int, choice: OfferRef) -> None:
    await _in_thread(service.rotate_link, current(), staff_id, choice.offer_id)
    await _say("New link issued; every older link stopped working.")


@review_action("review_revoke_link", OfferRef)
async def on_revoke(staff_id: int, choice: OfferRef) -> None:
    await _in_thread(service.revoke_link, current(), staff_id, choice.offer_id)
    await _say("Every link of this candidate stopped working; the link field in iCIMS is being cleared.")


@review_action("review_request", RequestChoice)
async def on_request(staff_id: int, choice: RequestChoice) -> None:
    await _in_thread(service.require_role, current(), staff_id, Role.RECRUITER, action="handle a candidate request")
    note = await _ask("What was done? (a short note for the record)")
    if note is None:
        return
    resolved = await _in_thread(service.handle_request, current(), staff_id, choice.request_id, choice.outcome, note)
    await _say("Request handled.")
    await show_offer(staff_id, resolved.offer_id)


@review_action("review_sync", OfferRef)
async def on_sync(staff_id: int, choice: OfferRef) -> None:
    jobs = await _in_thread(service.sync, current(), staff_id, choice.offer_id)
    await _say(
        views.jobs_markdown(jobs),
        [cl.Action(name="review_sync", payload={"offer_id": choice.offer_id}, label="Refresh sync status")],
    )


@review_action(conflicts.ACTION, conflicts.ConflictChoice)
async def on_conflict(staff_id: int, choice: conflicts.ConflictChoice) -> None:
    await _say(await _in_thread(conflicts.resolve, current(), staff_id, choice))
    offer_id = cl.user_session.get("review_offer")  # type: ignore[no-untyped-call]
    if isinstance(offer_id, int):
        await show_offer(staff_id, offer_id)


def review_profiles(user: Any) -> list[cl.ChatProfile] | None:
    """The review chat profile for staff (None for anyone else, which hides the selector)."""
    from app.review.auth import is_staff_session

    if not is_staff_session(user):
        return None
    return [cl.ChatProfile(name="Review", markdown_description="The recruiter review queue.", default=True)]
