# mypy: disable-error-code="no-untyped-call"
# (Chainlit's API is not annotated: calls into it are untyped.)
"""Candidate mode: the Chainlit callbacks of the portal chat and the careers-site widget.

The offer a session works on is the identity in Chainlit's signed user metadata, set at sign-in. Message
text, action payloads and URL parameters are never read for it: an action carries only a random key into
this session's own pending proposals. Every message and every button first re-checks the link (a revoked or
rotated link ends the chat).
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import chainlit as cl

from app.ai.models import Answer, CounterProposal, Intent
from app.chat import signing
from app.chat.grounding import Grounding, letter_pdf
from app.chat.history import start_thread_now
from app.chat.identity import CandidateIdentity, IdentityError
from app.chat.notices import notice, render_template, reply_language, starters
from app.chat.render import letter_element, source_elements
from app.chat.runtime import current
from app.chat.signin import recheck
from app.security.text import plain
from offer_engine import messages
from offer_engine.access import AccessDeniedError
from offer_engine.actors import candidate_actor
from offer_engine.candidate_requests import RequestKind
from offer_engine.db import session_scope
from offer_engine.errors import DomainError, StaleVersionError
from offer_engine.offers import get_offer

log = logging.getLogger(__name__)
_PENDING = "pending"
_ENDED = "ended"
_INTENT_REQUESTS = {Intent.ACCEPT_INTENT: RequestKind.ACCEPT_INTENT, Intent.DECLINE_INTENT: RequestKind.DECLINE_INTENT}


class OtherMode(Protocol):
    """Another kind of session on the same app (e.g. the recruiters' review mode), for users who are not candidates."""

    def accepts(self, user: Any) -> bool: ...

    async def start(self, user: Any) -> None: ...

    async def on_message(self, message: cl.Message, user: Any) -> None: ...


_other_mode: OtherMode | None = None


def dispatch_others_to(mode: OtherMode | None) -> None:
    """Sessions whose user is not a candidate go to `mode` (without one they are told to use their link)."""
    global _other_mode
    _other_mode = mode


@dataclass(frozen=True)
class Pending:
    """Something shown with buttons, waiting for the candidate's yes or no (kept in this session only)."""

    kind: str  # counter | handoff
    offer_id: int
    version_number: int
    message: str
    message_id: str | None
    answer: Answer
    action_ids: tuple[str, ...]
    recruiter: str | None = None
    proposal: CounterProposal | None = None


# -- the session's identity ------------------------------------------------------------------------------------


def _identity() -> CandidateIdentity:
    user = cl.user_session.get("user")
    return CandidateIdentity.from_metadata(getattr(user, "metadata", None))


async def _session_identity() -> CandidateIdentity | None:
    """The session's identity, unless it has none or its chat has ended (then the candidate is told so)."""
    try:
        identity = _identity()
    except IdentityError:
        await cl.Message(content=notice("no_identity", None)).send()
        return None
    if cl.user_session.get(_ENDED):
        await cl.Message(content=notice("access_ended", identity.language)).send()
        return None
    return identity


async def _end_chat(identity: CandidateIdentity, why: Exception) -> None:
    log.info("chat for offer %s ended: %s", identity.offer_id, why)
    cl.user_session.set(_ENDED, True)
    cl.user_session.set(_PENDING, {})
    await cl.Message(content=notice("access_ended", identity.language)).send()


async def _checked_identity() -> CandidateIdentity | None:
    """The session's identity if its link is still valid; otherwise the chat is ended and None returned."""
    identity = await _session_identity()
    if identity is None:
        return None
    try:
        await current().pipeline.offload(recheck, current().db, identity)
    except (AccessDeniedError, DomainError) as exc:
        await _end_chat(identity, exc)
        return None
    return identity


# -- start -----------------------------------------------------------------------------------------------------


@cl.set_starters
async def set_starters(user: cl.User | None = None, language: str | None = None) -> list[cl.Starter]:
    try:
        preferred = CandidateIdentity.from_metadata(getattr(user, "metadata", None)).language
    except IdentityError:
        if _other_mode is not None and _other_mode.accepts(user):
            return []  # staff sessions: the review mode has no candidate starters
        preferred = None
    return [cl.Starter(label=text, message=text) for text in starters(preferred or language)]


def _other_user() -> Any | None:
    """The session's user when another mode should handle it (not a candidate, and the mode accepts the user)."""
    user = cl.user_session.get("user")
    try:
        CandidateIdentity.from_metadata(getattr(user, "metadata", None))
    except IdentityError:
        return user if _other_mode is not None and _other_mode.accepts(user) else None
    return None


@cl.on_chat_start
async def on_chat_start() -> None:
    if _other_mode is not None and (user := _other_user()) is not None:
        await _other_mode.start(user)
        return
    identity = await _checked_identity()
    if identity is None:
        return
    runtime = current()
    grounding = await runtime.pipeline.offload(runtime.pipeline.ground, identity)
    kept = await start_thread_now(grounding.terms.title or runtime.settings.company_name)
    language = reply_language(identity.language or grounding.language_hint)
    first_name = grounding.candidate.first_name or (grounding.candidate.display_name.split(" ")[0] or None)
    text = render_template(
        "greeting", language, kind="hello", first_name=first_name, title=grounding.terms.title,
        company_name=runtime.settings.company_name,
    )  # fmt: skip
    elements: list[Any] = []
    if grounding.letter is not None:
        pdf = await runtime.pipeline.offload(_letter_bytes, identity, grounding)
        element, line = letter_element(grounding.letter, pdf, language)
        elements.append(element)
        text = f"{text}\n\n{line}"
    cl.user_session.set(_PENDING, {})
    suggestions = [
        cl.Action(name="starter", payload={"index": n}, label=label, icon="message-circle")
        for n, label in enumerate(starters(language))
    ]
    if signing.can_sign(grounding):
        suggestions.insert(0, signing.start_action(signing.language_of(identity)))
    await cl.Message(content=text, elements=elements, actions=suggestions).send()
    if kept:  # otherwise they join the candidate's kept conversation when it is resumed (app.chat.resume)
        await _show_recruiter_messages(identity)


async def _show_recruiter_messages(identity: CandidateIdentity) -> None:
    """Replies the recruiter sent since the candidate's last visit, oldest first, then marked as seen."""
    for message in await recruiter_messages(identity):
        await message.send()


async def recruiter_messages(identity: CandidateIdentity) -> list[cl.Message]:
    """The recruiter's replies not yet shown (now marked as seen), each headed by the sender's name."""

    def take() -> list[tuple[str, str]]:
        with session_scope(current().db) as session:
            pending = messages.pending_messages_for(session, identity.workflow_id, customer_id=identity.customer_id)
            if not pending:
                return []
            offer = get_offer(session, identity.offer_id)
            ids = [m.id for m in pending if m.id is not None]
            messages.mark_seen(session, offer, ids, actor=candidate_actor(str(offer.person_id)))
            return [(m.author_name, m.body) for m in pending]

    taken = await current().pipeline.offload(take)
    return [cl.Message(content=f"**{plain(author)}**\n\n{body}", author=author) for author, body in taken]


def _letter_bytes(identity: CandidateIdentity, grounding: Grounding) -> bytes:
    assert grounding.letter is not None
    with session_scope(current().db) as session:
        return letter_pdf(session, identity, grounding.letter.letter_id)


# -- messages --------------------------------------------------------------------------------------------------


@cl.on_message
async def on_message(message: cl.Message) -> None:
    if _other_mode is not None and (user := _other_user()) is not None:
        await _other_mode.on_message(message, user)
        return
    identity = await _session_identity()
    if identity is not None and not await signing.take_typed_name(identity, message.content):
        await _answer(identity, message.content, message.id)


@cl.action_callback("starter")
async def on_starter(action: cl.Action) -> None:
    """A suggested question under the greeting: asked as if the candidate had typed it."""
    identity = await _checked_identity()
    if identity is None:
        return
    suggestions = starters(identity.language)
    index = action.payload.get("index") if isinstance(action.payload, dict) else None
    if not isinstance(index, int) or not 0 <= index < len(suggestions):
        await cl.Message(content=notice("unknown_action", identity.language)).send()
        return
    asked = await cl.Message(content=suggestions[index], type="user_message", author=identity.display_name).send()
    await _answer(identity, suggestions[index], asked.id)


async def _answer(identity: CandidateIdentity, text: str, message_id: str | None) -> None:
    """Answer `text`; the link is re-checked in the same worker call as the answer (one hop off the loop)."""
    runtime = current()
    decision = await runtime.limiter.atake("chat", f"{identity.customer_id}:{identity.workflow_id}")
    if not decision.allowed:
        seconds = max(1, math.ceil(decision.retry_after_seconds))
        text = render_template("rate_limited", reply_language(identity.language), seconds=seconds)
        await cl.Message(content=text).send()
        return
    reply = cl.Message(content="")
    result = None
    try:
        async for piece in runtime.pipeline.astream(identity, text, check=lambda: recheck(runtime.db, identity)):
            if piece.result is not None:
                result = piece.result
            else:
                await reply.stream_token(piece.text, is_sequence=piece.replace)
    except (AccessDeniedError, DomainError) as exc:
        await _end_chat(identity, exc)
        return
    assert result is not None
    answer = result.answer
    compact = cl.context.session.client_type == "copilot"
    elements, sources = source_elements(result, answer.language, compact=compact)
    reply.content = f"{answer.text}\n\n{sources}" if sources else answer.text
    reply.elements = list[Any](elements)
    if answer.counter_offer is not None or answer.handoff:
        reply.actions = _ask_to_confirm(identity, result.grounding, text, message_id, answer)
    elif answer.intent in _INTENT_REQUESTS:
        queued = await runtime.pipeline.offload(
            runtime.pipeline.queue_request,
            identity,
            _INTENT_REQUESTS[answer.intent],
            message=text,
            answer=answer,
            message_id=message_id,
        )
        reply.content = f"{reply.content}\n\n{notice('intent_queued', answer.language, number=queued.id)}"
        if answer.intent is Intent.ACCEPT_INTENT and signing.can_sign(result.grounding):
            language = signing.language_code(answer.language)
            reply.content = f"{reply.content}\n\n{signing.text('offer_to_sign', language)}"
            reply.actions = [signing.start_action(language)]
    await reply.send()


def _ask_to_confirm(
    identity: CandidateIdentity, grounding: Grounding, text: str, message_id: str | None, answer: Answer
) -> list[cl.Action]:
    kind = "counter" if answer.counter_offer is not None else "handoff"
    key = secrets.token_urlsafe(16)
    recruiter = grounding.recruiter.display_name if grounding.recruiter else None
    yes_label = notice(
        f"{kind}_confirm" if kind == "counter" else "handoff_yes", answer.language, recruiter_name=recruiter
    )
    no_label = notice(f"{kind}_cancel" if kind == "counter" else "handoff_no", answer.language)
    actions = [
        cl.Action(name=f"{kind}_yes", payload={"key": key}, label=yes_label, icon="check"),
        cl.Action(name=f"{kind}_no", payload={"key": key}, label=no_label, icon="x"),
    ]
    pending: dict[str, Pending] = cl.user_session.get(_PENDING) or {}
    pending[key] = Pending(
        kind=kind,
        offer_id=identity.offer_id,
        version_number=grounding.version_number,
        message=text,
        message_id=message_id,
        answer=answer,
        action_ids=tuple(action.id for action in actions),
        recruiter=recruiter,
        proposal=answer.counter_offer,
    )
    cl.user_session.set(_PENDING, pending)
    return actions


# -- buttons ---------------------------------------------------------------------------------------------------


async def _take_pending(action: cl.Action, kind: str) -> tuple[CandidateIdentity, Pending] | None:
    """The pending item the button refers to, removed from the session; None if gone, foreign or ended."""
    identity = await _checked_identity()
    if identity is None:
        return None
    pending: dict[str, Pending] = cl.user_session.get(_PENDING) or {}
    key = action.payload.get("key") if isinstance(action.payload, dict) else None
    item = pending.pop(key, None) if isinstance(key, str) else None
    cl.user_session.set(_PENDING, pending)
    if item is None or item.kind != kind or item.offer_id != identity.offer_id:
        await cl.Message(content=notice("already_handled", identity.language)).send()
        return None
    for action_id in item.action_ids:
        await cl.Action(name=action.name, payload={}, id=action_id).remove()
    return identity, item


@cl.action_callback("counter_yes")
async def on_counter_confirmed(action: cl.Action) -> None:
    taken = await _take_pending(action, "counter")
    if taken is None:
        return
    identity, item = taken
    assert item.proposal is not None
    language, recruiter = item.answer.language, item.recruiter
    try:
        counter = await current().pipeline.offload(
            current().pipeline.submit_counter,
            identity,
            item.proposal,
            message=item.message,
            message_id=item.message_id,
            version_number=item.version_number,
        )
    except StaleVersionError:
        await cl.Message(content=notice("counter_stale", language)).send()
        return
    except DomainError as exc:
        reason = str(exc)
        await cl.Message(content=notice("counter_failed", language, reason=reason, recruiter_name=recruiter)).send()
        return
    text = notice("counter_submitted", language, number=counter.id, recruiter_name=recruiter)
    await cl.Message(content=text).send()


@cl.action_callback("counter_no")
async def on_counter_cancelled(action: cl.Action) -> None:
    taken = await _take_pending(action, "counter")
    if taken is not None:
        await cl.Message(content=notice("counter_cancelled", taken[1].answer.language)).send()


@cl.action_callback("handoff_yes")
async def on_handoff_confirmed(action: cl.Action) -> None:
    taken = await _take_pending(action, "handoff")
    if taken is None:
        return
    identity, item = taken
    request = await current().pipeline.offload(
        current().pipeline.queue_request,
        identity,
        RequestKind.HANDOFF,
        message=item.message,
        answer=item.answer,
        message_id=item.message_id,
    )
    text = notice("handoff_queued", item.answer.language, number=request.id, recruiter_name=item.recruiter)
    await cl.Message(content=text).send()


@cl.action_callback("handoff_no")
async def on_handoff_declined(action: cl.Action) -> None:
    taken = await _take_pending(action, "handoff")
    if taken is not None:
        await cl.Message(content=notice("handoff_skipped", taken[1].answer.language)).send()


# -- signing the released letter (app.chat.signing) -------------------------------------------------------------


@cl.action_callback(signing.START)
async def on_sign_start(_action: cl.Action) -> None:
    identity = await _checked_identity()
    if identity is not None:
        await signing.start(identity)


@cl.action_callback(signing.CONFIRM)
async def on_sign_confirmed(action: cl.Action) -> None:
    identity = await _checked_identity()
    if identity is not None:
        await signing.confirm(identity, action)


@cl.action_callback(signing.CANCEL)
async def on_sign_cancelled(_action: cl.Action) -> None:
    identity = await _checked_identity()
    if identity is not None:
        await signing.cancel(identity)
