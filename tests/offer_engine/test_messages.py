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
from offer_engine.policy import ApprovalStepSpec
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
            template_ref="counter_reply@2/en",
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
    assert ref == "counter_reply@2/en"
    assert "Hi Maya" in text
    assert "$195,000.00" in text
    assert "sign-on bonus" in text
    assert "Alex Rivera" in text
    assert "185,000" not in text


def _step(role: str) -> ApprovalStepSpec:
    return ApprovalStepSpec(key=role, name=f"{role} step", approver_role=role, sla_hours=8, reasons=["over band"])


def test_an_accepting_reply_promises_nothing_before_approval_and_says_who_approves() -> None:
    terms = f.make_terms(base_salary=Decimal("185000"), jurisdiction="US-CA", currency="USD")
    suggestion = SuggestedResponse(
        kind="accept",
        values={"base_salary": Decimal("203500")},
        reasons=["within policy"],
        approval_preview=[_step("compensation"), _step("hiring_manager"), _step("compensation")],
    )
    text, _ = messages.suggested_reply(
        suggestion, terms, requested_terms=["base_salary"], first_name="Maya", recruiter_name="Alex Rivera"
    )
    assert "we can meet your request" not in text.lower()
    assert "I've passed your request to the team" in text
    assert "$203,500.00" in text
    assert "needs approval by our compensation team and the hiring manager." in text
    assert "over band" not in text  # the policy's internal reasons stay with staff
    assert "your current offer stands as it is" in text


def test_a_reply_without_approval_steps_still_says_nothing_is_final_yet() -> None:
    terms = f.make_terms(base_salary=Decimal("185000"), jurisdiction="US-CA", currency="USD")
    suggestion = SuggestedResponse(
        kind="accept", values={"sign_on_bonus": Decimal("10000")}, reasons=[], approval_preview=[]
    )
    text, _ = messages.suggested_reply(
        suggestion, terms, requested_terms=["sign_on_bonus"], first_name="Maya", recruiter_name="Alex Rivera"
    )
    assert "This is not final yet: I'll send you the revised offer letter as soon as it is ready." in text
    assert "approval by" not in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "la oferta revisada necesita la aprobación del responsable de contratación y de nuestro equipo de"),
        ("de", "muss von der einstellenden Führungskraft und unserem Vergütungsteam genehmigt werden"),
    ],
)
def test_the_reply_is_in_the_candidates_language_and_still_promises_nothing(language: str, expected: str) -> None:
    terms = f.make_terms(base_salary=Decimal("185000"), jurisdiction="US-CA", currency="USD")
    suggestion = SuggestedResponse(
        kind="partial",
        values={"base_salary": Decimal("195000")},
        reasons=[],
        approval_preview=[_step("hiring_manager"), _step("compensation")],
    )
    text, ref = messages.suggested_reply(
        suggestion,
        terms,
        requested_terms=["base_salary", "sign_on_bonus"],
        first_name="Sofía",
        recruiter_name="Alex Rivera",
        language=language,
    )
    assert ref == f"counter_reply@2/{language}"
    assert expected in text
    assert ("Salario base: $195,000.00" if language == "es" else "Grundgehalt: $195,000.00") in text
    assert ("Bono de incorporación" if language == "es" else "Antrittsprämie") in text
