"""Notifications against a real SMTP server on loopback: each kind reaches the right person with a link and no
figure, the digest, preferences, retries on a refusing or silent server, bad addresses, the iCIMS channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import Settings
from offer_engine import (
    approval_inbox,
    approvals,
    candidate_requests,
    counters,
    messages,
    notifications,
    notify_events,
    outbox,
    release,
    staff,
)
from offer_engine.actors import Role
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.flows import EngineSetup
from offer_engine.letter_store import Letter
from offer_engine.notifications import NotificationKind, NotificationState, Preference
from offer_engine.notify_delivery import UNCONFIRMED, Notifier, NotifyRetry, NotifyRound, deliver_notifications
from offer_engine.offers import Offer, OfferState
from offer_engine.policy import load_policy
from offer_engine.release import LinkGrant
from offer_engine.terms import CounterItem
from prompts import load_prompt
from tests import factories as f
from tests.support.smtp import SmtpHandle, running_smtp, silent_server

SALARY_DIGITS = ("185", "185,000", "185000", "15,000", "4000", "4,000")
CANDIDATE_EMAIL = "sofia.hernandez@example.org"


@pytest.fixture
def smtp() -> Iterator[SmtpHandle]:
    with running_smtp() as handle:
        yield handle


def minter(grant: LinkGrant) -> str:
    return f"https://chat.example/auth/portal?wf={grant.workflow_id}&gen={grant.generation}"


def notifier(server: SmtpHandle, **changes: object) -> Notifier:
    values: dict[str, object] = {
        "smtp": server.settings(),
        "public_url": "https://offers.example",
        "company_name": "Corvid",
        "mint_link": minter,
        "candidate_address": lambda _person: CANDIDATE_EMAIL,
        "retry": NotifyRetry(base_seconds=10, max_seconds=40, max_failures=3),
    }
    values.update(changes)
    return Notifier(**values)  # type: ignore[arg-type]


def add_staff(session: Session, username: str, role: Role, email: str | None = None) -> staff.StaffUser:
    return staff.create_user(
        session,
        username=username,
        display_name=username.split(".")[0].title(),
        roles=[role],
        actor=f.system(),
        email=email if email is not None else f"{username}@corvid.example",
    )


def named(offer: Offer, language: str = "en") -> Offer:
    offer.attributes = {
        **offer.attributes,
        "letter_context": {
            "candidate_name": "Sofía Hernández",
            "candidate_first_name": "Sofía",
            "job_title": "Senior Backend Engineer",
            "language": language,
        },
    }
    return offer


def deliver(engine: Engine, server: SmtpHandle, now: datetime | None = None, **changes: object) -> NotifyRound:
    return deliver_notifications(engine, notifier(server, **changes), actor=f.system(), now=now)


def mails_to(smtp: SmtpHandle, address: str) -> list[EmailMessage]:
    return [m for m in smtp.received if m["To"] == address]


def text_of(message: EmailMessage) -> str:
    parts = [p.get_content() for p in message.walk() if p.get_content_type() in ("text/plain", "text/html")]
    return "\n".join(parts)


def assert_no_figures(message: EmailMessage) -> None:
    body = text_of(message) + str(message["Subject"])
    for digits in SALARY_DIGITS:
        assert digits not in body, digits


def submitted(engine: Engine, *, sla_hours: int = 8, escalate_to: str | None = "admin") -> Offer:
    with session_scope(engine) as session:
        add_staff(session, "carl.comp", Role.COMPENSATION)
        add_staff(session, "ada.admin", Role.ADMIN)
        offer = named(f.in_review(session))
        spec = f.step_spec("compensation_review", Role.COMPENSATION.value, sla_hours=sla_hours, escalate_to=escalate_to)
        approvals.start_chain(session, offer, [spec], actor=f.recruiter())
        return offer


# -- each kind -----------------------------------------------------------------------------------------------


def test_a_waiting_approval_step_mails_its_approvers_with_a_review_link_and_no_figure(
    engine: Engine, smtp: SmtpHandle
) -> None:
    offer = submitted(engine)
    result = deliver(engine, smtp)
    [mail] = mails_to(smtp, "carl.comp@corvid.example")
    assert "Approval needed" in mail["Subject"]
    assert f"https://offers.example/?offer={offer.id}" in text_of(mail)
    assert "then type" not in text_of(mail), "the link opens the offer: no internal id to type"
    assert "Compensation Review" in text_of(mail)
    assert "Sofía Hernández" in text_of(mail)
    assert mail.get_content_type() == "multipart/alternative"
    assert_no_figures(mail)
    assert not mails_to(smtp, "ada.admin@corvid.example")  # not theirs until it escalates
    assert len(result.delivered) == 1
    assert len(result.skipped) == 1


def test_the_same_event_notifies_nobody_twice(engine: Engine, smtp: SmtpHandle) -> None:
    offer = submitted(engine)
    with session_scope(engine) as session:
        step = approval_inbox.steps_of(session, approval_inbox.requests_for(session, offer.id or 0)[0].id or 0)[0]
        due = step.due_at
        assert due is not None
        for _ in range(2):
            notify_events.notify_step_waiting(
                session,
                offer,
                step_id=step.id or 0,
                step_name=step.name,
                approver_role=step.approver_role,
                assignees=[],
                due_at=due,
                actor=f.system(),
            )
    deliver(engine, smtp)
    deliver(engine, smtp)
    assert len(mails_to(smtp, "carl.comp@corvid.example")) == 1


def test_a_reminder_goes_before_the_sla_and_once(engine: Engine, smtp: SmtpHandle) -> None:
    submitted(engine, sla_hours=24)
    deliver(engine, smtp)
    soon = utcnow() + timedelta(hours=21)
    with session_scope(engine) as session:
        assert approval_inbox.remind_due_soon(session, now=soon, before=timedelta(hours=4), actor=f.system()) == 1
        approval_inbox.remind_due_soon(
            session, now=soon + timedelta(minutes=30), before=timedelta(hours=4), actor=f.system()
        )
    deliver(engine, smtp, now=soon + timedelta(minutes=31))
    reminders = [m for m in mails_to(smtp, "carl.comp@corvid.example") if "Reminder" in m["Subject"]]
    assert len(reminders) == 1
    assert_no_figures(reminders[0])


def test_an_escalated_step_mails_the_escalation_role(engine: Engine, smtp: SmtpHandle) -> None:
    submitted(engine, sla_hours=2)
    deliver(engine, smtp)
    overdue = utcnow() + timedelta(hours=3)
    with session_scope(engine) as session:
        assert len(approval_inbox.escalate_overdue(session, now=overdue, actor=f.system())) == 1
    deliver(engine, smtp, now=overdue)
    [mail] = mails_to(smtp, "ada.admin@corvid.example")
    assert "Escalated" in mail["Subject"]
    assert_no_figures(mail)


def test_a_counter_offer_and_a_handoff_mail_the_recruiter(engine: Engine, smtp: SmtpHandle) -> None:
    with session_scope(engine) as session:
        add_staff(session, "rita.recruiter", Role.RECRUITER)
        offer = named(f.make_offer(session, state=OfferState.SENT))
        counters.submit_counter(
            session, offer, [CounterItem(term="base_salary", requested=Decimal("200000"))], actor=f.candidate(offer)
        )
        candidate_requests.submit_request(
            session, offer, candidate_requests.RequestKind.HANDOFF, actor=f.candidate(offer), message="A question"
        )
    deliver(engine, smtp)
    subjects = sorted(m["Subject"] for m in mails_to(smtp, "rita.recruiter@corvid.example"))
    assert len(subjects) == 2
    assert any("Counter-offer" in s for s in subjects)
    assert any("would like to hear" in s for s in subjects)
    for mail in smtp.received:
        assert_no_figures(mail)
        assert "200" not in text_of(mail)


def test_a_recruiter_reply_mails_the_candidate_in_their_language_with_a_fresh_chat_link(
    engine: Engine, smtp: SmtpHandle
) -> None:
    with session_scope(engine) as session:
        offer = named(f.make_offer(session, state=OfferState.SENT), language="es")
        message = messages.post_message(session, offer.id or 0, "Hola", actor=f.recruiter(), author_name="Rita")
        stored = notifications.find(session, f"recruiter_reply:message:{message.id}:candidate")
        assert stored is not None
        assert "chat.example" not in str(stored.payload)
    deliver(engine, smtp)
    [mail] = mails_to(smtp, CANDIDATE_EMAIL)
    assert "Una respuesta de Corvid" in mail["Subject"]
    assert f"wf={offer.workflow_id}&amp;gen=" in text_of(mail) or f"wf={offer.workflow_id}&gen=" in text_of(mail)
    assert mail["X-Offer-Assistant-Template"] == "notify_recruiter_reply@1/es"
    assert_no_figures(mail)


def test_releasing_the_letter_mails_the_candidate(engine: Engine, smtp: SmtpHandle, settings: Settings) -> None:
    setup = EngineSetup(
        customer_id=f.CUSTOMER_ID,
        company_name="Corvid",
        mapping=settings.tenant,
        policy=load_policy(settings.policy_file),
    )
    with session_scope(engine) as session:
        offer = named(f.make_offer(session, state=OfferState.APPROVED), language="de")
        release.release_offer(session, offer.id or 0, setup, actor=f.recruiter(), mint_link=minter)
    deliver(engine, smtp)
    [mail] = mails_to(smtp, CANDIDATE_EMAIL)
    assert "Angebotsschreiben" in mail["Subject"]
    assert_no_figures(mail)


def test_a_signed_letter_mails_the_recruiter(engine: Engine, smtp: SmtpHandle) -> None:
    with session_scope(engine) as session:
        add_staff(session, "rita.recruiter", Role.RECRUITER)
        offer = named(f.make_offer(session, state=OfferState.SENT))
        letter = session.exec(select(Letter).where(Letter.offer_id == offer.id)).first()
        assert letter is not None
        notify_events.notify_letter_signed(session, offer, letter, actor=f.candidate(offer))
    deliver(engine, smtp)
    [mail] = mails_to(smtp, "rita.recruiter@corvid.example")
    assert "signed the offer letter" in mail["Subject"]


# -- preferences and the digest ------------------------------------------------------------------------------


def test_preferences_off_and_digest(engine: Engine, smtp: SmtpHandle) -> None:
    with session_scope(engine) as session:
        quiet = add_staff(session, "quinn.recruiter", Role.RECRUITER)
        daily = add_staff(session, "dana.recruiter", Role.RECRUITER)
        notifications.set_preference(session, quiet, Preference.OFF, actor=quiet.actor())
        notifications.set_preference(session, daily, "digest", actor=daily.actor())
        first, second = (
            named(f.make_offer(session, state=OfferState.SENT)),
            named(f.make_offer(session, state=OfferState.SENT)),
        )
        for offer in (first, second):
            candidate_requests.submit_request(
                session, offer, candidate_requests.RequestKind.HANDOFF, actor=f.candidate(offer), message="Hi"
            )
    deliver(engine, smtp)
    assert smtp.received == []  # off: nothing; digest: kept for the day's digest
    with session_scope(engine) as session:
        [_digest] = notifications.queue_digests(session, day=date.today(), actor=f.system())
        assert notifications.queue_digests(session, day=date.today(), actor=f.system()) == []
    deliver(engine, smtp)
    [mail] = smtp.received
    assert mail["To"] == "dana.recruiter@corvid.example"
    assert "2 waiting" in mail["Subject"]
    assert text_of(mail).count("Question passed to a person: Sofía Hernández") >= 2


def test_an_unknown_preference_is_refused(engine: Engine) -> None:
    with session_scope(engine) as session:
        user = add_staff(session, "rita.recruiter", Role.RECRUITER)
        with pytest.raises(Exception, match="off, immediate or digest"):
            notifications.set_preference(session, user, "hourly", actor=user.actor())


# -- bad input: refusing and silent servers, bad addresses ---------------------------------------------------


def test_a_refusing_server_is_retried_with_backoff_then_dead_lettered_with_its_answer(
    engine: Engine, smtp: SmtpHandle
) -> None:
    submitted(engine)
    smtp.handler.refuse_with = "451 4.3.0 Mailbox busy, try later"
    start = utcnow()
    first = deliver(engine, smtp, now=start)
    assert len(first.retrying) == 1
    assert deliver(engine, smtp, now=start + timedelta(seconds=5)).retrying == []  # its back-off is not over
    assert len(deliver(engine, smtp, now=start + timedelta(seconds=11)).retrying) == 1
    last = deliver(engine, smtp, now=start + timedelta(seconds=60))
    assert len(last.dead) == 1
    with session_scope(engine) as session:
        [dead] = notifications.list_notifications(session, states=[NotificationState.DEAD])
        assert "451" in (dead.last_error or "")
        assert dead.failures == 3
        notifications.requeue(session, dead.id or 0, actor=f.admin())
    smtp.handler.refuse_with = None
    assert len(deliver(engine, smtp, now=start + timedelta(seconds=61)).delivered) == 1
    assert len(smtp.received) == 1


def test_a_server_that_does_not_answer_is_retried(engine: Engine, smtp: SmtpHandle) -> None:
    submitted(engine)
    with silent_server() as (host, port):
        result = deliver(engine, smtp, smtp=smtp.settings(host=host, port=port, timeout_seconds=0.5))
    assert len(result.retrying) == 1
    with session_scope(engine) as session:
        [row] = [n for n in notifications.list_notifications(session) if n.channel == "email"]
        assert row.state == NotificationState.PENDING
        assert "timed out" in (row.last_error or "").lower()


def test_an_address_that_is_not_an_address_is_not_sent_and_says_why(engine: Engine, smtp: SmtpHandle) -> None:
    with session_scope(engine) as session:
        add_staff(session, "rita.recruiter", Role.RECRUITER, email="rita at corvid")
        offer = named(f.make_offer(session, state=OfferState.SENT))
        candidate_requests.submit_request(
            session, offer, candidate_requests.RequestKind.HANDOFF, actor=f.candidate(offer), message="Hi"
        )
        messages.post_message(session, offer.id or 0, "Hello", actor=f.recruiter(), author_name="Rita")
    result = deliver(engine, smtp, candidate_address=lambda _person: "sofia@@example")
    assert smtp.received == []
    assert len(result.dead) == 2
    with session_scope(engine) as session:
        reasons = sorted(
            n.last_error or "" for n in notifications.list_notifications(session, states=[NotificationState.DEAD])
        )
        assert all("not an" in r and "address" in r for r in reasons)


def test_the_icims_channel_queues_one_note_per_event_without_figures(engine: Engine, smtp: SmtpHandle) -> None:
    submitted(engine)
    deliver(engine, smtp, icims_notes=True)
    with session_scope(engine) as session:
        notes = [j for j in outbox.list_jobs(session) if j.kind == outbox.JobKind.ADD_NOTE]
    assert len(notes) == 1
    assert "Approval needed (Compensation Review)" in notes[0].payload["text"]
    assert not any(d in notes[0].payload["text"] for d in SALARY_DIGITS)


def test_a_mail_handed_over_before_a_lost_worker_is_not_sent_again(engine: Engine, smtp: SmtpHandle) -> None:
    submitted(engine)
    start = utcnow()
    with session_scope(engine) as session:
        [row] = [n for n in notifications.claim_due(session, now=start) if n.channel == "email"]
        assert notifications.mark_handed_over(session, row, now=start)
    result = deliver(engine, smtp, now=start + timedelta(seconds=301))  # the lease is over
    assert smtp.received == []
    assert len(result.dead) == 1
    with session_scope(engine) as session:
        assert notifications.get(session, row.id or 0).last_error == UNCONFIRMED


def test_kinds_name_their_templates() -> None:
    for kind in NotificationKind:
        assert load_prompt(f"notify_{kind.value}").version >= 1
