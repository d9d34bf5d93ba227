"""Approval chains: ordered steps built from the company policy for one offer version.

A step is decided by holders of its approver role (or the named approver), needs its quorum of approvals
(all named approvers / any one / N distinct approvers) and has a due time; an overdue step escalates to its
escalation role, which may then decide it too. One rejection rejects the request. A new version voids the
open request (see `versions.add_version`). Role checks happen here, in the service, for every decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor, Role
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.errors import (
    AlreadyDecidedError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from offer_engine.letter_store import require_passing_letter
from offer_engine.notify_events import notify_step_waiting
from offer_engine.offers import Offer, OfferState, get_offer, require_state, transition


class RequestState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    VOIDED = "voided"


class StepState(StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    APPROVED = "approved"
    REJECTED = "rejected"
    VOIDED = "voided"


class StepSpec(Protocol):
    """What the policy says a step is (`offer_engine.policy.ApprovalStepSpec` satisfies it)."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def approver_role(self) -> str: ...
    @property
    def approver_user(self) -> str | None: ...
    @property
    def quorum(self) -> Literal["all", "any"] | int: ...
    @property
    def sla_hours(self) -> int: ...
    @property
    def escalate_to_role(self) -> str | None: ...
    @property
    def reasons(self) -> list[str]: ...


class ApprovalRequest(SQLModel, table=True):
    __tablename__ = "approval_requests"

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offers.id", index=True)
    version_id: int = Field(foreign_key="offer_versions.id", index=True)
    version_number: int
    letter_id: int | None = Field(default=None, foreign_key="letters.id")
    state: str = Field(default=RequestState.PENDING.value, index=True)
    submitted_by: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    close_reason: str | None = None


class ApprovalStep(SQLModel, table=True):
    __tablename__ = "approval_steps"
    __table_args__ = (UniqueConstraint("request_id", "position", name="uq_approval_steps_position"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="approval_requests.id", index=True)
    position: int
    key: str
    name: str
    approver_role: str
    assignees: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    quorum: str  # "all" | "any" | "<N>"
    required_approvals: int
    sla_hours: int
    escalate_to_role: str | None = None
    reasons: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    state: str = Field(default=StepState.WAITING.value, index=True)
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    escalation_level: int = 0
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApprovalDecision(SQLModel, table=True):
    __tablename__ = "approval_decisions"
    __table_args__ = (UniqueConstraint("step_id", "approver_id", name="uq_approval_decisions_approver"),)

    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(foreign_key="approval_steps.id", index=True)
    request_id: int = Field(foreign_key="approval_requests.id", index=True)
    approver_id: str
    approver_roles: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    approve: bool
    comment: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


@dataclass(frozen=True)
class DecisionOutcome:
    request: ApprovalRequest
    step: ApprovalStep
    offer: Offer

    @property
    def request_state(self) -> RequestState:
        return RequestState(self.request.state)


def required_approvals(quorum: Literal["all", "any"] | int | str, assignees: list[str]) -> int:
    """How many distinct approvals a step needs: all named approvers (or one role holder), any one, or N."""
    if quorum == "any":
        return 1
    if quorum == "all":
        return max(len(assignees), 1)
    count = int(quorum)
    if count < 1:
        raise ValueError(f"quorum must be 'all', 'any' or a positive number, not {quorum!r}")
    return count


def start_chain(
    session: Session,
    offer: Offer,
    specs: list[StepSpec],
    *,
    actor: Actor,
    now: datetime | None = None,
) -> ApprovalRequest:
    """Submit the offer's current version for approval; needs a letter that passed its compliance check."""
    from offer_engine.versions import require_current_version  # imported here: versions imports approvals

    assert offer.id is not None
    offer = get_offer(session, offer.id, lock=True)
    actor.require_role(Role.RECRUITER, Role.HIRING_MANAGER, action="submit an offer for approval")
    require_state(offer, {OfferState.IN_REVIEW}, "submit for approval")
    version = require_current_version(session, offer)
    letter = require_passing_letter(session, version)
    moment = now or utcnow()
    request = ApprovalRequest(
        offer_id=version.offer_id,
        version_id=version.id or 0,
        version_number=version.number,
        letter_id=letter.id,
        submitted_by=actor.label,
        created_at=moment,
    )
    session.add(request)
    session.flush()
    steps = [_new_step(request, position, spec) for position, spec in enumerate(specs, start=1)]
    session.add_all(steps)
    transition(
        session,
        offer,
        OfferState.PENDING_APPROVAL,
        actor=actor,
        reason="submitted for approval",
        now=moment,
        by_approval_chain=True,
    )
    _audit(session, actor, "approval.requested", request, offer, {"steps": [s.key for s in steps]}, moment)
    if steps:
        _activate(session, steps[0], actor, moment)
    else:
        _close(session, request, offer, RequestState.APPROVED, actor, "no approval step applies", moment)
    session.flush()
    return request


def _new_step(request: ApprovalRequest, position: int, spec: StepSpec) -> ApprovalStep:
    assignees = [spec.approver_user] if spec.approver_user else []
    Role(spec.approver_role)  # an unknown role is a policy error: fail before anything is stored
    return ApprovalStep(
        request_id=request.id or 0,
        position=position,
        key=spec.key,
        name=spec.name,
        approver_role=spec.approver_role,
        assignees=assignees,
        quorum=str(spec.quorum),
        required_approvals=required_approvals(spec.quorum, assignees),
        sla_hours=spec.sla_hours,
        escalate_to_role=spec.escalate_to_role,
        reasons=list(spec.reasons),
    )


def _activate(session: Session, step: ApprovalStep, actor: Actor, moment: datetime) -> None:
    step.state = StepState.ACTIVE.value
    step.activated_at = moment
    step.due_at = moment + timedelta(hours=step.sla_hours)
    session.add(step)
    audit.record(
        session,
        actor=actor,
        action="approval.step_activated",
        subject_type="approval_step",
        subject_id=_id(step),
        details={"key": step.key, "role": step.approver_role, "due_at": step.due_at.isoformat()},
        occurred_at=moment,
    )
    notify_step_waiting(
        session,
        get_offer(session, _get_request(session, step.request_id).offer_id),
        step_id=_id(step),
        step_name=step.name,
        approver_role=step.approver_role,
        assignees=list(step.assignees),
        due_at=step.due_at,
        actor=actor,
        now=moment,
    )


def may_decide(step: ApprovalStep, actor: Actor) -> bool:
    """Named approvers decide their step; otherwise holders of its role; after escalation also the target role."""
    if not actor.kind.is_staff:
        return False
    if actor.has_role(Role.ADMIN):
        return True
    if step.escalation_level and step.escalate_to_role and actor.has_role(Role(step.escalate_to_role)):
        return True
    if step.assignees:
        return actor.id in step.assignees
    return actor.has_role(Role(step.approver_role))


def decide(
    session: Session,
    step_id: int,
    *,
    actor: Actor,
    approve: bool,
    comment: str | None = None,
    now: datetime | None = None,
) -> DecisionOutcome:
    """Approve or reject one step; closes the request when it is rejected or its last step is approved."""
    request = _get_request(session, _get_step(session, step_id).request_id)
    offer = get_offer(session, request.offer_id, lock=True)
    step, request = _get_step(session, step_id), _get_request(session, request.id or 0)  # re-read under the lock
    _check_decidable(step, request, offer, actor, approve, comment)
    if session.exec(
        select(ApprovalDecision).where(ApprovalDecision.step_id == step_id, ApprovalDecision.approver_id == actor.id)
    ).first():
        raise AlreadyDecidedError(f"{actor.id} has already decided step {step_id}")
    moment = now or utcnow()
    decision = ApprovalDecision(
        step_id=step_id,
        request_id=_id(request),
        approver_id=actor.id,
        approver_roles=sorted(r.value for r in actor.roles),
        approve=approve,
        comment=comment,
        created_at=moment,
    )
    session.add(decision)
    action = "approval.approved" if approve else "approval.rejected"
    _audit(session, actor, action, request, offer, {"step": step.key, "comment": comment}, moment, step)
    if not approve:
        _finish_step(session, step, StepState.REJECTED, moment)
        _close(session, request, offer, RequestState.REJECTED, actor, f"rejected at {step.name}", moment)
    elif _approvals(session, step_id) >= step.required_approvals:
        _finish_step(session, step, StepState.APPROVED, moment)
        following = _next_step(session, request, step)
        if following is not None:
            _activate(session, following, actor, moment)
        else:
            _close(session, request, offer, RequestState.APPROVED, actor, "every step approved", moment)
    session.flush()
    return DecisionOutcome(request=request, step=step, offer=offer)


def _check_decidable(
    step: ApprovalStep, request: ApprovalRequest, offer: Offer, actor: Actor, approve: bool, comment: str | None
) -> None:
    if request.state == RequestState.VOIDED.value:
        raise IllegalTransitionError(
            f"approval request {request.id}", request.state, "decided", "its version was superseded (voided)"
        )
    if request.state != RequestState.PENDING.value or offer.current_version_number != request.version_number:
        raise IllegalTransitionError(f"approval request {request.id}", request.state, "decided", "it is closed")
    if step.state != StepState.ACTIVE.value:
        raise AlreadyDecidedError(f"step {step.id} ({step.name}) is {step.state}, not open for decisions")
    if not may_decide(step, actor):
        who = f"user {', '.join(step.assignees)}" if step.assignees else f"role {step.approver_role}"
        raise PermissionDeniedError(f"{actor.label} may not decide step {step.name!r}: it needs {who}")
    if not approve and not (comment or "").strip():
        raise InvalidInputError("a rejection needs a comment saying why")


def _approvals(session: Session, step_id: int) -> int:
    statement = select(ApprovalDecision).where(ApprovalDecision.step_id == step_id, col(ApprovalDecision.approve))
    return len(list(session.exec(statement)))


def _next_step(session: Session, request: ApprovalRequest, step: ApprovalStep) -> ApprovalStep | None:
    statement = (
        select(ApprovalStep)
        .where(ApprovalStep.request_id == request.id, ApprovalStep.position > step.position)
        .order_by(col(ApprovalStep.position))
    )
    return session.exec(statement).first()


def _finish_step(session: Session, step: ApprovalStep, state: StepState, moment: datetime) -> None:
    step.state = state.value
    step.decided_at = moment
    session.add(step)


def _close(
    session: Session,
    request: ApprovalRequest,
    offer: Offer,
    state: RequestState,
    actor: Actor,
    reason: str,
    moment: datetime,
) -> None:
    request.state = state.value
    request.closed_at = moment
    request.close_reason = reason
    session.add(request)
    for open_step in _open_steps(session, request):
        _finish_step(session, open_step, StepState.VOIDED, moment)
    _audit(session, actor, f"approval.request_{state.value}", request, offer, {"reason": reason}, moment)
    if state is RequestState.APPROVED:
        transition(session, offer, OfferState.APPROVED, actor=actor, reason=reason, now=moment, by_approval_chain=True)
    elif state is RequestState.REJECTED:
        transition(session, offer, OfferState.IN_REVIEW, actor=actor, reason=reason, now=moment)


def _open_steps(session: Session, request: ApprovalRequest) -> list[ApprovalStep]:
    statement = select(ApprovalStep).where(
        ApprovalStep.request_id == request.id,
        col(ApprovalStep.state).in_([StepState.WAITING.value, StepState.ACTIVE.value]),
    )
    return list(session.exec(statement))


def void_open_requests(
    session: Session, offer: Offer, *, actor: Actor, reason: str, now: datetime | None = None
) -> list[ApprovalRequest]:
    """Void the offer's pending requests (their approvals no longer apply to the terms)."""
    statement = select(ApprovalRequest).where(
        ApprovalRequest.offer_id == offer.id, ApprovalRequest.state == RequestState.PENDING.value
    )
    voided = list(session.exec(statement))
    moment = now or utcnow()
    for request in voided:
        _close(session, request, offer, RequestState.VOIDED, actor, reason, moment)
    return voided


def _get_step(session: Session, step_id: int) -> ApprovalStep:
    step = session.exec(
        select(ApprovalStep).where(ApprovalStep.id == step_id).execution_options(populate_existing=True)
    ).one_or_none()
    if step is None:
        raise NotFoundError(f"approval step {step_id} does not exist")
    return step


def _get_request(session: Session, request_id: int) -> ApprovalRequest:
    request = session.get(ApprovalRequest, request_id, populate_existing=True)
    if request is None:
        raise NotFoundError(f"approval request {request_id} does not exist")
    return request


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    request: ApprovalRequest,
    offer: Offer,
    details: dict[str, Any],
    moment: datetime,
    step: ApprovalStep | None = None,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="approval_request",
        subject_id=_id(request),
        icims=offer.icims_ids,
        details={"offer_id": offer.id, "version": request.version_number, "step_id": step and step.id, **details},
        occurred_at=moment,
    )


def _id(row: ApprovalRequest | ApprovalStep) -> int:
    assert row.id is not None
    return row.id
