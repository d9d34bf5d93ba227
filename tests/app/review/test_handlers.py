"""The review mode in a Chainlit context: what staff see and click, and what a candidate's session is refused."""

from __future__ import annotations

from decimal import Decimal

import chainlit as cl
import pytest
from sqlmodel import select

from app.review import handlers
from app.review.auth import chainlit_user
from offer_engine import approval_inbox, counters, offers
from offer_engine.actors import candidate_actor
from offer_engine.audit import AuditEvent
from offer_engine.db import session_scope
from offer_engine.terms import CounterItem, Term
from tests.app.review.conftest import Recorder, ReviewWorld, chainlit_context


def staff_session(world: ReviewWorld, name: str) -> Recorder:
    recorder = Recorder()
    chainlit_context(chainlit_user(world.user(name)), recorder)
    return recorder


def action(name: str, **payload: object) -> cl.Action:
    return cl.Action(name=name, payload=dict(payload))


async def test_staff_start_on_the_queue_with_an_open_button_per_item(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    recorder = staff_session(world, "alex")
    await handlers.start_review(chainlit_user(world.user("alex")))
    assert "Welcome, Alex" in recorder.texts()[0]
    assert "Maya Patel" in recorder.texts()[1]
    assert "Review the initial draft" in recorder.texts()[1]
    assert "| Waiting | SLA |" in recorder.texts()[1]
    opens = [a for a in recorder.actions() if a["name"] == "review_open_item"]
    assert opens[0]["payload"] == {"kind": "draft", "ref_id": offer_id}


async def test_opening_a_counter_offer_shows_items_band_chart_and_suggestion(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    with session_scope(world.engine) as session:
        offer = offers.get_offer(session, offer_id)
        counter = counters.submit_counter(
            session,
            offer,
            [CounterItem(term=Term.BASE_SALARY, requested=Decimal(200000))],
            actor=candidate_actor(offer.person_id or 0),
        )
    recorder = staff_session(world, "alex")
    await handlers.on_open_item(action("review_open_item", kind="counter", ref_id=counter.id))
    text = recorder.texts()[-1]
    assert "Counter-offer C-1" in text
    assert "$200,000.00" in text
    assert "Initial draft" in text
    assert "base_salary" not in text
    assert "min(" not in text
    assert "Suggested response" in text
    assert "Band position" in text
    assert "Compa-ratio" in text
    [chart] = recorder.elements()
    assert chart["type"] == "custom"
    assert chart["props"]["alt"] == "Salary band position"
    assert chart["props"]["src"].startswith("data:image/svg+xml;base64,")
    assert chart["display"] == "inline"
    names = {a["name"] for a in recorder.actions()}
    assert {"review_counter", "review_reply", "review_submit", "review_sync"} <= names


async def test_a_hiring_manager_is_offered_no_recruiter_action_and_is_refused_before_typing(
    world: ReviewWorld,
) -> None:
    offer_id = world.draft(3401)
    with session_scope(world.engine) as session:
        offer = offers.get_offer(session, offer_id)
        counters.submit_counter(
            session,
            offer,
            [CounterItem(term=Term.BASE_SALARY, requested=Decimal(200000))],
            actor=candidate_actor(offer.person_id or 0),
        )
    grace = staff_session(world, "grace")
    await handlers.on_open(action("review_open", offer_id=offer_id))
    names = {a["name"] for a in grace.actions()}
    assert {"review_counter", "review_reply", "review_release", "review_request"}.isdisjoint(names)
    assert {"review_submit", "review_sync", "review_queue"} <= names
    grace.replies.append("typed for nothing")
    await handlers.on_reply(action("review_reply", offer_id=offer_id))
    assert grace.replies == ["typed for nothing"]  # never asked: refused before the question
    assert "needs role recruiter" in grace.texts()[-1]


async def test_accepting_some_of_a_counter_drafts_the_revised_version(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    with session_scope(world.engine) as session:
        offer = offers.get_offer(session, offer_id)
        items = [
            CounterItem(term=Term.BASE_SALARY, requested=Decimal(200000)),
            CounterItem(term=Term.SIGN_ON_BONUS, requested=Decimal(40000)),
        ]
        counter = counters.submit_counter(session, offer, items, actor=candidate_actor(offer.person_id or 0))
    recorder = staff_session(world, "alex")
    recorder.replies.append("base_salary=195k")
    await handlers.on_counter(action("review_counter", counter_id=counter.id, mode="custom"))
    assert any("Revision 2 drafted" in t for t in recorder.texts())
    await handlers.on_preview(action("review_preview", offer_id=offer_id))
    assert "Changes from Initial draft to Revision 2 after counter-offer C-1" in recorder.texts()[-1]
    assert "$195,000.00" in recorder.texts()[-1]
    pages = [e for e in recorder.elements() if e["type"] == "custom" and e["props"]["alt"].startswith("Letter page")]
    assert pages
    assert pages[0]["props"]["src"].startswith("data:image/png;base64,")
    assert 0 < pages[0]["props"]["width"] <= 900
    assert any(e["type"] == "file" and e["mime"] == "application/pdf" for e in recorder.elements())


async def test_every_action_gives_the_composer_back_even_after_asking(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    recorder = staff_session(world, "alex")
    recorder.replies.append("We will come back to you today.")
    await handlers.on_reply(action("review_reply", offer_id=offer_id))
    assert any(kind == "ask" for kind, _ in recorder.events)
    assert "Sent to the candidate" in recorder.texts()[-1]
    assert recorder.events[-1] == ("task_end", None)
    await handlers.on_open(action("review_open", offer_id=999_999))  # refused: still ends the task
    assert recorder.events[-1] == ("task_end", None)


async def test_a_candidate_session_cannot_call_staff_actions(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    staff_session(world, "alex")
    await handlers.on_submit(action("review_submit", offer_id=offer_id))
    with session_scope(world.engine) as session:
        step = approval_inbox.steps_of(session, approval_inbox.requests_for(session, offer_id)[0].id or 0)[0]
    candidate = cl.User(
        identifier="candidate:6120:3401:1", metadata={"roles": ["candidate"], "offer_assistant": {"workflow_id": 3401}}
    )
    recorder = Recorder()
    chainlit_context(candidate, recorder)
    for name, payload in (
        ("review_decide", {"step_id": step.id, "approve": True}),
        ("review_release", {"offer_id": offer_id}),
        ("review_queue", {}),
    ):
        callback = {
            "review_decide": handlers.on_decide,
            "review_release": handlers.on_release,
            "review_queue": handlers.on_queue,
        }[name]
        await callback(action(name, **payload))
    assert recorder.texts() == ["This action is only for signed-in staff."] * 3
    await handlers.start_review(candidate)
    assert recorder.texts()[-1] == "The review mode is only for signed-in staff."
    with session_scope(world.engine) as session:
        assert approval_inbox.steps_of(session, step.request_id)[0].state == "active"
        refused = [e for e in session.exec(select(AuditEvent)) if e.action == "review.refused"]
    assert len(refused) == 4
    assert refused[0].actor_id == "candidate:6120:3401:1"


async def test_a_rejection_needs_a_comment_and_approval_shows_the_sync(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    staff_session(world, "alex")
    await handlers.on_submit(action("review_submit", offer_id=offer_id))
    with session_scope(world.engine) as session:
        step_id = approval_inbox.steps_of(session, approval_inbox.requests_for(session, offer_id)[0].id or 0)[0].id
    grace = staff_session(world, "grace")
    await handlers.on_decide(action("review_decide", step_id=step_id, approve=False))  # asked why; no answer
    with session_scope(world.engine) as session:
        assert offers.get_offer(session, offer_id).state == "pending_approval"
    await handlers.on_decide(action("review_decide", step_id=step_id, approve=True))
    assert any("Offer: Approved, not yet released to the candidate" in t for t in grace.texts())
    world.deliver()
    alex = staff_session(world, "alex")
    await handlers.on_sync(action("review_sync", offer_id=offer_id))
    assert "Offer letter (PDF) | in iCIMS" in alex.texts()[-1]
    assert "upload_letter" not in alex.texts()[-1]


async def test_chainlit_calls_the_registered_callbacks_with_the_action(world: ReviewWorld) -> None:
    from chainlit.config import config

    offer_id = world.draft(3401)
    recorder = staff_session(world, "alex")
    await config.code.action_callbacks["review_open"](action("review_open", offer_id=offer_id))
    assert "Maya Patel" in recorder.texts()[-1]


async def test_text_commands_and_stale_buttons(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    recorder = staff_session(world, "alex")
    user = chainlit_user(world.user("alex"))
    await handlers.on_review_message(cl.Message(content=f"open {offer_id}"), user)
    assert "Maya Patel" in recorder.texts()[-1]
    await handlers.on_review_message(cl.Message(content="analytics"), user)
    assert "Offer analytics" in recorder.texts()[-1]
    await handlers.on_review_message(cl.Message(content="what?"), user)
    assert "queue" in recorder.texts()[-1]
    await handlers.on_open(action("review_open", offer="not a number"))
    assert recorder.texts()[-1] == "That button is out of date: open the item again."
    await handlers.on_open(action("review_open", offer_id=999_999))
    assert recorder.texts()[-1].startswith("Not done:")


async def test_without_page_images_the_preview_is_chainlits_pdf_viewer(
    world: ReviewWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer_id = world.draft(3401)
    monkeypatch.setattr(handlers.pictures, "letter_pages", lambda _pdf: [])
    recorder = staff_session(world, "alex")
    await handlers.on_preview(action("review_preview", offer_id=offer_id))
    assert [e["type"] for e in recorder.elements()] == ["pdf"]
    assert "Initial draft" in recorder.texts()[-1]
