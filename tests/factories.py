"""Factories that build domain data for tests: terms, actors, offers in any state, letters, approval specs.

Every factory goes through the real services (so audit events, versions and constraints are real); only
the inputs are made up. Workflow ids are unique per process so tests never collide.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from uuid import uuid4

from sqlmodel import Session

from icims.profiles import WorkflowBundle
from icims.sandbox.synthetic import bundle_of
from offer_engine import approvals, letter_store, offers, outbox, versions
from offer_engine.actors import Actor, ActorKind, Role, candidate_actor, system_actor, user_actor
from offer_engine.columns import utcnow
from offer_engine.letter_store import Letter
from offer_engine.offers import Offer, OfferState
from offer_engine.terms import OfferTerms, PayPeriod, WorkArrangement
from offer_engine.versions import OfferVersion, VersionReason

CUSTOMER_ID = 6120
_ids = itertools.count(90_001)

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def next_id() -> int:
    return next(_ids)


def make_terms(**overrides: Any) -> OfferTerms:
    """Complete, valid terms (a California engineering offer) with any field overridden."""
    today = date.today()
    values: dict[str, Any] = {
        "title": "Senior Backend Engineer",
        "department": "Engineering",
        "location": "San Francisco",
        "jurisdiction": "US-CA",
        "currency": "USD",
        "base_salary": Decimal("185000"),
        "pay_period": PayPeriod.YEAR,
        "bonus_target_percent": Decimal("10"),
        "sign_on_bonus": Decimal("15000"),
        "equity_units": 4000,
        "vesting_schedule": "4 years, 1-year cliff",
        "start_date": today + timedelta(days=60),
        "work_arrangement": WorkArrangement.HYBRID,
        "relocation": None,
        "pto_days": 20,
        "reports_to": "Grace Liu",
        "expiry_date": today + timedelta(days=14),
        "special_terms": None,
    }
    values.update(overrides)
    return OfferTerms.model_validate(values)


# -- actors ------------------------------------------------------------------------------------------


def recruiter(user_id: str = "rita.recruiter") -> Actor:
    return user_actor(user_id, Role.RECRUITER)


def hiring_manager(user_id: str = "grace.manager") -> Actor:
    return user_actor(user_id, Role.HIRING_MANAGER)


def compensation(user_id: str = "carl.comp") -> Actor:
    return user_actor(user_id, Role.COMPENSATION)


def legal(user_id: str = "lena.legal") -> Actor:
    return user_actor(user_id, Role.LEGAL)


def admin(user_id: str = "ada.admin") -> Actor:
    return user_actor(user_id, Role.ADMIN)


def system() -> Actor:
    return system_actor("test-worker")


def candidate(offer: Offer) -> Actor:
    return candidate_actor(offer.person_id or 0)


def ai_actor() -> Actor:
    return Actor(kind=ActorKind.AI, id="embedded-engine")


# -- offers ------------------------------------------------------------------------------------------


def make_offer(
    session: Session,
    *,
    terms: OfferTerms | None = None,
    workflow_id: int | None = None,
    state: OfferState = OfferState.DRAFT,
    actor: Actor | None = None,
) -> Offer:
    """An offer in `state` (draft by default, with version 1), built through the services."""
    who = actor or recruiter()
    offer = offers.open_offer(
        session,
        customer_id=CUSTOMER_ID,
        workflow_id=workflow_id or next_id(),
        person_id=next_id(),
        job_id=next_id(),
        actor=who,
    )
    if state is OfferState.NEEDS_DATA:
        missing = [{"term": "base_salary", "tried": ["applicantworkflow.field31001"], "reason": "absent"}]
        return offers.mark_needs_data(session, offer, missing, actor=who)
    versions.add_version(
        session, offer, terms or make_terms(), actor=who, reason_kind=VersionReason.INITIAL, reason="initial draft"
    )
    _advance(session, offer, state, who)
    return offer


def _advance(session: Session, offer: Offer, state: OfferState, who: Actor) -> None:
    path = [OfferState.IN_REVIEW, OfferState.PENDING_APPROVAL, OfferState.APPROVED, OfferState.SENT]
    if state is OfferState.DRAFT:
        return
    if state in (OfferState.WITHDRAWN,):
        offers.withdraw(session, offer, actor=who, reason="test")
        return
    if state in (OfferState.ACCEPTED, OfferState.DECLINED, OfferState.EXPIRED):
        _advance(session, offer, OfferState.SENT, who)
        offers.transition(session, offer, state, actor=who, reason="test")
        return
    make_letter(session, offer)
    offers.transition(session, offer, OfferState.IN_REVIEW, actor=who, reason="letter ready")
    if state is OfferState.IN_REVIEW:
        return
    if state is OfferState.PENDING_APPROVAL:
        approvals.start_chain(session, offer, [step_spec("manager", Role.HIRING_MANAGER.value)], actor=who)
        return
    approvals.start_chain(session, offer, [], actor=who)  # no steps: approved at once
    if path.index(state) >= path.index(OfferState.SENT):
        offers.mark_sent(session, offer, actor=who)


def current(session: Session, offer: Offer) -> OfferVersion:
    return versions.require_current_version(session, offer)


# -- letters -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedLetterData:
    html: str
    template_id: str = "standard-us"
    clause_ids: list[str] = field(default_factory=lambda: ["at_will", "confidentiality"])
    narrative: str = "We are delighted to offer you this role."
    narrative_source: dict[str, Any] = field(
        default_factory=lambda: {"kind": "template", "prompt_version": "letter_narrative@1/en", "model": None}
    )


@dataclass(frozen=True)
class FindingData:
    code: str
    clause_id: str | None
    message: str


@dataclass(frozen=True)
class ComplianceData:
    passed: bool
    findings: list[FindingData] = field(default_factory=list)


def make_letter(
    session: Session,
    offer: Offer,
    *,
    passed: bool = True,
    pdf: bytes | None = MINIMAL_PDF,
    actor: Actor | None = None,
) -> Letter:
    """A stored letter for the offer's current version (passing compliance unless told otherwise)."""
    version = current(session, offer)
    findings = [] if passed else [FindingData("forbidden_clause", "non_compete", "non-compete is void in US-CA")]
    return letter_store.save_letter(
        session,
        offer=offer,
        version=version,
        rendered=RenderedLetterData(html=f"<p>Offer v{version.number}: {version.terms['base_salary']}</p>"),
        report=ComplianceData(passed=passed, findings=findings),
        pdf=pdf,
        checked_on=date.today(),
        actor=actor or system(),
    )


# -- approval specs ----------------------------------------------------------------------------------


def step_spec(
    key: str,
    role: str,
    *,
    quorum: Literal["all", "any"] | int = "any",
    sla_hours: int = 8,
    escalate_to: str | None = None,
    user: str | None = None,
) -> Any:
    """An approval step as the policy produces it (`offer_engine.policy.ApprovalStepSpec`)."""
    from offer_engine.policy import ApprovalStepSpec

    return ApprovalStepSpec(
        key=key,
        name=key.replace("_", " ").title(),
        approver_role=role,
        approver_user=user,
        quorum=quorum,
        sla_hours=sla_hours,
        escalate_to_role=escalate_to,
        reasons=[f"test rule {key}"],
    )


def in_review(session: Session, *, terms: OfferTerms | None = None) -> Offer:
    return make_offer(session, terms=terms, state=OfferState.IN_REVIEW)


def later(hours: float, start: datetime | None = None) -> datetime:
    return (start or utcnow()) + timedelta(hours=hours)


# -- iCIMS data --------------------------------------------------------------------------------------

DEMO_FIXTURE = Path(__file__).resolve().parent.parent / "demo" / "icims-fixture.json"


def fixture_data(path: Path = DEMO_FIXTURE) -> dict[str, Any]:
    """A deep copy of an iCIMS sandbox fixture (safe to modify)."""
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))


def bundle_from(data: dict[str, Any], workflow_id: int) -> WorkflowBundle:
    """The WorkflowBundle `fetch_workflow_bundle` would return for `workflow_id`, read from fixture data."""
    bundle = bundle_of(data, workflow_id)
    assert bundle is not None, f"the fixture lacks workflow {workflow_id}'s person or job"
    return bundle


def demo_bundle(workflow_id: int = 3401, **changes: dict[str, Any]) -> WorkflowBundle:
    """A demo workflow bundle with profile fields changed: `workflow={...}`, `job={...}`, `person={...}`.

    A value of `DROP` removes the field (as iCIMS omits empty fields).
    """
    data = fixture_data()
    wf = data["applicantworkflows"][str(workflow_id)]
    targets = {
        "workflow": wf,
        "job": data["jobs"][str(wf["baseprofile"]["id"])],
        "person": data["people"][str(wf["associatedprofile"]["id"])],
    }
    for profile, fields in changes.items():
        for name, value in fields.items():
            if value is DROP:
                targets[profile].pop(name, None)
            else:
                targets[profile][name] = value
    return bundle_from(data, workflow_id)


DROP: Any = object()


_job_numbers = itertools.count(1)


def make_sync_job(
    session: Session, *, kind: outbox.JobKind, payload: dict[str, Any], workflow_id: int = 3401
) -> outbox.SyncJob:
    """An outbox job for `workflow_id`, queued after every earlier one of the workflow."""
    number = next(_job_numbers)
    return outbox.enqueue(
        session,
        kind=kind,
        idempotency_key=f"test-job-{number}-{uuid4().hex}",
        group_key=f"workflow:{workflow_id}",
        customer_id=CUSTOMER_ID,
        workflow_id=workflow_id,
        payload=payload,
        actor=system(),
    )
