"""Review mode after the candidate signed in the chat: who signed and when, the signed PDF, and iCIMS."""

from __future__ import annotations

from typing import Any

import chainlit as cl

from app.review import handlers, service, views
from app.review.auth import chainlit_user
from offer_engine import approvals, audit, offers, signatures
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.signatures import SigningSession
from tests import factories as f
from tests.app.review.conftest import Recorder, ReviewWorld, chainlit_context

OLIVER = 3404


def signed_offer(world: ReviewWorld) -> tuple[int, signatures.SignedLetter]:
    """Oliver's offer approved, released and signed by him in the chat (as `app.chat.signing` does)."""
    offer_id = world.draft(OLIVER)
    with session_scope(world.engine) as session:
        offer = offers.get_offer(session, offer_id)
        approvals.start_chain(session, offer, [], actor=f.recruiter())
        offers.mark_sent(session, offer, actor=f.recruiter())
    signer = SigningSession(
        session_key="s1",
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer_id,
        person_id=offer.person_id,
        link_id="jti-1",
        ip_address="198.51.100.7",
    )
    with session_scope(world.engine) as session:
        issued = signatures.issue_challenge(session, signer)
    with session_scope(world.engine) as session:
        signed = signatures.sign_letter(
            session, signer, challenge_token=issued.token, typed_name="oliver bennett", mapping=world.rt.setup.mapping
        )
    return offer_id, signed


def _texts(recorder: Recorder) -> str:
    return "\n".join(recorder.texts())


async def test_the_recruiter_sees_who_signed_when_and_opens_the_signed_letter(world: ReviewWorld) -> None:
    offer_id, signed = signed_offer(world)
    alex = world.user("alex").id or 0
    detail = service.offer_detail(world.rt, alex, offer_id)
    assert detail.signature is not None
    assert detail.offer.state == "accepted"
    today = utcnow().strftime("%Y-%m-%d")
    assert f"Signed by oliver bennett on {today}" in views.offer_markdown(detail, utcnow())

    name, pdf = service.letter_pdf(world.rt, alex, offer_id)
    assert name.endswith("-signed.pdf")
    assert audit.sha256_of(pdf) == signed.signed_pdf_sha256

    recorder = Recorder()
    chainlit_context(chainlit_user(world.user("alex")), recorder)
    await handlers.show_offer(alex, offer_id)
    assert "Signed by oliver bennett on" in _texts(recorder)
    labels = [a["label"] for a in recorder.actions()]
    assert "Open the signed letter" in labels
    await handlers.on_preview(cl.Action(name="review_preview", payload={"offer_id": offer_id}))
    assert recorder.texts()[-1].startswith("Signed offer letter of Oliver Bennett")
    files: list[dict[str, Any]] = [e for e in recorder.elements() if e["type"] in ("file", "pdf")]
    assert files[-1]["name"].startswith("Signed offer letter")
    for text in recorder.texts():  # the screen names no internal ids or keys
        assert "jti-1" not in text
        assert "signed_letter_id" not in text


async def test_the_signed_pdf_then_the_accepted_status_reach_icims(world: ReviewWorld) -> None:
    offer_id, signed = signed_offer(world)
    world.deliver()
    mapping = world.rt.setup.mapping
    workflow = world.icims.profile("applicantworkflows", OLIVER)
    assert workflow["status"]["id"] == mapping.offer_accepted_status
    assert mapping.letter_file_field is not None
    uploaded = world.icims.client().download_file("applicantworkflows", OLIVER, mapping.letter_file_field)
    assert audit.sha256_of(uploaded.content) == signed.signed_pdf_sha256
    with session_scope(world.engine) as session:
        assert offers.get_offer(session, offer_id).state == "accepted"  # our own status coming back changes nothing
