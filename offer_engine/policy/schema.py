"""The policy file as written: pydantic models that reject unknown keys and wrong types, key by key.

See docs/policy.md for the format; `offer_engine.policy.loader` turns these into a `CompanyPolicy`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator

from offer_engine.policy.model import BandSource, Role
from offer_engine.terms import normalise_currency

# A condition: an expression string, true/false, or a table such as
# { term = "sign_on_bonus", op = ">", value = 20000 } / { all = [...] } / { any = [...] } / { not = {...} }.
Condition = str | bool | dict[str, Any]
Scalar = bool | int | float | str | date
MatchSpec = dict[str, str | list[str]]

_SLUG = r"^[a-z][a-z0-9_]*$"
_JURISDICTION = r"^(\*|[A-Z]{2}(-[A-Z0-9*?]+)?)$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _jurisdictions(values: list[str]) -> list[str]:
    for value in values:
        if not re.match(_JURISDICTION, value.strip().upper()):
            raise ValueError(f"{value!r} is not a jurisdiction pattern (e.g. '*', 'US', 'US-CA', 'US-*', 'GB')")
    return [v.strip().upper() for v in values]


class RawMeta(_Strict):
    company: str
    version: str
    effective: date | None = None


class RawLetterhead(_Strict):
    accent_color: str = Field("#1f3a5f", pattern=r"^#[0-9a-fA-F]{6}$")
    monogram: str = Field("", max_length=3)
    tagline: str = ""
    signer_name: str = ""  # who signs every letter; empty: the hiring manager (or iCIMS, when mapped)
    signer_title: str = ""


class RawLevel(_Strict):
    match: MatchSpec
    level: str


class RawBandRange(_Strict):
    match: MatchSpec = Field(default_factory=dict)
    minimum: Decimal = Field(ge=0)
    maximum: Decimal = Field(ge=0)
    currency: str

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return normalise_currency(value)


class RawBands(_Strict):
    source: BandSource = "job_then_policy"
    ranges: list[RawBandRange] = Field(default_factory=list)


class RawGridRow(_Strict):
    match: MatchSpec = Field(default_factory=dict)
    value: Scalar


class RawRule(_Strict):
    when: Condition
    reason: str = Field(min_length=1)


class RawStep(_Strict):
    key: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    approver_role: Role
    approver_user: str | None = None
    quorum: Literal["all", "any"] | PositiveInt = "any"
    sla_hours: PositiveInt
    escalate_to_role: Role | None = None
    rules: list[RawRule] = Field(min_length=1)


class RawApprovals(_Strict):
    steps: list[RawStep] = Field(default_factory=list)


class RawScopeRule(_Strict):
    in_: list[str] = Field(alias="in", min_length=1)
    except_: list[str] = Field(default_factory=list, alias="except")
    when: Condition | None = None

    @field_validator("in_", "except_")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        return _jurisdictions(value)


class RawClause(_Strict):
    id: str = Field(pattern=_SLUG)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    required_in: list[str] = Field(default_factory=list)
    required_except: list[str] = Field(default_factory=list)
    when: Condition | None = None
    forbidden_in: list[str] = Field(default_factory=list)
    forbidden_when: Condition | None = None
    required: list[RawScopeRule] = Field(default_factory=list)
    forbidden: list[RawScopeRule] = Field(default_factory=list)
    detect: list[str] = Field(default_factory=list)
    order: int = 100

    @field_validator("required_in", "required_except", "forbidden_in")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        return _jurisdictions(value)


class RawTemplate(_Strict):
    id: str = Field(pattern=_SLUG)
    html: str
    css: str = "builtin:letter.css"
    jurisdictions: list[str] = Field(default_factory=lambda: ["*"])
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    clauses: list[str] = Field(default_factory=list)
    default: bool = False
    paper: Literal["letter", "A4"] | None = None  # else the jurisdiction's paper (US Letter in the US, Canada…)

    @field_validator("jurisdictions")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        return _jurisdictions(value)


class RawLetters(_Strict):
    templates: list[RawTemplate] = Field(min_length=1)


class RawNegotiationTerm(_Strict):
    ceiling: str | None = None
    accept_when: Condition | None = None
    round_down_to: Decimal | None = Field(None, gt=0)


class RawNegotiation(_Strict):
    sign_on_in_lieu_of_base: bool = False
    legal_review_terms: list[str] = Field(default_factory=lambda: ["other"])
    legal_review_keywords: list[str] = Field(default_factory=list)
    terms: dict[str, RawNegotiationTerm] = Field(default_factory=dict)


class RawPolicy(_Strict):
    policy: RawMeta
    letterhead: RawLetterhead = Field(default_factory=RawLetterhead)  # type: ignore[arg-type]
    levels: list[RawLevel] = Field(default_factory=list)
    bands: RawBands = Field(default_factory=RawBands)
    grids: dict[str, list[RawGridRow]] = Field(default_factory=dict)
    approvals: RawApprovals = Field(default_factory=RawApprovals)
    clauses: list[RawClause] = Field(default_factory=list)
    letters: RawLetters
    negotiation: RawNegotiation = Field(default_factory=RawNegotiation)
