"""Worked figures from rules worded in other common ways: a pro-rata repayment written as a formula, the repayment
period found by the offer term's name or stated in the question, and an amount the candidate states."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.ai.calculations import is_pro_rata_rule, served_and_period
from app.ai.embedded import Draft, EmbeddedEngine
from app.ai.models import AnswerRequest, EngineOptions, OfferFact, Passage
from app.ai.routing import route_message
from tests.app.ai.factories import make_request, make_terms

# An invented lighthouse-keeping trust: a study award repaid if the keeper leaves early.
STUDY_AWARD = OfferFact(
    name="study_award", label="Study award", value="$7,200", ref="applicantworkflow.field52001",
    synonyms=["study award"], kind="money", raw="7200",
)  # fmt: skip
COMMITMENT = OfferFact(
    name="service_commitment", label="Minimum service (clawback)", value="24 months",
    ref="applicantworkflow.field52002", synonyms=["minimum service"], kind="duration", raw="24",
)  # fmt: skip
FORMULA_RULE = Passage(
    doc_id="us-awards", title="Study awards", section="Leaving early", jurisdiction="US",
    text="A keeper who leaves early repays the study award multiplied by the number of full months remaining "
    "divided by the total number of months.",
)  # fmt: skip
DIVIDED_RULE = Passage(
    doc_id="us-awards", title="Study awards", section="Leaving early", jurisdiction="US",
    text="The study award repaid is the award divided by 24 and multiplied by the months remaining.",
)  # fmt: skip


def _answer(message: str, **overrides: Any) -> tuple[AnswerRequest, Draft]:
    request = make_request(message, **overrides)
    return request, EmbeddedEngine().answer(request, route_message(request, EngineOptions()))


def test_a_rule_written_as_a_formula_is_pro_rata() -> None:
    assert is_pro_rata_rule(FORMULA_RULE.text)
    assert is_pro_rata_rule(DIVIDED_RULE.text)
    assert is_pro_rata_rule("Se devolverá la parte correspondiente a los meses restantes.")
    assert is_pro_rata_rule("Die Prämie ist für die verbleibenden Monate zurückzuzahlen.")
    assert not is_pro_rata_rule("The award is paid in the first month.")


def test_the_period_term_is_found_by_its_name_when_the_rule_names_none() -> None:
    _, draft = _answer(
        "If I leave after 6 months, how much of the study award do I repay?",
        extra_facts=[STUDY_AWARD, COMMITMENT], passages=[FORMULA_RULE],
    )  # fmt: skip
    assert "$7,200 × 18 months ÷ 24 months = $5,400" in draft.text
    assert "applicantworkflow.field52002" in str(draft.calculations[0]["sources"])


def test_the_served_months_and_the_period_both_stated_in_the_question() -> None:
    assert served_and_period("It has a 24-month clawback; if I leave after 10 months what do I owe?") == (10, 24)
    assert served_and_period("Si me voy a los 6 meses, ¿cuánto devuelvo? La permanencia es de 12 meses") == (6, 12)
    assert served_and_period("Wenn ich nach 7 Monaten gehe? Bindungsfrist 18 Monate") == (7, 18)
    assert served_and_period("If I leave after 10 months, what do I owe?") is None


def test_an_amount_and_period_the_candidate_states() -> None:
    rule = Passage(
        doc_id="us-awards", title="Joining awards", section="Repayment", jurisdiction="US",
        text="If you leave early, you repay the joining award pro rata for the months remaining.",
    )  # fmt: skip
    terms = make_terms(sign_on_bonus=None)
    _, draft = _answer(
        "My $6,000 joining award has a 12-month clawback. If I leave after 4 months, how much do I pay back?",
        terms=terms, passages=[rule],
    )  # fmt: skip
    assert "$6,000 × 8 months ÷ 12 months = $4,000" in draft.text


# -- amounts from a rule and an offer value ------------------------------------------------------------------------

HOURLY = make_terms(base_salary=Decimal("30.40"), pay_period="hour", sign_on_bonus=None, relocation=None)
DUSK_PREMIUM = OfferFact(
    name="dusk_premium", label="Dusk shift premium", value="20%", ref="applicantworkflow.field52010",
    synonyms=["dusk premium", "dusk shift premium"], kind="percent", raw="20",
)  # fmt: skip
LAMP_DIFFERENTIAL = OfferFact(
    name="lamp_differential", label="Lamp-room differential", value="$2.25 per hour",
    ref="applicantworkflow.field52011",
    synonyms=["lamp-room differential"], kind="money_rate", raw="2.25",
)  # fmt: skip
ROTA = OfferFact(
    name="tower_roster", label="Tower roster", value="10 on / 4 off", ref="applicantworkflow.field52012",
    synonyms=["tower roster"], kind="choice", raw="10 on / 4 off",
)  # fmt: skip
ISLAND_ALLOWANCE = OfferFact(
    name="island_allowance", label="Island allowance", value="$45 per day", ref="applicantworkflow.field52013",
    synonyms=["island allowance"], kind="money_rate", raw="45",
)  # fmt: skip


def test_a_premium_percentage_on_pay_by_the_hour_is_of_the_hourly_rate() -> None:
    _, draft = _answer("What is the dusk premium in dollars per hour?", terms=HOURLY, extra_facts=[DUSK_PREMIUM])
    assert "20% × $30.40 = $6.08 per hour" in draft.text


def test_the_differential_named_in_short_is_added_to_the_rate() -> None:
    _, draft = _answer(
        "What's my hourly rate with the lamp diff included?", terms=HOURLY, extra_facts=[LAMP_DIFFERENTIAL]
    )
    assert "$30.40 + $2.25 = $32.65 per hour" in draft.text


def test_a_daily_allowance_over_the_roster_s_days_on() -> None:
    _, draft = _answer(
        "How much island allowance do I get per swing?", terms=HOURLY, extra_facts=[ROTA, ISLAND_ALLOWANCE]
    )
    assert "$45 × 10 days = $450" in draft.text


def test_a_tiered_overtime_rule_in_spanish_gives_the_first_tier() -> None:
    overtime = Passage(
        doc_id="es-horas", title="Horas extraordinarias", section="Recargos", jurisdiction="US",
        text="Las horas extraordinarias se pagan a una vez y media el valor de la hora ordinaria y a tiempo doble "
        "a partir de la décima hora.",
    )  # fmt: skip
    _, draft = _answer("¿A cuánto se pagan mis horas extraordinarias?", terms=HOURLY, passages=[overtime])
    assert "$30.40 × 1.5 = $45.60" in draft.text


def test_a_daily_allowance_named_daily_over_the_roster() -> None:
    daily = ISLAND_ALLOWANCE.model_copy(update={"label": "Daily island allowance", "value": "$45", "kind": "money"})
    _, draft = _answer("How much island allowance do I get per swing?", terms=HOURLY, extra_facts=[ROTA, daily])
    assert "$45 × 10 days = $450" in draft.text


# -- pay for a period asked elliptically ----------------------------------------------------------------------------


def test_each_paycheck_from_the_pay_frequency_the_documents_state() -> None:
    payroll = Passage(
        doc_id="us-payroll", title="Payroll", section="Pay days", jurisdiction="US",
        text="Keepers are paid biweekly, on alternate Thursdays.",
    )  # fmt: skip
    yearly = make_terms(base_salary=Decimal(62400), sign_on_bonus=None, relocation=None)
    _, draft = _answer("How much of my salary is in each paycheck?", terms=yearly, passages=[payroll])
    assert "$62,400 ÷ 26 = $2,400" in draft.text


def test_weekly_gross_at_the_hours_the_question_states() -> None:
    _, draft = _answer("What is my weekly base pay at 32 hours?", terms=HOURLY)
    assert "$30.40 × 32 hours = $972.80" in draft.text


def test_the_base_of_a_percentage_from_a_rule_under_the_term_s_heading_in_another_language() -> None:
    winter = OfferFact(
        name="winter_bonus", label="Winter bonus", value="50%", ref="applicantworkflow.field52020",
        synonyms=["winter bonus", "paga de invierno"], kind="percent", raw="50",
    )  # fmt: skip
    rule = Passage(
        doc_id="us-pagas", title="Pagas extraordinarias", section="Paga de invierno", jurisdiction="US",
        text="Se abona en diciembre y equivale a un porcentaje de un salario mensual bruto.",
    )  # fmt: skip
    yearly = make_terms(base_salary=Decimal(60000), sign_on_bonus=None, relocation=None, bonus_target_percent=None)
    _, draft = _answer("How much is my winter bonus in dollars?", terms=yearly, extra_facts=[winter], passages=[rule])
    assert "50% × $60,000 ÷ 12 months = $2,500" in draft.text


def test_a_rule_s_daily_amount_over_a_work_pattern_s_days_on() -> None:
    pattern = ROTA.model_copy(update={"name": "work_pattern", "label": "Work pattern", "synonyms": ["work pattern"]})
    rule = Passage(
        doc_id="us-site", title="Site allowances", section="Island allowance", jurisdiction="US",
        text="Keepers stationed on the island receive an island allowance of $38 per rostered day.",
    )  # fmt: skip
    _, draft = _answer("What's the island allowance per swing?", terms=HOURLY, extra_facts=[pattern], passages=[rule])
    assert "$38 × 10 days = $380" in draft.text


def test_a_rule_s_premium_on_the_hourly_rate_in_money_per_hour() -> None:
    rule = Passage(
        doc_id="us-premiums", title="Premiums", section="Storm watch", jurisdiction="US",
        text="Storm-watch hours attract a 25% premium on the base hourly rate.",
    )  # fmt: skip
    _, draft = _answer("What is the storm-watch premium in dollars per hour?", terms=HOURLY, passages=[rule])
    assert "25% × $30.40 = $7.60 per hour" in draft.text


def test_a_company_wide_rule_applies_to_every_candidate() -> None:
    rule = Passage(
        doc_id="all-awards", title="Joining awards", section="Repayment", jurisdiction="ALL",
        text="If you leave within 12 months, you repay the sign-on bonus pro rata.",
    )  # fmt: skip
    listed = rule.model_copy(update={"jurisdiction": "GB,US"})
    for passage in (rule, listed):
        _, draft = _answer("If I leave after 9 months, how much of my sign-on bonus do I pay back?", passages=[passage])
        assert "$20,000 × 3 months ÷ 12 months = $5,000" in draft.text
    elsewhere = rule.model_copy(update={"jurisdiction": "GB"})
    _, draft = _answer("If I leave after 9 months, how much of my sign-on bonus do I pay back?", passages=[elsewhere])
    assert "× 3 months" not in draft.text


def test_return_and_a_month_number_in_a_repayment_question() -> None:
    rule = Passage(
        doc_id="all-awards", title="Joining awards", section="Repayment", jurisdiction="ALL",
        text="If you leave within 12 months, you repay the sign-on bonus pro rata.",
    )  # fmt: skip
    question = "How much of the sign-on would I have to return if I left at month 9?"
    _, draft = _answer(question, passages=[rule])
    assert "$20,000 × 3 months ÷ 12 months = $5,000" in draft.text


def test_the_bonus_repaid_is_the_one_granted_once() -> None:
    rule = Passage(
        doc_id="all-awards", title="Joining awards", section="Repayment", jurisdiction="ALL",
        text="If you leave within 12 months, you repay the sign-on bonus pro rata.",
    )  # fmt: skip
    _, draft = _answer("If I leave after 9 months, how much of the bonus do I give back?", passages=[rule])
    assert "$20,000 × 3 months ÷ 12 months = $5,000" in draft.text
    _, draft = _answer("If I leave after 9 months, do I give back the annual bonus?", passages=[rule])
    assert "× 3 months" not in draft.text


def test_a_daily_allowance_named_beside_the_roster() -> None:
    _, draft = _answer(
        "On the tower roster, what does the island allowance come to per swing?", terms=HOURLY,
        extra_facts=[ROTA, ISLAND_ALLOWANCE],
    )  # fmt: skip
    assert "$45 × 10 days = $450" in draft.text
