"""Approvers' view of the chains: what each may decide, the requests of an offer, and escalation of overdue steps."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from offer_engine import audit
from offer_engine.actors import Actor
from offer_engine.approvals import ApprovalRequest, ApprovalStep, RequestState, StepState, may_decide


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
        escalated.append(step)
    session.flush()
    return escalated


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
