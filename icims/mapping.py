"""The tenant mapping: where a given iCIMS tenant keeps offer data.

Every iCIMS tenant has its own status ids and custom field numbers, so none of them appear in code.
A field reference is written ``"<profile>.<field>"``, where profile is one of ``applicantworkflow``,
``job``, ``person`` or ``joblocation`` (the company address the job's ``joblocation`` points to),
e.g. ``"applicantworkflow.field31001"`` or ``"job.jobtitle"``. A list of references is tried in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ProfileKind = Literal["applicantworkflow", "job", "person", "joblocation"]
PROFILE_KINDS: tuple[ProfileKind, ...] = ("applicantworkflow", "job", "person", "joblocation")


class FieldRef(BaseModel):
    """One place in iCIMS: a profile kind and a field name on it."""

    model_config = ConfigDict(frozen=True)

    profile: ProfileKind
    field: str

    @classmethod
    def parse(cls, text: str) -> FieldRef:
        profile, sep, field = text.strip().partition(".")
        if not sep or not field or profile not in PROFILE_KINDS:
            raise ValueError(
                f"field reference {text!r} must be '<profile>.<field>' with profile one of {PROFILE_KINDS}"
            )
        return cls(profile=profile, field=field)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.profile}.{self.field}"


def _as_refs(value: object) -> object:
    if isinstance(value, str):
        return [FieldRef.parse(value)]
    if isinstance(value, list):
        return [FieldRef.parse(v) if isinstance(v, str) else v for v in value]
    return value


def same_status(a: str, b: str) -> bool:
    """True when two status ids name the same status: equal, or one is the numeric form of the other.

    Webhooks carry a status as its digits ("20001"), the REST API as its id ("C20001"); two REST ids that
    differ only in their letter prefix stay different.
    """
    a, b = a.strip(), b.strip()
    if not a or not b:
        return False
    if a == b:
        return True
    if a.isdigit() == b.isdigit():
        return False
    return re.sub(r"\D", "", a) == re.sub(r"\D", "", b)


def status_in(status_id: str | None, statuses: Iterable[str | None]) -> bool:
    return status_id is not None and any(s is not None and same_status(status_id, s) for s in statuses)


class StatusOutcome(StrEnum):
    """What an incoming status change means for the workflow's offer (named like the offer states)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class DraftStatusValues(BaseModel):
    """Values written to the draft-status field as an offer moves along."""

    generated: str = "Generated"
    in_approval: str = "In Approval"
    approved: str = "Approved"
    released: str = "Released"


TermTypeName = Literal["money", "money_rate", "percent", "count", "date", "duration", "text", "choice"]
PayBasisName = Literal["hour", "week", "month", "year"]


class TermConfig(BaseModel):
    """A term declared as a table under ``[tenant.terms]``: where it lives and how it is called and treated.

    The product's term catalogue (``offer_engine.catalogue``) checks it against the built-in terms.
    """

    model_config = ConfigDict(extra="forbid")

    source: list[FieldRef] = Field(default_factory=list)
    type: TermTypeName | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    negotiable: bool | None = None
    internal: bool = False
    write_back: bool = False
    basis: PayBasisName | None = None
    unit: str | None = None
    values: dict[str, str] = Field(default_factory=dict)
    default: str | None = None
    # base_salary only: what turns its pay basis into other periods (a number, or the key of a count term)
    payments_per_year: int | str | None = None
    hours_per_week: float | str | None = None
    annual_equivalent: bool = False
    # percent terms only: the pay the percentage is of ("month": one monthly salary, "year": the annual salary)
    percent_of: Literal["month", "year"] | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _parse_source(cls, value: object) -> object:
        return _as_refs(value)


class TenantMapping(BaseModel):
    """Which statuses and fields of one tenant carry the offer, its band and our write-backs."""

    model_config = ConfigDict(extra="forbid")

    offer_ready_statuses: list[str] = Field(
        default_factory=list,
        description="Applicant-workflow status ids (and the numeric forms webhooks send) meaning 'ready for offer'.",
    )
    offer_accepted_status: str | None = Field(
        None, description="Status we set when a candidate's acceptance is confirmed; recognised when it comes in."
    )
    offer_declined_status: str | None = Field(
        None, description="Status we set when a candidate's decline is confirmed; recognised when it comes in."
    )
    offer_approved_status: str | None = Field(
        None, description="Status we set when an offer version is approved (e.g. 'Offer - Approved'); optional."
    )
    offer_extended_status: str | None = Field(
        None, description="Status we set when the approved offer is released to the candidate ('Offer - Extended')."
    )
    offer_accepted_statuses: list[str] = Field(
        default_factory=list,
        description="Further statuses meaning the candidate accepted (e.g. Hired); recognised, never written.",
    )
    offer_declined_statuses: list[str] = Field(
        default_factory=list, description="Further statuses meaning the candidate declined; recognised, never written."
    )
    offer_withdrawn_statuses: list[str] = Field(
        default_factory=list,
        description="Statuses that end the offer from iCIMS's side (rejected, candidate withdrew, requisition closed).",
    )
    terms: dict[str, list[FieldRef]] = Field(
        default_factory=dict,
        description="Offer term name -> where to read it, first non-empty wins.",
    )
    term_configs: dict[str, TermConfig] = Field(
        default_factory=dict,
        description="Terms written as tables under [tenant.terms]: the tenant's own terms and relabelled built-ins.",
    )
    band_min: list[FieldRef] = Field(default_factory=list)
    band_max: list[FieldRef] = Field(default_factory=list)
    band_currency: list[FieldRef] = Field(default_factory=list)
    draft_status_field: str | None = Field(None, description="Workflow field that receives the draft status.")
    draft_status_values: DraftStatusValues = Field(default_factory=DraftStatusValues)
    version_field: str | None = Field(None, description="Workflow field that receives the offer version number.")
    letter_file_field: str | None = Field(None, description="Workflow file field that receives the letter PDF.")
    chat_link_field: str | None = Field(None, description="Workflow field that receives the candidate's chat link.")

    @model_validator(mode="before")
    @classmethod
    def _split_term_tables(cls, data: object) -> object:
        """`[tenant.terms]` holds references, or tables (TermConfig) whose `source` is the references."""
        if not isinstance(data, dict) or not isinstance(data.get("terms"), dict):
            return data
        refs: dict[str, object] = {}
        configs: dict[str, object] = dict(data.get("term_configs") or {})
        for name, value in data["terms"].items():
            if isinstance(value, dict):
                configs[name] = value
                refs[name] = value.get("source", [])
            else:
                refs[name] = value
        return {**data, "terms": refs, "term_configs": configs}

    @field_validator("terms", mode="before")
    @classmethod
    def _parse_terms(cls, value: object) -> object:
        if isinstance(value, dict):
            return {name: _as_refs(refs) for name, refs in value.items()}
        return value

    @field_validator("band_min", "band_max", "band_currency", mode="before")
    @classmethod
    def _parse_refs(cls, value: object) -> object:
        return _as_refs(value)

    @model_validator(mode="after")
    def _statuses_have_one_meaning(self) -> TenantMapping:
        groups = self._status_groups()
        for i, (name, ids) in enumerate(groups):
            for other, other_ids in groups[i + 1 :]:
                clash = next((s for s in ids if status_in(s, other_ids)), None)
                if clash is not None:
                    raise ValueError(f"status {clash!r} is listed both as {name} and as {other}")
        return self

    def _status_groups(self) -> list[tuple[str, list[str]]]:
        return [
            ("offer-ready", list(self.offer_ready_statuses)),
            ("offer-approved", [self.offer_approved_status] if self.offer_approved_status else []),
            ("offer-extended", [self.offer_extended_status] if self.offer_extended_status else []),
            (StatusOutcome.ACCEPTED.value, self.statuses_for(StatusOutcome.ACCEPTED)),
            (StatusOutcome.DECLINED.value, self.statuses_for(StatusOutcome.DECLINED)),
            (StatusOutcome.WITHDRAWN.value, self.statuses_for(StatusOutcome.WITHDRAWN)),
        ]

    def is_offer_ready(self, status_id: str | None) -> bool:
        """Whether `status_id` (REST id or the numeric form webhooks carry) is one of the offer-ready statuses."""
        return status_in(status_id, self.offer_ready_statuses)

    def statuses_for(self, outcome: StatusOutcome) -> list[str]:
        """Every status id that means `outcome` when iCIMS reports it."""
        if outcome is StatusOutcome.ACCEPTED:
            return [s for s in (self.offer_accepted_status, *self.offer_accepted_statuses) if s]
        if outcome is StatusOutcome.DECLINED:
            return [s for s in (self.offer_declined_status, *self.offer_declined_statuses) if s]
        return list(self.offer_withdrawn_statuses)

    def outcome_of(self, status_id: str | None) -> StatusOutcome | None:
        """What a workflow moved to `status_id` in iCIMS means for its offer; None when it means nothing."""
        return next((o for o in StatusOutcome if status_in(status_id, self.statuses_for(o))), None)

    def ends_offer(self, status_id: str | None) -> bool:
        return self.outcome_of(status_id) is not None
