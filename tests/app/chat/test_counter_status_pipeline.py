"""Status questions over the real pipeline and database: each candidate hears about their own counter-offer only."""

from __future__ import annotations

from app.chat.identity import CandidateIdentity
from app.pipeline import AnswerPipeline
from offer_engine import counters
from offer_engine.counters import Resolution
from offer_engine.db import session_scope
from tests import factories as f
from tests.app.chat.conftest import Tenant

MAYA, DANIEL, OLIVER = 3401, 3402, 3404


def submit(pipeline: AnswerPipeline, identity: CandidateIdentity, message: str) -> int:
    result = pipeline.answer(identity, message)
    proposal = result.answer.counter_offer
    assert proposal is not None, result.answer.text
    stored = pipeline.submit_counter(
        identity, proposal, message=message, message_id=None, version_number=result.grounding.version_number
    )
    return stored.id or 0


def test_each_candidate_hears_only_about_their_own_counter(tenant: Tenant) -> None:
    maya, daniel, oliver = tenant.offer(MAYA), tenant.offer(DANIEL), tenant.offer(OLIVER)
    pipeline = tenant.pipeline()
    submit(pipeline, maya, "Could you do a base salary of $195,000?")
    submit(pipeline, daniel, "I'd like a sign-on bonus of $20,000 please.")

    mine = pipeline.answer(maya, "What's the status of my counter?").answer.text
    assert "Yes, we have it: you sent your counter-offer (Base salary) on" in mine
    assert "Sign-on bonus" not in mine

    his = pipeline.answer(daniel, "did you get my request?").answer.text
    assert "(Sign-on bonus)" in his
    assert "Base salary" not in his

    nothing = pipeline.answer(oliver, "Did you get my counter offer?").answer.text
    assert nothing.startswith("I don't see a counter-offer from you on this offer yet.")


def test_a_resolved_counter_says_the_revision_awaits_approval(tenant: Tenant) -> None:
    maya = tenant.offer(MAYA)
    pipeline = tenant.pipeline()
    counter_id = submit(pipeline, maya, "Could you do a base salary of $195,000?")
    recruiter = f.recruiter()
    with session_scope(tenant.engine) as session:
        counters.claim(session, counter_id, actor=recruiter)
        counters.resolve(session, counter_id, actor=recruiter, resolution=Resolution.ACCEPTED, reasons=["within band"])
    answer = pipeline.answer(maya, "any news on my counter-offer?").answer.text
    assert "has been reviewed, and a revised offer is being prepared. It needs internal approval" in answer
