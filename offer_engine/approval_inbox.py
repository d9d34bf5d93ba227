"""Approvers' view of the chains: what each may decide, the requests of an offer, and escalation of overdue steps."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from offer_engine import audit
from offer_engine.actors import Actor
from offer_engine.approvals import ApprovalRequest, ApprovalStep, RequestState, StepState, may_decide
from offer_engine.notify_events import notify_step_escalated, notify_step_reminder
from offer_engine.offers import Offer, get_offer


def escalate_overdue(session: Session, *, now: datetime, actor: Actor) -> list[ApprovalStep]:
    """Escalate every active step past its due time (a worker step); each gets a fresh due time."""
    statement = select(ApprovalStep).where(ApprovalStep.state == StepState.ACTIVE.value, col(ApprovalStep.due_at) < now)
    escalated = []
    for step in session.exec(statement.with_for_update(skip_locked=True)):
        step.escalation_level += 1
        step.escalated_at = now
        step.due_at = now + timedelta(hours=step.sla_hours)
        session.add(step)
        audit.record(
            session,
            actor=actor,
            action="approval.step_escalated",
            subject_type="approval_step",
            subject_id=step.id or 0,
            details={"key": step.key, "level": step.escalation_level, "escalate_to_role": step.escalate_to_role},
            occurred_at=now,
        )
        notify_step_escalated(
            session,
            _offer_of(session, step),
            step_id=step.id or 0,
            step_name=step.name,
            escalate_to_role=step.escalate_to_role,
            approver_role=step.approver_role,
            level=step.escalation_level,
            due_at=step.due_at,
            actor=actor,
            now=now,
        )
        escalated.append(step)
    session.flush()
    return escalated


def reminder_due(session: Session, *, now: datetime, before: timedelta) -> bool:
    """Whether an open step falls due within `before` (a reminder may be owed)."""
    statement = select(ApprovalStep.id).where(
        ApprovalStep.state == StepState.ACTIVE.value,
        col(ApprovalStep.due_at) >= now,
        col(ApprovalStep.due_at) <= now + before,
    )
    return session.exec(statement.limit(1)).first() is not None


def remind_due_soon(session: Session, *, now: datetime, before: timedelta, actor: Actor) -> int:
    """Remind the approvers of every open step falling due within `before`, once per due time (a step that
    became active with less than `before` left is reminded too: its approvers were told when it started)."""
    statement = select(ApprovalStep).where(
        ApprovalStep.state == StepState.ACTIVE.value,
        col(ApprovalStep.due_at) >= now,
        col(ApprovalStep.due_at) <= now + before,
    )
    reminded = 0
    for step in session.exec(statement):
        if step.due_at is None or (step.activated_at is not None and step.due_at - step.activated_at <= before):
            continue  # a step short from the start: its "waiting" mail already said when it is due
        queued = notify_step_reminder(
            session,
            _offer_of(session, step),
            step_id=step.id or 0,
            step_name=step.name,
            approver_role=step.approver_role,
            assignees=list(step.assignees),
            due_at=step.due_at,
            actor=actor,
            now=now,
        )
        reminded += bool(queued)
    return reminded


def _offer_of(session: Session, step: ApprovalStep) -> Offer:
    request = session.get(ApprovalRequest, step.request_id)
    assert request is not None
    return get_offer(session, request.offer_id)


def open_steps_for(session: Session, actor: Actor) -> list[tuple[ApprovalStep, ApprovalRequest]]:
    """Active steps of pending requests that `actor` may decide, most urgent first."""
    statement = (
        select(ApprovalStep, ApprovalRequest)
        .join(ApprovalRequest, col(ApprovalRequest.id) == ApprovalStep.request_id)
        .where(ApprovalStep.state == StepState.ACTIVE.value, ApprovalRequest.state == RequestState.PENDING.value)
        .order_by(col(ApprovalStep.due_at))
    )
    return [(step, request) for step, request in session.exec(statement) if may_decide(step, actor)]


def requests_for(session: Session, offer_id: int) -> list[ApprovalRequest]:
    statement = select(ApprovalRequest).where(ApprovalRequest.offer_id == offer_id).order_by(col(ApprovalRequest.id))
    return list(session.exec(statement))


def steps_of(session: Session, request_id: int) -> list[ApprovalStep]:
    statement = select(ApprovalStep).where(ApprovalStep.request_id == request_id).order_by(col(ApprovalStep.position))
    return list(session.exec(statement))
