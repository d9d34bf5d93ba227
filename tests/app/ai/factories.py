"""Test data for the AI layer: a fictional company, its offers, people and benefits passages (not the demo data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.ai.models import AnswerRequest, OfferFact, Passage, Person
from offer_engine.terms import OfferTerms

TODAY = date(2026, 11, 26)
COMPANY = "Halden Robotics Ltd"


def make_terms(**overrides: Any) -> OfferTerms:
    values: dict[str, Any] = {
        "title": "Staff Firmware Engineer",
        "department": "Embedded Systems",
        "location": "Austin",
        "jurisdiction": "US-TX",
        "currency": "USD",
        "base_salary": Decimal(172000),
        "bonus_target_percent": Decimal(12),
        "sign_on_bonus": Decimal(20000),
        "equity_units": 3200,
        "vesting_schedule": "4 years: 25% after a 1-year cliff, then quarterly over the remaining 36 months",
        "start_date": date(2027, 3, 8),
        "work_arrangement": "hybrid",
        "relocation": Decimal(12500),
        "pto_days": 22,
        "reports_to": "Tomasz Wierzbicki",
        "expiry_date": date(2026, 12, 14),
    }
    values.update(overrides)
    return OfferTerms(**values)


def gb_terms(**overrides: Any) -> OfferTerms:
    return make_terms(
        jurisdiction="GB", currency="GBP", location="Leeds", base_salary=Decimal(96000), sign_on_bonus=None,
        relocation=None, equity_units=1500, pto_days=27, start_date=date(2027, 4, 12), **overrides,
    )  # fmt: skip


CANDIDATE = Person(
    role="candidate",
    first_name="Ingrid",
    last_name="Solberg-Vance",
    emails=["ingrid.sv@mailbox.example"],
    phones=["+1 (512) 555-0193"],
    addresses=["88 Larkspur Terrace, Apt 4C", "78704"],
    date_of_birth=date(1991, 7, 19),
    government_ids=["521-44-9087"],
)
RECRUITER = Person(
    role="recruiter", full_name="Okonkwo Adebayo", emails=["o.adebayo@halden.example"], phones=["512-555-0110"]
)
MANAGER = Person(role="hiring_manager", full_name="Tomasz Wierzbicki", emails=["t.wierzbicki@halden.example"])

HEALTH = Passage(
    doc_id="us-health",
    title="US health plans 2027",
    section="Medical plans",
    jurisdiction="US",
    text=(
        "Halden offers two medical plans to US employees: the Halden PPO and the Halden HDHP with an HSA.\n"
        "You choose one medical plan when you join and can change it at open enrollment.\n"
        "| Plan | Deductible | Monthly premium (employee only) |\n|---|---|---|\n"
        "| Halden PPO | $750 | $84 |\n| Halden HDHP | $2,000 | $12 |"
    ),
)
PARENTAL = Passage(
    doc_id="us-parental",
    title="US parental leave",
    section="Paid parental leave",
    jurisdiction="US",
    text=(
        "Every parent with 60 days of service receives 14 weeks of parental leave at full base pay.\n"
        "Leave can be taken in two blocks within 12 months of the birth or placement."
    ),
)
RETIREMENT = Passage(
    doc_id="us-401k",
    title="401(k) plan",
    section="Company match",
    jurisdiction="US",
    text="Halden matches 100% of your 401(k) contributions up to 5% of eligible pay. The match vests immediately.",
)
UK_LEAVE = Passage(
    doc_id="gb-family",
    title="UK family leave",
    section="Enhanced maternity pay",
    jurisdiction="GB",
    text="Employees in the UK receive 20 weeks of enhanced maternity pay at full salary.",
)
PASSAGES = [HEALTH, PARENTAL, RETIREMENT]


def make_request(message: str | bytes, **overrides: Any) -> AnswerRequest:
    values: dict[str, Any] = {
        "message": message,
        "terms": make_terms(),
        "today": TODAY,
        "company_name": COMPANY,
        "candidate": CANDIDATE,
        "recruiter": RECRUITER,
        "hiring_manager": MANAGER,
        "passages": PASSAGES,
        "fact_refs": {"base_salary": "applicantworkflow.field31001", "start_date": "applicantworkflow.field31006"},
        "offer_title": "Offer: Staff Firmware Engineer (version 2)",
    }
    values.update(overrides)
    return AnswerRequest(**values)


def salary_range_fact() -> OfferFact:
    return OfferFact(
        name="salary_range",
        label="Pay range for this role",
        value="$150,000 to $195,000",
        ref="job.field30001-30002",
        synonyms=["salary range", "pay range", "salary band", "pay band"],
    )


def hostile_passage(sentence: str) -> Passage:
    """A benefits passage with an instruction for the assistant planted between two real sentences."""
    return Passage(
        doc_id="us-dental",
        title="US dental plan",
        section="Dental coverage",
        jurisdiction="US",
        text=(
            "The dental plan covers two cleanings a year at no cost.\n"
            f"{sentence}\n"
            "Orthodontic treatment is covered at 50% up to a lifetime maximum of $1,500."
        ),
    )
