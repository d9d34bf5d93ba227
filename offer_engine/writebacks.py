"""What to write back to iCIMS when something happens to an offer, as outbox jobs (see `outbox`).

Which fields receive what comes from the tenant mapping; a write whose field is not mapped is left out
(and said so in the returned plan) rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from icims.mapping import TenantMapping
from offer_engine.actors import Actor
from offer_engine.catalogue import Catalogue, TermDefinition, TermType
from offer_engine.letter_store import Letter
from offer_engine.offers import Offer
from offer_engine.outbox import JobKind, SyncJob, enqueue
from offer_engine.terms import OfferTerms

NOTE_MARKER_PREFIX = "offer-assistant ref"
_NODE_ID = re.compile(r"[A-Z]\d+")  # an iCIMS list node id ("C31071", "D10100")


@dataclass
class WritebackPlan:
    jobs: list[SyncJob] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # writes left out because the mapping names no field


def note_marker(idempotency_key: str) -> str:
    """A short tag put in every note so a retried delivery can see that the note is already there."""
    from offer_engine.audit import sha256_of  # imported here: only the marker needs it

    return f"[{NOTE_MARKER_PREFIX} {sha256_of(idempotency_key)[:12]}]"


def enqueue_letter_approved(
    session: Session,
    *,
    offer: Offer,
    letter: Letter,
    mapping: TenantMapping,
    actor: Actor,
    now: datetime | None = None,
    approved_fields: dict[str, Any] | None = None,
) -> WritebackPlan:
    """Approved letter → upload the PDF, set draft status 'Approved' and the version number, write the approved
    terms to their fields (`approved_fields`, see `approved_term_fields`), add a note."""
    group = f"letter:{letter.id}:approved"
    status = mapping.draft_status_values.approved
    note = (
        f"Offer letter version {letter.version_number} approved in the Offer Assistant "
        f"(letter {letter.id}, PDF sha256 {(letter.pdf_sha256 or '')[:16]})."
    )
    return _enqueue_letter_jobs(session, offer, letter, mapping, actor, group, status, note, now, approved_fields)


def approved_term_fields(terms: OfferTerms, catalogue: Catalogue, mapping: TenantMapping) -> dict[str, Any]:
    """The approved value of each term the catalogue marks `write_back`, for its first workflow field, in the shape
    iCIMS takes (see `icims_value`); iCIMS is the customer's record, so what was approved must be what it says.
    Terms read from the job or the person are not written (an offer changes only its own workflow)."""
    fields: dict[str, Any] = {}
    for term in catalogue.terms.values():
        if not term.write_back or term.internal:
            continue
        source = next(iter(term.sources or mapping.terms.get(term.key, [])), None)
        value = approved_value(terms, term)
        if source is not None and source.profile == "applicantworkflow" and value is not None:
            fields[source.field] = icims_value(term, value, terms.currency)
    return fields


def approved_value(terms: OfferTerms, term: TermDefinition) -> Any:
    if not term.builtin:
        return terms.custom.get(term.key)
    value = getattr(terms, term.key, None)
    return value.value if isinstance(value, StrEnum) else value


def icims_value(term: TermDefinition, value: Any, currency: str) -> Any:
    """A term's value as iCIMS takes it: money as a currency object, numbers as numbers, dates as yyyy-mm-dd, a
    list value by the node id the tenant mapped to that meaning (`values`), else by its text."""
    if term.type in (TermType.MONEY, TermType.MONEY_RATE):
        return {"amount": float(Decimal(str(value))), "currency": currency}
    if term.type in (TermType.PERCENT, TermType.COUNT, TermType.DURATION):
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    if term.type is TermType.CHOICE:
        wanted = str(value).strip().lower()
        node = next((k for k, m in term.values.items() if m.strip().lower() == wanted and _NODE_ID.fullmatch(k)), None)
        return {"id": node} if node else {"value": str(value)}
    return value.isoformat() if isinstance(value, date) else str(value)


def enqueue_draft_generated(
    session: Session,
    *,
    offer: Offer,
    letter: Letter,
    mapping: TenantMapping,
    actor: Actor,
    now: datetime | None = None,
) -> WritebackPlan:
    """A draft was generated (webhook flow) → upload the draft PDF and set draft status 'Generated'."""
    group = f"letter:{letter.id}:draft"
    status = mapping.draft_status_values.generated
    return _enqueue_letter_jobs(session, offer, letter, mapping, actor, group, status, None, now)


def enqueue_chat_link(
    session: Session,
    *,
    offer: Offer,
    link_id: str,
    mapping: TenantMapping,
    actor: Actor,
    url: str | None = None,
    link: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> WritebackPlan:
    """Write the candidate's chat link to the mapped chat-link field (`link_id` distinguishes reissued links).

    `link` is a reference to the link (a `release.LinkGrant` as JSON): the outbox never holds a live token; the
    delivery mints the link when it writes it. `url` is a literal value (`""` clears the field)."""
    plan = WritebackPlan()
    if not mapping.chat_link_field:
        plan.skipped.append("chat link: tenant.chat_link_field is not mapped")
        return plan
    key = f"offer:{offer.id}:chat_link:{link_id}"
    payload: dict[str, Any] = {"field": mapping.chat_link_field}
    payload.update({"link": link} if link is not None else {"url": url or ""})
    plan.jobs.append(_enqueue_for(session, offer, JobKind.WRITE_CHAT_LINK, key, payload, actor=actor, now=now))
    return plan


def enqueue_fields(
    session: Session, *, offer: Offer, fields: dict[str, Any], key: str, actor: Actor, now: datetime | None = None
) -> SyncJob:
    """Patch workflow fields (e.g. the draft status 'Released'); `key` makes it idempotent."""
    return _enqueue_for(session, offer, JobKind.PATCH_FIELDS, key, {"fields": fields}, actor=actor, now=now)


def enqueue_status_change(
    session: Session, *, offer: Offer, status_id: str, reason: str, actor: Actor, now: datetime | None = None
) -> SyncJob:
    """Move the applicant workflow to an iCIMS status (e.g. the tenant's accepted/declined status)."""
    key = f"offer:{offer.id}:status:{status_id}:{reason}"
    return _enqueue_for(session, offer, JobKind.SET_STATUS, key, {"status_id": status_id}, actor=actor, now=now)


def _enqueue_letter_jobs(
    session: Session,
    offer: Offer,
    letter: Letter,
    mapping: TenantMapping,
    actor: Actor,
    group: str,
    status: str,
    note: str | None,
    now: datetime | None,
    approved_fields: dict[str, Any] | None = None,
) -> WritebackPlan:
    plan = WritebackPlan()

    def add(kind: JobKind, suffix: str, payload: dict[str, Any]) -> None:
        key = f"{group}:{suffix}"
        plan.jobs.append(
            _enqueue_for(session, offer, kind, key, payload, group=group, letter_id=letter.id, actor=actor, now=now)
        )

    if mapping.letter_file_field:
        add(
            JobKind.UPLOAD_LETTER,
            "upload",
            {"field": mapping.letter_file_field, "file_name": letter.file_name, "sha256": letter.pdf_sha256},
        )
    else:
        plan.skipped.append("letter upload: tenant.letter_file_field is not mapped")
    fields: dict[str, Any] = {}
    if mapping.draft_status_field:
        fields[mapping.draft_status_field] = status
    else:
        plan.skipped.append("draft status: tenant.draft_status_field is not mapped")
    if mapping.version_field:
        fields[mapping.version_field] = letter.version_number
    else:
        plan.skipped.append("version number: tenant.version_field is not mapped")
    fields.update(approved_fields or {})
    if fields:
        add(JobKind.PATCH_FIELDS, "fields", {"fields": fields})
    if note:
        marker = note_marker(f"{group}:note")
        add(JobKind.ADD_NOTE, "note", {"text": f"{note} {marker}", "marker": marker})
    return plan


def _enqueue_for(
    session: Session,
    offer: Offer,
    kind: JobKind,
    key: str,
    payload: dict[str, Any],
    *,
    actor: Actor,
    now: datetime | None,
    group: str | None = None,
    letter_id: int | None = None,
) -> SyncJob:
    """One job for the offer's workflow; writes in the same `group` (default: the key alone) go out in order."""
    return enqueue(
        session,
        kind=kind,
        idempotency_key=key,
        group_key=group or key,
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer.id,
        letter_id=letter_id,
        payload=payload,
        actor=actor,
        now=now,
    )
