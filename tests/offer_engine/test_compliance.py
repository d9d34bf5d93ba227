"""The compliance check catches each seeded defect in a real rendered letter, and passes clean letters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from offer_engine.compliance import ComplianceReport, check_letter
from offer_engine.letters import RenderedLetter
from offer_engine.policy import CompanyPolicy
from offer_engine.terms import OfferTerms
from tests.offer_engine.letter_factories import (
    DEMO_JURISDICTIONS,
    TODAY,
    Case,
    FixedNarrativeWriter,
    demo_policy,
    demo_policy_variant,
    jurisdiction_case,
    render,
)


def check(
    letter: RenderedLetter, terms: OfferTerms, policy: CompanyPolicy | None = None, today: date = TODAY
) -> ComplianceReport:
    return check_letter(letter, terms, policy or demo_policy(), today)


def codes(report: ComplianceReport) -> set[tuple[str, str | None]]:
    return {(f.code, f.clause_id or f.term) for f in report.findings}


def edited(letter: RenderedLetter, html: str) -> RenderedLetter:
    assert html != letter.html, "the edit changed nothing"
    return letter.model_copy(update={"html": html})


def without_clause(letter: RenderedLetter, clause_id: str) -> RenderedLetter:
    soup = BeautifulSoup(letter.html, "html.parser")
    section = soup.select_one(f'[data-clause="{clause_id}"]')
    assert section is not None
    section.decompose()
    return edited(letter, str(soup))


def with_paragraph(letter: RenderedLetter, text: str) -> RenderedLetter:
    """`text` pasted into the letter as a paragraph of its own (escaped, as an editor would store it)."""
    paragraph = BeautifulSoup("<p></p>", "html.parser")
    assert paragraph.p is not None
    paragraph.p.string = text
    return edited(letter, letter.html.replace("<h2>Your offer</h2>", f"{paragraph}<h2>Your offer</h2>", 1))


@pytest.fixture(scope="module")
def ca() -> tuple[Case, RenderedLetter]:
    case = jurisdiction_case("US-CA")
    return case, render(case)


@pytest.mark.parametrize("jurisdiction", DEMO_JURISDICTIONS)
def test_a_clean_letter_passes(jurisdiction: str) -> None:
    case = jurisdiction_case(jurisdiction)
    report = check(render(case), case.terms)
    assert report.passed
    assert report.findings == []


def test_the_check_reads_text_not_markup(ca: tuple[Case, RenderedLetter]) -> None:
    """A letter whose term markers were stripped (e.g. re-saved by an editor) still passes if it is right."""
    case, letter = ca
    soup = BeautifulSoup(letter.html, "html.parser")
    for span in soup.select("[data-term]"):
        span.unwrap()
    assert check(edited(letter, str(soup)), case.terms).passed


# -- clauses ---------------------------------------------------------------------------------------------------
REMOVED = [("US-CA", "at_will"), ("US-NY", "ny_pay_transparency"), ("US-CO", "co_pay_disclosure"), ("GB", "gb_pension")]


@pytest.mark.parametrize(("jurisdiction", "clause_id"), REMOVED)
def test_missing_required_clause(jurisdiction: str, clause_id: str) -> None:
    case = jurisdiction_case(jurisdiction)
    report = check(without_clause(render(case), clause_id), case.terms)
    assert not report.passed
    assert ("missing_required_clause", clause_id) in codes(report)


def test_altered_required_clause(ca: tuple[Case, RenderedLetter]) -> None:
    case, letter = ca
    sentence = "with or without cause or advance notice."
    report = check(edited(letter, letter.html.replace(sentence, "only for cause.")), case.terms)
    assert ("clause_text_altered", "at_will") in codes(report)


def test_forbidden_clause_pasted_as_text_is_caught(ca: tuple[Case, RenderedLetter]) -> None:
    case, letter = ca
    pasted = (
        "For twelve months after your employment ends, you agree not to compete with the company by working for, "
        "advising or owning any business that offers products competing with the products of Corvid Systems, Inc. "
        "in any territory where the company does business."
    )
    report = check(with_paragraph(letter, pasted), case.terms)
    assert not report.passed
    assert ("forbidden_clause_text", "non_compete") in codes(report)


def test_a_reworded_non_compete_is_caught_by_its_detect_phrases(ca: tuple[Case, RenderedLetter]) -> None:
    case, letter = ca
    report = check(with_paragraph(letter, "You agree not to compete with us for two years."), case.terms)
    assert ("forbidden_clause_text", "non_compete") in codes(report)


def test_forbidden_clause_by_id(tmp_path: Path) -> None:
    policy = demo_policy_variant(tmp_path, "default = true", 'default = true\nclauses = ["non_compete"]')
    case = jurisdiction_case("US-CA")
    letter = render(case, policy)
    assert "non_compete" in letter.clause_ids
    report = check(letter, case.terms, policy)
    assert ("forbidden_clause", "non_compete") in codes(report)


def test_colorado_non_compete_depends_on_pay(tmp_path: Path) -> None:
    policy = demo_policy_variant(tmp_path, "default = true", 'default = true\nclauses = ["non_compete"]')
    low = jurisdiction_case("US-CO")
    high = Case(low.terms.model_copy(update={"base_salary": Decimal(150000)}), low.context)
    assert ("forbidden_clause", "non_compete") in codes(check(render(low, policy), low.terms, policy))
    high_report = check(render(high, policy), high.terms, policy)
    assert not any(f.clause_id == "non_compete" for f in high_report.findings)


def test_at_will_text_in_a_uk_letter_is_caught() -> None:
    case = jurisdiction_case("GB")
    report = check(with_paragraph(render(case), "Your employment is at will and may end at any time."), case.terms)
    assert ("forbidden_clause_text", "at_will") in codes(report)


# -- numbers and dates -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "term"),
    [
        (">$185,000.00<", ">$195,000.00<", "base_salary"),
        (">$15,000.00<", ">$16,000.00<", "sign_on_bonus"),
        (">4,000<", ">5,000<", "equity_units"),
        (">10%<", ">12%<", "bonus_target_percent"),
        (">February 1, 2027<", ">February 8, 2027<", "start_date"),
        (">December 11, 2026<", ">December 18, 2026<", "expiry_date"),
        (">20<", ">25<", "pto_days"),
        (">$185,000.00<", ">£185,000.00<", "base_salary"),
        (">Senior Backend Engineer<", ">Staff Backend Engineer<", "title"),
    ],
)
def test_a_wrong_figure_is_a_finding(ca: tuple[Case, RenderedLetter], old: str, new: str, term: str) -> None:
    case, letter = ca
    report = check(edited(letter, letter.html.replace(old, new, 1)), case.terms)
    assert not report.passed
    assert ("wrong_value", term) in codes(report)


def test_a_wrong_figure_without_markup_is_still_caught(ca: tuple[Case, RenderedLetter]) -> None:
    case, letter = ca
    soup = BeautifulSoup(letter.html, "html.parser")
    for span in soup.select("[data-term]"):
        span.unwrap()
    html = str(soup).replace("$185,000.00", "$195,000.00")
    report = check(edited(letter, html), case.terms)
    assert {c for c, _ in codes(report)} >= {"unexpected_amount", "term_not_stated"}


@pytest.mark.parametrize(
    ("narrative", "code"),
    [
        ("We are glad to offer you $200,000.00 a year.", "unexpected_amount"),
        ("Your bonus could reach 30% in a good year.", "unexpected_percent"),
        ("We hope you can start on March 3, 2027.", "unexpected_date"),
        ("You will join a team of 45 engineers.", "unexpected_number"),
        ("Your pay is €185,000.00.", "wrong_currency"),
        ("See you on February 30, 2027.", "invalid_date"),
    ],
)
def test_stray_figures_in_the_narrative_are_caught(narrative: str, code: str) -> None:
    case = jurisdiction_case("US-CA")
    report = check(render(case, writer=FixedNarrativeWriter(narrative)), case.terms)
    assert code in {f.code for f in report.findings}, report.findings


def test_a_term_missing_from_the_letter_is_a_finding(ca: tuple[Case, RenderedLetter]) -> None:
    case, letter = ca
    soup = BeautifulSoup(letter.html, "html.parser")
    for span in soup.select('[data-term="sign_on_bonus"]'):
        span.replace_with("a bonus")
    report = check(edited(letter, str(soup)), case.terms)
    assert ("term_not_stated", "sign_on_bonus") in codes(report)


def test_a_letter_checked_against_another_version_fails(ca: tuple[Case, RenderedLetter]) -> None:
    case, letter = ca
    other = case.terms.model_copy(update={"base_salary": Decimal(190000), "equity_units": 4500})
    report = check(letter, other)
    assert {("wrong_value", "base_salary"), ("wrong_value", "equity_units")} <= codes(report)


# -- placeholders ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "inserted",
    ["Dear {{ candidate_name }},", "Salary: [[base_salary]]", "Start date TBD.", "Bonus of $XX,XXX.",
     "Signed by <hiring manager>.", "Welcome, [Insert candidate name].", "Lorem ipsum dolor sit amet."],
)  # fmt: skip
def test_leftover_placeholders(ca: tuple[Case, RenderedLetter], inserted: str) -> None:
    case, letter = ca
    report = check(with_paragraph(letter, inserted), case.terms)
    assert "placeholder" in {f.code for f in report.findings}


def test_a_placeholder_element_is_caught(ca: tuple[Case, RenderedLetter]) -> None:
    case, letter = ca
    html = letter.html.replace("<h2>Your offer</h2>", "<p>Salary: <placeholder></placeholder></p><h2>Your offer</h2>")
    report = check(edited(letter, html), case.terms)
    assert "placeholder" in {f.code for f in report.findings}


# -- dates of the offer ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("today", [date(2026, 12, 11), date(2026, 12, 12), date(2027, 1, 5)])
def test_expiry_must_be_after_today(ca: tuple[Case, RenderedLetter], today: date) -> None:
    case, letter = ca
    report = check(letter, case.terms, today=today)
    assert ("expiry_not_after_today", "expiry_date") in codes(report)


@pytest.mark.parametrize("start", [date(2026, 12, 11), date(2026, 12, 1)])
def test_start_date_must_be_after_expiry(start: date) -> None:
    base = jurisdiction_case("US-TX")
    case = Case(base.terms.model_copy(update={"start_date": start}), base.context)
    report = check(render(case), case.terms)
    assert ("start_not_after_expiry", "start_date") in codes(report)
    assert not any(f.code == "wrong_value" for f in report.findings)


def test_a_version_without_expiry_fails(ca: tuple[Case, RenderedLetter]) -> None:
    case, letter = ca
    report = check(letter, case.terms.model_copy(update={"expiry_date": None}))
    assert ("missing_expiry", "expiry_date") in codes(report)


def test_report_names_clause_ids_and_reasons() -> None:
    case = jurisdiction_case("US-CA")
    letter = without_clause(render(case), "ca_noncompete_notice")
    report = check(letter, case.terms, today=date(2026, 12, 20))
    by_code = {f.code: f for f in report.findings}
    assert by_code["missing_required_clause"].clause_id == "ca_noncompete_notice"
    assert "US-CA" in by_code["missing_required_clause"].message
    assert "2026-12-11" in by_code["expiry_not_after_today"].message


def test_a_wrong_pay_range_figure_is_a_finding() -> None:
    case = jurisdiction_case("US-NY")
    letter = render(case)
    report = check(edited(letter, letter.html.replace(">$165,000.00<", ">$175,000.00<")), case.terms)
    assert ("wrong_value", "band.max") in codes(report)


def test_figures_inside_names_are_not_findings() -> None:
    base = jurisdiction_case("US-TX")
    case = Case(
        base.terms.model_copy(update={"title": "Site Reliability Engineer 2", "location": "Building 7"}),
        base.context.model_copy(update={"company_name": "Studio 54 Ltd", "candidate_name": "Jo March 3rd"}),
    )
    assert check(render(case), case.terms).passed
