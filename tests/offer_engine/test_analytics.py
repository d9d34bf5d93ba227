"""Offer analytics from the stored history: durations over every version, negotiation and outcome rates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from offer_engine import analytics, approval_inbox, approvals, counters, letter_store, offers, versions, webhook_events
from offer_engine.actors import Role
from offer_engine.columns import utcnow
from offer_engine.counters import Resolution
from offer_engine.db import session_scope
from offer_engine.offers import OfferState
from offer_engine.terms import CounterItem, Term
from offer_engine.versions import VersionReason
from tests import factories as f


def percentile_cases() -> list[tuple[list[float], float, float]]:
    return [([1.0], 1.0, 1.0), ([1.0, 2.0, 3.0, 4.0], 2.0, 4.0), ([float(n) for n in range(1, 101)], 50.0, 95.0)]


@pytest.mark.parametrize(("values", "p50", "p95"), percentile_cases())
def test_nearest_rank_percentiles(values: list[float], p50: float, p95: float) -> None:
    assert (analytics.percentile(values, 50), analytics.percentile(values, 95)) == (p50, p95)


def _letter(session, offer, at: datetime):  # type: ignore[no-untyped-def]
    version = versions.require_current_version(session, offer)
    return letter_store.save_letter(
        session,
        offer=offer,
        version=version,
        rendered=f.RenderedLetterData(html="<p>x</p>"),
        report=f.ComplianceData(passed=True),
        pdf=f.MINIMAL_PDF,
        checked_on=date.today(),
        actor=f.system(),
        now=at,
    )


def test_webhook_draft_and_approval_times_step_cycles_and_rates(engine: Engine) -> None:
    t0 = utcnow() - timedelta(seconds=5)
    with session_scope(engine) as session:
        # A: drafted from a notification, approved by the hiring manager one minute after submission.
        stored = webhook_events.store_event(
            session,
            {
                "customerId": str(f.CUSTOMER_ID),
                "eventType": "WorkFlowStatusChangeEvent",
                "systemId": "77001",
                "newStatus": "20001",
            },
            actor=f.system(),
            now=t0,
        )
        webhook_events.set_state(session, stored.event, webhook_events.EventState.PROCESSING, actor=f.system())
        webhook_events.set_state(session, stored.event, webhook_events.EventState.PROCESSED, actor=f.system())
        a = offers.open_offer(
            session, customer_id=f.CUSTOMER_ID, workflow_id=77001, person_id=1, job_id=2, actor=f.system()
        )
        versions.add_version(
            session,
            a,
            f.make_terms(),
            actor=f.system(),
            reason_kind=VersionReason.INITIAL,
            reason="initial",
            now=t0 + timedelta(seconds=10),
        )
        _letter(session, a, t0 + timedelta(seconds=20))
        offers.transition(session, a, OfferState.IN_REVIEW, actor=f.recruiter(), reason="ready")
        request = approvals.start_chain(
            session,
            a,
            [f.step_spec("hiring_manager", Role.HIRING_MANAGER.value)],
            actor=f.recruiter(),
            now=t0 + timedelta(seconds=30),
        )
    with session_scope(engine) as session:
        step = approval_inbox.steps_of(session, request.id or 0)[0]
        approvals.decide(session, step.id or 0, actor=f.hiring_manager(), approve=True, now=t0 + timedelta(seconds=90))
        # B: countered once, the counter accepted into version 2 (still open).
        b = f.make_offer(session, state=OfferState.SENT)
        counter = counters.submit_counter(
            session, b, [CounterItem(term=Term.BASE_SALARY, requested=Decimal("190000"))], actor=f.candidate(b)
        )
        counters.claim(session, counter.id or 0, actor=f.recruiter())
        counters.resolve(session, counter.id or 0, actor=f.recruiter(), resolution=Resolution.ACCEPTED, reasons=[])
        # C accepted and D declined without negotiation; E still a draft.
        f.make_offer(session, state=OfferState.ACCEPTED)
        f.make_offer(session, state=OfferState.DECLINED)
        f.make_offer(session, state=OfferState.DRAFT)
    with session_scope(engine) as session:
        report = analytics.compute(session)
    assert report.offers == 5
    assert (report.webhook_to_draft.count, report.webhook_to_draft.p50_seconds) == (1, 20.0)
    assert report.webhook_to_approval.p50_seconds == 90.0
    assert (report.draft_to_approval.count, report.draft_to_approval.max_seconds) == (
        4,
        70.0,
    )  # factories approve at once
    assert report.approval_step_cycle["hiring_manager"].p50_seconds == 60.0
    assert report.approval_request_cycle.count >= 1
    assert (report.counter_rate.numerator, report.counter_rate.denominator) == (1, 5)
    assert (report.acceptance_rate.numerator, report.acceptance_rate.denominator) == (1, 2)
    assert report.rounds_to_close.closed_offers == 2
    assert report.rounds_to_close.mean_counters == 0.0
    assert report.rounds_to_close.mean_versions == 1.0
    assert report.model_dump(mode="json")["acceptance_rate"]["value"] == 0.5


def test_rounds_to_close_count_counter_offers_of_decided_offers(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        for requested in ("190000", "195000"):
            counter = counters.submit_counter(
                session,
                offer,
                [CounterItem(term=Term.BASE_SALARY, requested=Decimal(requested))],
                actor=f.candidate(offer),
            )
            counters.claim(session, counter.id or 0, actor=f.recruiter())
            counters.resolve(
                session, counter.id or 0, actor=f.recruiter(), resolution=Resolution.DECLINED, reasons=["over band"]
            )
        offers.record_response(session, offer, accepted=True, actor=f.candidate(offer))
    with session_scope(engine) as session:
        report = analytics.compute(session)
    assert report.rounds_to_close.mean_counters == 2.0
    assert report.rounds_to_close.counters_histogram == {2: 1}
    assert report.acceptance_rate.value == 1.0


def test_nothing_yet_gives_empty_figures(engine: Engine) -> None:
    with session_scope(engine) as session:
        report = analytics.compute(session)
    assert report.offers == 0
    assert report.webhook_to_draft.count == 0
    assert report.acceptance_rate.value is None
