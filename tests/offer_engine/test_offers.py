from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from offer_engine import audit, offers
from offer_engine.db import session_scope
from offer_engine.errors import IllegalTransitionError, LiveOfferExistsError, PermissionDeniedError
from offer_engine.offers import CHAIN_STATES, CLOSED_STATES, TRANSITIONS, OfferState
from tests import factories as f
from tests.offer_engine.conftest import snapshot

ALL_STATES = list(OfferState)


def _offer_in(engine: Engine, state: OfferState) -> int:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=state)
        assert offer.state == state.value
        return offer.id or 0


@pytest.mark.parametrize("state", ALL_STATES)
def test_every_illegal_transition_is_refused_and_changes_nothing(engine: Engine, state: OfferState) -> None:
    offer_id = _offer_in(engine, state)
    illegal = [target for target in ALL_STATES if target not in TRANSITIONS[state]]
    assert illegal, "every state forbids something"
    before = snapshot(engine)
    for target in illegal:
        with pytest.raises(IllegalTransitionError) as refused, session_scope(engine) as session:
            offers.transition(session, offers.get_offer(session, offer_id), target, actor=f.recruiter(), reason="x")
        assert refused.value.current == state.value
        assert refused.value.target == target.value
    assert snapshot(engine) == before


@pytest.mark.parametrize("state", [s for s in ALL_STATES if TRANSITIONS[s]])
def test_every_legal_transition_is_applied_and_audited(engine: Engine, state: OfferState) -> None:
    for target in sorted(TRANSITIONS[state]):
        offer_id = _offer_in(engine, state)
        with session_scope(engine) as session:
            offer = offers.get_offer(session, offer_id)
            by_chain = target in CHAIN_STATES
            offers.transition(session, offer, target, actor=f.recruiter(), reason="ok", by_approval_chain=by_chain)
        with session_scope(engine) as session:
            offer = offers.get_offer(session, offer_id)
            assert offer.state == target.value
            last = audit.events_for(session, "offer", offer_id)[-1]
            assert last.action == f"offer.{target.value}"
            assert last.details["from"] == state.value
            assert last.actor_id == "rita.recruiter"


@pytest.mark.parametrize("target", sorted(CHAIN_STATES))
def test_only_the_approval_chain_moves_an_offer_into_approval_states(engine: Engine, target: OfferState) -> None:
    source = OfferState.IN_REVIEW if target is OfferState.PENDING_APPROVAL else OfferState.PENDING_APPROVAL
    offer_id = _offer_in(engine, source)
    before = snapshot(engine)
    with pytest.raises(IllegalTransitionError, match="approval chain"), session_scope(engine) as session:
        offers.transition(session, offers.get_offer(session, offer_id), target, actor=f.admin(), reason="shortcut")
    assert snapshot(engine) == before


def test_a_second_open_offer_for_the_same_workflow_is_refused(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = f.make_offer(session)
    before = snapshot(engine)
    with pytest.raises(LiveOfferExistsError), session_scope(engine) as session:
        offers.open_offer(
            session,
            customer_id=first.customer_id,
            workflow_id=first.workflow_id,
            person_id=1,
            job_id=2,
            actor=f.recruiter(),
        )
    assert snapshot(engine) == before


def test_the_database_itself_refuses_a_second_open_offer(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = f.make_offer(session)
    before = snapshot(engine)
    insert = text(
        "INSERT INTO offers (customer_id, workflow_id, state, current_version_number, missing, attributes, "
        "created_by, created_at, updated_at) VALUES (:c, :w, 'draft', 0, '[]', '{}', 'sql', :t, :t)"
    )
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"c": first.customer_id, "w": first.workflow_id, "t": "2026-01-01 00:00:00"})
    assert snapshot(engine) == before


@pytest.mark.parametrize("closing", sorted(CLOSED_STATES))
def test_a_closed_offer_frees_its_workflow(engine: Engine, closing: OfferState) -> None:
    with session_scope(engine) as session:
        old = f.make_offer(session, state=closing)
    with session_scope(engine) as session:
        new = offers.open_offer(
            session,
            customer_id=old.customer_id,
            workflow_id=old.workflow_id,
            person_id=1,
            job_id=2,
            actor=f.recruiter(),
        )
        assert new.id != old.id
        assert offers.find_open_offer(session, old.customer_id, old.workflow_id).id == new.id  # type: ignore[union-attr]


def test_an_accepted_offer_keeps_its_workflow(engine: Engine) -> None:
    with session_scope(engine) as session:
        old = f.make_offer(session, state=OfferState.ACCEPTED)
    with pytest.raises(LiveOfferExistsError), session_scope(engine) as session:
        offers.open_offer(
            session,
            customer_id=old.customer_id,
            workflow_id=old.workflow_id,
            person_id=1,
            job_id=2,
            actor=f.recruiter(),
        )


def test_needs_data_lists_what_is_missing_and_a_draft_clears_it(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.NEEDS_DATA)
        assert offer.missing[0]["term"] == "base_salary"
    with session_scope(engine) as session:
        offer = offers.get_offer(session, offer.id or 0)
        assert offer.missing
        assert offer.state == "needs_data"
        offers.transition(session, offer, OfferState.DRAFT, actor=f.recruiter(), reason="data complete")
        assert offer.missing == []


def test_sent_offers_past_their_expiry_expire(engine: Engine) -> None:
    today = date.today()
    with session_scope(engine) as session:
        stale = f.make_offer(session, state=OfferState.SENT, terms=f.make_terms(expiry_date=today - timedelta(days=1)))
        fresh = f.make_offer(session, state=OfferState.SENT, terms=f.make_terms(expiry_date=today))
    with session_scope(engine) as session:
        expired = offers.expire_overdue(session, today=today, actor=f.system())
        assert [o.id for o in expired] == [stale.id]
    with session_scope(engine) as session:
        assert offers.get_offer(session, stale.id or 0).state == "expired"
        assert offers.get_offer(session, fresh.id or 0).state == "sent"


def test_a_candidate_answers_only_their_own_offer(engine: Engine) -> None:
    with session_scope(engine) as session:
        mine = f.make_offer(session, state=OfferState.SENT)
        theirs = f.make_offer(session, state=OfferState.SENT)
    before = snapshot(engine)
    with pytest.raises(PermissionDeniedError), session_scope(engine) as session:
        offers.record_response(
            session, offers.get_offer(session, theirs.id or 0), accepted=True, actor=f.candidate(mine)
        )
    assert snapshot(engine) == before
    with session_scope(engine) as session:
        offer = offers.record_response(
            session, offers.get_offer(session, mine.id or 0), accepted=True, actor=f.candidate(mine)
        )
        assert offer.state == "accepted"
        assert offer.closed_at is not None


def test_a_failure_after_opening_an_offer_leaves_nothing_behind(engine: Engine) -> None:
    before = snapshot(engine)
    with pytest.raises(RuntimeError), session_scope(engine) as session:  # noqa: PT012 - the failure follows the open
        offers.open_offer(session, customer_id=1, workflow_id=f.next_id(), person_id=2, job_id=3, actor=f.recruiter())
        raise RuntimeError("a later step of the same transaction fails")
    assert snapshot(engine) == before
