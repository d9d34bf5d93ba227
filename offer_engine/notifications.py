"""The notification outbox: what must reach a person (staff or the candidate), stored in the same transaction as
the change that calls for it, delivered by the workers (`offer_engine.notify_delivery`).

Like the sync outbox (`offer_engine.outbox`): a unique idempotency key per notification (enqueuing twice yields
the same row), attempts, back-off, a lease on claims (``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a guarded
UPDATE everywhere), a dead state with its reason and `requeue`. Unlike it, notifications are not ordered per
workflow: each mail goes on its own.

A row holds references, never a figure from the offer and never a live link: the candidate's chat link is
minted when the mail is delivered, the candidate's address is read from iCIMS then. Staff rows hold the
user's address as it was when the notification was made.

Staff choose per person (`set_preference`): ``off`` (nothing is queued for them), ``immediate`` (the default)
or ``digest`` (kept for the daily digest, `queue_digests`, one mail a day listing what waits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, and_, or_, update
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit, leases, requisitions
from offer_engine.actors import Actor, Role
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.db import add_once
from offer_engine.errors import IllegalTransitionError, InvalidInputError, NotFoundError
from offer_engine.offers import Offer
from offer_engine.staff import StaffUser

DEFAULT_MAX_FAILURES = 6


class NotificationKind(StrEnum):
    DRAFT_WAITING = "draft_waiting"  # staff: a new draft waits for review
    COUNTER_WAITING = "counter_waiting"  # staff: the candidate's counter-offer waits
    HANDOFF_WAITING = "handoff_waiting"  # staff: the candidate asked for a person
    APPROVAL_WAITING = "approval_waiting"  # staff: an approval step waits for them
    APPROVAL_REMINDER = "approval_reminder"  # staff: an approval step is due soon
    APPROVAL_ESCALATED = "approval_escalated"  # staff: an overdue step escalated to them
    LETTER_SIGNED = "letter_signed"  # staff: the candidate signed the released letter
    DIGEST = "digest"  # staff: the daily list of what waits
    RECRUITER_REPLY = "recruiter_reply"  # candidate: a recruiter replied in the chat
    LETTER_RELEASED = "letter_released"  # candidate: the offer letter is ready to read


CANDIDATE_KINDS = frozenset({NotificationKind.RECRUITER_REPLY, NotificationKind.LETTER_RELEASED})
LABELS = {  # how people read each kind: review mode, digest lines, iCIMS notes
    NotificationKind.DRAFT_WAITING.value: "New draft to review",
    NotificationKind.COUNTER_WAITING.value: "Counter-offer to review",
    NotificationKind.HANDOFF_WAITING.value: "Question passed to a person",
    NotificationKind.APPROVAL_WAITING.value: "Approval needed",
    NotificationKind.APPROVAL_REMINDER.value: "Approval due soon",
    NotificationKind.APPROVAL_ESCALATED.value: "Overdue approval escalated",
    NotificationKind.LETTER_SIGNED.value: "Offer letter signed",
    NotificationKind.DIGEST.value: "Daily digest",
    NotificationKind.RECRUITER_REPLY.value: "Recruiter's reply (to the candidate)",
    NotificationKind.LETTER_RELEASED.value: "Letter released (to the candidate)",
}


class Channel(StrEnum):
    EMAIL = "email"
    ICIMS = "icims"  # a note on the workflow (through the sync outbox)


class NotificationState(StrEnum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DELIVERED = "delivered"
    DEAD = "dead"
    FOR_DIGEST = "for_digest"  # waits for the recipient's daily digest
    DIGESTED = "digested"  # listed in a digest that was queued
    SKIPPED = "skipped"  # the channel is off for this tenant


class Preference(StrEnum):
    OFF = "off"
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    channel: str
    idempotency_key: str = Field(unique=True)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_users.id", index=True)
    address: str | None = None  # staff: their address when queued; candidate: read from iCIMS at delivery
    offer_id: int | None = Field(default=None, foreign_key="offers.id", index=True)
    customer_id: int | None = None
    workflow_id: int | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    state: str = Field(default=NotificationState.PENDING.value, index=True)
    attempts: int = 0
    failures: int = 0
    max_failures: int = DEFAULT_MAX_FAILURES
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    claim_token: str | None = None
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set (committed) just before the mail's content goes to the server: a claim that finds it set cannot
    # know whether the server kept the mail, so it is not sent again (no duplicate), but dead-lettered.
    handed_over_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dead_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preferences"

    staff_user_id: int = Field(foreign_key="staff_users.id", primary_key=True)
    mode: str = Preference.IMMEDIATE.value
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


# -- preferences ---------------------------------------------------------------------------------------------


def preference_of(session: Session, staff_user_id: int) -> Preference:
    row = session.get(NotificationPreference, staff_user_id)
    return Preference(row.mode) if row is not None else Preference.IMMEDIATE


def set_preference(
    session: Session, user: StaffUser, mode: Preference | str, *, actor: Actor, now: datetime | None = None
) -> Preference:
    """A staff user's own choice (or an admin's for them): off, immediate or daily digest."""
    try:
        chosen = Preference(mode)
    except ValueError as exc:
        raise InvalidInputError(f"notifications can be off, immediate or digest, not {mode!r}") from exc
    if actor.id != user.username and not actor.has_role(Role.ADMIN):
        raise InvalidInputError("only the user or an admin may change their notification preference")
    moment = now or utcnow()
    row = session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(staff_user_id=user.id or 0)
    row.mode, row.updated_at = chosen.value, moment
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="notification.preference_set",
        subject_type="staff_user",
        subject_id=user.id or 0,
        details={"mode": chosen.value},
        occurred_at=moment,
    )
    return chosen


# -- who is told ---------------------------------------------------------------------------------------------


def staff_with_roles(session: Session, offer: Offer, roles: Iterable[Role | str]) -> list[StaffUser]:
    """Active staff holding any of `roles` who may see `offer`; a job whose recruiter iCIMS names as one of our
    staff users goes to that recruiter only (the other recruiters are not disturbed)."""
    wanted = {Role(r).value for r in roles}
    users = [
        u
        for u in session.exec(select(StaffUser).where(col(StaffUser.active).is_(True)).order_by(col(StaffUser.id)))
        if wanted & set(u.roles) and requisitions.can_see(session, u, offer)
    ]
    owner = requisitions.owner_of(session, offer.customer_id, offer.job_id) if offer.job_id is not None else None
    named = owner.recruiter_person_id if owner is not None else None
    if Role.RECRUITER.value in wanted and named is not None:
        own = [u for u in users if Role.RECRUITER.value in u.roles and u.icims_person_id == named]
        if own:
            others = [u for u in users if wanted - {Role.RECRUITER.value} & set(u.roles)]
            users = [*own, *(u for u in others if u not in own)]
    return users


def staff_named(session: Session, usernames: Iterable[str]) -> list[StaffUser]:
    names = list(usernames)
    if not names:
        return []
    statement = select(StaffUser).where(col(StaffUser.username).in_(names), col(StaffUser.active).is_(True))
    return list(session.exec(statement.order_by(col(StaffUser.id))))


# -- queueing ------------------------------------------------------------------------------------------------


def notify_staff(
    session: Session,
    kind: NotificationKind,
    offer: Offer,
    users: Iterable[StaffUser],
    *,
    event_key: str,
    details: dict[str, Any] | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> list[Notification]:
    """Queue `kind` about `offer` for each of `users` (by their preference) and one iCIMS note for the workflow.
    `event_key` names the change (e.g. ``step:12:waiting``): the same event never notifies anyone twice.
    `details` are references and words only (a step's name, a due time), never an offer's figure."""
    moment = now or utcnow()
    payload = {"offer_id": offer.id, **(details or {})}
    queued = []
    for user in users:
        mode = preference_of(session, user.id or 0)
        if mode is Preference.OFF or not user.email:
            continue
        state = NotificationState.FOR_DIGEST if mode is Preference.DIGEST else NotificationState.PENDING
        key = f"{kind.value}:{event_key}:user:{user.id}"
        row = _enqueue(
            session, key, kind, Channel.EMAIL, offer, payload, state, actor, moment, user=user, address=user.email
        )
        queued.append(row)
    note_key = f"{kind.value}:{event_key}:icims"
    queued.append(
        _enqueue(session, note_key, kind, Channel.ICIMS, offer, payload, NotificationState.PENDING, actor, moment)
    )
    return queued


def notify_candidate(
    session: Session,
    kind: NotificationKind,
    offer: Offer,
    *,
    event_key: str,
    actor: Actor,
    now: datetime | None = None,
) -> Notification | None:
    """Queue `kind` for the offer's candidate (their address and chat link are resolved when it is sent)."""
    if offer.person_id is None:
        return None
    key = f"{kind.value}:{event_key}:candidate"
    payload = {"offer_id": offer.id, "person_id": offer.person_id}
    return _enqueue(
        session, key, kind, Channel.EMAIL, offer, payload, NotificationState.PENDING, actor, now or utcnow()
    )


def _enqueue(
    session: Session,
    key: str,
    kind: NotificationKind,
    channel: Channel,
    offer: Offer | None,
    payload: dict[str, Any],
    state: NotificationState,
    actor: Actor,
    moment: datetime,
    *,
    user: StaffUser | None = None,
    address: str | None = None,
) -> Notification:
    existing = find(session, key)
    if existing is not None:
        return existing
    row = Notification(
        kind=kind.value,
        channel=channel.value,
        idempotency_key=key,
        staff_user_id=user.id if user is not None else None,
        address=address,
        offer_id=offer.id if offer is not None else None,
        customer_id=offer.customer_id if offer is not None else None,
        workflow_id=offer.workflow_id if offer is not None else None,
        payload=payload,
        state=state.value,
        next_attempt_at=moment,
        created_at=moment,
    )
    row, new = add_once(session, row, lambda: find(session, key))
    if not new:  # a concurrent enqueue of the same key won
        return row
    _record(session, actor, "notification.queued", row, {"kind": kind.value, "channel": channel.value}, moment)
    return row


def find(session: Session, idempotency_key: str) -> Notification | None:
    statement = select(Notification).where(Notification.idempotency_key == idempotency_key)
    return session.exec(statement).one_or_none()


def get(session: Session, notification_id: int) -> Notification:
    row = session.get(Notification, notification_id, populate_existing=True)
    if row is None:
        raise NotFoundError(f"notification {notification_id} does not exist")
    return row


def list_notifications(
    session: Session, *, states: Iterable[NotificationState] | None = None, limit: int = 200
) -> list[Notification]:
    statement = select(Notification).order_by(col(Notification.id)).limit(limit)
    if states is not None:
        statement = statement.where(col(Notification.state).in_([s.value for s in states]))
    return list(session.exec(statement))


# -- the daily digest ----------------------------------------------------------------------------------------


def queue_digests(session: Session, *, day: date, actor: Actor, now: datetime | None = None) -> list[Notification]:
    """One digest per staff user with items kept for it: the items are listed by reference and marked digested,
    in this transaction, so each is in exactly one digest. Idempotent per user and day."""
    moment = now or utcnow()
    waiting = list(
        session.exec(
            select(Notification)
            .where(Notification.state == NotificationState.FOR_DIGEST.value)
            .order_by(col(Notification.id))
        )
    )
    by_user: dict[int, list[Notification]] = {}
    for row in waiting:
        by_user.setdefault(row.staff_user_id or 0, []).append(row)
    digests = []
    for user_id, rows in by_user.items():
        user = session.get(StaffUser, user_id)
        if user is None or not user.email:
            continue
        items = [{"kind": r.kind, "offer_id": r.offer_id, **_words(r.payload)} for r in rows]
        key = f"digest:{day.isoformat()}:user:{user_id}"
        existing = find(session, key)
        if existing is not None:  # the day's digest went out: what came after waits for tomorrow's
            continue
        digest = _enqueue(
            session,
            key,
            NotificationKind.DIGEST,
            Channel.EMAIL,
            None,
            {"items": items, "day": day.isoformat()},
            NotificationState.PENDING,
            actor,
            moment,
            user=user,
            address=user.email,
        )
        session.execute(
            update(Notification)
            .where(col(Notification.id).in_([r.id for r in rows]))
            .values(state=NotificationState.DIGESTED.value)
            .execution_options(synchronize_session=False)
        )
        digests.append(digest)
    return digests


def _words(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k in ("step_name", "due_at", "candidate_name", "job_title")}


def digest_waiting(session: Session) -> bool:
    statement = select(Notification.id).where(Notification.state == NotificationState.FOR_DIGEST.value)
    return session.exec(statement.limit(1)).first() is not None


# -- claims and outcomes -------------------------------------------------------------------------------------


def _claimable(now: datetime) -> Any:
    return or_(
        and_(col(Notification.state) == NotificationState.PENDING.value, col(Notification.next_attempt_at) <= now),
        and_(col(Notification.state) == NotificationState.IN_FLIGHT.value, col(Notification.lease_expires_at) < now),
    )


def due_now(session: Session, now: datetime) -> bool:
    return session.exec(select(Notification.id).where(_claimable(now)).limit(1)).first() is not None


def claim_due(session: Session, *, now: datetime, limit: int = 20, lease_seconds: float = 120.0) -> list[Notification]:
    """Take up to `limit` due notifications, oldest first (the caller commits before sending them)."""
    ids = leases.claim(session, Notification, _claimable(now), now=now, limit=limit, lease_seconds=lease_seconds)
    return [get(session, row_id) for row_id in ids]


def _owned(session: Session, row: Notification, values: dict[str, Any]) -> bool:
    return leases.update_if_owned(session, Notification, row, values)


def mark_handed_over(session: Session, row: Notification, *, now: datetime) -> bool:
    """Record that the mail's content is about to go to the server (commit before sending it)."""
    return _owned(session, row, {"handed_over_at": now})


def mark_delivered(
    session: Session, row: Notification, *, actor: Actor, now: datetime, note: str | None = None
) -> bool:
    done = _owned(
        session,
        row,
        {
            "state": NotificationState.DELIVERED.value,
            "delivered_at": now,
            "lease_expires_at": None,
            "claim_token": None,
        },
    )
    if done:
        _record(session, actor, "notification.delivered", row, {"kind": row.kind, "note": note}, now)
    return done


def mark_skipped(session: Session, row: Notification, *, reason: str, now: datetime) -> bool:
    return _owned(
        session,
        row,
        {
            "state": NotificationState.SKIPPED.value,
            "delivered_at": now,
            "last_error": reason[:2000],
            "lease_expires_at": None,
            "claim_token": None,
        },
    )


def mark_failed(
    session: Session,
    row: Notification,
    *,
    error: str,
    retry_in_seconds: float | None,
    actor: Actor,
    now: datetime,
    max_failures: int | None = None,
) -> NotificationState | None:
    """Retry after `retry_in_seconds`, or dead (with `error` as the reason) when out of tries (`max_failures`,
    else the row's own) or not retryable; None if the claim was lost meanwhile."""
    failures = row.failures + 1
    dead = retry_in_seconds is None or failures >= (max_failures or row.max_failures)
    values: dict[str, Any] = {
        "failures": failures,
        "last_error": error[:2000],
        "lease_expires_at": None,
        "claim_token": None,
    }
    if dead:
        values.update(state=NotificationState.DEAD.value, dead_at=now)
    else:
        values.update(
            state=NotificationState.PENDING.value, next_attempt_at=now + timedelta(seconds=retry_in_seconds or 0)
        )
    if not _owned(session, row, values):
        return None
    if dead:
        _record(session, actor, "notification.dead_lettered", row, {"kind": row.kind, "error": error[:500]}, now)
    return NotificationState.DEAD if dead else NotificationState.PENDING


def requeue(session: Session, notification_id: int, *, actor: Actor, now: datetime | None = None) -> Notification:
    """Give a dead notification a fresh set of tries (after its cause was fixed, or to send an unconfirmed mail
    anyway)."""
    row = get(session, notification_id)
    if row.state != NotificationState.DEAD.value:
        raise IllegalTransitionError(f"notification {notification_id}", row.state, "pending", "only dead ones")
    moment = now or utcnow()
    row.state, row.failures, row.next_attempt_at = NotificationState.PENDING.value, 0, moment
    row.dead_at, row.handed_over_at = None, None
    session.add(row)
    session.flush()
    _record(session, actor, "notification.requeued", row, {"kind": row.kind, "last_error": row.last_error}, moment)
    return row


def message_id(row: Notification, domain: str) -> str:
    """The same Message-ID on every attempt: a mail client shows a repeated delivery once."""
    digest = hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:24]
    return f"<notification-{digest}@{domain}>"


def _record(
    session: Session, actor: Actor, action: str, row: Notification, details: dict[str, Any], at: datetime
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="notification",
        subject_id=row.id or 0,
        icims={"customer_id": row.customer_id, "workflow_id": row.workflow_id} if row.workflow_id else None,
        details={"offer_id": row.offer_id, "channel": row.channel, **details},
        occurred_at=at,
    )
