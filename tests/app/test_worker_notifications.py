"""Worker rounds send notifications: a webhook's draft, a due approval step within one round, escalation in the
round that escalates, and a recruiter's reply to the candidate's address read from iCIMS (the real sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.config import Settings
from app.review.runtime import chat_link_minter
from app.workers import WorkerConfig, Workers, build_notifier
from offer_engine import approvals, messages, offers, staff, webhook_events
from offer_engine.actors import Role, system_actor
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.flows import EngineSetup
from offer_engine.offers import Offer, OfferState
from offer_engine.policy import load_policy
from tests import factories as f
from tests.support.icims_sandbox import SandboxHandle, running_sandbox
from tests.support.smtp import SmtpHandle, running_smtp

TODAY = date(2026, 11, 20)  # the demo fixture's offers expire in December 2026


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def smtp() -> Iterator[SmtpHandle]:
    with running_smtp() as handle:
        yield handle


def make_workers(engine: Engine, settings: Settings, icims: SandboxHandle, smtp: SmtpHandle) -> Workers:
    setup = EngineSetup(
        customer_id=icims.customer_id,
        company_name=settings.company_name,
        mapping=settings.tenant,
        policy=load_policy(settings.policy_file),
    )
    tuned = settings.model_copy(
        update={"notifications": settings.notifications.model_copy(update={"smtp": smtp.settings()})}
    )
    fetch = icims.client(max_retries=0)
    minter = chat_link_minter(settings)
    return Workers(
        engine,
        setup,
        fetch_client=fetch,
        delivery_client=icims.client(max_retries=0),
        worker_id="w1",
        config=WorkerConfig(reminder_before=timedelta(hours=4)),
        today=lambda: TODAY,
        mint_link=minter,
        notifier=build_notifier(tuned, fetch, minter),
    )


def add_staff(engine: Engine, username: str, role: Role) -> None:
    with session_scope(engine) as session:
        staff.create_user(
            session,
            username=username,
            display_name=username.title(),
            roles=[role],
            actor=system_actor("test"),
            email=f"{username}@corvid.example",
        )


def drafted(engine: Engine, workers: Workers, workflow_id: int = 3402) -> Offer:
    payload = {
        "customerId": "6120",
        "eventType": "WorkFlowStatusChangeEvent",
        "systemId": str(workflow_id),
        "jobId": "2302",
        "oldStatus": "20010",
        "newStatus": "20001",
    }
    with session_scope(engine) as session:
        webhook_events.store_event(session, payload, actor=system_actor("test"))
    report = workers.run_once()
    assert report.events_processed
    with session_scope(engine) as session:
        return session.exec(select(Offer).where(Offer.workflow_id == workflow_id)).one()


def test_a_webhook_draft_and_a_due_approval_step_each_leave_within_one_round(
    engine: Engine, settings: Settings, icims: SandboxHandle, smtp: SmtpHandle
) -> None:
    add_staff(engine, "rita", Role.RECRUITER)
    add_staff(engine, "carl", Role.COMPENSATION)
    workers = make_workers(engine, settings, icims, smtp)
    offer = drafted(engine, workers)
    draft_mails = [m for m in smtp.received if "New offer draft" in m["Subject"]]
    assert sorted(m["To"] for m in draft_mails) == ["carl@corvid.example", "rita@corvid.example"]
    assert all("Daniel Okafor" in m["Subject"] for m in draft_mails)
    with session_scope(engine) as session:
        current = offers.get_offer(session, offer.id or 0)
        assert current.status is OfferState.IN_REVIEW
        spec = f.step_spec("compensation_review", Role.COMPENSATION.value, sla_hours=24, escalate_to="admin")
        approvals.start_chain(session, current, [spec], actor=f.recruiter())
    report = workers.run_once()
    assert len(report.notified) == 1  # the approver's mail went out in the first round after the step started
    [waiting] = [m for m in smtp.received if "Approval needed" in m["Subject"]]
    assert waiting["To"] == "carl@corvid.example"
    for mail in smtp.received:  # 150,000 USD base salary in the fixture: never in a mail
        assert "150" not in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_reminders_and_escalations_go_out_in_the_round_that_finds_them(
    engine: Engine, settings: Settings, icims: SandboxHandle, smtp: SmtpHandle
) -> None:
    add_staff(engine, "carl", Role.COMPENSATION)
    add_staff(engine, "ada", Role.ADMIN)
    workers = make_workers(engine, settings, icims, smtp)
    with session_scope(engine) as session:
        offer = f.in_review(session)
        spec = f.step_spec("compensation_review", Role.COMPENSATION.value, sla_hours=24, escalate_to="admin")
        approvals.start_chain(session, offer, [spec], actor=f.recruiter())
    workers.run_once()
    soon = utcnow() + timedelta(hours=21)
    assert workers.run_once(now=soon).reminders == 1
    assert [m["To"] for m in smtp.received if "Reminder" in m["Subject"]] == ["carl@corvid.example"]
    late = utcnow() + timedelta(hours=25)
    report = workers.run_once(now=late)
    assert report.escalated == 1
    assert [m["To"] for m in smtp.received if "Escalated" in m["Subject"]] == ["ada@corvid.example"]


def test_a_recruiter_reply_reaches_the_candidate_at_their_icims_address(
    engine: Engine, settings: Settings, icims: SandboxHandle, smtp: SmtpHandle
) -> None:
    workers = make_workers(engine, settings, icims, smtp)
    offer = drafted(engine, workers)
    with session_scope(engine) as session:
        messages.post_message(session, offer.id or 0, "Happy to help", actor=f.recruiter(), author_name="Rita")
    workers.run_once()
    [mail] = [m for m in smtp.received if m["To"] == "daniel.okafor@example.net"]
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{settings.public_url}/auth/portal?token=" in body
    assert "Happy to help" not in body  # the message itself stays in the chat
