"""Delivers due notifications: e-mail over SMTP (plain text and HTML from the versioned templates in
``prompts/notifications``, in the recipient's language) and notes on the iCIMS workflow (through the sync outbox).

A round claims due notifications (committed, with a lease), sends each outside any transaction and records the
outcome in its own. No duplicate mail: the moment before a mail's content goes to the server is committed
(`notifications.mark_handed_over`); a notification claimed again after its worker was lost past that moment is
not sent again but dead-lettered, saying the server may have it (a person can retry it). A refusing or silent
server is retried with back-off, then dead-lettered with its answer; an address that is not an address is never
sent, and dead-lettered at once with that reason.

Mail carries no figure from the offer: names, the job title, a step's name and due time, and a link (review mode
for staff; the candidate's chat link, minted now from the current link generation, never stored).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from offer_engine import access, notifications, outbox
from offer_engine.actors import Actor
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.mail import MailRefusedError, SmtpSettings, is_address, send
from offer_engine.notifications import Channel, Notification, NotificationKind, NotificationState
from offer_engine.offers import Offer
from offer_engine.release import LinkGrant, LinkMinter, link_expiry
from offer_engine.staff import StaffUser
from prompts import load_prompt

log = logging.getLogger(__name__)

UNCONFIRMED = (
    "an earlier attempt stopped while handing the mail to the server, which may have received it; "
    "not sent again to avoid a duplicate (retry to send it anyway)"
)


class UndeliverableError(Exception):
    """No retry can send this notification (no address, not an address, no link); the message is the reason."""


@dataclass(frozen=True)
class NotifyRetry:
    base_seconds: float = 30.0
    max_seconds: float = 1800.0
    lease_seconds: float = 300.0
    batch: int = 20
    max_failures: int = notifications.DEFAULT_MAX_FAILURES

    def backoff(self, failures: int) -> float:
        return float(min(self.max_seconds, self.base_seconds * 2 ** max(0, failures - 1)))


@dataclass(frozen=True)
class Notifier:
    """How notifications go out: the SMTP server, the links, the candidate's address and the iCIMS channel."""

    smtp: SmtpSettings
    public_url: str
    company_name: str
    mint_link: LinkMinter | None = None
    candidate_address: Callable[[int], str | None] | None = None  # iCIMS person id → e-mail (reads iCIMS)
    icims_notes: bool = False
    retry: NotifyRetry = field(default_factory=NotifyRetry)

    def review_url(self, offer_id: int | None) -> str:
        base = self.public_url.rstrip("/")
        return f"{base}/?offer={offer_id}" if offer_id else f"{base}/"


@dataclass
class NotifyRound:
    delivered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)


def deliver_notifications(
    engine: Engine,
    notifier: Notifier,
    *,
    actor: Actor,
    now: datetime | None = None,
    stopping: Callable[[], bool] | None = None,
) -> NotifyRound:
    outcome = NotifyRound()
    moment = now or utcnow()
    with session_scope(engine) as session:
        if not notifications.due_now(session, moment):
            return outcome  # an idle worker writes nothing
        rows = notifications.claim_due(
            session, now=moment, limit=notifier.retry.batch, lease_seconds=notifier.retry.lease_seconds
        )
    for row in rows:
        if stopping is not None and stopping():
            break  # the rest stays in flight until its lease ends: nothing was handed over for it
        _deliver_one(engine, notifier, row, actor, now, outcome)
    return outcome


def _deliver_one(
    engine: Engine, notifier: Notifier, row: Notification, actor: Actor, now: datetime | None, outcome: NotifyRound
) -> None:
    row_id = row.id or 0
    try:
        if row.handed_over_at is not None:
            raise UndeliverableError(UNCONFIRMED)
        if row.channel == Channel.ICIMS.value:
            _leave_note(engine, notifier, row, actor, now or utcnow(), outcome)
            return
        message = _compose(engine, notifier, row, now or utcnow())
        send(notifier.smtp, message, before_content=lambda: _hand_over(engine, row, now or utcnow()))
    except UndeliverableError as exc:
        _failed(engine, row, str(exc), None, actor, now or utcnow(), outcome)
        return
    except Exception as exc:  # the mail server refused or did not answer, or iCIMS did not: retried with back-off
        log.warning("notification %s (%s) failed: %s", row_id, row.kind, exc)
        retry_in = notifier.retry.backoff(row.failures + 1)
        error = str(exc) if isinstance(exc, MailRefusedError) else f"{type(exc).__name__}: {exc}"
        _failed(engine, row, error, retry_in, actor, now or utcnow(), outcome, notifier.retry.max_failures)
        return
    with session_scope(engine) as session:
        done = notifications.mark_delivered(session, row, actor=actor, now=now or utcnow())
    (outcome.delivered if done else outcome.lost).append(row_id)


def _hand_over(engine: Engine, row: Notification, moment: datetime) -> bool:
    with session_scope(engine) as session:
        return notifications.mark_handed_over(session, row, now=moment)


def _failed(
    engine: Engine,
    row: Notification,
    error: str,
    retry_in: float | None,
    actor: Actor,
    moment: datetime,
    outcome: NotifyRound,
    max_failures: int | None = None,
) -> None:
    with session_scope(engine) as session:
        state = notifications.mark_failed(
            session, row, error=error, retry_in_seconds=retry_in, actor=actor, now=moment, max_failures=max_failures
        )
    bucket = {NotificationState.DEAD: outcome.dead, NotificationState.PENDING: outcome.retrying, None: outcome.lost}
    bucket[state].append(row.id or 0)


def _leave_note(
    engine: Engine, notifier: Notifier, row: Notification, actor: Actor, moment: datetime, outcome: NotifyRound
) -> None:
    with session_scope(engine) as session:
        if not notifier.icims_notes or row.workflow_id is None or row.customer_id is None:
            notifications.mark_skipped(session, row, reason="iCIMS notes are off for this tenant", now=moment)
            outcome.skipped.append(row.id or 0)
            return
        marker = f"[offer-assistant:{row.idempotency_key}]"
        text = load_prompt("notify_icims_note").render(
            what=notifications.LABELS.get(row.kind, row.kind),
            step_name=row.payload.get("step_name"),
            link=notifier.review_url(row.offer_id),
        )
        outbox.enqueue(
            session,
            kind=outbox.JobKind.ADD_NOTE,
            idempotency_key=f"notify:{row.idempotency_key}",
            group_key=f"notify:{row.workflow_id}",
            customer_id=row.customer_id,
            workflow_id=row.workflow_id,
            offer_id=row.offer_id,
            payload={"text": f"{text} {marker}", "marker": marker},
            actor=actor,
            now=moment,
        )
        done = notifications.mark_delivered(session, row, actor=actor, now=moment, note="queued as an iCIMS note")
    (outcome.delivered if done else outcome.lost).append(row.id or 0)


# -- composing a mail ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    to: str
    language: str
    variables: dict[str, Any]


def _compose(engine: Engine, notifier: Notifier, row: Notification, moment: datetime) -> EmailMessage:
    with session_scope(engine) as session:
        offer = session.get(Offer, row.offer_id) if row.offer_id is not None else None
        if row.kind in {k.value for k in notifications.CANDIDATE_KINDS}:
            mail = _candidate_mail(session, notifier, offer, moment)
        else:
            mail = _staff_mail(session, notifier, row, offer)
    return render(notifier, row, mail)


def render(notifier: Notifier, row: Notification, mail: Mail) -> EmailMessage:
    """The mail of `row`: subject (the template's first line), plain text and the same text as HTML."""
    template = load_prompt(f"notify_{row.kind}", mail.language)
    text = template.render(company_name=notifier.company_name, **mail.variables)
    subject, _, body = text.partition("\n")
    message = EmailMessage()
    message["Subject"] = subject.strip()
    message["From"] = formataddr((notifier.company_name, notifier.smtp.from_address))
    message["To"] = mail.to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = notifications.message_id(row, notifier.smtp.from_address.rpartition("@")[2])
    message["X-Offer-Assistant-Template"] = template.ref
    message.set_content(body.strip() + "\n")
    message.add_alternative(_html(body.strip(), str(mail.variables.get("link", ""))), subtype="html")
    return message


def _html(text: str, link: str) -> str:
    paragraphs = []
    for block in text.split("\n\n"):
        shown = html.escape(block).replace("\n", "<br>")
        if link:
            escaped = html.escape(link)
            shown = shown.replace(escaped, f'<a href="{escaped}">{escaped}</a>')
        paragraphs.append(f"<p>{shown}</p>")
    return "<!doctype html><html><body>" + "".join(paragraphs) + "</body></html>"


def _context(offer: Offer | None) -> dict[str, str]:
    letter = (offer.attributes.get("letter_context") or {}) if offer is not None else {}
    return {
        "candidate_name": str(letter.get("candidate_name") or "the candidate"),
        "job_title": str(letter.get("job_title") or ""),
        "language": str(letter.get("language") or "en"),
        "first_name": str(letter.get("candidate_first_name") or letter.get("candidate_name") or ""),
    }


def _staff_mail(session: Session, notifier: Notifier, row: Notification, offer: Offer | None) -> Mail:
    if not is_address(row.address):
        raise UndeliverableError(f"{row.address!r} is not an e-mail address: not sent")
    user = session.get(StaffUser, row.staff_user_id) if row.staff_user_id is not None else None
    context = _context(offer)
    variables: dict[str, Any] = {
        "recipient_name": user.display_name if user is not None else "",
        "candidate_name": context["candidate_name"],
        "job_title": context["job_title"],
        "step_name": row.payload.get("step_name", ""),
        "due": _due(row.payload.get("due_at")),
        "link": notifier.review_url(row.offer_id),
        "offer_id": row.offer_id,
    }
    if row.kind == NotificationKind.DIGEST.value:
        variables["items"] = [_digest_line(session, item) for item in row.payload.get("items", [])]
    return Mail(to=str(row.address), language="en", variables=variables)


def _digest_line(session: Session, item: dict[str, Any]) -> str:
    offer = session.get(Offer, item.get("offer_id")) if item.get("offer_id") is not None else None
    context = _context(offer)
    about = context["candidate_name"] + (f" ({context['job_title']})" if context["job_title"] else "")
    step = f", {item['step_name']}" if item.get("step_name") else ""
    due = f", due {_due(item['due_at'])}" if item.get("due_at") else ""
    return f"{notifications.LABELS.get(str(item.get('kind')), 'Notification')}: {about}{step}{due}"


def _candidate_mail(session: Session, notifier: Notifier, offer: Offer | None, moment: datetime) -> Mail:
    if offer is None or offer.person_id is None:
        raise UndeliverableError("the offer has no candidate to write to")
    if notifier.candidate_address is None or notifier.mint_link is None:
        raise UndeliverableError("this worker cannot read candidates' addresses or mint chat links")
    address = notifier.candidate_address(offer.person_id)  # an iCIMS failure propagates: retried
    if not address:
        raise UndeliverableError("iCIMS holds no e-mail address for the candidate: not sent")
    if not is_address(address):
        raise UndeliverableError(f"the candidate's e-mail in iCIMS ({address!r}) is not an address: not sent")
    try:
        generation = access.current_generation(session, offer.customer_id, offer.workflow_id)
    except access.AccessDeniedError as exc:
        raise UndeliverableError("the candidate's chat link is revoked: not sent") from exc
    expires = link_expiry(session, offer, now=moment)
    if expires <= moment:
        raise UndeliverableError("the offer expired before the mail could be sent")
    grant = LinkGrant(
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer.id or 0,
        generation=generation,
        expires_at=expires,
    )
    context = _context(offer)
    variables = {
        "candidate_name": context["first_name"] or context["candidate_name"],
        "link": notifier.mint_link(grant),
    }
    return Mail(to=address, language=context["language"], variables=variables)


def _due(value: Any) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(str(value)).strftime("%d %b %Y, %H:%M UTC")
