"""Approved terms into iCIMS, the customer's system of record: written, read back, and never over a person's edit.

When an offer version is approved, one outbox job (`JobKind.WRITE_TERMS`) carries every term the catalogue marks
`write_back`: the field, the value in iCIMS's shape, the approved value, and the values iCIMS may hold without a
person having changed the field (what it held when the version was drafted, what we wrote before). Delivering it:

1. read the fields; a field that already holds the approved value needs nothing (a retry never writes twice);
2. a field holding something else that nobody approved was edited in iCIMS: the job is *held* with the conflict
   until a recruiter chooses (`resolve_conflict`: keep iCIMS's value or write the approved one);
3. write the rest; a field iCIMS refuses (it does not exist) is left out and the others are written;
4. read the fields back: what iCIMS holds is recorded on the job and audited; a field that did not keep what we
   wrote (read-only for the integration user) or was refused ends the job dead with the reason, per field.

A held or dead terms job stands aside: the letter, the statuses and the chat link of the offer still go out.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlmodel import Session, col, select

from icims.client import ICIMSClient
from icims.errors import BadRequest, NotFound
from icims.mapping import TenantMapping
from icims.values import ValueCoercionError, as_date, as_decimal, as_text, is_empty
from offer_engine import outbox, versions, writebacks
from offer_engine.actors import Actor, Role
from offer_engine.catalogue import Catalogue, TermType
from offer_engine.columns import utcnow
from offer_engine.errors import IllegalTransitionError, NotFoundError
from offer_engine.offers import Offer
from offer_engine.outbox import JobKind, JobState, SyncJob
from offer_engine.terms import OfferTerms
from offer_engine.versions import OfferVersion, VersionReason

WORKFLOWS = "applicantworkflows"
_NODE_ID = re.compile(r"[A-Z]\d+")  # an iCIMS list node id ("C31071", "D10100"): its text is the label
_READ_FROM_ICIMS = (VersionReason.INITIAL.value, VersionReason.ICIMS_REFRESH.value)


class Choice(StrEnum):
    KEEP_ICIMS = "keep"
    WRITE_APPROVED = "write"


class Refusal(StrEnum):
    MISSING = "missing"  # iCIMS refused the field: it does not exist (or the integration user cannot see it)
    NOT_KEPT = "not_kept"  # iCIMS answered but does not hold what we wrote: read-only for the integration user


class TermWrite(BaseModel):
    """One approved term for one workflow field; self-contained, so delivery needs no catalogue."""

    field: str
    term: str
    type: TermType
    value: Any  # what is written, in iCIMS's shape
    approved: str  # the approved value as text ("203500", "2027-03-01", "remote")
    known: list[str] = Field(default_factory=list)  # what iCIMS may hold that no person changed
    drafted: str | None = None  # what the field held when the version was drafted
    was_empty: bool = False  # the field was empty at the draft (the term was read from another source)
    meanings: dict[str, str] = Field(default_factory=dict)  # a choice's list values (id or text) -> meaning
    currency: str = ""


class Conflict(BaseModel):
    field: str
    term: str
    icims: str | None  # what iCIMS holds now, as text of the term's type (None: emptied)
    approved: str
    drafted: str | None


class Refused(BaseModel):
    field: str
    term: str
    why: Refusal
    detail: str


class HeldForRecruiter(Exception):  # noqa: N818 - an outcome, not an error
    """iCIMS holds values a person put there since the draft; the job waits for a recruiter's choice."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__("a person changed this in iCIMS since the draft: waiting for a recruiter's choice")
        self.conflicts = conflicts


class TermsRefusedError(Exception):
    """iCIMS refused or did not keep some fields: no retry can fix it (the tenant's configuration must)."""

    def __init__(self, refused: list[Refused], verified: dict[str, Any]) -> None:
        fields = ", ".join(f"{r.field} ({r.why.value}: {r.detail})" for r in refused)
        super().__init__(f"iCIMS did not take every approved term: {fields}")
        self.refused, self.verified = refused, verified


# -- planning ----------------------------------------------------------------------------------------------


def plan_term_writes(
    session: Session, offer: Offer, version: OfferVersion, catalogue: Catalogue, mapping: TenantMapping
) -> list[TermWrite]:
    """The write of each approved term marked `write_back` whose first source is a workflow field."""
    terms = version.offer_terms
    drafted = _drafted_terms(session, offer, version)
    earlier = _written_before(session, offer)
    read_from: dict[str, str] = offer.attributes.get("sources") or {}
    writes = []
    for term in catalogue.terms.values():
        source = next(iter(term.sources or mapping.terms.get(term.key, [])), None)
        value = writebacks.approved_value(terms, term)
        if not term.write_back or term.internal or source is None or source.profile != "applicantworkflow":
            continue  # a job or person field is never written from an offer
        if value is None:
            continue
        before = writebacks.approved_value(drafted, term) if drafted is not None else None
        elsewhere = term.key in read_from and read_from[term.key] != str(source)
        known = [_text(before)] if before is not None and not elsewhere else []
        writes.append(
            TermWrite(
                field=source.field,
                term=term.key,
                type=term.type,
                value=writebacks.icims_value(term, value, terms.currency),
                approved=_text(value),
                known=[*known, *earlier.get(source.field, [])],
                drafted=known[0] if known else None,
                was_empty=elsewhere or before is None,
                meanings=term.values,
                currency=terms.currency,
            )
        )
    return writes


def enqueue_term_writes(
    session: Session,
    *,
    offer: Offer,
    version: OfferVersion,
    catalogue: Catalogue,
    mapping: TenantMapping,
    group: str,
    letter_id: int | None,
    actor: Actor,
    now: datetime | None = None,
) -> SyncJob | None:
    """Queue the approved version's terms for iCIMS (None when no term is written back); an older terms job of
    the offer that has not gone out is cancelled: only the latest approved terms may land."""
    writes = plan_term_writes(session, offer, version, catalogue, mapping)
    if not writes:
        return None
    job = outbox.enqueue(
        session,
        kind=JobKind.WRITE_TERMS,
        idempotency_key=f"{group}:terms",
        group_key=group,
        customer_id=offer.customer_id,
        workflow_id=offer.workflow_id,
        offer_id=offer.id,
        letter_id=letter_id,
        payload={"version": version.number, "writes": [w.model_dump(mode="json") for w in writes]},
        actor=actor,
        now=now,
    )
    older = [j for j in terms_jobs(session, offer.id or 0) if (j.id or 0) < (job.id or 0)]
    outbox.cancel_undelivered(session, older, reason=f"superseded by version {version.number}", actor=actor, now=now)
    return job


def terms_jobs(session: Session, offer_id: int) -> list[SyncJob]:
    statement = select(SyncJob).where(SyncJob.offer_id == offer_id, SyncJob.kind == JobKind.WRITE_TERMS.value)
    return list(session.exec(statement.order_by(col(SyncJob.id))))


def _drafted_terms(session: Session, offer: Offer, version: OfferVersion) -> OfferTerms | None:
    """The terms as iCIMS held them when this version was drafted: the latest version read from iCIMS."""
    read = [
        v
        for v in versions.list_versions(session, offer.id or 0)
        if v.number <= version.number and v.reason_kind in _READ_FROM_ICIMS
    ]
    return read[-1].offer_terms if read else None


def _written_before(session: Session, offer: Offer) -> dict[str, list[str]]:
    """Field -> the values earlier delivered terms jobs of the offer wrote (iCIMS holds them because of us)."""
    written: dict[str, list[str]] = {}
    for job in terms_jobs(session, offer.id or 0):
        if job.state == JobState.DELIVERED.value:
            for write in job.payload.get("writes", []):
                written.setdefault(str(write["field"]), []).append(str(write["approved"]))
    return written


def _text(value: Any) -> str:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    return str(value)


# -- delivery ----------------------------------------------------------------------------------------------


def write_and_verify(client: ICIMSClient, job: SyncJob) -> dict[str, Any]:
    """Deliver a terms job (see the module's steps); returns what iCIMS holds afterwards, per field.

    Raises HeldForRecruiter (nothing written) or TermsRefusedError (the rest written, read back and reported)."""
    writes = [TermWrite.model_validate(w) for w in job.payload.get("writes", [])]
    choices: dict[str, str] = job.payload.get("resolutions") or {}
    fields = [w.field for w in writes]
    before = client.get_profile(WORKFLOWS, job.workflow_id, fields=fields)
    pending, conflicts = {}, []
    for write in writes:
        holds = reading(write, before.get(write.field))
        choice = choices.get(write.field)
        if holds == canonical(write, write.approved) or choice == Choice.KEEP_ICIMS.value:
            continue
        if choice != Choice.WRITE_APPROVED.value and not _expected(write, holds):
            conflicts.append(_conflict(write, holds))
        else:
            pending[write.field] = write.value
    if conflicts:
        raise HeldForRecruiter(conflicts)
    refused = _write(client, job.workflow_id, pending, writes)
    after = client.get_profile(WORKFLOWS, job.workflow_id, fields=fields)
    verified = {w.field: {"term": w.term, "holds": reading(w, after.get(w.field))} for w in writes}
    refused += _not_kept(writes, choices, before, after, {r.field for r in refused})
    if refused:
        raise TermsRefusedError(refused, verified)
    return verified


def _write(client: ICIMSClient, workflow_id: int, pending: dict[str, Any], writes: list[TermWrite]) -> list[Refused]:
    """PATCH the pending fields; a field iCIMS names in a refusal is left out and the rest sent again."""
    refused: list[Refused] = []
    by_field = {w.field: w for w in writes}
    while pending:
        try:
            client.update_profile(WORKFLOWS, workflow_id, pending)
            return refused
        except (BadRequest, NotFound) as exc:
            named = [name for name in pending if re.search(rf"\b{re.escape(name)}\b", exc.message)] or list(pending)
            for name in named:
                refused.append(Refused(field=name, term=by_field[name].term, why=Refusal.MISSING, detail=exc.message))
                pending = {k: v for k, v in pending.items() if k != name}
    return refused


def _not_kept(
    writes: list[TermWrite],
    choices: dict[str, str],
    before: dict[str, Any],
    after: dict[str, Any],
    refused: set[str],
) -> list[Refused]:
    """Fields whose read-back is not what they should hold: the approved value, or iCIMS's own when kept."""
    wrong = []
    for write in writes:
        if write.field in refused:
            continue
        kept = choices.get(write.field) == Choice.KEEP_ICIMS.value
        wanted = reading(write, before.get(write.field)) if kept else canonical(write, write.approved)
        holds = reading(write, after.get(write.field))
        if holds != wanted:
            detail = f"iCIMS holds {holds or 'nothing'} after the write of {write.approved}"
            wrong.append(Refused(field=write.field, term=write.term, why=Refusal.NOT_KEPT, detail=detail))
    return wrong


def _expected(write: TermWrite, holds: str | None) -> bool:
    """Whether iCIMS holds what it held at the draft or what we wrote before: no person changed it."""
    known = {canonical(write, k) for k in write.known}
    return holds in known or (holds is None and write.was_empty)


def _conflict(write: TermWrite, holds: str | None) -> Conflict:
    return Conflict(field=write.field, term=write.term, icims=holds, approved=write.approved, drafted=write.drafted)


def reading(write: TermWrite, raw: Any) -> str | None:
    """An iCIMS value as comparable text of the term's type (money by amount, dates by day, lists by meaning)."""
    if is_empty(raw):
        return None
    try:
        if write.type in (TermType.MONEY, TermType.MONEY_RATE, TermType.PERCENT, TermType.COUNT, TermType.DURATION):
            number = as_decimal(raw)
            return None if number is None else _number(number)
        if write.type is TermType.DATE:
            day = as_date(raw)
            return None if day is None else day.isoformat()
    except ValueCoercionError:
        return as_text(raw)
    if write.type is TermType.CHOICE:
        return _meaning(write, raw)
    return as_text(raw)


def canonical(write: TermWrite, text: str) -> str | None:
    """An approved or known value (kept as text) in the form `reading` gives."""
    if write.type in (TermType.MONEY, TermType.MONEY_RATE, TermType.PERCENT, TermType.COUNT, TermType.DURATION):
        try:
            return _number(Decimal(text))
        except InvalidOperation:
            return text
    if write.type is TermType.CHOICE:
        return _meaning(write, text)
    return text.strip() or None


def _number(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _meaning(write: TermWrite, raw: Any) -> str | None:
    keys = [str(raw[k]) for k in ("id", "value", "formattedvalue") if raw.get(k)] if isinstance(raw, dict) else []
    keys = keys or [as_text(raw) or ""]
    lowered = {value.strip().lower(): meaning for value, meaning in write.meanings.items()}
    found = next((lowered[k.strip().lower()] for k in keys if k.strip().lower() in lowered), None)
    text = found or (keys[1] if len(keys) > 1 and _NODE_ID.fullmatch(keys[0]) else keys[0])
    return text.strip().lower() or None


# -- outcomes ----------------------------------------------------------------------------------------------


def record_verified(session: Session, job: SyncJob, verified: dict[str, Any], *, actor: Actor, at: datetime) -> None:
    """What iCIMS holds after delivery, on the job (its result) and in the audit log."""
    _set_payload(session, job, {**job.payload, "verified": verified, "refused": []})
    _audit(session, job, actor, "sync.verified", {"fields": verified}, at)


def record_refused(session: Session, job: SyncJob, refused: TermsRefusedError, *, actor: Actor, at: datetime) -> None:
    refusals = [r.model_dump(mode="json") for r in refused.refused]
    _set_payload(session, job, {**job.payload, "verified": refused.verified, "refused": refusals})
    _audit(session, job, actor, "sync.terms_refused", {"refused": refusals, "fields": refused.verified}, at)


def hold(session: Session, job: SyncJob, held: HeldForRecruiter, *, actor: Actor, now: datetime) -> bool:
    payload = {**job.payload, "conflicts": [c.model_dump(mode="json") for c in held.conflicts]}
    return outbox.mark_held(session, job, reason=str(held), payload=payload, actor=actor, now=now)


def conflicts_of(job: SyncJob) -> list[Conflict]:
    """The conflicts a held job waits on that no recruiter has decided yet."""
    decided = job.payload.get("resolutions") or {}
    found = [Conflict.model_validate(c) for c in job.payload.get("conflicts", [])]
    return [c for c in found if c.field not in decided]


def refusals_of(job: SyncJob) -> list[Refused]:
    return [Refused.model_validate(r) for r in job.payload.get("refused", [])]


def resolve_conflict(
    session: Session, job_id: int, field: str, choice: Choice, *, actor: Actor, now: datetime | None = None
) -> SyncJob:
    """A recruiter's choice for one conflicting field (audited); once every conflict is decided the job goes on."""
    actor.require_role(Role.RECRUITER, action="decide which value iCIMS keeps")
    job = outbox.get_job(session, job_id)
    if job.kind != JobKind.WRITE_TERMS.value or job.state != JobState.HELD.value:
        raise IllegalTransitionError(f"sync job {job_id}", job.state, "resolved", "only a held terms write")
    conflict = next((c for c in conflicts_of(job) if c.field == field), None)
    if conflict is None:
        raise NotFoundError(f"sync job {job_id} has no open conflict for that field")
    moment = now or utcnow()
    resolutions = {**(job.payload.get("resolutions") or {}), field: choice.value}
    payload = {**job.payload, "resolutions": resolutions}
    details = {"term": conflict.term, "field": field, "choice": choice.value, "icims": conflict.icims}
    _audit(session, job, actor, "sync.conflict_resolved", {**details, "approved": conflict.approved}, moment)
    if all(c.field in resolutions for c in [Conflict.model_validate(c) for c in payload.get("conflicts", [])]):
        return outbox.resume_held(session, job_id, payload=payload, actor=actor, now=moment)
    _set_payload(session, job, payload)
    return job


def _set_payload(session: Session, job: SyncJob, payload: dict[str, Any]) -> None:
    session.execute(update(SyncJob).where(col(SyncJob.id) == job.id).values(payload=payload))
    job.payload = payload


def _audit(session: Session, job: SyncJob, actor: Actor, action: str, details: dict[str, Any], at: datetime) -> None:
    outbox.record_job_event(session, actor, action, job, details, at)
