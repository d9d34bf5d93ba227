"""Over real HTTP: a recruiter moves a candidate in iCIMS (the sandbox) after the offer went out; the signed
webhook reaches the real route, the worker ends the offer, closes what waited in the queue and the chat, and
writes nothing back. Our own status write coming back as a webhook changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from app.chat.signin import SignInRefusedError, recheck, sign_in
from app.links import Audience
from app.review import service
from offer_engine import candidate_requests, counters, offers
from offer_engine.access import AccessDeniedError
from offer_engine.actors import candidate_actor
from offer_engine.candidate_requests import RequestKind
from offer_engine.db import session_scope
from offer_engine.review_queue import ItemKind
from offer_engine.terms import CounterItem, Term
from offer_engine.webhook_events import WebhookEvent
from tests.integration.test_webhook_to_sync import Stack, approve_all, queue_item, stack, synced, wait_for

assert stack  # the fixture, imported to be used here
WITHDREW = "C20006"  # one of the demo tenant's offer_withdrawn_statuses
HIRED = "C20009"  # one of its further accepted statuses
MANAGERS = {3401: "grace", 3402: "marcus"}  # the demo jobs' hiring managers


@pytest.fixture
def live(stack: Stack) -> Stack:
    return stack


def _sent_offer(stack: Stack, workflow_id: int) -> tuple[int, str]:
    """Move the workflow to offer-ready, approve and release its draft; returns the offer and the link token."""
    stack.icims.move(workflow_id, "C20001")
    offer_id = wait_for(lambda: queue_item(stack, "alex", workflow_id, ItemKind.DRAFT), "the draft").offer_id
    manager = MANAGERS[workflow_id]
    # a hiring manager sees the offer once the worker has recorded who owns the requisition (its next round)
    wait_for(lambda: queue_item(stack, manager, workflow_id, ItemKind.DRAFT), f"the draft in {manager}'s queue")
    service.submit(stack.rt, stack.id("alex"), offer_id)
    approve_all(stack, offer_id, {"hiring_manager": manager, "compensation": "carl", "recruiter": "alex"})
    released = service.release_offer(stack.rt, stack.id("alex"), offer_id)
    assert released.url is not None
    wait_for(lambda: synced(stack, offer_id), "the released offer's writes")
    return offer_id, parse_qs(urlsplit(released.url).query)["token"][0]


def _state(stack: Stack, offer_id: int) -> str:
    with session_scope(stack.engine) as session:
        return offers.get_offer(session, offer_id).state


def _events(stack: Stack) -> list[tuple[str | None, Any, str, str | None]]:
    with session_scope(stack.engine) as session:
        rows = session.exec(select(WebhookEvent).order_by(WebhookEvent.id))  # type: ignore[arg-type]
        return [(e.system_id, e.payload.get("newStatus"), e.state, e.outcome) for e in rows]


def _status_writes(stack: Stack, workflow_id: int) -> list[Any]:
    return [w for w in stack.icims.writes() if w.kind == "status" and w.profile_id == workflow_id]


def test_a_candidate_withdrawing_in_icims_ends_the_offer_its_queue_items_and_the_chat(live: Stack) -> None:
    offer_id, token = _sent_offer(live, 3401)
    identity = sign_in(live.rt.settings, live.engine, token, audience=Audience.PORTAL, channel="portal")
    with session_scope(live.engine) as session:
        offer = offers.get_offer(session, offer_id)
        candidate = candidate_actor(offer.person_id or 0)
        item = CounterItem(term=Term.BASE_SALARY, requested=Decimal(195000), currency="USD")
        counter = counters.submit_counter(session, offer, [item], actor=candidate, source_message_text="195k?")
        candidate_requests.submit_request(
            session, offer, RequestKind.HANDOFF, actor=candidate, message="Can someone call me about relocation?"
        )
    assert queue_item(live, "alex", 3401, ItemKind.COUNTER) is not None
    assert queue_item(live, "alex", 3401, ItemKind.HANDOFF) is not None

    live.icims.move(3401, WITHDREW)
    wait_for(lambda: _state(live, offer_id) == "withdrawn", "the offer withdrawn from iCIMS")
    assert _events(live)[-1][1:3] == ("20006", "processed")  # the numeric form webhooks carry
    assert queue_item(live, "alex", 3401, ItemKind.COUNTER) is None
    assert queue_item(live, "alex", 3401, ItemKind.HANDOFF) is None
    with session_scope(live.engine) as session:
        assert counters.get_counter(session, counter.id or 0).state == "withdrawn"
    with pytest.raises(AccessDeniedError, match="withdrawn"):
        recheck(live.engine, identity)
    with pytest.raises(SignInRefusedError, match="no longer open"):
        sign_in(live.rt.settings, live.engine, token, audience=Audience.PORTAL, channel="portal")
    wait_for(lambda: synced(live, offer_id), "nothing left to write")
    extended = live.rt.settings.tenant.offer_extended_status  # written when the offer was released
    assert [w.detail["newStatus"] for w in _status_writes(live, 3401)] == [extended]  # none back after withdrawal
    assert live.icims.profile("applicantworkflows", 3401)["status"]["id"] == WITHDREW


def test_our_accepted_status_echoing_back_and_a_later_hired_status_change_nothing(live: Stack) -> None:
    offer_id, _token = _sent_offer(live, 3402)
    with session_scope(live.engine) as session:
        offer = offers.get_offer(session, offer_id)
        intent = candidate_requests.submit_request(
            session, offer, RequestKind.ACCEPT_INTENT, actor=candidate_actor(offer.person_id or 0), message="Yes!"
        )
    service.handle_request(live.rt, live.id("alex"), intent.id or 0, "confirm_accept", "confirmed by phone")
    accepted = live.rt.settings.tenant.offer_accepted_status
    extended = live.rt.settings.tenant.offer_extended_status  # written when the offer was released
    wait_for(lambda: len(_status_writes(live, 3402)) == 2, "our accepted status written to iCIMS")
    assert [w.detail["newStatus"] for w in _status_writes(live, 3402)] == [extended, accepted]
    wait_for(lambda: [e[1:3] for e in _events(live)][-1:] == [("20003", "ignored")], "the echo of our own write")
    assert "our own status write" in (_events(live)[-1][3] or "")
    assert live.icims.profile("applicantworkflows", 3402)["status"]["id"] == accepted

    live.icims.move(3402, HIRED)
    wait_for(lambda: len(_events(live)) == 4 and _events(live)[-1][2] == "ignored", "the hired status handled")
    assert _events(live)[-1][3] == f"offer {offer_id} is already accepted"
    assert _state(live, offer_id) == "accepted"
    assert len(_status_writes(live, 3402)) == 2
    assert live.icims.profile("applicantworkflows", 3402)["status"]["id"] == HIRED
