"""The whole path on real parts: the sandbox over HTTP, the demo policy, real letters, PDFs and the database."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from app.config import Settings
from icims.client import ICIMSClient
from offer_engine import approval_inbox, audit, counters, lifecycle, offers, outbox, versions, webhook_events
from offer_engine.actors import Role, user_actor
from offer_engine.columns import utcnow
from offer_engine.counters import Resolution
from offer_engine.db import session_scope
from offer_engine.delivery import RetryPolicy, deliver_due
from offer_engine.errors import NotAtOfferStageError
from offer_engine.flows import EngineSetup, draft_from_icims
from offer_engine.letter_store import latest_letter
from offer_engine.policy import load_policy
from offer_engine.terms import CounterItem, Term
from tests import factories as f
from tests.offer_engine.conftest import snapshot
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

TODAY = date(2026, 11, 20)  # the demo fixture's offers expire in December 2026


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def client(icims: SandboxHandle) -> ICIMSClient:
    return icims.client(max_retries=0)


@pytest.fixture
def setup(settings: Settings, icims: SandboxHandle) -> EngineSetup:
    return EngineSetup(
        customer_id=icims.customer_id,
        company_name=settings.company_name,
        mapping=settings.tenant,
        policy=load_policy(settings.policy_file),
    )


def _draft(engine: Engine, client: ICIMSClient, setup: EngineSetup, workflow_id: int, **kwargs: object):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return draft_from_icims(session, client, setup, workflow_id, actor=f.recruiter(), today=TODAY, **kwargs)


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_drafting_a_workflow_makes_an_offer_a_checked_letter_and_a_pdf(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    outcome = _draft(engine, client, setup, 3401)
    assert outcome.created
    assert outcome.new_version
    assert outcome.offer.state == "in_review"
    assert outcome.report is not None
    assert outcome.report.passed, outcome.report.findings
    letter = outcome.letter
    assert letter is not None
    assert letter.compliance_passed
    assert letter.pdf is not None
    text = _pdf_text(letter.pdf)
    assert "$185,000.00" in text
    assert "Maya Patel" in text
    with session_scope(engine) as session:
        offer = offers.get_offer(session, outcome.offer.id or 0)
        assert (offer.workflow_id, offer.person_id, offer.job_id) == (3401, 1201, 2301)
        assert offer.attributes["sources"]["base_salary"] == "applicantworkflow.field31001"
        actions = [e.action for e in audit.events_for(session, "offer", offer.id or 0)]
        assert actions[0] == "offer.opened"
        assert {"offer.version_created", "offer.draft"} <= set(actions)
        assert actions[-1] == "offer.in_review"
        rendered = audit.events_for(session, "letter", letter.id or 0)[0]
        assert rendered.prompt_version is not None
        assert rendered.output_hash == letter.pdf_sha256


def test_drafting_again_changes_nothing_until_icims_changes(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    first = _draft(engine, client, setup, 3401)
    before = snapshot(engine)
    again = _draft(engine, client, setup, 3401)
    assert not again.created
    assert not again.new_version
    assert again.letter is not None
    assert again.letter.id == first.letter.id  # type: ignore[union-attr]
    assert snapshot(engine) == before
    client.update_profile("applicantworkflows", 3401, {"field31004": 20000})
    changed = _draft(engine, client, setup, 3401)
    assert changed.version is not None
    assert changed.version.number == 2
    assert changed.version.reason_kind == "icims_refresh"
    assert changed.version.diff == {"sign_on_bonus": {"from": "15000", "to": "20000"}}
    assert changed.letter is not None
    assert "$20,000.00" in _pdf_text(changed.letter.pdf or b"")


def test_missing_data_waits_in_needs_data_until_icims_has_it(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    waiting = _draft(engine, client, setup, 3407)
    assert waiting.offer.state == "needs_data"
    assert sorted(m.term for m in waiting.missing) == ["base_salary", "start_date"]
    with session_scope(engine) as session:
        assert versions.current_version(session, offers.get_offer(session, waiting.offer.id or 0)) is None
    before = snapshot(engine)
    _draft(engine, client, setup, 3407)
    assert snapshot(engine) == before, "asking again with the same gaps changes nothing"
    client.update_profile(
        "applicantworkflows",
        3407,
        {"field31001": {"amount": 82000, "currency": "USD"}, "field31006": "2027-01-18"},
    )
    ready = _draft(engine, client, setup, 3407)
    assert ready.offer.id == waiting.offer.id
    assert ready.offer.state == "in_review"
    assert ready.offer.missing == []


def test_a_workflow_past_the_offer_stage_is_refused_and_nothing_is_stored(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    before = snapshot(engine)
    with pytest.raises(NotAtOfferStageError):
        _draft(engine, client, setup, 3406)
    assert snapshot(engine) == before


def _approve_all(engine: Engine, setup: EngineSetup, offer_id: int) -> None:
    """Decide every step as the approvers the policy names (role, named user, quorum), whatever they are."""
    for _ in range(20):
        with session_scope(engine) as session:
            request = approval_inbox.requests_for(session, offer_id)[-1]
            active = [s for s in approval_inbox.steps_of(session, request.id or 0) if s.state == "active"]
        if not active:
            return
        step = active[0]
        for n in range(step.required_approvals):
            who = step.assignees[n] if step.assignees else f"{step.approver_role}-{n}"
            with session_scope(engine) as session:
                lifecycle.decide(session, step.id or 0, setup, actor=user_actor(who, Role(step.approver_role)),
                                 approve=True, comment="ok")  # fmt: skip
    raise AssertionError("the chain did not finish")


def test_an_offer_goes_from_icims_to_approval_and_back_to_icims(
    engine: Engine, icims: SandboxHandle, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer_id = _draft(engine, client, setup, 3401).offer.id or 0
    with session_scope(engine) as session:
        preview = lifecycle.preview_steps(session, offer_id, setup)
        request = lifecycle.submit_for_approval(session, offer_id, setup, actor=f.recruiter())
        assert [s.key for s in approval_inbox.steps_of(session, request.id or 0)] == [s.key for s in preview]
    _approve_all(engine, setup, offer_id)
    with session_scope(engine) as session:
        assert offers.get_offer(session, offer_id).state == "approved"
        lifecycle.release(session, offer_id, setup, actor=f.recruiter())
    now = utcnow()
    for step in range(10):
        deliver_due(engine, client, worker_id="w", now=now + timedelta(minutes=step), policy=RetryPolicy())
    with session_scope(engine) as session:
        assert {j.state for j in outbox.list_jobs(session)} == {"delivered"}
        letter = latest_letter(
            session, versions.require_current_version(session, offers.get_offer(session, offer_id)).id or 0
        )
        assert letter is not None
    workflow = icims.profile("applicantworkflows", 3401)
    assert workflow["field31020"] == "Released"
    assert workflow["field31021"] == 1
    assert client.download_file("applicantworkflows", 3401, "field31022").content == letter.pdf
    kinds = Counter(w.kind for w in icims.writes())
    assert kinds == Counter({"file": 1, "patch": 2, "entry": 1, "status": 1})  # status: tenant.offer_extended_status
    assert workflow["status"]["id"] == setup.mapping.offer_extended_status
    with session_scope(engine) as session:
        offer = offers.get_offer(session, offer_id)
        lifecycle.record_candidate_response(session, offer_id, setup, accepted=True, actor=f.candidate(offer))
    deliver_due(engine, client, worker_id="w", now=now + timedelta(minutes=30))
    assert icims.profile("applicantworkflows", 3401)["status"]["id"] == setup.mapping.offer_accepted_status


def test_a_counter_offer_resolved_into_a_new_version_gets_a_new_letter(
    engine: Engine, client: ICIMSClient, setup: EngineSetup
) -> None:
    offer_id = _draft(engine, client, setup, 3401).offer.id or 0
    with session_scope(engine) as session:
        lifecycle.submit_for_approval(session, offer_id, setup, actor=f.recruiter())
    _approve_all(engine, setup, offer_id)
    with session_scope(engine) as session:
        offer = lifecycle.release(session, offer_id, setup, actor=f.recruiter())
        counter = counters.submit_counter(
            session,
            offer,
            [CounterItem(term=Term.BASE_SALARY, requested=Decimal("195000"), currency="USD")],
            actor=f.candidate(offer),
            source_message_text="Could you do 195k?",
        )
        counters.claim(session, counter.id or 0, actor=f.recruiter())
    with session_scope(engine) as session:
        result = lifecycle.resolve_counter(
            session,
            counter.id or 0,
            setup,
            actor=f.recruiter(),
            resolution=Resolution.ACCEPTED,
            reasons=[],
            today=TODAY,
        )
        assert result.letter is not None
        assert result.letter.version_number == 2
        assert "$195,000.00" in _pdf_text(result.letter.pdf or b"")
        assert offers.get_offer(session, offer_id).state == "in_review"


def test_an_offer_ready_event_drafts_once_and_writes_the_draft_to_icims(
    engine: Engine, icims: SandboxHandle, client: ICIMSClient, setup: EngineSetup
) -> None:
    payload = {"customerId": "6120", "eventType": "WorkFlowStatusChangeEvent", "systemId": "3402", "jobId": "2302",
               "personId": "1202", "userId": "1401", "oldStatus": "20010", "newStatus": "20001"}  # fmt: skip
    with session_scope(engine) as session:
        stored = webhook_events.store_event(session, payload, headers={"User-Agent": "Apache"}, actor=f.system())
        duplicate = webhook_events.store_event(session, dict(payload), actor=f.system())
        assert not stored.duplicate
        assert duplicate.duplicate
        assert duplicate.event.id == stored.event.id
        assert duplicate.event.duplicates == 1
    with session_scope(engine) as session:
        event = lifecycle.handle_status_event(
            session, stored.event.id or 0, client, setup, actor=f.system(), today=TODAY
        )
        assert event.state == "processed"
        assert "in_review" in (event.outcome or "")
    deliver_due(engine, client, worker_id="w", now=utcnow() + timedelta(minutes=1))
    deliver_due(engine, client, worker_id="w", now=utcnow() + timedelta(minutes=2))
    assert icims.profile("applicantworkflows", 3402)["field31020"] == "Generated"
    assert Counter(w.kind for w in icims.writes()) == Counter({"file": 1, "patch": 1})
