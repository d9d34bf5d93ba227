"""Letters read as a candidate reads them: the paper and dates of their country, who signs, and a sentence that
reads well for every type of term (checked in the PDF's own text, as pdftotext gives it)."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from icims.mapping import TenantMapping
from offer_engine.catalogue import Catalogue, build_catalogue
from offer_engine.compliance import check_letter
from offer_engine.flows import EngineSetup, letter_context_data
from offer_engine.intake import read_terms
from offer_engine.letters import RenderedLetter, render_letter, write_pdf
from offer_engine.letters.paper import paper_size_for
from offer_engine.narrative import TemplateNarrativeWriter
from offer_engine.policy import CompanyPolicy, PolicyError
from offer_engine.terms import OfferTerms
from tests import factories as f
from tests.offer_engine.letter_factories import (
    TODAY,
    demo_policy,
    demo_policy_variant,
    jurisdiction_case,
    make_band,
    make_context,
    make_terms,
)

LETTER_POINTS = (612.0, 792.0)
A4_POINTS = (595.0, 842.0)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def page_points(pdf: bytes, tmp_path: Path) -> tuple[float, float]:
    path = tmp_path / "size.pdf"
    path.write_bytes(pdf)
    box = PdfReader(path).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def rendered(
    terms: OfferTerms,
    *,
    policy: CompanyPolicy | None = None,
    catalogue: Catalogue | None = None,
    **context: Any,
) -> RenderedLetter:
    return render_letter(terms, policy or demo_policy(), make_context(**context), TemplateNarrativeWriter(), catalogue)


@pytest.mark.parametrize(
    ("jurisdiction", "currency", "paper", "points", "printed_date"),
    [
        ("US-CA", "USD", "letter", LETTER_POINTS, "November 20, 2026"),
        ("CA-ON", "CAD", "letter", LETTER_POINTS, "November 20, 2026"),
        ("GB", "GBP", "A4", A4_POINTS, "20 November 2026"),
        ("DE", "EUR", "A4", A4_POINTS, "20 November 2026"),
    ],
)
def test_paper_and_date_follow_the_jurisdiction(
    jurisdiction: str, currency: str, paper: str, points: tuple[float, float], printed_date: str, tmp_path: Path
) -> None:
    terms = make_terms(jurisdiction=jurisdiction, currency=currency, sign_on_bonus=None, relocation=None)
    letter = rendered(terms, job_band=make_band(currency=currency))
    assert letter.paper == paper == paper_size_for(jurisdiction)
    pdf = write_pdf(letter)
    assert page_points(pdf, tmp_path) == points
    assert printed_date in pdf_text(pdf, tmp_path)


def test_canada_the_country_is_not_california_the_state() -> None:
    assert paper_size_for("CA") == "letter"
    assert paper_size_for("US-CA") == "letter"
    assert paper_size_for("FR") == "A4"
    assert paper_size_for("gb") == "A4"


def test_the_signer_is_the_hiring_manager_with_their_title_by_default(tmp_path: Path) -> None:
    text = pdf_text(write_pdf(rendered(make_terms())), tmp_path)
    assert "Yours sincerely, Grace Liu Director of Engineering Corvid Systems, Inc." in text


def test_a_configured_signer_signs_with_their_title(tmp_path: Path) -> None:
    policy = demo_policy_variant(
        tmp_path, 'tagline = "', 'signer_name = "Dana Cho"\nsigner_title = "Chief People Officer"\ntagline = "'
    )
    text = pdf_text(write_pdf(rendered(make_terms(), policy=policy)), tmp_path)
    assert "Yours sincerely, Dana Cho Chief People Officer Corvid Systems, Inc." in text
    assert "Director of Engineering" not in text


def test_a_signer_from_icims_wins_and_keeps_only_its_own_title(tmp_path: Path) -> None:
    policy = demo_policy_variant(
        tmp_path, 'tagline = "', 'signer_name = "Dana Cho"\nsigner_title = "Chief People Officer"\ntagline = "'
    )
    letter = rendered(make_terms(), policy=policy, signer_name="Sam Ortiz", signer_title="VP Engineering")
    assert "Sam Ortiz VP Engineering Corvid Systems" in pdf_text(write_pdf(letter), tmp_path)
    untitled = rendered(make_terms(), policy=policy, signer_name="Sam Ortiz")
    text = pdf_text(write_pdf(untitled), tmp_path)
    assert "Sam Ortiz Corvid Systems" in text
    assert "Chief People Officer" not in text


def test_vesting_reads_as_a_sentence_in_the_table_and_the_equity_clause(tmp_path: Path) -> None:
    case = jurisdiction_case("US-NY")  # the demo policy's equity clause applies in New York
    letter = render_letter(case.terms, demo_policy(), case.context, TemplateNarrativeWriter())
    text = pdf_text(write_pdf(letter), tmp_path)
    assert "restricted stock units, vesting over 4 years: 25% after a" in text
    assert "The units vest over 4 years: 25% after a 1-year cliff, then monthly over the remaining 36 months." in text
    assert "vest 4 years" not in text
    assert check_letter(letter, case.terms, demo_policy(), TODAY).passed


def test_a_schedule_that_does_not_open_with_its_length_is_printed_as_written() -> None:
    terms = make_terms(jurisdiction="US-NY", vesting_schedule="monthly over 48 months")
    letter = rendered(terms)
    assert "vesting <span" in letter.html
    assert "vest over" not in letter.html


def _hourly_catalogue() -> Catalogue:
    hours = {"source": "applicantworkflow.field39002", "type": "count", "unit": "hours"}
    base = {"source": "applicantworkflow.field31001", "hours_per_week": "weekly_hours"}
    return build_catalogue(TenantMapping.model_validate({"terms": {"weekly_hours": hours, "base_salary": base}}))


def test_hourly_pay_states_its_weekly_hours(tmp_path: Path) -> None:
    terms = make_terms(jurisdiction="US-TX", base_salary=Decimal("46.75"), pay_period="hour").model_copy(
        update={"custom": {"weekly_hours": "38"}}
    )
    letter = rendered(terms, catalogue=_hourly_catalogue())
    text = pdf_text(write_pdf(letter), tmp_path)
    assert "Base salary $46.75 per hour for 38 hours a week, paid in line with" in text
    assert "Weekly hours" not in text  # part of the pay sentence, not a row of its own
    assert check_letter(letter, terms, demo_policy(), TODAY).passed


def test_a_configured_number_of_hours_is_stated_too() -> None:
    base = {"source": "applicantworkflow.field31001", "hours_per_week": 40}
    catalogue = build_catalogue(TenantMapping.model_validate({"terms": {"base_salary": base}}))
    terms = make_terms(jurisdiction="US-TX", base_salary=Decimal("30"), pay_period="hour")
    assert "for 40 hours a week" in " ".join(rendered(terms, catalogue=catalogue).html.split()).replace(
        '<span class="term" data-term="hours_per_week">40 hours</span>', "40 hours"
    )


def test_a_yearly_salary_has_no_weekly_hours() -> None:
    letter = rendered(make_terms(), catalogue=_hourly_catalogue())
    assert "hours a week" not in letter.html


TENANT_TERMS: dict[str, dict[str, Any]] = {
    "shift_differential": {"source": "applicantworkflow.field39001", "type": "money_rate", "basis": "hour",
                           "labels": {"en": "Night shift premium"}},
    "car_allowance": {"source": "applicantworkflow.field39003", "type": "money", "labels": {"en": "Car allowance"}},
    "retirement_match": {"source": "applicantworkflow.field39004", "type": "percent",
                         "labels": {"en": "Retirement plan match"}},
    "company_phone": {"source": "applicantworkflow.field39005", "type": "count", "unit": None,
                      "labels": {"en": "Company phones"}},
    "review_date": {"source": "applicantworkflow.field39006", "type": "date", "labels": {"en": "First pay review"}},
    "probation": {"source": "applicantworkflow.field39007", "type": "duration", "unit": "months",
                  "labels": {"en": "Probation period"}},
    "visa": {"source": "applicantworkflow.field39008", "type": "text", "labels": {"en": "Visa sponsorship"}},
    "equity_type": {"source": "applicantworkflow.field39009", "type": "choice", "labels": {"en": "Equity type"}},
    "budget": {"source": "job.field39010", "type": "money", "internal": True, "labels": {"en": "Hiring budget"}},
}  # fmt: skip
TENANT_VALUES = {
    "shift_differential": "2.5", "car_allowance": "6000", "retirement_match": "4", "company_phone": "1",
    "review_date": "2027-08-01", "probation": "6", "visa": "H-1B transfer sponsored by the company",
    "equity_type": "RSU", "budget": "250000",
}  # fmt: skip


def test_every_catalogue_type_reads_as_a_row_of_the_letter(tmp_path: Path) -> None:
    configs = {key: {k: v for k, v in config.items() if v is not None} for key, config in TENANT_TERMS.items()}
    catalogue = build_catalogue(TenantMapping.model_validate({"terms": configs}))
    terms = make_terms(
        bonus_target_percent=Decimal("12.5"), special_terms="Hybrid schedule reviewed after six months."
    ).model_copy(update={"custom": TENANT_VALUES})
    letter = rendered(terms, catalogue=catalogue)
    text = pdf_text(write_pdf(letter), tmp_path)
    for sentence in (
        "Base salary $185,000.00 per year, paid in line with the company's regular payroll schedule",
        "Annual bonus target 12.5% of base salary",
        "Sign-on bonus $15,000.00, paid once",
        "Equity 4,000 restricted stock units, vesting over 4 years: 25% after a",
        "Start date February 1, 2027",
        "Paid time off 20 days a year",
        "Night shift premium $2.50 per hour",
        "Car allowance $6,000.00",
        "Retirement plan match 4%",
        "Company phones 1",
        "First pay review August 1, 2027",
        "Probation period 6 months",
        "Visa sponsorship H-1B transfer sponsored by the company",
        "Equity type RSU",
        "Additional terms Hybrid schedule reviewed after six months.",
    ):
        assert sentence in text, sentence
    assert "Hiring budget" not in text  # internal terms never print
    assert "250,000" not in text
    assert "You will receive a one-time sign-on bonus of $15,000.00" in text  # with its repayment terms
    assert "repay" in text


def test_the_letter_date_is_todays(tmp_path: Path) -> None:
    letter = rendered(make_terms(), today=date(2027, 1, 4))
    assert "January 4, 2027" in pdf_text(write_pdf(letter), tmp_path)


def _mapped(settings_tenant: TenantMapping, **terms: Any) -> TenantMapping:
    data = settings_tenant.model_dump(exclude={"terms", "term_configs", "band_min", "band_max", "band_currency"})
    raw = {name: [str(r) for r in refs] for name, refs in settings_tenant.terms.items()}
    bands = {key: [str(r) for r in getattr(settings_tenant, key)] for key in ("band_min", "band_max", "band_currency")}
    return TenantMapping.model_validate({**data, **bands, "terms": {**raw, **terms}})


def test_the_signer_is_read_from_icims_where_the_tenant_maps_it(settings: Any) -> None:
    mapping = _mapped(settings.tenant, signer_name="job.field30010", signer_title="job.field30011")
    bundle = f.demo_bundle(3401, job={"field30010": "Sam Ortiz", "field30011": "VP Engineering"})
    setup = EngineSetup(customer_id=6120, company_name="Corvid Systems, Inc.", mapping=mapping, policy=demo_policy())
    context, missing = letter_context_data(bundle, read_terms(bundle, mapping), setup)
    assert missing == []
    assert (context["signer_name"], context["signer_title"]) == ("Sam Ortiz", "VP Engineering")
    unmapped, _ = letter_context_data(bundle, read_terms(bundle, settings.tenant), setup)
    assert unmapped["signer_name"] is None  # the policy's signer, else the hiring manager, signs


def test_a_template_may_fix_its_paper_whatever_the_jurisdiction(tmp_path: Path) -> None:
    policy = demo_policy_variant(tmp_path, 'id = "standard"', 'id = "standard"\npaper = "A4"')
    letter = rendered(make_terms(), policy=policy)
    assert letter.paper == "A4"
    assert page_points(write_pdf(letter), tmp_path) == A4_POINTS


def test_an_unknown_paper_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="paper"):
        demo_policy_variant(tmp_path, 'id = "standard"', 'id = "standard"\npaper = "legal"')
