# mypy: disable-error-code="no-untyped-call"
# (Chainlit's API is not annotated: calls into it are untyped.)
"""Signing the released letter in the chat: review, type the full name, confirm (see `offer_engine.signatures`).

1. "Review and sign my letter" (`start`): a one-time challenge is issued for this chat session, the offer and
   the letter's hash; the letter is shown again and the candidate is asked to type their full name.
2. The next message is the typed name (`take_typed_name`): a name that is not the offer's is refused (three
   tries), a matching one is shown back with "Sign and accept" and "Cancel".
3. "Sign and accept" (`confirm`): the session's pending signature is taken out first (a second click or a
   replayed action finds nothing), then the engine signs with the challenge; the signed PDF is shown.

Who signs comes from the signed session only: the identity's offer and person, the session's id and the
connection's address. The action payload carries nothing but a random key into this session's own state.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import chainlit as cl
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.ai.language import reply_language
from app.chat.grounding import Grounding
from app.chat.identity import CandidateIdentity
from app.chat.notices import render_template
from app.chat.render import element_name
from app.chat.runtime import current
from app.chat.signin import recheck
from app.chat.transactions import in_transaction
from app.ratelimit import client_ip
from icims.mapping import TenantMapping
from offer_engine.columns import as_utc, utcnow
from offer_engine.letter_store import get_letter
from offer_engine.offers import OfferState, get_offer
from offer_engine.signatures import (
    IssuedChallenge,
    SignatureRefusal,
    SignatureRefusedError,
    SignedLetter,
    SigningSession,
    check_typed_name,
    issue_challenge,
    sign_letter,
)

_STATE = "signing"
MAX_NAME_TRIES = 3
START, CONFIRM, CANCEL = "sign_start", "sign_confirm", "sign_cancel"

_REFUSAL_TEXTS = {
    SignatureRefusal.SUPERSEDED: "refused_superseded",
    SignatureRefusal.WITHDRAWN: "refused_withdrawn",
    SignatureRefusal.EXPIRED: "refused_expired",
    SignatureRefusal.NOT_RELEASED: "refused_not_released",
    SignatureRefusal.ALREADY_SIGNED: "refused_already_signed",
    SignatureRefusal.NO_NAME_ON_OFFER: "refused_no_name",
    SignatureRefusal.CHALLENGE_USED: "refused_stale",
    SignatureRefusal.CHALLENGE_EXPIRED: "refused_stale",
    SignatureRefusal.CHALLENGE_INVALID: "refused_stale",
    SignatureRefusal.NAME_MISMATCH: "name_mismatch",
    SignatureRefusal.NAME_MISSING: "name_missing",
}


@dataclass(frozen=True)
class PendingSignature:
    """This session's signing in progress (kept in the Chainlit session only; the engine keeps the hash)."""

    token: str
    letter_id: int
    version_number: int
    file_name: str
    expires_at: datetime
    typed_name: str | None = None
    confirm_key: str | None = None
    tries: int = 0
    action_ids: tuple[str, ...] = ()


# -- wording -------------------------------------------------------------------------------------------------


def language_code(language: str | None) -> str:
    """English, Spanish or German: the languages the chat's texts are written in."""
    return reply_language(language or "en")


def language_of(identity: CandidateIdentity) -> str:
    return language_code(identity.language)


def text(kind: str, language: str, **variables: Any) -> str:
    values: dict[str, Any] = {"letter": "", "signer": "", "when": "", "recruiter_name": None, **variables}
    return render_template("chat_signing", language, kind=kind, **values)


def refusal_text(reason: SignatureRefusal, language: str) -> str:
    return text(_REFUSAL_TEXTS.get(reason, "failed"), language)


def start_action(language: str) -> cl.Action:
    return cl.Action(name=START, payload={}, label=text("start_button", language), icon="pen-line")


def can_sign(grounding: Grounding) -> bool:
    """Whether the chat offers to sign: the released letter is shown and the offer awaits the answer."""
    return grounding.letter is not None and grounding.state == OfferState.SENT.value


# -- who signs -----------------------------------------------------------------------------------------------


def signer_of(identity: CandidateIdentity) -> SigningSession:
    session = cl.context.session
    return SigningSession(
        session_key=session.id,
        customer_id=identity.customer_id,
        workflow_id=identity.workflow_id,
        offer_id=identity.offer_id,
        person_id=identity.person_id,
        link_id=identity.link_id,
        ip_address=_client_address(getattr(session, "environ", None) or {}),
        channel=identity.channel,
        language=identity.language,
    )


def _client_address(environ: dict[str, Any]) -> str | None:
    scope = environ.get("asgi.scope")
    if isinstance(scope, dict) and scope.get("client"):
        return client_ip(scope)
    address = environ.get("REMOTE_ADDR")
    return str(address) if address else None


# -- engine calls (in a worker thread, one transaction each) ---------------------------------------------------


def _issue(db: Engine, identity: CandidateIdentity, signer: SigningSession) -> tuple[IssuedChallenge, str, bytes]:
    recheck(db, identity)

    def work(session: Session) -> tuple[IssuedChallenge, str, bytes]:
        issued = issue_challenge(session, signer)
        letter = get_letter(session, issued.letter_id)
        return issued, element_name(f"Offer letter v{letter.version_number}"), letter.pdf or b""

    return in_transaction(db, work)


def _check_name(db: Engine, identity: CandidateIdentity, typed: str) -> str:
    def work(session: Session) -> str:
        return check_typed_name(get_offer(session, identity.offer_id), typed)

    return in_transaction(db, work)


def _sign(
    db: Engine, identity: CandidateIdentity, signer: SigningSession, pending: PendingSignature, mapping: TenantMapping
) -> tuple[SignedLetter, bytes]:
    recheck(db, identity)

    def work(session: Session) -> tuple[SignedLetter, bytes]:
        signed = sign_letter(
            session, signer, challenge_token=pending.token, typed_name=pending.typed_name or "", mapping=mapping
        )
        return signed, get_letter(session, signed.signed_letter_id).pdf or b""

    return in_transaction(db, work)


# -- the steps -----------------------------------------------------------------------------------------------


async def start(identity: CandidateIdentity) -> None:
    """Issue the challenge, show the letter again and ask for the full name."""
    runtime, language = current(), language_of(identity)
    await _clear(cl.user_session.get(_STATE))
    try:
        issued, name, pdf = await runtime.pipeline.offload(_issue, runtime.db, identity, signer_of(identity))
    except SignatureRefusedError as exc:
        await cl.Message(content=refusal_text(exc.reason, language)).send()
        return
    cancel = cl.Action(name=CANCEL, payload={}, label=text("cancel_button", language), icon="x")
    pending = PendingSignature(
        token=issued.token,
        letter_id=issued.letter_id,
        version_number=issued.version_number,
        file_name=name,
        expires_at=issued.expires_at,
        action_ids=(cancel.id,),
    )
    cl.user_session.set(_STATE, pending)
    letter = cl.Pdf(name=name, content=pdf, display="inline", mime="application/pdf")
    await cl.Message(content=text("ask_name", language, letter=name), elements=[letter], actions=[cancel]).send()


async def take_typed_name(identity: CandidateIdentity, typed: str) -> bool:
    """If this session is waiting for the signer's name, take `typed` as it (True); else leave it (False)."""
    pending: PendingSignature | None = cl.user_session.get(_STATE)
    if pending is None or pending.typed_name is not None:
        return False
    if as_utc(pending.expires_at) <= utcnow():
        cl.user_session.set(_STATE, None)
        return False  # too late to be the name: answered as a question
    runtime, language = current(), language_of(identity)
    try:
        name = await runtime.pipeline.offload(_check_name, runtime.db, identity, typed)
    except SignatureRefusedError as exc:
        await _name_refused(pending, exc.reason, language)
        return True
    await _remove_buttons(pending)
    key = secrets.token_urlsafe(16)
    actions = [
        cl.Action(name=CONFIRM, payload={"key": key}, label=text("confirm_button", language), icon="pen-line"),
        cl.Action(name=CANCEL, payload={"key": key}, label=text("cancel_button", language), icon="x"),
    ]
    action_ids = tuple(a.id for a in actions)
    cl.user_session.set(_STATE, replace(pending, typed_name=name, confirm_key=key, action_ids=action_ids))
    question = text("confirm", language, letter=pending.file_name, signer=name)
    await cl.Message(content=question, actions=actions).send()
    return True


async def _name_refused(pending: PendingSignature, reason: SignatureRefusal, language: str) -> None:
    tries = pending.tries + 1
    if reason not in (SignatureRefusal.NAME_MISMATCH, SignatureRefusal.NAME_MISSING):
        await _clear(pending)
        await cl.Message(content=refusal_text(reason, language)).send()
    elif tries >= MAX_NAME_TRIES:
        await _clear(pending)
        await cl.Message(content=text("too_many_tries", language)).send()
    else:
        cl.user_session.set(_STATE, replace(pending, tries=tries))
        await cl.Message(content=refusal_text(reason, language)).send()


async def confirm(identity: CandidateIdentity, action: cl.Action) -> None:
    """Sign, once: the pending signature leaves the session before the engine is called."""
    runtime, language = current(), language_of(identity)
    pending: PendingSignature | None = cl.user_session.get(_STATE)
    key = action.payload.get("key") if isinstance(action.payload, dict) else None
    if pending is None or pending.typed_name is None or not key or key != pending.confirm_key:
        await cl.Message(content=text("refused_stale", language)).send()
        return
    await _clear(pending)
    signer = signer_of(identity)
    try:
        signed, pdf = await runtime.pipeline.offload(
            _sign, runtime.db, identity, signer, pending, runtime.settings.tenant
        )
    except SignatureRefusedError as exc:
        await cl.Message(content=refusal_text(exc.reason, language)).send()
        return
    runtime.wake()  # the signed PDF and the accepted status wait in the outbox: deliver them now
    name = element_name(f"Signed offer letter v{signed.version_number}")
    when = signed.signed_at.strftime("%Y-%m-%d %H:%M")
    element = cl.Pdf(name=name, content=pdf, display="inline", mime="application/pdf")
    await cl.Message(content=text("signed", language, letter=name, when=when), elements=[element]).send()


async def cancel(identity: CandidateIdentity) -> None:
    pending: PendingSignature | None = cl.user_session.get(_STATE)
    await _clear(pending)
    await cl.Message(content=text("cancelled", language_of(identity))).send()


async def _clear(pending: PendingSignature | None) -> None:
    cl.user_session.set(_STATE, None)
    if pending is not None:
        await _remove_buttons(pending)


async def _remove_buttons(pending: PendingSignature) -> None:
    for action_id in pending.action_ids:
        await cl.Action(name=CANCEL, payload={}, id=action_id).remove()
