"""The tenant mapping: where a given iCIMS tenant keeps offer data.

Every iCIMS tenant has its own status ids and custom field numbers, so none of them appear in code.
A field reference is written ``"<profile>.<field>"``, where profile is one of ``applicantworkflow``,
``job``, ``person`` or ``joblocation`` (the company address the job's ``joblocation`` points to),
e.g. ``"applicantworkflow.field31001"`` or ``"job.jobtitle"``. A list of references is tried in order.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class DraftStatusValues(BaseModel):
    """Values written to the draft-status field as an offer moves along."""

    generated: str = "Generated"
    in_approval: str = "In Approval"
    approved: str = "Approved"
    released: str = "Released"


class TenantMapping(BaseModel):
    """Which statuses and fields of one tenant carry the offer, its band and our write-backs."""

    model_config = ConfigDict(extra="forbid")

    offer_ready_statuses: list[str] = Field(
        default_factory=list,
        description="Applicant-workflow status ids (and the numeric forms webhooks send) meaning 'ready for offer'.",
    )
    offer_accepted_status: str | None = None
    offer_declined_status: str | None = None
    terms: dict[str, list[FieldRef]] = Field(
        default_factory=dict,
        description="Offer term name -> where to read it, first non-empty wins.",
    )
    band_min: list[FieldRef] = Field(default_factory=list)
    band_max: list[FieldRef] = Field(default_factory=list)
    band_currency: list[FieldRef] = Field(default_factory=list)
    draft_status_field: str | None = Field(None, description="Workflow field that receives the draft status.")
    draft_status_values: DraftStatusValues = Field(default_factory=DraftStatusValues)
    version_field: str | None = Field(None, description="Workflow field that receives the offer version number.")
    letter_file_field: str | None = Field(None, description="Workflow file field that receives the letter PDF.")
    chat_link_field: str | None = Field(None, description="Workflow field that receives the candidate's chat link.")

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

    def is_offer_ready(self, status_id: str | None) -> bool:
        return status_id is not None and status_id.strip() in {s.strip() for s in self.offer_ready_statuses}
