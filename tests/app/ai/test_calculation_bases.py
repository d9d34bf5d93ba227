"""Worked figures on the right base: a percentage of ONE monthly salary, repayments over an offer's own period and
elapsed years, policy examples never used as the candidate's figures, and pay asked for in another period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.ai.calculations import Period, is_example, months_elapsed, pay_base_in, repayment_period
from app.ai.embedded import Draft, EmbeddedEngine
from app.ai.guard import check
from app.ai.llm_calls import answer_grounding
from app.ai.models import AnswerRequest, EngineOptions, OfferFact, Passage
from app.ai.routing import route_message
from tests.app.ai.factories import make_request, make_terms

# An invented alpine chalet operator: an annual salary and a year-end bonus kept as a percentage.
CH_TERMS = make_terms(
    jurisdiction="CH", currency="CHF", location="Zermatt", base_salary=Decimal(96000), sign_on_bonus=None,
    relocation=None, bonus_target_percent=None,
)  # fmt: skip
YEAR_END = OfferFact(
    name="year_end_bonus", label="Year-end bonus", value="80%", ref="applicantworkflow.field42001",
    synonyms=["year-end bonus", "year end bonus"], kind="percent", raw="80",
)  # fmt: skip
YEAR_END_RULE = Passage(
    doc_id="ch-pay", title="Pay and bonuses", section="Year-end bonus", jurisdiction="CH",
    text="The year-end bonus is a percentage of one monthly base salary and is paid in December.",
)  # fmt: skip
RETENTION = OfferFact(
    name="retention_bonus", label="Retention bonus", value="$9,000", ref="applicantworkflow.field42002",
    synonyms=["retention bonus"], kind="money", raw="9000",
)  # fmt: skip
RETENTION_PERIOD = OfferFact(
    name="retention_period", label="Retention period", value="18 months", ref="applicantworkflow.field42003",
    synonyms=["retention period"], kind="duration", raw="18",
)  # fmt: skip
NOTICE = OfferFact(
    name="notice_months", label="Notice period", value="3 months", ref="applicantworkflow.field42004",
    synonyms=["notice period"], kind="duration", raw="3",
)  # fmt: skip
RETENTION_RULE = Passage(
    doc_id="us-retention", title="Retention awards", section="Leaving early", jurisdiction="US",
    text="If you leave during your retention period, you repay the retention bonus pro rata for the months left.",
)  # fmt: skip
RETENTION_EXAMPLE = Passage(
    doc_id="us-retention", title="Retention awards", section="Example", jurisdiction="US",
    text="For example, an employee with a $6,000 award who repays it pro rata over 12 months and leaves after "
    "4 months repays $4,000.",
)  # fmt: skip
WEEKLY_HOURS = OfferFact(
    name="contract_hours", label="Contract hours", value="36 hours a week", ref="applicantworkflow.field42005",
    synonyms=["contract hours", "weekly hours"], kind="count", raw="36",
)  # fmt: skip


def _answer(message: str, **overrides: Any) -> tuple[AnswerRequest, Draft]:
    request = make_request(message, **overrides)
    return request, EmbeddedEngine().answer(request, route_message(request, EngineOptions()))


# -- the base a percentage is of -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "base"),
    [
        ("The bonus is 80% of one monthly base salary.", Period.MONTH),
        ("Der Bonus beträgt 80 % eines Bruttomonatsgehalts.", Period.MONTH),
        ("La paga es el 80 % de un salario mensual bruto.", Period.MONTH),
        ("The match is 5% of your annual base salary.", Period.YEAR),
        ("Der Arbeitgeber zahlt 5 % des Jahresgehalts ein.", Period.YEAR),
        ("La empresa aporta el 5 % del salario bruto anual.", Period.YEAR),
        ("The bonus is a percentage of base salary.", None),
        ("The 10% site allowance is paid with your monthly salary.", None),
        ("Die Zulage von 10 % wird mit dem Monatsgehalt ausbezahlt.", None),
        ("The year-end bonus is a percentage of one month's salary.", Period.MONTH),
        ("Die Jahresendprämie beträgt 80 Prozent des monatlichen Grundgehalts.", Period.MONTH),
        ("La paga extra es un porcentaje del sueldo base mensual.", Period.MONTH),
    ],
)
def test_the_pay_a_rule_s_percentage_is_of(sentence: str, base: Period | None) -> None:
    assert pay_base_in(sentence) is base


def test_a_percent_of_one_monthly_salary_is_never_computed_on_the_year() -> None:
    request, draft = _answer(
        "How much will my year-end bonus be in francs?", terms=CH_TERMS, extra_facts=[YEAR_END],
        passages=[YEAR_END_RULE],
    )  # fmt: skip
    assert "80% × CHF 96,000 ÷ 12 months = CHF 6,400" in draft.text
    assert "76,800" not in draft.text
    assert draft.calculations[0]["sources"] == ["applicantworkflow.field42001", "applicantworkflow.field31001"]
    assert check(draft.text, answer_grounding(request, [])).status == "passed"


def test_a_percent_whose_base_nobody_states_gives_no_amount() -> None:
    _, draft = _answer("How much will my year-end bonus be in francs?", terms=CH_TERMS, extra_facts=[YEAR_END])
    assert "×" not in draft.text
    assert "76,800" not in draft.text
    assert draft.calculations == []
    assert "which pay the percentage is of" in draft.text
    assert draft.handoff


def test_a_tenant_declares_the_base_of_a_percent_term() -> None:
    monthly = YEAR_END.model_copy(update={"percent_of": "month"})
    _, draft = _answer("How much will my year-end bonus be in francs?", terms=CH_TERMS, extra_facts=[monthly])
    assert "80% × CHF 96,000 ÷ 12 months = CHF 6,400" in draft.text


def test_a_german_question_reads_the_month_base_from_a_german_rule() -> None:
    bonus = YEAR_END.model_copy(update={"label": "Jahresendprämie", "synonyms": ["jahresendpramie"]})
    text = "Die Jahresendprämie beträgt einen Prozentsatz eines Monatsgehalts und wird im Dezember ausbezahlt."
    rule = YEAR_END_RULE.model_copy(update={"text": text})
    _, draft = _answer(
        "Wie viel bekomme ich als Jahresendprämie?", terms=CH_TERMS, extra_facts=[bonus], passages=[rule],
        language_hint="de",
    )  # fmt: skip
    assert "80% × CHF 96'000 ÷ 12 Monate = CHF 6'400" in draft.text


# -- pro-rata repayment ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "months"),
    [
        ("What do I owe if I leave after a year?", Decimal(12)),
        ("If I quit after two years, do I repay it?", Decimal(24)),
        ("And after a year and a half?", Decimal(18)),
        ("What if I leave after half a year, i.e. 6 months?", Decimal(6)),
        ("Und nach einem halben Jahr?", Decimal(6)),
        ("Was muss ich zurückzahlen, wenn ich nach anderthalb Jahren gehe?", Decimal(18)),
        ("¿Cuánto debo devolver si me voy después de un año?", Decimal(12)),
        ("I earn $3,000 a month; what do I repay after 5 months?", Decimal(5)),
        ("What do I repay?", None),
        ("Do I repay it if I leave within a year?", None),
        ("Muss ich sie zurückzahlen, wenn ich innerhalb von 2 Jahren kündige?", None),
    ],
)
def test_the_time_a_candidate_has_stayed_in_months_or_years(question: str, months: Decimal | None) -> None:
    assert months_elapsed(question) == months


def test_a_rule_s_period_in_years() -> None:
    assert repayment_period("You repay the award pro rata if you leave within two years.") == 24
    assert repayment_period("Die Prämie ist anteilig zurückzuzahlen, wenn Sie innerhalb eines Jahres kündigen.") == 12
    assert repayment_period("You repay the award pro rata.") is None


@pytest.mark.parametrize(
    "question",
    [
        "If I leave after 6 months, how much of the retention bonus do I owe?",
        "How much of my retention bonus would I have to pay back if I leave after half a year, i.e. 6 months?",
    ],
)
def test_the_repayment_period_comes_from_the_offer_when_the_rule_states_none(question: str) -> None:
    request, draft = _answer(
        question, extra_facts=[RETENTION, RETENTION_PERIOD, NOTICE], passages=[RETENTION_RULE, RETENTION_EXAMPLE]
    )
    assert "$9,000 × 12 months ÷ 18 months = $6,000" in draft.text
    sources = draft.calculations[0]["sources"]
    assert isinstance(sources, list)
    assert "applicantworkflow.field42003" in sources  # the retention period term, never the notice period
    assert "$4,000" not in draft.text  # the example's employee
    assert check(draft.text, answer_grounding(request, [])).status == "passed"


def test_a_worked_example_never_gives_the_period() -> None:
    assert is_example(RETENTION_EXAMPLE.text)
    assert is_example("Beispiel: Eine Mitarbeiterin verlässt das Unternehmen nach 8 Monaten.")
    assert is_example("Por ejemplo, una persona que se va a los 8 meses devuelve 4/12.")
    assert not is_example(RETENTION_RULE.text)
    _, draft = _answer(
        "If I leave after 6 months, how much of the retention bonus do I owe?", extra_facts=[RETENTION],
        passages=[RETENTION_EXAMPLE],
    )  # fmt: skip
    assert draft.calculations == []
    assert "$3,000 × " not in draft.text


def test_a_sign_on_bonus_repayment_in_years() -> None:
    rule = Passage(
        doc_id="us-sign-on", title="Sign-on bonus", section="Repayment", jurisdiction="US",
        text="If you resign within two years of your start date, you repay the sign-on bonus pro rata.",
    )  # fmt: skip
    _, draft = _answer("How much of my sign-on bonus do I owe if I leave after a year?", passages=[rule])
    assert "$20,000 × 12 months ÷ 24 months = $10,000" in draft.text


# -- pay in another period -----------------------------------------------------------------------------------------


def test_weekly_pay_from_the_hours_term_the_question_names() -> None:
    hourly = make_terms(base_salary=Decimal("21.50"), pay_period="hour")
    request, draft = _answer("How much do my contract hours come to per week?", terms=hourly,
                             extra_facts=[WEEKLY_HOURS])  # fmt: skip
    assert "$21.50 × 36 hours = $774 per week" in draft.text
    assert check(draft.text, answer_grounding(request, [])).status == "passed"


def test_an_overtime_rate_asked_without_how_much() -> None:
    hourly = make_terms(base_salary=Decimal("46.75"), pay_period="hour")
    overtime = Passage(
        doc_id="us-overtime", title="Overtime policy", section="Overtime", jurisdiction="US",
        text="Hours over 40 in a week are paid at time and a half of the base hourly rate.",
    )  # fmt: skip
    _, draft = _answer("What's my overtime rate?", terms=hourly, passages=[overtime])
    assert "$46.75 × 1.5 = $70.13 per hour" in draft.text


def test_a_rule_giving_a_share_of_salary_makes_a_yearly_amount() -> None:
    pension = OfferFact(
        name="pension_match", label="Pension match", value="5%", ref="applicantworkflow.field42006",
        synonyms=["pension match"], kind="percent", raw="5",
    )  # fmt: skip
    rule = Passage(
        doc_id="us-pension", title="Pension plan", section="Match", jurisdiction="US",
        text="The pension match is 5% of your base salary, paid into the plan every payroll.",
    )  # fmt: skip
    _, draft = _answer("How much is my pension match in dollars?", extra_facts=[pension], passages=[rule])
    assert "5% × $172,000 = $8,600 per year" in draft.text


def test_pay_in_a_period_asked_beside_a_count_is_not_converted() -> None:
    hourly = make_terms(base_salary=Decimal("21.50"), pay_period="hour")
    shift = WEEKLY_HOURS.model_copy(update={"name": "shift_length", "label": "Shift length", "value": "12 hours",
                                            "synonyms": ["shift length"], "raw": "12"})  # fmt: skip
    _, draft = _answer("How much do I make per week with my shift length?", terms=hourly, extra_facts=[shift])
    assert "× 12 hours" not in draft.text  # a shift's hours are not a week's
    _, count = _answer("How many contract hours do I work per week?", terms=hourly, extra_facts=[WEEKLY_HOURS])
    assert count.calculations == []


@pytest.mark.parametrize(
    ("question", "label", "language", "formula"),
    [
        ("What is my gross per year with the 14 payments?", "Salary payments", "en", "€3,000 × 14 = €42,000 per year"),
        ("¿Cuánto cobro al año en bruto con las pagas?", "Número de pagas", "es", "€3.000 × 14 = €42.000 al año"),
        ("Wie viel verdiene ich brutto im Jahr mit den Zahlungen?", "Zahlungen pro Jahr", "de",
         "€3.000 × 14 = €42.000 pro Jahr"),
    ],
)  # fmt: skip
def test_a_year_from_the_payments_term_the_question_names(
    question: str, label: str, language: str, formula: str
) -> None:
    terms = make_terms(
        jurisdiction="ES", currency="EUR", location="Valencia", base_salary=Decimal(3000), pay_period="month",
        sign_on_bonus=None, relocation=None, bonus_target_percent=None,
    )  # fmt: skip
    words = {"en": ["salary payments", "payments"], "es": ["pagas", "numero de pagas"], "de": ["zahlungen"]}
    payments = OfferFact(
        name="salary_payments", label=label, value="14", ref="applicantworkflow.field42007",
        synonyms=words[language], kind="count", raw="14",
    )  # fmt: skip
    request, draft = _answer(question, terms=terms, extra_facts=[payments], language_hint=language)
    assert formula in draft.text
    sources = draft.calculations[0]["sources"]
    assert sources == ["applicantworkflow.field31001", "applicantworkflow.field42007"]
    if language == "en":  # (the chat guard reads capitalised German nouns as names when checked without a language)
        assert check(draft.text, answer_grounding(request, [])).status == "passed"


def test_a_rule_naming_examples_of_a_thing_is_still_a_rule() -> None:
    assert not is_example("Public holidays are paid at double time, e.g. Christmas Day and New Year's Day.")
    assert not is_example("Feiertage werden doppelt bezahlt, z. B. der 1. Mai.")
    hourly = make_terms(base_salary=Decimal("46.75"), pay_period="hour")
    rule = Passage(
        doc_id="us-overtime", title="Overtime policy", section="Overtime", jurisdiction="US",
        text="Overtime is paid at time and a half of the base hourly rate, e.g. after 40 hours in a week. "
        "For example, an employee on $20.00 an hour is paid $30.00 an hour for overtime.",
    )  # fmt: skip
    _, draft = _answer("How much is my overtime rate per hour?", terms=hourly, passages=[rule])
    assert "$46.75 × 1.5 = $70.13 per hour" in draft.text
    assert "$30.00 ×" not in draft.text


def test_a_contribution_to_a_pension_is_a_share_of_every_payment() -> None:
    pension = OfferFact(
        name="employer_pension", label="Employer pension contribution", value="6%", ref="applicantworkflow.field42008",
        synonyms=["pension contribution"], kind="percent", raw="6",
    )  # fmt: skip
    _, draft = _answer("How much is my pension contribution in dollars?", extra_facts=[pension])
    assert "6% × $172,000 = $10,320 per year" in draft.text
    bonus = YEAR_END.model_copy(update={"label": "Annual bonus", "synonyms": ["annual bonus"]})
    _, one_off = _answer("How much is my annual bonus in francs?", terms=CH_TERMS, extra_facts=[bonus])
    assert one_off.calculations == []  # a bonus may be a percentage of one month's pay: no base, no amount
