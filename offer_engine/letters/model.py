"""What a letter is rendered from (`LetterContext`) and what rendering produces (`RenderedLetter`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from offer_engine.policy import Band


class LetterRenderError(ValueError):
    """A template or clause that cannot be rendered for this offer (names the template or clause and why)."""


class LetterContext(BaseModel):
    """Everything a letter prints that is not an offer term: people, addresses and the letter date."""

    model_config = ConfigDict(frozen=True)

    candidate_name: str = Field(min_length=1)
    candidate_first_name: str | None = None
    candidate_address: list[str] = Field(default_factory=list)
    company_name: str = Field(min_length=1)
    company_address: list[str] = Field(default_factory=list)
    manager_name: str = Field(min_length=1)
    manager_title: str | None = None
    signer_name: str | None = None  # read from iCIMS when the tenant maps it (tenant.terms.signer_name)
    signer_title: str | None = None
    recruiter_name: str = Field(min_length=1)
    recruiter_email: str | None = None
    today: date
    language: str = "en"
    job_band: Band | None = None  # the band from the job's custom fields, if the tenant has one

    @property
    def first_name(self) -> str:
        return self.candidate_first_name or self.candidate_name.split()[0]


class RenderedLetter(BaseModel):
    """A rendered letter: the HTML and what went into it. Compliance and PDF work from this alone."""

    model_config = ConfigDict(frozen=True)

    html: str
    template_id: str
    clause_ids: list[str]
    narrative: str
    narrative_source: dict[str, Any]
    printed_values: dict[str, str]  # term → as printed ("base_salary": "$185,000.00")
    language: str
    locale: str
    jurisdiction: str
    currency: str
    letter_date: date
    paper: str = "A4"  # "letter" or "A4", from the jurisdiction
    band: Band | None = None
    policy_version: str = ""
    candidate_name: str = ""
    company_name: str = ""
