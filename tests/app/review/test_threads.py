"""Staff read a candidate's conversation from the review item: who may see the offer may read it, audited; the
candidate's words are shown as typed."""

from __future__ import annotations

import pytest

from app.review.threads import conversation, conversation_markdown
from offer_engine import audit, chat_history, offers
from offer_engine.chat_history import ThreadOwner
from offer_engine.db import session_scope
from offer_engine.errors import PermissionDeniedError
from tests.app.review.conftest import ReviewWorld


def talk(world: ReviewWorld, offer_id: int, *lines: tuple[str, str, str]) -> None:
    with session_scope(world.engine) as session:
        offer = offers.get_offer(session, offer_id)
        owner = ThreadOwner(
            identifier=f"candidate:{offer.customer_id}:{offer.workflow_id}:{offer_id}",
            customer_id=offer.customer_id,
            workflow_id=offer.workflow_id,
            offer_id=offer_id,
        )
        for n, (kind, name, text) in enumerate(lines):
            body = {"id": f"s{n}", "threadId": "t1", "type": kind, "name": name, "output": text}
            chat_history.save_step(session, owner, "t1", f"s{offer_id}-{n}", body)
        run = {"id": "run", "threadId": "t1", "type": "run", "name": "on_message", "output": "internal"}
        chat_history.save_step(session, owner, "t1", f"run{offer_id}", run)


def test_a_recruiter_reads_the_conversation_with_who_said_what(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    talk(
        world,
        offer_id,
        ("user_message", "Maya Patel", "Can you do **195k**? ![x](https://evil.example/p.png)"),
        ("assistant_message", "Corvid Systems offer assistant", "Your base salary is $185,000 per year."),
        ("assistant_message", "Alex Rivera", "Hi Maya, we are looking into it."),
    )
    alex = world.user("alex").id or 0
    candidate, lines = conversation(world.rt, alex, offer_id)
    assert [(line.who, line.by_candidate) for line in lines] == [
        ("Maya Patel", True),
        ("Corvid Systems offer assistant", False),
        ("Alex Rivera", False),
    ]
    shown = conversation_markdown(candidate, lines)
    assert "**Alex Rivera**" in shown
    assert "Hi Maya, we are looking into it." in shown
    assert "![x](" not in shown  # the candidate's Markdown is shown as typed, never rendered
    assert "internal" not in shown  # Chainlit's run steps are not part of the conversation
    with session_scope(world.engine) as session:
        assert [e.action for e in audit.events_for(session, "offer", offer_id)][-1] == "chat_history.read"


def test_a_hiring_manager_cannot_read_another_requisitions_conversation(world: ReviewWorld) -> None:
    marcus_offer = world.draft(3402)
    talk(world, marcus_offer, ("user_message", "Daniel", "hello"))
    with pytest.raises(PermissionDeniedError):
        conversation(world.rt, world.user("grace").id or 0, marcus_offer)


def test_an_offer_without_a_kept_conversation_says_so(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    candidate, lines = conversation(world.rt, world.user("alex").id or 0, offer_id)
    assert lines == []
    assert "No conversation is kept" in conversation_markdown(candidate, lines)
