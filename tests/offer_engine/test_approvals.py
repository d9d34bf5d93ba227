from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from offer_engine import approval_inbox, approvals, offers, versions
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.errors import (
    AlreadyDecidedError,
    ComplianceFailedError,
    IllegalTransitionError,
    InvalidInputError,
    PermissionDeniedError,
)
from offer_engine.versions import VersionReason
from tests import factories as f
from tests.offer_engine.conftest import snapshot

T0 = utcnow().replace(microsecond=0)


def _submitted(engine: Engine, specs: list[Any]) -> tuple[int, list[int]]:
    with session_scope(engine) as session:
        offer = f.in_review(session)
        request = approvals.start_chain(session, offer, specs, actor=f.recruiter(), now=T0)
        return offer.id or 0, [s.id or 0 for s in approval_inbox.steps_of(session, request.id or 0)]


def _decide(
    engine: Engine, step_id: int, actor: Any, approve: bool = True, comment: str | None = None, hours: float = 1
):
    with session_scope(engine) as session:
        return approvals.decide(
            session, step_id, actor=actor, approve=approve, comment=comment, now=T0 + timedelta(hours=hours)
        )


def _offer_state(engine: Engine, offer_id: int) -> str:
    with session_scope(engine) as session:
        return offers.get_offer(session, offer_id).state


def test_a_letter_that_failed_compliance_cannot_enter_approval(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session)
        f.make_letter(session, offer, passed=False)
        offers.transition(session, offer, offers.OfferState.IN_REVIEW, actor=f.recruiter(), reason="review")
    before = snapshot(engine)
    with pytest.raises(ComplianceFailedError, match=r"non_compete|forbidden"), session_scope(engine) as session:
        approvals.start_chain(session, offers.get_offer(session, offer.id or 0), [], actor=f.recruiter())
    assert snapshot(engine) == before


def test_a_version_without_a_letter_cannot_enter_approval(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session)
        offers.transition(session, offer, offers.OfferState.IN_REVIEW, actor=f.recruiter(), reason="review")
    before = snapshot(engine)
    with pytest.raises(ComplianceFailedError, match="no letter"), session_scope(engine) as session:
        approvals.start_chain(session, offers.get_offer(session, offer.id or 0), [], actor=f.recruiter())
    assert snapshot(engine) == before


def test_no_step_means_approved_at_once(engine: Engine) -> None:
    offer_id, steps = _submitted(engine, [])
    assert steps == []
    assert _offer_state(engine, offer_id) == "approved"


def test_steps_run_in_order_with_roles_and_quorum(engine: Engine) -> None:
    specs = [f.step_spec("manager", "hiring_manager", sla_hours=4), f.step_spec("comp", "compensation", quorum=2)]
    offer_id, (manager_step, comp_step) = _submitted(engine, specs)
    assert _offer_state(engine, offer_id) == "pending_approval"

    before = snapshot(engine)
    with pytest.raises(PermissionDeniedError):
        _decide(engine, manager_step, f.recruiter())
    with pytest.raises(AlreadyDecidedError, match="waiting"):
        _decide(engine, comp_step, f.compensation())  # not its turn yet
    assert snapshot(engine) == before

    _decide(engine, manager_step, f.hiring_manager())
    with session_scope(engine) as session:
        step = approval_inbox.steps_of(session, approval_inbox.requests_for(session, offer_id)[0].id or 0)[1]
        assert step.state == "active"
        assert step.due_at == T0 + timedelta(hours=1 + 8)
    outcome = _decide(engine, comp_step, f.compensation("carl"), hours=2)
    assert outcome.step.state == "active", "quorum 2 needs a second approver"
    with pytest.raises(AlreadyDecidedError):
        _decide(engine, comp_step, f.compensation("carl"), hours=2)
    outcome = _decide(engine, comp_step, f.compensation("cora"), hours=3)
    assert outcome.request_state is approvals.RequestState.APPROVED
    assert _offer_state(engine, offer_id) == "approved"


def test_a_named_approver_alone_may_decide_their_step(engine: Engine) -> None:
    _, (step,) = _submitted(engine, [f.step_spec("legal", "legal", user="lena.legal", quorum="all")])
    with pytest.raises(PermissionDeniedError, match=r"lena\.legal"):
        _decide(engine, step, f.legal("larry.legal"))
    assert _decide(engine, step, f.legal("lena.legal")).request_state is approvals.RequestState.APPROVED


def test_candidates_and_ai_never_approve(engine: Engine) -> None:
    _, (step,) = _submitted(engine, [f.step_spec("manager", "hiring_manager")])
    for actor in (f.ai_actor(), f.system()):
        with pytest.raises(PermissionDeniedError):
            _decide(engine, step, actor)


def test_a_rejection_needs_a_reason_and_sends_the_offer_back_to_review(engine: Engine) -> None:
    specs = [f.step_spec("manager", "hiring_manager"), f.step_spec("comp", "compensation")]
    offer_id, (manager_step, comp_step) = _submitted(engine, specs)
    with pytest.raises(InvalidInputError):
        _decide(engine, manager_step, f.hiring_manager(), approve=False)
    outcome = _decide(engine, manager_step, f.hiring_manager(), approve=False, comment="over budget")
    assert outcome.request_state is approvals.RequestState.REJECTED
    assert _offer_state(engine, offer_id) == "in_review"
    with session_scope(engine) as session:
        assert [s.state for s in approval_inbox.steps_of(session, outcome.request.id or 0)] == ["rejected", "voided"]
    with pytest.raises(IllegalTransitionError):
        _decide(engine, comp_step, f.compensation())


def test_a_new_version_voids_pending_approvals_and_they_cannot_be_used(engine: Engine) -> None:
    offer_id, (step,) = _submitted(engine, [f.step_spec("comp", "compensation")])
    with session_scope(engine) as session:
        offer = offers.get_offer(session, offer_id)
        versions.add_version(
            session,
            offer,
            f.make_terms(base_salary=Decimal("199000")),
            actor=f.recruiter(),
            reason_kind=VersionReason.RECRUITER_EDIT,
            reason="raise",
        )
        request = approval_inbox.requests_for(session, offer_id)[0]
        assert request.state == "voided"
        assert offer.state == "draft"
    before = snapshot(engine)
    with pytest.raises(IllegalTransitionError, match="superseded"):
        _decide(engine, step, f.compensation())
    assert snapshot(engine) == before
    # the new version gets its own chain
    with session_scope(engine) as session:
        offer = offers.get_offer(session, offer_id)
        f.make_letter(session, offer)
        offers.transition(session, offer, offers.OfferState.IN_REVIEW, actor=f.recruiter(), reason="review")
        fresh = approvals.start_chain(session, offer, [f.step_spec("comp", "compensation")], actor=f.recruiter())
        assert fresh.version_number == 2
        assert fresh.state == "pending"


def test_overdue_steps_escalate_to_their_target_role(engine: Engine) -> None:
    _, (step,) = _submitted(engine, [f.step_spec("legal", "legal", sla_hours=8, escalate_to="compensation")])
    with session_scope(engine) as session:
        assert approval_inbox.escalate_overdue(session, now=T0 + timedelta(hours=7), actor=f.system()) == []
    with pytest.raises(PermissionDeniedError):
        _decide(engine, step, f.compensation(), hours=7)
    with session_scope(engine) as session:
        escalated = approval_inbox.escalate_overdue(session, now=T0 + timedelta(hours=9), actor=f.system())
        assert [s.id for s in escalated] == [step]
        assert escalated[0].escalation_level == 1
        assert escalated[0].due_at == T0 + timedelta(hours=9 + 8)
    with session_scope(engine) as session:  # not again until the new due time passes
        assert approval_inbox.escalate_overdue(session, now=T0 + timedelta(hours=10), actor=f.system()) == []
    assert _decide(engine, step, f.compensation(), hours=10).request_state is approvals.RequestState.APPROVED


def test_open_steps_lists_what_an_approver_may_decide(engine: Engine) -> None:
    _submitted(engine, [f.step_spec("legal", "legal")])
    _submitted(engine, [f.step_spec("comp", "compensation")])
    with session_scope(engine) as session:
        mine = approval_inbox.open_steps_for(session, f.legal())
        assert [step.key for step, _ in mine] == ["legal"]
        assert len(approval_inbox.open_steps_for(session, f.admin())) == 2
        assert approval_inbox.open_steps_for(session, f.recruiter("x")) == []
