from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from offer_engine import approval_inbox, approvals, counters, offers
from offer_engine.columns import utcnow
from offer_engine.counters import Resolution
from offer_engine.db import session_scope
from offer_engine.errors import (
    ClaimConflictError,
    IllegalTransitionError,
    InvalidCounterError,
    PermissionDeniedError,
)
from offer_engine.offers import OfferState
from offer_engine.terms import CounterItem, Term
from tests import factories as f
from tests.offer_engine.conftest import snapshot

T0 = utcnow().replace(microsecond=0)
SALARY = CounterItem(term=Term.BASE_SALARY, current="185000", requested=Decimal("195000"), currency="USD")
START = CounterItem(term=Term.START_DATE, requested=date.today() + timedelta(days=90))
OTHER = CounterItem(term=Term.OTHER, requested="A home-office stipend")


def _counter(engine: Engine, items: list[CounterItem], *, hours_ago: float = 0, sla: int = 24) -> tuple[int, int]:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        counter = counters.submit_counter(
            session,
            offer,
            items,
            actor=f.candidate(offer),
            rationale="I have a competing offer",
            competing_offer="Acme: 200k base",
            source_message_id="msg-42",
            source_message_text="could you do 195k and a later start?",
            sla_hours=sla,
            now=T0 - timedelta(hours=hours_ago),
        )
        return offer.id or 0, counter.id or 0


def test_a_counter_is_stored_with_items_source_and_sla(engine: Engine) -> None:
    offer_id, counter_id = _counter(engine, [SALARY, START], sla=12)
    with session_scope(engine) as session:
        counter = counters.get_counter(session, counter_id)
        assert (counter.state, counter.number, counter.version_number) == ("submitted", 1, 1)
        assert counter.due_at == T0 + timedelta(hours=12)
        assert counter.source_message_id == "msg-42"
        assert "195k" in (counter.source_message_text or "")
        items = counters.items_of(session, counter_id)
        assert [(i.term, i.current, i.requested) for i in items] == [
            ("base_salary", "185000", "195000"),
            (
                "start_date",
                f.current(session, offers.get_offer(session, offer_id)).terms["start_date"],
                START.requested.isoformat(),
            ),
        ]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "at least one"),
        ([SALARY, SALARY], "only once"),
        ([CounterItem(term=Term.BASE_SALARY, requested=Decimal("180000"), currency="EUR")], "EUR"),
        ([CounterItem(term=Term.START_DATE, requested="next spring")], "not valid"),
    ],
)
def test_invalid_counters_are_refused_and_change_nothing(
    engine: Engine, items: list[CounterItem], message: str
) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
    before = snapshot(engine)
    with pytest.raises(InvalidCounterError, match=message), session_scope(engine) as session:
        counters.submit_counter(session, offers.get_offer(session, offer.id or 0), items, actor=f.candidate(offer))
    assert snapshot(engine) == before


def test_a_candidate_cannot_counter_someone_elses_offer(engine: Engine) -> None:
    with session_scope(engine) as session:
        mine = f.make_offer(session, state=OfferState.SENT)
        theirs = f.make_offer(session, state=OfferState.SENT)
    with pytest.raises(PermissionDeniedError), session_scope(engine) as session:
        counters.submit_counter(session, offers.get_offer(session, theirs.id or 0), [SALARY], actor=f.candidate(mine))


def test_the_queue_is_ordered_by_sla(engine: Engine) -> None:
    _, late = _counter(engine, [SALARY], sla=48)
    _, urgent = _counter(engine, [SALARY], sla=2)
    _, middle = _counter(engine, [SALARY], sla=24)
    with session_scope(engine) as session:
        assert [c.id for c in counters.queue(session)] == [urgent, middle, late]
        claimed = counters.claim_next(session, actor=f.recruiter())
        assert claimed is not None
        assert claimed.id == urgent
        assert [c.id for c in counters.queue(session, include_claimed=False)] == [middle, late]


def test_a_claimed_counter_cannot_be_claimed_again(engine: Engine) -> None:
    _, counter_id = _counter(engine, [SALARY])
    with session_scope(engine) as session:
        counters.claim(session, counter_id, actor=f.recruiter("ann"))
    before = snapshot(engine)
    with pytest.raises(ClaimConflictError), session_scope(engine) as session:
        counters.claim(session, counter_id, actor=f.recruiter("bob"))
    with pytest.raises(PermissionDeniedError), session_scope(engine) as session:
        counters.resolve(session, counter_id, actor=f.recruiter("bob"), resolution=Resolution.DECLINED, reasons=["no"])
    assert snapshot(engine) == before


def test_only_recruiters_claim(engine: Engine) -> None:
    _, counter_id = _counter(engine, [SALARY])
    with pytest.raises(PermissionDeniedError), session_scope(engine) as session:
        counters.claim(session, counter_id, actor=f.compensation())


def test_accepting_makes_a_new_version_and_voids_pending_approvals(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.in_review(session)
        approvals.start_chain(session, offer, [f.step_spec("comp", "compensation")], actor=f.recruiter())
        counter = counters.submit_counter(session, offer, [SALARY, OTHER], actor=f.candidate(offer))
    with session_scope(engine) as session:
        counters.claim(session, counter.id or 0, actor=f.recruiter())
        resolved = counters.resolve(
            session, counter.id or 0, actor=f.recruiter(), resolution=Resolution.ACCEPTED, reasons=[]
        )
        assert (resolved.state, resolved.resolution) == ("resolved", "accepted")
    with session_scope(engine) as session:
        offer = offers.get_offer(session, offer.id or 0)
        version = f.current(session, offer)
        assert version.number == 2
        assert version.reason_kind == "counter_offer"
        assert version.counter_offer_id == counter.id
        assert version.offer_terms.base_salary == Decimal("195000")
        assert version.offer_terms.special_terms == "A home-office stipend"
        assert offer.state == "draft"
        assert approval_inbox.requests_for(session, offer.id or 0)[0].state == "voided"
        assert counters.get_counter(session, counter.id or 0).resulting_version_id == version.id


def test_a_partial_resolution_grants_chosen_values(engine: Engine) -> None:
    offer_id, counter_id = _counter(engine, [SALARY, START])
    with session_scope(engine) as session:
        counters.claim(session, counter_id, actor=f.recruiter())
        counters.resolve(
            session,
            counter_id,
            actor=f.recruiter(),
            resolution=Resolution.PARTIALLY,
            granted={Term.BASE_SALARY: Decimal("190000")},
            reasons=["190k is the top of the band", "start date is fixed by the team plan"],
        )
    with session_scope(engine) as session:
        version = f.current(session, offers.get_offer(session, offer_id))
        assert version.diff == {"base_salary": {"from": "185000", "to": "190000"}}
        items = counters.items_of(session, counter_id)
        assert [(i.term, i.decision, i.granted) for i in items] == [
            ("base_salary", "granted", "190000"),
            ("start_date", "declined", None),
        ]


def test_a_decline_keeps_the_version_and_needs_reasons(engine: Engine) -> None:
    offer_id, counter_id = _counter(engine, [SALARY])
    with session_scope(engine) as session:
        counters.claim(session, counter_id, actor=f.recruiter())
    with pytest.raises(InvalidCounterError), session_scope(engine) as session:
        counters.resolve(session, counter_id, actor=f.recruiter(), resolution=Resolution.DECLINED, reasons=[" "])
    with session_scope(engine) as session:
        counters.resolve(
            session, counter_id, actor=f.recruiter(), resolution=Resolution.DECLINED, reasons=["at band maximum"]
        )
        assert offers.get_offer(session, offer_id).current_version_number == 1
        assert offers.get_offer(session, offer_id).state == "sent"


def test_resolving_an_unclaimed_or_closed_counter_is_refused(engine: Engine) -> None:
    _, counter_id = _counter(engine, [SALARY])
    with pytest.raises(IllegalTransitionError), session_scope(engine) as session:
        counters.resolve(session, counter_id, actor=f.recruiter(), resolution=Resolution.ACCEPTED, reasons=[])
    with session_scope(engine) as session:
        offer = offers.get_offer(session, counters.get_counter(session, counter_id).offer_id)
        counters.withdraw(session, counter_id, actor=f.candidate(offer), reason="accepted as is")
    with pytest.raises(IllegalTransitionError), session_scope(engine) as session:
        counters.claim(session, counter_id, actor=f.recruiter())
    with pytest.raises(IllegalTransitionError), session_scope(engine) as session:
        counters.withdraw(session, counter_id, actor=f.recruiter(), reason="again")


@pytest.mark.postgres
def test_two_recruiters_racing_for_one_counter_exactly_one_wins(pg_engine: Engine) -> None:
    _, counter_id = _counter(pg_engine, [SALARY])
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def take(name: str) -> None:
        barrier.wait()
        try:
            with session_scope(pg_engine) as session:
                counters.claim(session, counter_id, actor=f.recruiter(name))
            outcomes[name] = "won"
        except ClaimConflictError:
            outcomes[name] = "lost"

    threads = [threading.Thread(target=take, args=(name,)) for name in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["lost", "won"]
    with session_scope(pg_engine) as session:
        winner = next(name for name, result in outcomes.items() if result == "won")
        assert counters.get_counter(session, counter_id).claimed_by == winner


@pytest.mark.postgres
def test_claim_next_hands_two_recruiters_different_counters(pg_engine: Engine) -> None:
    first = _counter(pg_engine, [SALARY], sla=1)[1]
    second = _counter(pg_engine, [SALARY], sla=2)[1]
    barrier = threading.Barrier(2)
    got: dict[str, int | None] = {}

    def take(name: str) -> None:
        with session_scope(pg_engine) as session:
            barrier.wait()
            claimed = counters.claim_next(session, actor=f.recruiter(name))
            got[name] = claimed.id if claimed else None

    threads = [threading.Thread(target=take, args=(name,)) for name in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v for v in got.values() if v is not None) == sorted([first, second])
