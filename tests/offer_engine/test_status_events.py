"""iCIMS status changes that end an offer: accepted, declined or withdrawn in iCIMS, the offer follows.

A tenant of its own (not the demo's ids) with both id forms: the REST "S300" and the numeric "300" webhooks carry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.chat.identity import CandidateIdentity
from app.chat.signin import recheck
from app.config import Settings
from icims.client import ICIMSClient
from icims.mapping import TenantMapping
from offer_engine import (
    approval_inbox,
    audit,
    candidate_requests,
    counters,
    lifecycle,
    offers,
    outbox,
    webhook_events,
)
from offer_engine.access import AccessDeniedError
from offer_engine.candidate_requests import RequestKind
from offer_engine.db import session_scope
from offer_engine.errors import IllegalTransitionError
from offer_engine.flows import EngineSetup
from offer_engine.offers import Offer, OfferState
from offer_engine.outbox import JobKind, SyncJob
from offer_engine.policy import load_policy
from offer_engine.terms import CounterItem, Term
from offer_engine.webhook_events import WebhookEvent
from tests import factories as f
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

MAPPING = TenantMapping(
    offer_ready_statuses=["S100"],
    offer_accepted_status="S300",
    offer_declined_status="S400",
    offer_accepted_statuses=["S350"],  # e.g. "Hired"
    offer_withdrawn_statuses=["S500", "S510"],  # e.g. "Rejected", "Requisition Closed"
)
TODAY = date(2026, 11, 20)
SALARY = CounterItem(term=Term.BASE_SALARY, requested=Decimal("195000"), currency="USD")


@pytest.fixture(scope="module")
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def client(icims: SandboxHandle) -> ICIMSClient:
    return icims.client(max_retries=0)


@pytest.fixture
def setup(settings: Settings) -> EngineSetup:
    return EngineSetup(
        customer_id=f.CUSTOMER_ID,
        company_name="Elsewhere Ltd",
        mapping=MAPPING,
        policy=load_policy(settings.policy_file),
    )


def _offer(engine: Engine, state: OfferState) -> Offer:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=state)
        session.expunge(offer)
        return offer


def _event(engine: Engine, workflow_id: int | str, status: str, *, key: str | None = None) -> int:
    payload = {
        "customerId": str(f.CUSTOMER_ID),
        "eventType": "WorkFlowStatusChangeEvent",
        "systemId": str(workflow_id),
        "userId": "1401",
        "oldStatus": "200",
        "newStatus": status,
    }
    with session_scope(engine) as session:
        return webhook_events.store_event(session, payload, dedup_key=key, actor=f.system()).event.id or 0


def _handle(engine: Engine, client: ICIMSClient, setup: EngineSetup, event_id: int) -> WebhookEvent:
    with session_scope(engine) as session:
        event = lifecycle.handle_status_event(session, event_id, client, setup, actor=f.system(), today=TODAY)
        session.expunge(event)
        return event


def _state(engine: Engine, offer_id: int) -> str:
    with session_scope(engine) as session:
        return offers.get_offer(session, offer_id).state


def _jobs(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    with session_scope(engine) as session:
        return [(j.kind, j.payload) for j in session.exec(select(SyncJob).order_by(SyncJob.id))]  # type: ignore[arg-type]


def _actions(session: Session, offer_id: int) -> list[str]:
    return [e.action for e in audit.events_for(session, "offer", offer_id)]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("S300", "accepted"),
        ("300", "accepted"),
        ("350", "accepted"),
        ("S400", "declined"),
        ("400", "declined"),
        ("S500", "withdrawn"),
        ("510", "withdrawn"),
    ],
)
def test_a_sent_offer_follows_the_status_icims_reports_without_writing_back(
    engine: Engine, client: ICIMSClient, setup: EngineSetup, icims: SandboxHandle, status: str, expected: str
) -> None:
    offer = _offer(engine, OfferState.SENT)
    jobs_before, calls_before = _jobs(engine), len(icims.requests())
    event_id = _event(engine, offer.workflow_id, status)
    event = _handle(engine, client, setup, event_id)
    assert event.state == "processed", event.outcome
    assert f"sent → {expected}" in (event.outcome or "")
    assert _state(engine, offer.id or 0) == expected
    with session_scope(engine) as session:
        moved = [e for e in audit.events_for(session, "offer", offer.id or 0) if e.action == f"offer.{expected}"]
    assert len(moved) == 1
    assert (moved[0].actor_kind, moved[0].actor_id) == ("system", f.system().id)
    assert moved[0].details["source"] == "icims"
    assert moved[0].details["icims_status"] == status
    assert moved[0].details["webhook_event_id"] == event_id
    assert _jobs(engine) == jobs_before  # iCIMS already has the status: nothing queued to write back
    assert len(icims.requests()) == calls_before


def test_a_status_the_tenant_does_not_map_is_ignored_and_changes_nothing(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.SENT)
    for status in ("S200", "200", "T300"):  # T300 is another status whose digits happen to match S300's
        event = _handle(engine, client, setup, _event(engine, offer.workflow_id, status))
        assert event.state == "ignored"
        assert "not an offer-ready status nor one that ends an offer" in (event.outcome or "")
    assert _state(engine, offer.id or 0) == "sent"


def test_an_end_status_for_a_workflow_without_an_offer_is_ignored(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    event = _handle(engine, client, setup, _event(engine, f.next_id(), "S500"))
    assert event.state == "ignored"
    assert "has no offer" in (event.outcome or "")
    event = _handle(engine, client, setup, _event(engine, "not-a-workflow", "S500"))
    assert event.state == "ignored"
    assert "names no applicant workflow" in (event.outcome or "")


def test_accepted_for_an_offer_not_yet_sent_is_not_forced_and_the_recruiter_sees_why(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.DRAFT)
    event_id = _event(engine, offer.workflow_id, "300")
    event = _handle(engine, client, setup, event_id)
    assert event.state == "ignored"
    assert "offer" in (event.outcome or "")
    assert "is draft, which cannot become accepted" in (event.outcome or "")
    assert _state(engine, offer.id or 0) == "draft"
    with session_scope(engine) as session:
        [noted] = [e for e in audit.events_for(session, "offer", offer.id or 0) if "icims" in e.action]
        assert noted.action == "offer.icims_status_not_applied"
        assert noted.details["webhook_event_id"] == event_id
        assert "offer.accepted" not in _actions(session, offer.id or 0)


def test_an_accepted_offer_is_not_reopened_by_a_later_withdrawn_status(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.ACCEPTED)
    event = _handle(engine, client, setup, _event(engine, offer.workflow_id, "S510"))
    assert event.state == "ignored"
    assert "is accepted, which cannot become withdrawn" in (event.outcome or "")
    assert _state(engine, offer.id or 0) == "accepted"


def test_a_closed_offer_is_left_closed_without_a_conflict_note(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.EXPIRED)
    event = _handle(engine, client, setup, _event(engine, offer.workflow_id, "S300"))
    assert event.state == "ignored"
    assert "already closed (expired)" in (event.outcome or "")
    with session_scope(engine) as session:
        assert "offer.icims_status_not_applied" not in _actions(session, offer.id or 0)


def test_declined_before_the_letter_went_out_withdraws_the_unsent_offer(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.PENDING_APPROVAL)
    event = _handle(engine, client, setup, _event(engine, offer.workflow_id, "S400"))
    assert event.state == "processed", event.outcome
    assert _state(engine, offer.id or 0) == "withdrawn"
    with session_scope(engine) as session:
        [withdrawn] = [e for e in audit.events_for(session, "offer", offer.id or 0) if e.action == "offer.withdrawn"]
        assert withdrawn.details["reason"] == "offer declined before the letter was sent in iCIMS (status S400)"
        [request] = approval_inbox.requests_for(session, offer.id or 0)
        assert request.state == "voided"
        assert {s.state for s in approval_inbox.steps_of(session, request.id or 0)} == {"voided"}


def test_a_withdrawn_status_withdraws_a_draft_in_approval_too(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.PENDING_APPROVAL)
    event = _handle(engine, client, setup, _event(engine, offer.workflow_id, "500"))
    assert event.state == "processed", event.outcome
    assert "1 approval(s)" in (event.outcome or "")
    assert _state(engine, offer.id or 0) == "withdrawn"
    with session_scope(engine) as session:
        assert approval_inbox.open_steps_for(session, f.hiring_manager()) == []


def test_the_same_status_twice_moves_the_offer_once(engine: Engine, client: ICIMSClient, setup: EngineSetup) -> None:
    offer = _offer(engine, OfferState.SENT)
    first = _event(engine, offer.workflow_id, "S300")
    assert _event(engine, offer.workflow_id, "S300") == first  # a redelivery is the stored event, counted
    again = _event(engine, offer.workflow_id, "300", key="a-second-notification")
    assert _handle(engine, client, setup, first).state == "processed"
    second = _handle(engine, client, setup, again)
    assert second.state == "ignored"
    assert second.outcome == f"offer {offer.id} is already accepted"
    with session_scope(engine) as session:
        assert _actions(session, offer.id or 0).count("offer.accepted") == 1
        assert webhook_events.get_event(session, first).duplicates == 1


def test_our_own_accepted_status_coming_back_does_nothing_twice(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.SENT)
    with session_scope(engine) as session:
        lifecycle.record_candidate_response(session, offer.id or 0, setup, accepted=True, actor=f.recruiter())
    jobs = _jobs(engine)
    assert jobs == [(JobKind.SET_STATUS.value, {"status_id": "S300"})]
    event = _handle(engine, client, setup, _event(engine, offer.workflow_id, "300"))  # the numeric echo
    assert event.state == "ignored"
    assert "already accepted: our own status write" in (event.outcome or "")
    assert _jobs(engine) == jobs
    with session_scope(engine) as session:
        assert _actions(session, offer.id or 0).count("offer.accepted") == 1


def _job_states(engine: Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [(j.kind, j.state) for j in session.exec(select(SyncJob).order_by(SyncJob.id))]  # type: ignore[arg-type]


def test_a_status_set_by_hand_in_icims_cancels_our_undelivered_status_write(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.SENT)
    with session_scope(engine) as session:
        lifecycle.record_candidate_response(session, offer.id or 0, setup, accepted=True, actor=f.recruiter())
    # before our "accepted" write is delivered, a recruiter rejects the candidate in iCIMS
    event = _handle(engine, client, setup, _event(engine, offer.workflow_id, "S500"))
    assert event.state == "ignored"
    assert "cancelled our undelivered status write(s)" in (event.outcome or "")
    assert _state(engine, offer.id or 0) == "accepted"  # the recruiter reconciles; we do not overwrite iCIMS
    assert _job_states(engine) == [(JobKind.SET_STATUS.value, "cancelled")]
    with session_scope(engine) as session:
        assert outbox.claim_due(session, worker_id="w") == []
        [job] = session.exec(select(SyncJob)).all()
        cancelled = [e for e in audit.events_for(session, "sync_job", job.id or 0) if e.action == "sync.cancelled"]
        assert len(cancelled) == 1
        assert "iCIMS reports status S500" in cancelled[0].details["reason"]


def test_a_cancelled_job_does_not_hold_back_the_workflows_later_writes(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = f.make_sync_job(session, kind=JobKind.SET_STATUS, payload={"status_id": "S300"})
        later = f.make_sync_job(session, kind=JobKind.ADD_NOTE, payload={"text": "n", "marker": "m"})
        assert [j.id for j in outbox.claim_due(session, worker_id="w")] == [first.id]
        outbox.release(session, first)
        outbox.cancel_undelivered(session, [first], reason="superseded", actor=f.system())
        assert [j.id for j in outbox.claim_due(session, worker_id="w")] == [later.id]


def test_withdrawal_in_icims_closes_counters_requests_and_the_candidates_chat(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.SENT)
    identity = CandidateIdentity(
        customer_id=offer.customer_id, workflow_id=offer.workflow_id, offer_id=offer.id or 0, person_id=offer.person_id
    )
    recheck(engine, identity)  # the chat is open while the offer is
    with session_scope(engine) as session:
        live = offers.get_offer(session, offer.id or 0)
        candidate = f.candidate(live)
        claimed = counters.submit_counter(session, live, [SALARY], actor=candidate, source_message_text="195k?")
        counters.claim(session, claimed.id or 0, actor=f.recruiter())
        waiting = counters.submit_counter(session, live, [SALARY], actor=candidate, source_message_text="or 190k?")
        handoff = candidate_requests.submit_request(
            session, live, RequestKind.HANDOFF, actor=candidate, message="Who do I talk to about relocation?"
        )
        intent = candidate_requests.submit_request(
            session, live, RequestKind.ACCEPT_INTENT, actor=candidate, message="I'd like to accept"
        )
        candidate_requests.claim(session, intent.id or 0, actor=f.recruiter())
    event = _handle(engine, client, setup, _event(engine, offer.workflow_id, "S500"))
    assert event.state == "processed", event.outcome
    assert "2 counter-offer(s), 2 candidate request(s)" in (event.outcome or "")
    with session_scope(engine) as session:
        assert [counters.get_counter(session, c.id or 0).state for c in (claimed, waiting)] == ["withdrawn"] * 2
        assert counters.open_for_offer(session, offer.id or 0) == []
        closed = [candidate_requests.get_request(session, r.id or 0) for r in (handoff, intent)]
        assert [r.state for r in closed] == ["resolved", "resolved"]
        assert all(r.resolution_note == "offer withdrawn in iCIMS (status S500)" for r in closed)
        assert all(r.resolved_by == f.system().id for r in closed)
        assert counters.queue(session) == []
        assert candidate_requests.queue(session) == []
        live = offers.get_offer(session, offer.id or 0)
        with pytest.raises(IllegalTransitionError):
            counters.submit_counter(session, live, [SALARY], actor=candidate, source_message_text="200k then?")
        with pytest.raises(IllegalTransitionError):
            candidate_requests.submit_request(session, live, RequestKind.HANDOFF, actor=candidate, message="Hello?")
    with pytest.raises(AccessDeniedError, match="withdrawn"):
        recheck(engine, identity)


def test_an_acceptance_by_phone_closes_the_counter_still_in_the_queue(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.SENT)
    with session_scope(engine) as session:
        live = offers.get_offer(session, offer.id or 0)
        counter = counters.submit_counter(session, live, [SALARY], actor=f.candidate(live), source_message_text="?")
    event = _handle(engine, client, setup, _event(engine, offer.workflow_id, "S350"))
    assert event.state == "processed", event.outcome
    with session_scope(engine) as session:
        closed = counters.get_counter(session, counter.id or 0)
        assert closed.state == "withdrawn"
        assert closed.resolution_reasons == ["offer accepted in iCIMS (status S350)"]
        [withdrawn] = [
            e for e in audit.events_for(session, "counter_offer", counter.id or 0) if "withdrawn" in e.action
        ]
        assert withdrawn.actor_kind == "system"


@pytest.mark.parametrize("accepted", [True, False])
def test_an_answer_confirmed_in_the_app_withdraws_the_counter_still_in_the_queue(
    accepted: bool, engine: Engine, setup: EngineSetup
) -> None:
    offer = _offer(engine, OfferState.SENT)
    with session_scope(engine) as session:
        live = offers.get_offer(session, offer.id or 0)
        counter = counters.submit_counter(session, live, [SALARY], actor=f.candidate(live), source_message_text="?")
        lifecycle.record_candidate_response(session, offer.id or 0, setup, accepted=accepted, actor=f.recruiter())
    with session_scope(engine) as session:
        closed = counters.get_counter(session, counter.id or 0)
        assert closed.state == "withdrawn"
        assert closed.resolution_reasons == [f"the candidate {'accepted' if accepted else 'declined'} the offer"]
        assert counters.open_for_offer(session, offer.id or 0) == []
