"""Recruiter messages to the candidate's chat: posted by recruiters only, read once by the right candidate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from offer_engine import messages
from offer_engine.compensation import SuggestedResponse
from offer_engine.db import session_scope
from offer_engine.errors import IllegalTransitionError, InvalidInputError, PermissionDeniedError
from offer_engine.offers import OfferState
from offer_engine.terms import Term
from tests import factories as f


def test_a_posted_message_waits_for_the_candidate_until_seen(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        other = f.make_offer(session, state=OfferState.SENT)
        posted = messages.post_message(
            session,
            offer.id or 0,
            "  We can do 190k.  ",
            actor=f.recruiter(),
            author_name="Alex Rivera",
            template_ref="counter_reply@1/en",
        )
        messages.post_message(session, other.id or 0, "Someone else's", actor=f.recruiter(), author_name="Alex")
    with session_scope(engine) as session:
        pending = messages.pending_messages_for(session, offer.workflow_id, customer_id=offer.customer_id)
        assert [(m.id, m.body, m.author_name) for m in pending] == [(posted.id, "We can do 190k.", "Alex Rivera")]
        with pytest.raises(PermissionDeniedError):
            messages.mark_seen(session, offer, [posted.id or 0], actor=f.candidate(other))
        assert messages.mark_seen(session, offer, [posted.id or 0], actor=f.candidate(offer)) == 1
    with session_scope(engine) as session:
        assert messages.pending_messages_for(session, offer.workflow_id) == []
        assert len(messages.messages_for_offer(session, offer.id or 0)) == 1


@pytest.mark.parametrize("who", ["candidate", "hiring_manager", "compensation"])
def test_only_recruiters_message_candidates(engine: Engine, who: str) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        actor = f.candidate(offer) if who == "candidate" else getattr(f, who)()
        with pytest.raises(PermissionDeniedError):
            messages.post_message(session, offer.id or 0, "hello", actor=actor, author_name="x")


def test_empty_messages_and_closed_offers_are_refused(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        closed = f.make_offer(session, state=OfferState.DECLINED)
        with pytest.raises(InvalidInputError):
            messages.post_message(session, offer.id or 0, "   ", actor=f.recruiter(), author_name="x")
        with pytest.raises(IllegalTransitionError):
            messages.post_message(session, closed.id or 0, "hi", actor=f.recruiter(), author_name="x")


def test_the_suggested_reply_promises_only_the_suggested_values() -> None:
    terms = f.make_terms(base_salary=Decimal("185000"), jurisdiction="US-CA", currency="USD")
    suggestion = SuggestedResponse(
        kind="partial", values={"base_salary": Decimal("195000")}, reasons=["within band"], approval_preview=[]
    )
    text, ref = messages.suggested_reply(
        suggestion,
        terms,
        requested_terms=[Term.BASE_SALARY.value, "sign_on_bonus"],
        first_name="Maya",
        recruiter_name="Alex Rivera",
    )
    assert ref == "counter_reply@1/en"
    assert "Hi Maya" in text
    assert "$195,000.00" in text
    assert "sign-on bonus" in text
    assert "Alex Rivera" in text
    assert "185,000" not in text
