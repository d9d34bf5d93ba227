"""Factories for policy, letter, compliance and compensation tests: terms, letter contexts, policies, writers.

Dates are fixed (TODAY) so letters print the same figures on every run.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from offer_engine.letters import LetterContext, RenderedLetter, render_letter
from offer_engine.narrative import Narrative, NarrativeRequest, TemplateNarrativeWriter
from offer_engine.policy import Band, CompanyPolicy, load_policy
from offer_engine.terms import OfferTerms, PayPeriod, WorkArrangement

ROOT = Path(__file__).resolve().parents[2]
DEMO_POLICY = ROOT / "demo" / "policy.toml"
TODAY = date(2026, 11, 20)


@cache
def demo_policy() -> CompanyPolicy:
    return load_policy(DEMO_POLICY)


def make_terms(**overrides: Any) -> OfferTerms:
    """A complete California engineering offer; any field overridden."""
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
        "vesting_schedule": "4 years: 25% after a 1-year cliff, then monthly over the remaining 36 months",
        "start_date": date(2027, 2, 1),
        "work_arrangement": WorkArrangement.HYBRID,
        "relocation": Decimal("10000"),
        "pto_days": 20,
        "reports_to": "Grace Liu",
        "expiry_date": date(2026, 12, 11),
        "special_terms": None,
    }
    values.update(overrides)
    return OfferTerms.model_validate(values)


def make_band(minimum: int = 165000, maximum: int = 210000, currency: str = "USD") -> Band:
    return Band(minimum=Decimal(minimum), maximum=Decimal(maximum), currency=currency)


def make_context(**overrides: Any) -> LetterContext:
    values: dict[str, Any] = {
        "candidate_name": "Maya Patel",
        "candidate_address": ["1432 Valencia Street", "San Francisco, CA 94110"],
        "company_name": "Corvid Systems, Inc.",
        "company_address": ["500 Howard Street, Floor 9", "San Francisco, CA 94105"],
        "manager_name": "Grace Liu",
        "manager_title": "Director of Engineering",
        "recruiter_name": "Alex Rivera",
        "recruiter_email": "alex.rivera@corvid.example",
        "today": TODAY,
        "language": "en",
        "job_band": make_band(),
    }
    values.update(overrides)
    return LetterContext.model_validate(values)


@dataclass(frozen=True)
class Case:
    """One offer per demo jurisdiction, shaped like the demo company's offers."""

    terms: OfferTerms
    context: LetterContext


def jurisdiction_case(jurisdiction: str) -> Case:
    if jurisdiction == "GB":
        terms = make_terms(
            title="Engineering Manager", jurisdiction="GB", currency="GBP", location="London",
            base_salary=Decimal("118000"), bonus_target_percent=Decimal("15"), sign_on_bonus=None,
            equity_units=3000, relocation=None, pto_days=25, start_date=date(2027, 3, 1),
            expiry_date=date(2026, 12, 15), reports_to="James Whitfield",
        )  # fmt: skip
        context = make_context(
            candidate_name="Oliver Bennett", candidate_address=["14 Albion Road", "London N16 9PS"],
            company_name="Corvid Systems UK Ltd", company_address=["30 Finsbury Square", "London EC2A 1AG"],
            manager_name="James Whitfield", job_band=make_band(105000, 135000, "GBP"),
        )  # fmt: skip
        return Case(terms, context)
    shapes: dict[str, dict[str, Any]] = {
        "US-CA": {},
        "US-NY": {"title": "Product Designer", "base_salary": Decimal("150000"), "location": "New York",
                  "sign_on_bonus": None, "relocation": None, "band": (125000, 165000)},
        "US-CO": {"title": "Data Analyst", "base_salary": Decimal("98000"), "location": "Denver",
                  "sign_on_bonus": None, "relocation": None, "equity_units": None, "band": (82000, 110000)},
        "US-TX": {"title": "Site Reliability Engineer", "base_salary": Decimal("160000"), "location": "Austin",
                  "work_arrangement": WorkArrangement.REMOTE, "department": "Infrastructure", "band": (140000, 180000)},
    }  # fmt: skip
    shape = dict(shapes[jurisdiction])
    low, high = shape.pop("band", (165000, 210000))
    return Case(make_terms(jurisdiction=jurisdiction, **shape), make_context(job_band=make_band(low, high)))


DEMO_JURISDICTIONS = ("US-CA", "US-NY", "US-CO", "US-TX", "GB")


def render(case: Case, policy: CompanyPolicy | None = None, writer: Any = None) -> RenderedLetter:
    return render_letter(case.terms, policy or demo_policy(), case.context, writer or TemplateNarrativeWriter())


class FixedNarrativeWriter:
    """Stands in for an LLM narrative writer: returns the text it was given."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.requests: list[NarrativeRequest] = []

    def write_narrative(self, request: NarrativeRequest) -> Narrative:
        self.requests.append(request)
        return Narrative(text=self.text, source={"provider": "test", "model": "fixed"})


MINIMAL_POLICY = """
[policy]
company = "Test Co"
version = "t1"

[[letters.templates]]
id = "standard"
html = "builtin:offer_letter.html.j2"
default = true
"""


def write_policy(folder: Path, body: str, *, minimal: bool = True) -> Path:
    """A policy file in `folder`: MINIMAL_POLICY followed by `body` (dedented)."""
    path = folder / "policy.toml"
    path.write_text((MINIMAL_POLICY if minimal else "") + textwrap.dedent(body), encoding="utf-8")
    return path


def demo_policy_variant(folder: Path, old: str, new: str) -> CompanyPolicy:
    """The demo policy with one piece of text replaced, loaded from `folder`."""
    text = DEMO_POLICY.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in the demo policy"
    path = folder / "policy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_policy(path)
