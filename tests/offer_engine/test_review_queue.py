"""The review queue: every kind of item, by SLA, and hiring managers limited to their own requisitions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from offer_engine import approvals, candidate_requests, counters, requisitions
from offer_engine.actors import Role
from offer_engine.candidate_requests import RequestKind
from offer_engine.db import session_scope
from offer_engine.offers import OfferState
from offer_engine.review_queue import ItemKind, review_queue
from offer_engine.terms import CounterItem, Term
from tests import factories as f
from tests.support.staff_factories import make_staff


def test_the_queue_holds_every_kind_of_item_most_urgent_first(engine: Engine) -> None:
    recruiter = make_staff(engine, Role.RECRUITER)
    with session_scope(engine) as session:
        draft = f.make_offer(session, state=OfferState.IN_REVIEW)
        waiting = f.make_offer(session, state=OfferState.NEEDS_DATA)
        sent = f.make_offer(session, state=OfferState.SENT)
        counter = counters.submit_counter(
            session,
            sent,
            [CounterItem(term=Term.SIGN_ON_BONUS, requested=Decimal(25000))],
            actor=f.candidate(sent),
            sla_hours=2,
        )
        handoff = candidate_requests.submit_request(
            session, sent, RequestKind.HANDOFF, actor=f.candidate(sent), message="Is relocation taxable?", sla_hours=1
        )
        pending = f.make_offer(session, state=OfferState.IN_REVIEW)
        approvals.start_chain(
            session, pending, [f.step_spec("ops", Role.RECRUITER.value, sla_hours=4)], actor=f.recruiter()
        )
    with session_scope(engine) as session:
        items = review_queue(session, recruiter)
    kinds = [(i.kind, i.ref_id) for i in items]
    assert (ItemKind.DRAFT, draft.id) in kinds
    assert (ItemKind.NEEDS_DATA, waiting.id) in kinds
    assert kinds[:3] == [
        (ItemKind.HANDOFF, handoff.id),
        (ItemKind.COUNTER, counter.id),
        (ItemKind.APPROVAL, kinds[2][1]),
    ]
    assert [i.due_at for i in items] == sorted(i.due_at for i in items)
    assert items[0].summary == "Is relocation taxable?"


def test_a_hiring_manager_sees_only_their_own_requisitions(engine: Engine) -> None:
    manager = make_staff(engine, Role.HIRING_MANAGER, icims_person_id=1301)
    recruiter = make_staff(engine, Role.RECRUITER)
    with session_scope(engine) as session:
        mine = f.make_offer(session, state=OfferState.IN_REVIEW)
        theirs = f.make_offer(session, state=OfferState.IN_REVIEW)
        unknown_owner = f.make_offer(session, state=OfferState.IN_REVIEW)
        requisitions.record_owner(
            session,
            customer_id=mine.customer_id,
            job_id=mine.job_id or 0,
            hiring_manager_person_id=1301,
            recruiter_person_id=1401,
        )
        requisitions.record_owner(
            session,
            customer_id=theirs.customer_id,
            job_id=theirs.job_id or 0,
            hiring_manager_person_id=1302,
            recruiter_person_id=1401,
        )
    with session_scope(engine) as session:
        assert {i.offer_id for i in review_queue(session, manager)} == {mine.id}
        assert {i.offer_id for i in review_queue(session, recruiter)} >= {mine.id, theirs.id, unknown_owner.id}
        assert requisitions.can_see(session, manager, mine)
        assert not requisitions.can_see(session, manager, theirs)
        assert not requisitions.can_see(session, manager, unknown_owner)
        assert requisitions.jobs_without_owner(session) == [(unknown_owner.customer_id, unknown_owner.job_id)]


def test_overdue_items_are_marked(engine: Engine) -> None:
    recruiter = make_staff(engine, Role.RECRUITER)
    with session_scope(engine) as session:
        f.make_offer(session, state=OfferState.IN_REVIEW)
    with session_scope(engine) as session:
        [item] = review_queue(session, recruiter, draft_sla_hours=1)
    assert not item.overdue(item.due_at - timedelta(minutes=1))
    assert item.overdue(item.due_at + timedelta(minutes=1))
