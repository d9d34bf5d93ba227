"""Letters: rendering per jurisdiction with the right clauses and formatted amounts, the narrative, the PDF."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from icims.mapping import TenantMapping
from offer_engine.catalogue import Catalogue, build_catalogue
from offer_engine.compliance import check_letter
from offer_engine.letters import LetterRenderError, PdfError, find_fonts, render_letter, write_pdf
from offer_engine.narrative import TemplateNarrativeWriter
from offer_engine.policy import CompanyPolicy, load_policy
from tests.offer_engine.letter_factories import (
    DEMO_JURISDICTIONS,
    TODAY,
    FixedNarrativeWriter,
    demo_policy,
    jurisdiction_case,
    make_context,
    make_terms,
    render,
    write_policy,
)

EXPECTED = {
    "US-CA": ("standard", {"at_will", "ca_noncompete_notice", "ca_invention_notice", "sign_on_repayment_ca",
                           "relocation_ca", "confidentiality_ip", "us_background_check"},
              {"sign_on_repayment", "relocation_repayment", "non_compete"}),
    "US-NY": ("standard", {"at_will", "ny_pay_transparency", "ny_wage_notice", "equity_grant"},
              {"sign_on_repayment", "ca_noncompete_notice"}),
    "US-CO": ("standard", {"at_will", "co_pay_disclosure", "co_restrictive_covenants"},
              {"equity_grant", "non_compete"}),
    "US-TX": ("standard", {"at_will", "sign_on_repayment", "relocation_repayment", "us_work_authorization"},
              {"ca_noncompete_notice", "sign_on_repayment_ca"}),
    "GB": ("gb_statement", {"gb_written_statement", "gb_notice_period", "gb_holiday", "gb_pension",
                            "gb_right_to_work", "gb_preemployment_checks", "confidentiality_ip"},
           {"at_will", "us_background_check"}),
}  # fmt: skip


def clause_sections(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {str(s["data-clause"]): " ".join(s.get_text(" ").split()) for s in soup.select("[data-clause]")}


@pytest.mark.parametrize("jurisdiction", DEMO_JURISDICTIONS)
def test_each_jurisdiction_gets_its_template_and_clauses(jurisdiction: str) -> None:
    template, present, absent = EXPECTED[jurisdiction]
    case = jurisdiction_case(jurisdiction)
    letter = render(case)
    sections = clause_sections(letter.html)
    assert letter.template_id == template
    assert present <= set(letter.clause_ids)
    assert present <= set(sections)
    assert not absent & set(letter.clause_ids)
    assert not absent & set(sections)
    assert list(sections) == letter.clause_ids
    assert check_letter(letter, case.terms, demo_policy(), TODAY).passed


@pytest.mark.parametrize(
    ("jurisdiction", "figures"),
    [
        ("US-CA", ["$185,000.00 per year", "$15,000.00", "$10,000.00", "10% of base salary", "4,000 restricted",
                   "February 1, 2027", "December 11, 2026", "November 20, 2026"]),
        ("US-NY", ["$150,000.00", "$125,000.00 to $165,000.00 per year"]),
        ("US-CO", ["$98,000.00", "$82,000.00 to $110,000.00 per year"]),
        ("GB", ["£118,000.00 per annum", "15% of base salary", "25 days in each holiday year", "1 March 2027",
                "15 December 2026", "20 November 2026"]),
    ],
)  # fmt: skip
def test_amounts_and_dates_are_formatted_for_the_currency_and_locale(jurisdiction: str, figures: list[str]) -> None:
    text = " ".join(BeautifulSoup(render(jurisdiction_case(jurisdiction)).html, "html.parser").get_text(" ").split())
    for figure in figures:
        assert figure in text, figure
    if jurisdiction == "GB":
        assert "$" not in text


def test_printed_values_record_every_term_as_printed() -> None:
    letter = render(jurisdiction_case("US-CA"))
    assert letter.printed_values["base_salary"] == "$185,000.00"
    assert letter.printed_values["start_date"] == "February 1, 2027"
    assert letter.printed_values["equity_units"] == "4,000"
    assert letter.printed_values["bonus_target_percent"] == "10%"
    assert (letter.locale, letter.language, letter.currency, letter.letter_date) == ("en_US", "en", "USD", TODAY)
    assert letter.policy_version == "2026.2"


def test_narrative_comes_from_the_versioned_template_and_records_its_source() -> None:
    letter = render(jurisdiction_case("US-TX"))
    assert letter.narrative_source == {"provider": "template", "prompt": "letter_narrative@2/en"}
    assert "Grace Liu and the Infrastructure team are delighted" in letter.narrative
    assert "invite you to join Corvid Systems, Inc. as Site Reliability Engineer" in letter.html


def test_narrative_is_escaped_and_placed_as_paragraphs() -> None:
    writer = FixedNarrativeWriter("<script>alert(1)</script> Welcome & thanks.\n\nSecond <b>paragraph</b>.")
    letter = render(jurisdiction_case("US-CA"), writer=writer)
    soup = BeautifulSoup(letter.html, "html.parser")
    paragraphs = [p.get_text() for p in soup.select(".narrative p")]
    assert paragraphs == ["<script>alert(1)</script> Welcome & thanks.", "Second <b>paragraph</b>."]
    assert not soup.select(".narrative script, .narrative b")
    assert letter.narrative_source == {"provider": "test", "model": "fixed"}
    request = writer.requests[0]
    assert (request.candidate_first_name, request.manager_name, request.start_date) == (
        "Maya",
        "Grace Liu",
        date(2027, 2, 1),
    )


def test_a_language_without_a_template_falls_back_to_the_templates_language() -> None:
    case = jurisdiction_case("US-CO")
    letter = render_letter(case.terms, demo_policy(), make_context(language="es", job_band=case.context.job_band),
                           TemplateNarrativeWriter())  # fmt: skip
    assert letter.language == "en"
    assert letter.locale == "en_US"
    assert letter.narrative_source["prompt"] == "letter_narrative@2/en"


def test_a_clause_that_needs_a_band_fails_clearly_without_one() -> None:
    case = jurisdiction_case("US-NY")
    with pytest.raises(LetterRenderError, match=r"clause 'ny_pay_transparency'.*no salary band"):
        render_letter(
            case.terms.model_copy(update={"title": "Unbanded Role"}), demo_policy(),
            make_context(job_band=None), TemplateNarrativeWriter(),
        )  # fmt: skip


def policy_with_template(folder: Path, html: str) -> CompanyPolicy:
    """A policy whose only letter template is `html`."""
    (folder / "t.html.j2").write_text(html, encoding="utf-8")
    body = '[policy]\ncompany = "T"\nversion = "1"\n[[letters.templates]]\nid = "t"\nhtml = "t.html.j2"\n'
    return load_policy(write_policy(folder, body, minimal=False))


def test_printing_a_term_the_version_does_not_have_is_an_error(tmp_path: Path) -> None:
    policy = policy_with_template(tmp_path, "<p>Sign-on: {{ terms.sign_on_bonus }}</p>")
    terms = make_terms(sign_on_bonus=None, jurisdiction="US-WA")
    with pytest.raises(LetterRenderError, match="sign_on_bonus"):
        render_letter(terms, policy, make_context(), TemplateNarrativeWriter())


def test_templates_are_sandboxed(tmp_path: Path) -> None:
    policy = policy_with_template(tmp_path, "{{ raw.__class__.__mro__ }}")
    with pytest.raises(LetterRenderError):
        render_letter(make_terms(jurisdiction="US-WA"), policy, make_context(), TemplateNarrativeWriter())


# -- PDF -------------------------------------------------------------------------------------------------------
def pdf_reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Base font name → whether its font program is embedded (FontFile, FontFile2 or FontFile3)."""
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            descriptor_owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descriptor_owner["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


@pytest.fixture(scope="module")
def us_pdf() -> bytes:
    return write_pdf(render(jurisdiction_case("US-CA")))


def test_pdf_text_has_the_figures_the_name_and_page_numbers(us_pdf: bytes) -> None:
    reader = pdf_reader(us_pdf)
    pages = [page.extract_text() for page in reader.pages]
    text = " ".join(" ".join(pages).split())
    for expected in ("Maya Patel", "$185,000.00", "$15,000.00", "$10,000.00", "4,000 restricted stock units",
                     "February 1, 2027", "December 11, 2026", "Senior Backend Engineer"):  # fmt: skip
        assert expected in text, expected
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Corvid Systems, Inc." in page  # the letterhead repeats on every page
    assert reader.metadata is not None
    assert reader.metadata.title == "Offer of employment: Maya Patel"


def test_pdf_fonts_are_embedded(us_pdf: bytes) -> None:
    fonts = embedded_fonts(pdf_reader(us_pdf))
    assert fonts
    assert all(fonts.values()), fonts
    if find_fonts():
        assert all("DejaVu" in name for name in fonts), fonts


def test_pdf_is_deterministic(us_pdf: bytes) -> None:
    assert write_pdf(render(jurisdiction_case("US-CA"))) == us_pdf


def test_gb_pdf_prints_sterling() -> None:
    text = " ".join(p.extract_text() for p in pdf_reader(write_pdf(render(jurisdiction_case("GB")))).pages)
    text = " ".join(text.split())
    assert "£118,000.00 per annum" in text
    assert "Oliver Bennett" in text
    assert "statement of main terms" in text


@pytest.mark.parametrize("source", ["http://example.com/logo.png", "file:///etc/hostname", "https://x.test/a.css"])
def test_pdf_refuses_resources_outside_the_letter(tmp_path: Path, source: str) -> None:
    policy = policy_with_template(
        tmp_path, f'<html><body><img src="{source}"><p>{{{{ terms.title }}}}</p></body></html>'
    )
    letter = render_letter(make_terms(jurisdiction="US-WA"), policy, make_context(), TemplateNarrativeWriter())
    with pytest.raises(PdfError, match="not allowed"):
        write_pdf(letter)


def test_hourly_pay_prints_per_hour() -> None:
    case = jurisdiction_case("US-TX")
    terms = case.terms.model_copy(update={"base_salary": Decimal("72.50"), "pay_period": "hour"})
    letter = render_letter(terms, demo_policy(), case.context, TemplateNarrativeWriter())
    assert "$72.50" in letter.html
    assert "per <span" in letter.html


def _shift_catalogue() -> Catalogue:
    term = {"source": "applicantworkflow.field39001", "type": "money_rate", "basis": "hour"}
    budget = {"source": "job.field39002", "type": "money", "internal": True}
    return build_catalogue(TenantMapping.model_validate({"terms": {"shift_differential": term, "max_budget": budget}}))


def test_a_tenant_term_prints_formatted_by_its_type(tmp_path: Path) -> None:
    policy = policy_with_template(tmp_path, "<p>Night premium: {{ terms.shift_differential }}</p>")
    terms = make_terms(jurisdiction="US-WA").model_copy(update={"custom": {"shift_differential": "2.5"}})
    letter = render_letter(terms, policy, make_context(), TemplateNarrativeWriter(), _shift_catalogue())
    assert "$2.50 per hour" in BeautifulSoup(letter.html, "html.parser").get_text()
    assert letter.printed_values["shift_differential"] == "$2.50 per hour"


def test_an_internal_tenant_term_never_prints_in_a_letter(tmp_path: Path) -> None:
    policy = policy_with_template(tmp_path, "<p>{{ terms.max_budget }}</p>")
    with pytest.raises(LetterRenderError, match="internal"):
        render_letter(
            make_terms(jurisdiction="US-WA"), policy, make_context(), TemplateNarrativeWriter(), _shift_catalogue()
        )


def test_an_unmapped_work_arrangement_prints_as_icims_has_it(tmp_path: Path) -> None:
    policy = policy_with_template(tmp_path, "<p>Arrangement: {{ terms.work_arrangement }}</p>")
    terms = make_terms(jurisdiction="US-WA").model_copy(
        update={"work_arrangement": None, "work_arrangement_label": "Field-based (multi-store)"}
    )
    letter = render_letter(terms, policy, make_context(), TemplateNarrativeWriter())
    assert "Field-based (multi-store)" in BeautifulSoup(letter.html, "html.parser").get_text()
    report = check_letter(letter, terms, policy, TODAY)
    assert [f for f in report.findings if f.term == "work_arrangement"] == []
