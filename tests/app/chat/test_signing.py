"""Signing the released letter in the chat, through the real handlers (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import chainlit as cl
import pytest
from pypdf import PdfReader

from app.chat import handlers, signing
from offer_engine import audit, letter_store, offers, signatures
from offer_engine.db import session_scope
from offer_engine.outbox import JobKind, list_jobs
from prompts import load_prompt
from tests import factories as f
from tests.app.chat.conftest import Chat, Tenant, runtime_for

MAYA, SOFIA, OLIVER = 3401, 3403, 3404


def _chat(tenant: Tenant, open_chat: Any, workflow_id: int = OLIVER) -> Chat:
    identity = tenant.offer(workflow_id)
    chat: Chat = open_chat(identity, runtime_for(tenant.settings, tenant.engine, tenant.pipeline()))
    return chat


async def _click(chat: Chat, name: str, payload: dict[str, Any] | None = None) -> str:
    callbacks = {
        signing.START: handlers.on_sign_start,
        signing.CONFIRM: handlers.on_sign_confirmed,
        signing.CANCEL: handlers.on_sign_cancelled,
    }
    chat._activate()
    before = len(chat.recorded.messages())
    if payload is None:
        shown = [a for a in chat.recorded.actions() if a["name"] == name]
        payload = shown[-1]["payload"] if shown else {}
    await callbacks[name](cl.Action(name=name, payload=payload))
    new = chat.recorded.messages()[before:]
    return str(new[-1]["output"]) if new else ""


def _state(tenant: Tenant, offer_id: int) -> str:
    with session_scope(tenant.engine) as session:
        return offers.get_offer(session, offer_id).state


def _signatures(tenant: Tenant, offer_id: int) -> list[signatures.LetterSignature]:
    with session_scope(tenant.engine) as session:
        return signatures.signatures_for(session, offer_id)


def _pdfs(chat: Chat) -> list[dict[str, Any]]:
    return [e for e in chat.recorded.elements() if e["type"] == "pdf"]


async def test_a_candidate_reviews_types_their_name_confirms_and_gets_the_signed_letter(
    tenant: Tenant, open_chat: Any
) -> None:
    tenant.approve(OLIVER)
    chat = _chat(tenant, open_chat)
    offer_id = chat.identity.offer_id if chat.identity else 0
    await chat.start()
    assert "Review and sign my letter" in [a["label"] for a in chat.recorded.actions() if a["name"] == signing.START]

    asked = await _click(chat, signing.START)
    assert "type your full name as it appears in the letter" in asked
    assert len(_pdfs(chat)) == 2  # the letter is shown again with the question
    assert _signatures(tenant, offer_id) == []

    confirm = await chat.say("  oliver   BENNETT ")
    assert "as **oliver BENNETT**" in confirm
    assert _signatures(tenant, offer_id) == []  # nothing is signed before the confirmation
    confirm_action = next(a for a in reversed(chat.recorded.actions()) if a["name"] == signing.CONFIRM)
    assert set(confirm_action["payload"]) == {"key"}  # no offer, letter or token travels in the payload

    done = await _click(chat, signing.CONFIRM)
    assert "you signed your offer letter" in done
    [signature] = _signatures(tenant, offer_id)
    assert _state(tenant, offer_id) == "accepted"
    signed_pdf = _pdfs(chat)[-1]
    assert signed_pdf["name"] == "Signed offer letter v1"
    with session_scope(tenant.engine) as session:
        signed = letter_store.get_letter(session, signature.signed_letter_id)
        kinds = [j.kind for j in list_jobs(session) if j.offer_id == offer_id and j.letter_id == signed.id]
        status = [j for j in list_jobs(session) if j.offer_id == offer_id and j.kind == JobKind.SET_STATUS.value]
    assert signed.pdf is not None
    assert audit.sha256_of(signed.pdf) == signed.pdf_sha256 == signature.signed_pdf_sha256
    assert "Oliver Bennett" in PdfReader(io.BytesIO(signed.pdf)).pages[-1].extract_text()
    assert kinds == [JobKind.UPLOAD_LETTER.value]
    assert status[-1].payload == {"status_id": tenant.settings.tenant.offer_accepted_status}
    assert (signature.typed_name, signature.channel) == ("oliver BENNETT", "portal")
    assert {a["id"] for a in chat.recorded.actions() if a["name"] in (signing.CONFIRM, signing.CANCEL)} <= (
        chat.recorded.removed_actions()
    )

    again = await _click(chat, signing.CONFIRM, confirm_action["payload"])  # a second click or a replay
    assert "nothing was signed" in again
    assert len(_signatures(tenant, offer_id)) == 1


async def test_a_name_that_is_not_the_offers_is_refused_three_times_then_signing_stops(
    tenant: Tenant, open_chat: Any
) -> None:
    tenant.approve(OLIVER)
    chat = _chat(tenant, open_chat)
    offer_id = chat.identity.offer_id if chat.identity else 0
    await _click(chat, signing.START)
    assert "isn't the name on your offer" in await chat.say("Oliver")
    assert "isn't the name on your offer" in await chat.say("Maya Patel")
    assert "nothing was signed" in await chat.say("O. Bennett")
    assert _signatures(tenant, offer_id) == []
    assert _state(tenant, offer_id) == "sent"
    answer = await chat.say("When do I start?")  # the chat answers questions again
    assert "February" in answer or "start" in answer.lower()


async def test_cancelling_signs_nothing(tenant: Tenant, open_chat: Any) -> None:
    tenant.approve(OLIVER)
    chat = _chat(tenant, open_chat)
    offer_id = chat.identity.offer_id if chat.identity else 0
    await _click(chat, signing.START)
    await chat.say("Oliver Bennett")
    assert "nothing was signed" in await _click(chat, signing.CANCEL)
    forged = await _click(chat, signing.CONFIRM, {"key": "guessed"})
    assert "nothing was signed" in forged
    assert _signatures(tenant, offer_id) == []
    assert _state(tenant, offer_id) == "sent"


async def test_a_letter_replaced_before_the_confirmation_is_not_signed(tenant: Tenant, open_chat: Any) -> None:
    tenant.approve(OLIVER)
    chat = _chat(tenant, open_chat)
    offer_id = chat.identity.offer_id if chat.identity else 0
    await _click(chat, signing.START)
    await chat.say("Oliver Bennett")
    with session_scope(tenant.engine) as session:  # the letter is re-rendered meanwhile
        released = letter_store.latest_letter(session, f.current(session, offers.get_offer(session, offer_id)).id or 0)
        assert released is not None
        f.make_letter(session, offers.get_offer(session, offer_id), pdf=(released.pdf or b"") + b"\n% again\n")
    refused = await _click(chat, signing.CONFIRM)
    assert "updated since you opened it" in refused
    assert _signatures(tenant, offer_id) == []
    assert _state(tenant, offer_id) == "sent"


async def test_an_unreleased_offer_offers_no_signing_and_refuses_it(tenant: Tenant, open_chat: Any) -> None:
    chat = _chat(tenant, open_chat, MAYA)  # drafted, in review
    await chat.start()
    assert [a for a in chat.recorded.actions() if a["name"] == signing.START] == []
    assert "no released offer letter to sign" in await _click(chat, signing.START, {})
    assert "name on your offer" not in await chat.say("Maya Patel")  # not taken as a name: answered as a message


async def test_an_acceptance_offers_to_sign_when_the_letter_is_released(tenant: Tenant, open_chat: Any) -> None:
    tenant.approve(OLIVER)
    chat = _chat(tenant, open_chat)
    reply = await chat.say("I accept the offer!")
    assert "sign your offer letter right here" in reply
    assert [a["name"] for a in chat.recorded.actions()][-1] == signing.START


async def test_a_spanish_speaking_candidate_signs_in_spanish(tenant: Tenant, open_chat: Any) -> None:
    tenant.approve(SOFIA)
    chat = _chat(tenant, open_chat, SOFIA)
    await chat.start()
    assert "Revisar y firmar mi carta" in [a["label"] for a in chat.recorded.actions()]
    assert "escribe tu nombre completo" in await _click(chat, signing.START)
    assert "como **sofia hernandez**" in await chat.say("sofia hernandez")
    assert "firmaste tu carta de oferta" in await _click(chat, signing.CONFIRM)


@pytest.mark.parametrize("language", ["es", "de"])
def test_every_signing_text_is_written_in_spanish_and_german(language: str) -> None:
    english, other = load_prompt("chat_signing", "en"), load_prompt("chat_signing", language)
    assert other.language == language
    kinds = [
        "start_button", "offer_to_sign", "ask_name", "name_mismatch", "name_missing", "too_many_tries", "confirm",
        "confirm_button", "cancel_button", "cancelled", "signed", "refused_superseded", "refused_withdrawn",
        "refused_expired", "refused_not_released", "refused_already_signed", "refused_no_name", "refused_stale", "x",
    ]  # fmt: skip
    for kind in kinds:
        variables = {"kind": kind, "letter": "L", "signer": "S", "when": "W", "recruiter_name": None}
        assert other.render(**variables) != english.render(**variables), kind
        assert "{{" not in other.render(**variables)


async def test_a_signature_wakes_the_workers_so_the_signed_pdf_goes_out_now(tenant: Tenant, open_chat: Any) -> None:
    tenant.approve(OLIVER)
    woken: list[str] = []
    runtime = runtime_for(tenant.settings, tenant.engine, tenant.pipeline())
    identity = tenant.offer(OLIVER)
    chat: Chat = open_chat(identity, dataclasses.replace(runtime, wake_worker=lambda: woken.append("wake")))
    await _click(chat, signing.START)
    await chat.say("Oliver Bennett")
    assert woken == []  # nothing is queued before the confirmation
    confirm_action = next(a for a in reversed(chat.recorded.actions()) if a["name"] == signing.CONFIRM)
    assert "you signed your offer letter" in await _click(chat, signing.CONFIRM)
    assert woken == ["wake"]
    assert "nothing was signed" in await _click(chat, signing.CONFIRM, confirm_action["payload"])
    assert woken == ["wake"], "a refused signature queues nothing and wakes nobody"
