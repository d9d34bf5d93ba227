"""What a reviewer sees when opening an offer: read models assembled from the offer engine (no writes)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.review.wording import version_name
from offer_engine import approval_inbox, candidate_requests, counters, messages, outbox, signatures, versions
from offer_engine.actors import Role
from offer_engine.approvals import ApprovalRequest, ApprovalStep
from offer_engine.candidate_requests import CandidateRequest
from offer_engine.catalogue import Catalogue, staff_label
from offer_engine.compensation import (
    BandPosition,
    CounterAnalysis,
    CounterAnalysisError,
    analyse_counter,
    band_position,
)
from offer_engine.counters import CounterOffer, CounterOfferItem
from offer_engine.flows import EngineSetup, job_band
from offer_engine.letter_store import Letter, latest_letter
from offer_engine.messages import CandidateMessage
from offer_engine.offers import Offer
from offer_engine.outbox import SyncJob
from offer_engine.policy import ApprovalStepSpec, Band, PolicyError
from offer_engine.signatures import LetterSignature
from offer_engine.staff import StaffUser
from offer_engine.terms import CounterItem, OfferTerms, Term
from offer_engine.versions import OfferVersion


@dataclass
class CounterView:
    counter: CounterOffer
    items: list[CounterOfferItem]
    analysis: CounterAnalysis | None
    analysis_error: str | None
    suggested_reply: str
    reply_ref: str


@dataclass
class ChainView:
    request: ApprovalRequest
    steps: list[ApprovalStep]


@dataclass
class OfferDetail:
    offer: Offer
    candidate: str
    first_name: str
    version: OfferVersion | None
    previous: OfferVersion | None
    letter: Letter | None
    band: Band | None
    position: BandPosition | None
    preview: list[ApprovalStepSpec]
    chain: ChainView | None
    decidable: list[ApprovalStep]
    counter: CounterView | None
    requests: list[CandidateRequest]
    jobs: list[SyncJob]
    messages: list[CandidateMessage]
    notes: list[str] = field(default_factory=list)
    catalogue: Catalogue | None = None  # the tenant's terms: labels of its own terms on screen
    viewer_roles: frozenset[Role] = frozenset()  # which actions to offer (the engine checks them again)
    version_names: dict[int, str] = field(default_factory=dict)  # version number -> "Revision 2 after ..."
    signature: LetterSignature | None = None  # the candidate's signature of the shown letter (it is the signed PDF)

    def label(self, key: str) -> str:
        return staff_label(key, self.catalogue)

    def viewer_may(self, *roles: Role) -> bool:
        return bool(self.viewer_roles & {*roles, Role.ADMIN})

    def version_name(self, number: int) -> str:
        return self.version_names.get(number) or f"Revision {number}"

    @property
    def terms(self) -> OfferTerms | None:
        return self.version.offer_terms if self.version is not None else None


def typed_items(terms: OfferTerms, items: list[CounterOfferItem]) -> list[CounterItem]:
    """Stored items with their requested values typed as the term is (JSON keeps them as text or numbers)."""
    typed = []
    for item in items:
        requested = item.requested
        if item.term in OfferTerms.model_fields and item.term != Term.OTHER.value:
            with contextlib.suppress(ValidationError):  # analyse_counter reports a value it cannot read
                requested = getattr(OfferTerms.model_validate({**terms.model_dump(), item.term: requested}), item.term)
        typed.append(
            CounterItem(term=Term(item.term), current=item.current, requested=requested, currency=item.currency)
        )
    return typed


def build_detail(
    session: Session, offer: Offer, viewer: StaffUser, setup: EngineSetup, *, counter_id: int | None = None
) -> OfferDetail:
    """Everything review mode shows for an offer; with several open counter-offers, `counter_id` picks the one."""
    version = versions.current_version(session, offer)
    all_versions = versions.list_versions(session, offer.id or 0)
    previous = next((v for v in reversed(all_versions) if version and v.number < version.number), None)
    context: dict[str, Any] = offer.attributes.get("letter_context") or {}
    terms = version.offer_terms if version is not None else None
    band = setup.policy.band_for(terms, job_band(offer)) if terms is not None else None
    detail = OfferDetail(
        offer=offer,
        candidate=str(context.get("candidate_name") or f"person {offer.person_id}"),
        first_name=str(context.get("candidate_first_name") or ""),
        version=version,
        previous=previous,
        letter=latest_letter(session, version.id or 0) if version is not None else None,
        band=band,
        position=band_position(terms.base_salary, band) if terms is not None and band is not None else None,
        preview=_preview(setup, terms, previous, band),
        chain=_chain(session, offer),
        decidable=[s for s, r in approval_inbox.open_steps_for(session, viewer.actor()) if r.offer_id == offer.id],
        counter=None,
        requests=[r for r in candidate_requests.requests_for(session, offer.id or 0) if r.state != "resolved"],
        jobs=_jobs(session, offer),
        messages=messages.messages_for_offer(session, offer.id or 0),
        catalogue=setup.catalogue,
        viewer_roles=viewer.role_set,
        version_names=version_names(session, all_versions),
    )
    if detail.letter is not None and detail.letter.id is not None:
        detail.signature = signatures.signature_of(session, detail.letter.id)
    if terms is not None:
        detail.counter = _open_counter(session, offer, terms, band, setup, detail, viewer, counter_id)
    return detail


def version_names(session: Session, all_versions: list[OfferVersion]) -> dict[int, str]:
    """Each version named as a recruiter would: "Initial draft", "Revision 2 after counter-offer C-1"."""
    names = {}
    for version in all_versions:
        counter = session.get(CounterOffer, version.counter_offer_id) if version.counter_offer_id else None
        names[version.number] = version_name(version, counter.number if counter else None)
    return names


def _preview(
    setup: EngineSetup, terms: OfferTerms | None, previous: OfferVersion | None, band: Band | None
) -> list[ApprovalStepSpec]:
    if terms is None:
        return []
    return setup.policy.approval_steps(terms, previous.offer_terms if previous else None, band)


def _chain(session: Session, offer: Offer) -> ChainView | None:
    requests = approval_inbox.requests_for(session, offer.id or 0)
    if not requests:
        return None
    latest = requests[-1]
    return ChainView(request=latest, steps=approval_inbox.steps_of(session, latest.id or 0))


def _jobs(session: Session, offer: Offer) -> list[SyncJob]:
    return [j for j in outbox.list_jobs(session, limit=1000) if j.offer_id == offer.id]


def _open_counter(
    session: Session,
    offer: Offer,
    terms: OfferTerms,
    band: Band | None,
    setup: EngineSetup,
    detail: OfferDetail,
    viewer: StaffUser,
    counter_id: int | None = None,
) -> CounterView | None:
    open_counters = [c for c in counters.queue(session, limit=1000) if c.offer_id == offer.id]
    if not open_counters:
        return None
    counter = next((c for c in open_counters if c.id == counter_id), open_counters[0])
    items = counters.items_of(session, counter.id or 0)
    try:
        analysis: CounterAnalysis | None = analyse_counter(terms, typed_items(terms, items), setup.policy, band)
        error = None
    except (CounterAnalysisError, PolicyError, ValidationError, ValueError) as exc:
        analysis, error = None, str(exc)
    reply, ref = "", ""
    if analysis is not None:
        reply, ref = messages.suggested_reply(
            analysis.suggestion,
            terms,
            requested_terms=[i.term for i in items],
            first_name=detail.first_name,
            recruiter_name=viewer.display_name,
            language=str((offer.attributes.get("letter_context") or {}).get("language") or "en"),
            catalogue=setup.catalogue,
        )
    return CounterView(
        counter=counter, items=items, analysis=analysis, analysis_error=error, suggested_reply=reply, reply_ref=ref
    )
