"""Review mode: whether iCIMS holds the approved terms, and the recruiter's choice when a person changed one there.

Shown under an opened offer: a held terms write (iCIMS changed a field since the draft) with both values in words
and a button per choice; a terms write iCIMS refused (a field it does not have, or may not be changed by the
integration user) with the reason; and, once delivered, that iCIMS was read back and holds what was approved.
The choice is checked on the server (`term_sync.resolve_conflict`: recruiters only) and audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import chainlit as cl
from pydantic import BaseModel, Field

from app.review.detail import OfferDetail
from app.review.runtime import ReviewRuntime
from app.review.service import acting
from offer_engine import offers, requisitions, term_sync
from offer_engine.actors import Role
from offer_engine.catalogue import Catalogue, ValueFormats, format_value
from offer_engine.money import format_count, format_date, format_money, format_percent_value, locale_for
from offer_engine.outbox import JobState, SyncJob, get_job
from offer_engine.term_sync import Choice, Conflict, Refusal, Refused

ACTION = "review_conflict"
REFUSAL_WORDS = {
    Refusal.MISSING: "iCIMS refused it: the field this term is mapped to does not exist there (or is hidden from "
    "the integration user). Correct the term's field in the configuration or ask your iCIMS administrator.",
    Refusal.NOT_KEPT: "iCIMS did not keep it: the integration user may not change this field. Ask your iCIMS "
    "administrator to allow it, or update the field in iCIMS by hand.",
}


class ConflictChoice(BaseModel):
    """What a conflict button carries: the held job, the field, and which value iCIMS keeps."""

    job_id: Annotated[int, Field(strict=False, ge=0, lt=2**63)]
    field: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    choice: Choice


@dataclass
class SyncRecord:
    text: str = ""
    actions: list[cl.Action] = field(default_factory=list)


class Words:
    """Term values as a recruiter reads them: labels from the catalogue, money and dates formatted."""

    def __init__(self, catalogue: Catalogue | None, detail: OfferDetail) -> None:
        terms = detail.terms
        self.catalogue = catalogue
        self.currency = terms.currency if terms is not None else "USD"
        locale = locale_for(terms.jurisdiction) if terms is not None else "en_US"
        self.formats = ValueFormats(
            "en",
            money=lambda amount: format_money(amount, self.currency, locale),
            number=lambda number: format_count(number, locale),
            percent=lambda percent: format_percent_value(percent, locale),
            day=lambda value: format_date(value, locale),
        )

    def label(self, key: str) -> str:
        return self.catalogue.label(key, "en") if self.catalogue is not None else key.replace("_", " ").capitalize()

    def value(self, key: str, text: str | None) -> str:
        if text is None:
            return "nothing (the field is empty)"
        term = self.catalogue.get(key) if self.catalogue is not None else None
        return format_value(term, text, self.formats) if term is not None else text


def sync_record(rt: ReviewRuntime, staff_id: int, detail: OfferDetail) -> SyncRecord:
    """What the recruiter must know about the offer's terms in iCIMS (empty when there is nothing to say)."""
    with acting(rt, staff_id) as (_session, user):
        may_decide = user.actor().has_role(Role.RECRUITER, Role.ADMIN)
    words = Words(detail.catalogue, detail)
    jobs = [j for j in detail.jobs if j.kind == "write_terms"]
    record = SyncRecord()
    sections = []
    for job in jobs:
        if job.state == JobState.HELD.value:
            conflicts = term_sync.conflicts_of(job)
            sections.append(_conflicts_text(conflicts, words))
            if may_decide:
                record.actions += [a for c in conflicts for a in _conflict_actions(job, c, words)]
        elif job.state == JobState.DEAD.value:
            sections.append(_refused_text(term_sync.refusals_of(job), job, words))
        elif job.state == JobState.DELIVERED.value and job.payload.get("verified"):
            sections.append(_verified_text(job, words))
    record.text = "\n\n".join(s for s in sections if s)
    return record


def _conflicts_text(conflicts: list[Conflict], words: Words) -> str:
    lines = ["#### iCIMS was changed since this offer was drafted"]
    for c in conflicts:
        drafted = f" (when the offer was drafted it said {words.value(c.term, c.drafted)})" if c.drafted else ""
        lines.append(
            f"- **{words.label(c.term)}**: iCIMS now says **{words.value(c.term, c.icims)}**; the approved offer "
            f"says **{words.value(c.term, c.approved)}**{drafted}."
        )
    return "\n".join(lines) + "\n\nNothing was overwritten. Choose which value iCIMS keeps."


def _conflict_actions(job: SyncJob, conflict: Conflict, words: Words) -> list[cl.Action]:
    label = words.label(conflict.term)
    payload = {"job_id": job.id, "field": conflict.field}
    return [
        cl.Action(
            name=ACTION,
            payload={**payload, "choice": Choice.KEEP_ICIMS.value},
            label=f"{label}: keep iCIMS's {words.value(conflict.term, conflict.icims)}",
        ),
        cl.Action(
            name=ACTION,
            payload={**payload, "choice": Choice.WRITE_APPROVED.value},
            label=f"{label}: write the approved {words.value(conflict.term, conflict.approved)}",
        ),
    ]


def _refused_text(refused: list[Refused], job: SyncJob, words: Words) -> str:
    if not refused:
        return ""
    approved = {str(w.get("field")): str(w.get("approved")) for w in job.payload.get("writes", [])}
    lines = ["#### Not written to iCIMS"]
    for r in refused:
        value = words.value(r.term, approved.get(r.field))
        lines.append(f"- **{words.label(r.term)}** (approved: {value}): {REFUSAL_WORDS[r.why]}")
    return (
        "\n".join(lines)
        + "\n\nNothing else waits for it: the letter, the statuses and the candidate's link go to iCIMS as usual."
    )


def _verified_text(job: SyncJob, words: Words) -> str:
    verified = job.payload.get("verified") or {}
    held = [f"{words.label(str(v['term']))}: {words.value(str(v['term']), v.get('holds'))}" for v in verified.values()]
    when = f" on {job.delivered_at:%d %b %Y at %H:%M} UTC" if job.delivered_at else ""
    return f"iCIMS was read back{when} and holds the approved terms — {'; '.join(held)}."


def resolve(rt: ReviewRuntime, staff_id: int, choice: ConflictChoice) -> str:
    """Apply a recruiter's choice (visibility and role checked here, on the server); returns what was done."""
    with acting(rt, staff_id) as (session, user):
        job = get_job(session, choice.job_id)
        requisitions.require_visible(session, user, offers.get_offer(session, job.offer_id or 0))
        conflict = next((c for c in term_sync.conflicts_of(job) if c.field == choice.field), None)
        term_sync.resolve_conflict(session, choice.job_id, choice.field, choice.choice, actor=user.actor())
    rt.wake()
    what = rt.setup.catalogue.label(conflict.term, "en") if conflict is not None else "The field"
    if choice.choice is Choice.KEEP_ICIMS:
        return f"{what}: iCIMS keeps its own value. Your choice is recorded."
    return f"{what}: the approved value is being written to iCIMS. Your choice is recorded."
