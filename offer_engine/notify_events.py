"""The changes that tell a person something: one function per event, called in the transaction of the change.

Each decides who is told (`offer_engine.notifications.staff_with_roles`, a step's named approvers, the candidate)
and names the event so that it notifies nobody twice. Staff events also leave a note on the iCIMS workflow.
Nothing here carries a figure from the offer: only references and words (a step's name, its due time).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from offer_engine.actors import Actor, Role
from offer_engine.letter_store import Letter
from offer_engine.notifications import (
    Notification,
    NotificationKind,
    notify_candidate,
    notify_staff,
    staff_named,
    staff_with_roles,
)
from offer_engine.offers import Offer


def notify_draft_created(session: Session, offer: Offer, *, actor: Actor, now: datetime | None = None) -> None:
    """A new draft waits for review: its recruiter and the compensation partners."""
    users = staff_with_roles(session, offer, [Role.RECRUITER, Role.COMPENSATION])
    notify_staff(
        session,
        NotificationKind.DRAFT_WAITING,
        offer,
        users,
        event_key=f"offer:{offer.id}:v{offer.current_version_number}",
        actor=actor,
        now=now,
    )


def notify_counter_queued(
    session: Session, offer: Offer, counter_id: int, *, actor: Actor, now: datetime | None = None
) -> None:
    users = staff_with_roles(session, offer, [Role.RECRUITER])
    notify_staff(
        session, NotificationKind.COUNTER_WAITING, offer, users, event_key=f"counter:{counter_id}", actor=actor, now=now
    )


def notify_handoff_requested(
    session: Session, offer: Offer, request_id: int, *, actor: Actor, now: datetime | None = None
) -> None:
    users = staff_with_roles(session, offer, [Role.RECRUITER])
    notify_staff(
        session, NotificationKind.HANDOFF_WAITING, offer, users, event_key=f"request:{request_id}", actor=actor, now=now
    )


def notify_step_waiting(
    session: Session,
    offer: Offer,
    *,
    step_id: int,
    step_name: str,
    approver_role: str,
    assignees: list[str],
    due_at: datetime,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """An approval step became active: its named approvers, else the holders of its role."""
    users = staff_named(session, assignees) if assignees else staff_with_roles(session, offer, [approver_role])
    details = {"step_name": step_name, "due_at": due_at.isoformat()}
    notify_staff(
        session,
        NotificationKind.APPROVAL_WAITING,
        offer,
        users,
        event_key=f"step:{step_id}",
        details=details,
        actor=actor,
        now=now,
    )


def notify_step_reminder(
    session: Session,
    offer: Offer,
    *,
    step_id: int,
    step_name: str,
    approver_role: str,
    assignees: list[str],
    due_at: datetime,
    actor: Actor,
    now: datetime | None = None,
) -> list[Notification]:
    """The step falls due soon and is still open (once per due time: an escalation sets a new one)."""
    users = staff_named(session, assignees) if assignees else staff_with_roles(session, offer, [approver_role])
    return notify_staff(
        session,
        NotificationKind.APPROVAL_REMINDER,
        offer,
        users,
        event_key=f"step:{step_id}:due:{due_at.isoformat()}",
        details={"step_name": step_name, "due_at": due_at.isoformat()},
        actor=actor,
        now=now,
    )


def notify_step_escalated(
    session: Session,
    offer: Offer,
    *,
    step_id: int,
    step_name: str,
    escalate_to_role: str | None,
    approver_role: str,
    level: int,
    due_at: datetime,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """An overdue step escalated: the escalation role (the step's own role when the policy names none)."""
    users = staff_with_roles(session, offer, [escalate_to_role or approver_role])
    notify_staff(
        session,
        NotificationKind.APPROVAL_ESCALATED,
        offer,
        users,
        event_key=f"step:{step_id}:escalated:{level}",
        details={"step_name": step_name, "due_at": due_at.isoformat()},
        actor=actor,
        now=now,
    )


def notify_recruiter_reply(
    session: Session, offer: Offer, message_id: int, *, actor: Actor, now: datetime | None = None
) -> None:
    notify_candidate(
        session, NotificationKind.RECRUITER_REPLY, offer, event_key=f"message:{message_id}", actor=actor, now=now
    )


def notify_letter_released(session: Session, offer: Offer, *, actor: Actor, now: datetime | None = None) -> None:
    notify_candidate(
        session,
        NotificationKind.LETTER_RELEASED,
        offer,
        event_key=f"offer:{offer.id}:released:v{offer.current_version_number}",
        actor=actor,
        now=now,
    )


def notify_letter_signed(
    session: Session, offer: Offer, letter: Letter, *, actor: Actor, now: datetime | None = None
) -> None:
    """The candidate signed the released letter: the offer's recruiter (call in the signature's transaction)."""
    users = staff_with_roles(session, offer, [Role.RECRUITER])
    notify_staff(
        session,
        NotificationKind.LETTER_SIGNED,
        offer,
        users,
        event_key=f"letter:{letter.id}:signed",
        actor=actor,
        now=now,
    )
