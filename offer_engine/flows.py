"""Drafting: iCIMS workflow → offer and version → letter (render, compliance check, PDF) → review.

`draft_from_icims` creates or refreshes the workflow's offer. The letter context (candidate, manager,
recruiter, addresses) is kept on the offer when it is read from iCIMS, so a later version (e.g. from a
counter-offer) renders without another iCIMS round trip. What the letter needs and iCIMS lacks is reported
like any missing term: the offer waits in ``needs_data``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from babel import Locale
from sqlmodel import Session

from icims.client import ICIMSClient
from icims.mapping import TenantMapping
from icims.models import Address
from icims.profiles import WorkflowBundle, fetch_workflow_bundle
from offer_engine import offers, versions, writebacks
from offer_engine.actors import Actor
from offer_engine.catalogue import Catalogue, build_catalogue
from offer_engine.compliance import ComplianceReport, check_letter
from offer_engine.intake import IntakeResult, MissingTerm, ensure_offer_stage, read_terms
from offer_engine.letter_store import Letter, latest_letter, save_letter
from offer_engine.letters import LetterContext, render_letter, write_pdf
from offer_engine.narrative import NarrativeWriter, TemplateNarrativeWriter
from offer_engine.notify_events import notify_draft_created
from offer_engine.offers import Offer, OfferState
from offer_engine.policy import Band, CompanyPolicy
from offer_engine.versions import OfferVersion, VersionReason
from offer_engine.writebacks import WritebackPlan

Timings = dict[str, float]


@contextmanager
def stage(timings: Timings | None, name: str) -> Iterator[None]:
    """Add the block's duration (seconds) to `timings[name]` when timings are being collected."""
    if timings is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


@dataclass(frozen=True)
class EngineSetup:
    """What the flows need besides a session: the tenant, its policy, the narrative writer."""

    customer_id: int
    company_name: str
    mapping: TenantMapping
    policy: CompanyPolicy
    writer: NarrativeWriter = field(default_factory=TemplateNarrativeWriter)

    @cached_property
    def catalogue(self) -> Catalogue:
        """The tenant's term catalogue (checked when the settings were loaded)."""
        return build_catalogue(self.mapping)


@dataclass
class DraftOutcome:
    offer: Offer
    created: bool
    version: OfferVersion | None = None
    new_version: bool = False
    letter: Letter | None = None
    report: ComplianceReport | None = None
    missing: list[MissingTerm] = field(default_factory=list)
    writebacks: WritebackPlan | None = None


def draft_from_icims(
    session: Session,
    client: ICIMSClient,
    setup: EngineSetup,
    workflow_id: int,
    *,
    actor: Actor,
    today: date,
    now: datetime | None = None,
    write_draft_to_icims: bool = False,
    timings: Timings | None = None,
) -> DraftOutcome:
    """Pull the workflow from iCIMS and create or refresh its offer (see `draft_from_bundle`)."""
    with stage(timings, "icims_fetch"):
        bundle = fetch_workflow_bundle(client, workflow_id)
    return draft_from_bundle(
        session,
        bundle,
        setup,
        actor=actor,
        today=today,
        now=now,
        write_draft_to_icims=write_draft_to_icims,
        timings=timings,
    )


def draft_from_bundle(
    session: Session,
    bundle: WorkflowBundle,
    setup: EngineSetup,
    *,
    actor: Actor,
    today: date,
    now: datetime | None = None,
    write_draft_to_icims: bool = False,
    timings: Timings | None = None,
) -> DraftOutcome:
    """Create or refresh the offer: a new version when iCIMS's terms changed, a letter when the version has none.

    With `write_draft_to_icims` a passing draft letter is also queued for upload with draft status 'Generated'.
    """
    with stage(timings, "intake"):
        ensure_offer_stage(bundle, setup.mapping)
        intake = read_terms(bundle, setup.mapping, setup.catalogue)
        context, context_missing = letter_context_data(bundle, intake, setup)
    return _store_and_render(
        session, bundle, setup, intake, context, context_missing, actor, today, now, write_draft_to_icims, timings
    )


def _store_and_render(
    session: Session,
    bundle: WorkflowBundle,
    setup: EngineSetup,
    intake: IntakeResult,
    context: dict[str, Any],
    context_missing: list[MissingTerm],
    actor: Actor,
    today: date,
    now: datetime | None,
    write_draft_to_icims: bool,
    timings: Timings | None,
) -> DraftOutcome:
    offer, created = _open_or_find(session, bundle, setup, actor)
    offer.attributes = {**offer.attributes, **_attributes(intake, context)}
    session.add(offer)
    missing = [*intake.missing, *context_missing]
    if missing or intake.terms is None:
        offers.mark_needs_data(session, offer, [m.model_dump() for m in missing], actor=actor, now=now)
        return DraftOutcome(offer=offer, created=created, missing=missing)
    current = versions.current_version(session, offer)
    outcome = DraftOutcome(offer=offer, created=created, version=current)
    if current is None or current.offer_terms != intake.terms:
        kind = VersionReason.INITIAL if current is None else VersionReason.ICIMS_REFRESH
        reason = "initial draft from iCIMS" if current is None else "terms changed in iCIMS"
        outcome.version = versions.add_version(
            session, offer, intake.terms, actor=actor, reason_kind=kind, reason=reason, now=now
        )
        outcome.new_version = True
    elif offer.status is OfferState.NEEDS_DATA:
        offers.transition(session, offer, OfferState.DRAFT, actor=actor, reason="data complete", now=now)
    version = outcome.version
    assert version is not None
    outcome.letter = latest_letter(session, version.id or 0)
    if outcome.letter is None or offer.status is OfferState.DRAFT:
        outcome.letter, outcome.report = render_current(
            session, offer, setup, actor=actor, today=today, now=now, timings=timings
        )
        if outcome.new_version:
            notify_draft_created(session, offer, actor=actor, now=now)
        if write_draft_to_icims and outcome.letter.compliance_passed:
            outcome.writebacks = writebacks.enqueue_draft_generated(
                session, offer=offer, letter=outcome.letter, mapping=setup.mapping, actor=actor, now=now
            )
    return outcome


def render_current(
    session: Session,
    offer: Offer,
    setup: EngineSetup,
    *,
    actor: Actor,
    today: date,
    now: datetime | None = None,
    timings: Timings | None = None,
) -> tuple[Letter, ComplianceReport]:
    """Render, check and print the current version's letter; store it; a draft offer moves to review."""
    version = versions.require_current_version(session, offer)
    terms = version.offer_terms
    context = LetterContext.model_validate({**offer.attributes["letter_context"], "today": today})
    with stage(timings, "render"):
        rendered = render_letter(terms, setup.policy, context, setup.writer, setup.catalogue)
    with stage(timings, "compliance"):
        report = check_letter(rendered, terms, setup.policy, today)
    with stage(timings, "pdf"):
        pdf = write_pdf(rendered)
    letter = save_letter(
        session,
        offer=offer,
        version=version,
        rendered=rendered,
        report=report,
        pdf=pdf,
        checked_on=today,
        actor=actor,
        now=now,
    )
    if offer.status is OfferState.DRAFT:
        offers.transition(session, offer, OfferState.IN_REVIEW, actor=actor, reason="letter ready for review", now=now)
    return letter, report


def job_band(offer: Offer) -> Band | None:
    """The band read from the job's custom fields when the offer was drafted (None if the tenant has none)."""
    stored = offer.attributes.get("job_band")
    return Band.model_validate(stored) if stored else None


def _open_or_find(session: Session, bundle: WorkflowBundle, setup: EngineSetup, actor: Actor) -> tuple[Offer, bool]:
    existing = offers.find_open_offer(session, setup.customer_id, bundle.workflow_id)
    if existing is not None:
        return offers.get_offer(session, existing.id or 0, lock=True), False
    offer = offers.open_offer(
        session,
        customer_id=setup.customer_id,
        workflow_id=bundle.workflow_id,
        person_id=bundle.workflow.person_id,
        job_id=bundle.workflow.job_id,
        actor=actor,
    )
    return offer, True


def _attributes(intake: IntakeResult, context: dict[str, Any]) -> dict[str, Any]:
    return {
        "sources": intake.sources,
        "extras": intake.extras,
        "letter_context": context,
        "job_band": intake.job_band.model_dump(mode="json") if intake.job_band else None,
        "band_problem": intake.band_problem,
    }


def letter_context_data(
    bundle: WorkflowBundle, intake: IntakeResult, setup: EngineSetup
) -> tuple[dict[str, Any], list[MissingTerm]]:
    """The letter context as JSON (without the date), and what iCIMS lacks for it."""
    job, person = bundle.job, bundle.person
    people = {
        "candidate_name": (person.full_name, "person.firstname, person.lastname"),
        "manager_name": (job.hiringmanager.value if job.hiringmanager else None, "job.hiringmanager"),
        "recruiter_name": (job.recruiter.value if job.recruiter else None, "job.recruiter"),
    }
    missing = [
        MissingTerm(term=name, tried=[where], reason="absent", detail=f"the letter needs {name.replace('_', ' ')}")
        for name, (value, where) in people.items()
        if not (value and value.strip())
    ]
    context: dict[str, Any] = {name: (value or "").strip() for name, (value, _) in people.items()}
    context.update(
        candidate_first_name=person.firstname,
        candidate_address=_address_lines(person.addresses[0] if person.addresses else None),
        company_name=setup.company_name,
        company_address=_address_lines(bundle.job_location),
        language=_language_code(intake.extras.get("preferred_language")),
        signer_name=intake.extras.get("signer_name"),
        signer_title=intake.extras.get("signer_title"),
        job_band=intake.job_band.model_dump(mode="json") if intake.job_band else None,
        job_title=(job.jobtitle or "").strip(),  # names the job in review mode before the offer has terms
    )
    return context, missing


def _address_lines(address: Address | None) -> list[str]:
    if address is None:
        return []
    street = [address.get("addressstreet1"), address.get("addressstreet2")]
    state = address.addressstate.abbrev or address.addressstate.label if address.addressstate else None
    locality = " ".join(p for p in (address.addresscity and f"{address.addresscity},", state, address.addresszip) if p)
    country = address.addresscountry.label if address.addresscountry else None
    return [str(line).strip() for line in (*street, locality.rstrip(","), country) if line and str(line).strip()]


def _language_code(preference: str | None) -> str:
    """An ISO language code for the candidate's preferred language ('es', 'Spanish' → 'es'); else English."""
    if not preference:
        return "en"
    text = preference.strip()
    if len(text) in (2, 3) and text.isalpha():
        return text.lower()
    names: dict[str, str] = {str(name).lower(): str(code) for code, name in Locale("en").languages.items()}
    return names.get(text.lower(), "en")
