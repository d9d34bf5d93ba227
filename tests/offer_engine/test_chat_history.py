"""Conversation history tables and rules (SQLite and PostgreSQL): ownership, visibility, retention, erasure."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from offer_engine import audit, chat_history, messages
from offer_engine.chat_history import ChatElement, ChatStep, ChatThread, ThreadOwner
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.messages import CandidateMessage
from offer_engine.offers import Offer, OfferState
from tests import factories as f

RETENTION = timedelta(days=30)


def owner_of(offer: Offer) -> ThreadOwner:
    assert offer.id is not None
    return ThreadOwner(
        identifier=f"candidate:{offer.customer_id}:{offer.workflow_id}:{offer.id}",
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer.id,
    )


def say(session: Session, owner: ThreadOwner, thread_id: str, step_id: str, text: str) -> bool:
    body = {"id": step_id, "threadId": thread_id, "type": "user_message", "output": text, "name": "Maya"}
    return chat_history.save_step(session, owner, thread_id, step_id, body)


def element(thread_id: str, element_id: str = "e-1") -> ChatElement:
    return ChatElement(id=element_id, thread_id=thread_id, kind="text", name="passage", content=b"Dental: 100%")


def test_a_thread_keeps_its_steps_and_elements_for_its_owner(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        maya = owner_of(offer)
        assert say(session, maya, "t-1", "s-1", "What is my base salary?")
        assert say(session, maya, "t-1", "s-2", "And the bonus?")
        assert chat_history.save_element(session, maya, element("t-1"))
    with session_scope(engine) as session:
        thread = chat_history.visible_thread(session, "t-1", retention=RETENTION)
        assert thread is not None
        assert thread.owner == maya.identifier
        assert thread.offer_id == offer.id
        assert [s.body["output"] for s in chat_history.steps_of(session, "t-1")] == [
            "What is my base salary?",
            "And the bonus?",
        ]
        stored = chat_history.element_of(session, "t-1", "e-1")
        assert stored is not None
        assert stored.content == b"Dental: 100%"
        assert [t.id for t in chat_history.threads_of(session, maya.identifier, retention=RETENTION)] == ["t-1"]


def test_nobody_writes_into_or_takes_over_someone_elses_thread(engine: Engine) -> None:
    with session_scope(engine) as session:
        maya = owner_of(f.make_offer(session, state=OfferState.SENT))
        daniel = owner_of(f.make_offer(session, state=OfferState.SENT))
        assert say(session, maya, "t-maya", "s-1", "mine")
        assert not say(session, daniel, "t-maya", "s-2", "injected")
        assert not say(session, daniel, "t-other", "s-1", "moving Maya's step")  # a step id of another thread
        assert not chat_history.save_element(session, daniel, element("t-maya", "e-9"))
        chat_history.save_thread(session, "t-maya", owner=daniel, name="renamed")
    with session_scope(engine) as session:
        thread = session.get(ChatThread, "t-maya")
        assert thread is not None
        assert thread.owner == maya.identifier
        assert [s.body["output"] for s in chat_history.steps_of(session, "t-maya")] == ["mine"]
        assert chat_history.element_of(session, "t-maya", "e-9") is None
        assert chat_history.threads_of(session, daniel.identifier, retention=RETENTION) == []


def test_a_thread_is_no_longer_shown_once_the_offer_closes_or_retention_passed(engine: Engine) -> None:
    with session_scope(engine) as session:
        open_offer = f.make_offer(session, state=OfferState.SENT)
        closed = f.make_offer(session, state=OfferState.WITHDRAWN)
        say(session, owner_of(open_offer), "t-open", "s-1", "hello")
        say(session, owner_of(closed), "t-closed", "s-2", "hello")
    with session_scope(engine) as session:
        assert chat_history.visible_thread(session, "t-closed", retention=RETENTION) is None
        assert chat_history.threads_of(session, owner_of(closed).identifier, retention=RETENTION) == []
        later = utcnow() + RETENTION + timedelta(minutes=1)
        assert chat_history.visible_thread(session, "t-open", retention=RETENTION, now=later) is None
        assert chat_history.latest_thread_of(session, owner_of(open_offer).identifier, retention=RETENTION) == "t-open"


def test_the_purge_deletes_only_threads_past_retention(engine: Engine) -> None:
    with session_scope(engine) as session:
        maya = owner_of(f.make_offer(session, state=OfferState.SENT))
        say(session, maya, "t-old", "s-1", "long ago")
        chat_history.save_element(session, maya, element("t-old"))
        old = session.get(ChatThread, "t-old")
        assert old is not None
        old.updated_at = utcnow() - RETENTION - timedelta(days=1)
        session.add(old)
        say(session, maya, "t-new", "s-2", "today")
    with session_scope(engine) as session:
        assert chat_history.purge_due(session, retention=RETENTION)
        assert chat_history.purge_expired(session, retention=RETENTION) == 1
    with session_scope(engine) as session:
        assert [t.id for t in session.exec(select(ChatThread))] == ["t-new"]
        assert [s.id for s in session.exec(select(ChatStep))] == ["s-2"]
        assert list(session.exec(select(ChatElement))) == []
        assert not chat_history.purge_due(session, retention=RETENTION)


def test_erasure_removes_the_candidates_threads_and_messages_and_is_audited(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        other = f.make_offer(session, state=OfferState.SENT)
        maya = owner_of(offer)
        say(session, maya, "t-1", "s-1", "hello")
        say(session, maya, "t-2", "s-2", "again")
        chat_history.save_element(session, maya, element("t-1"))
        say(session, owner_of(other), "t-other", "s-3", "not Maya's")
        assert offer.id is not None
        assert other.id is not None
        messages.post_message(session, offer.id, "We can talk tomorrow.", actor=f.recruiter(), author_name="Rita")
        messages.post_message(session, other.id, "Hi Daniel", actor=f.recruiter(), author_name="Rita")
    with session_scope(engine) as session:
        report = chat_history.erase_workflow(session, offer.customer_id, offer.workflow_id, actor=f.system())
    assert (report.threads, report.steps, report.elements, report.messages) == (2, 2, 1, 1)
    with session_scope(engine) as session:
        assert [t.id for t in session.exec(select(ChatThread))] == ["t-other"]
        assert [m.body for m in session.exec(select(CandidateMessage))] == ["Hi Daniel"]
        events = audit.events_for(session, "workflow", offer.workflow_id)
        assert [e.action for e in events] == ["candidate.history_erased"]
        assert events[0].details == {"threads": 2, "steps": 2, "elements": 1, "messages": 1}
        assert "hello" not in str(events[0].details)
        assert audit.verify_chain(session).ok


def test_erasing_a_workflow_without_history_erases_nothing_and_says_so(engine: Engine) -> None:
    with session_scope(engine) as session:
        report = chat_history.erase_workflow(session, f.CUSTOMER_ID, 999_999, actor=f.system())
    assert (report.threads, report.steps, report.elements, report.messages) == (0, 0, 0, 0)
