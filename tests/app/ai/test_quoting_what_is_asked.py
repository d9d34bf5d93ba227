"""The quoted sentence gives what the question asks (a deadline, a turnaround, a list, who pays, the row of the
candidate's own band), with the next sentence that holds the asked value when the topic's sentence lacks it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.ai.embedded import own_figures
from app.ai.engine import AnswerEngine
from app.ai.extractive import asked_kinds, best_evidence, names_a_date
from app.ai.models import Passage
from tests.app.ai.factories import make_request, make_terms


def _passage(text: str, section: str = "", title: str = "Policy") -> Passage:
    return Passage(doc_id=title.lower(), title=title, section=section, text=text)


# Other policies of a fictional brewery, so the asked words are as rare as in a real retrieval.
OTHERS = [
    _passage("Brewery tours for family members run on Saturdays.\nTours are booked at the taproom.", title="Tours"),
    _passage("Each employee may take home two crates a month.\nCrates are collected at gate B.", title="Staff beer"),
    _passage("Forklift licences are renewed every three years.\nThe trainer comes on site.", title="Licences"),
]
TIME_BANK = _passage(
    "Overtime hours go into your time bank.\n"
    "At least 8 banked hours must be taken as one full day off.\n"
    "Up to 40 banked hours can be moved into the next calendar year.\n"
    "Moved hours must be used by 30 April.\n"
    "Hours still in the bank lapse by then and are not paid out.",
    section="Time bank",
    title="Working time",
)
HEARING = _passage(
    "Everyone working in the bottling hall has a hearing test before the first shift.\n"
    "The hearing test is done by the occupational health nurse.\n"
    "It checks the frequencies 500, 1000, 2000 and 4000 Hz in both ears.\n"
    "Results are sent to you within 5 working days.\n"
    "Bring your ear protection to the appointment.",
    section="Hearing checks",
    title="Occupational health",
)
ALLERGENS = _passage(
    "Every batch is screened before release.\nThe laboratory screens each batch for:\n- gluten\n- sulphites\n- nuts",
    section="Batch screening",
    title="Quality lab",
)
SHARE_PLAN = _passage(
    "| Annual salary | Savings share |\n|---|---|\n| up to €35k | 2% |\n| €35,001 - €70,000 | 3% |\n"
    "| over €70,000 | 4% |",
    section="Savings share by salary",
    title="Share savings plan",
)
KIT_POLICY = _passage(
    "This policy sets out how workwear is issued.\n"
    "Workwear is issued by the stores team.\n"
    "Replacement boots are paid by the company once a year.",
    section="Workwear",
    title="Workwear policy",
)


def _quotes(question: str, passages: list[Passage], **options: object) -> list[str]:
    return [e.text for e in best_evidence(question, [*passages, *OTHERS], limit=2, **options)]  # type: ignore[arg-type]


def test_until_when_is_answered_by_the_sentence_with_the_date_not_the_count_of_hours() -> None:
    assert _quotes("until when can I use the moved hours?", [TIME_BANK])[0] == "Moved hours must be used by 30 April."


def test_the_deadline_next_to_the_rule_is_quoted_with_it() -> None:
    quotes = _quotes("can I move banked hours into next year, and until when?", [TIME_BANK])
    assert any("Up to 40 banked hours" in q for q in quotes)
    assert any("30 April" in q for q in quotes)


def test_a_count_of_days_is_not_a_date_but_a_deadline_span_is() -> None:
    assert not names_a_date("Up to 40 banked hours can be moved, 5 days at most.")
    assert names_a_date("Claims are made within 30 days of the trip.")
    assert names_a_date("Moved hours must be used by 30 April.")


def test_how_long_until_results_come_back_finds_the_turnaround() -> None:
    assert (
        _quotes("How long until results come back?", [HEARING])[0] == "Results are sent to you within 5 working days."
    )


def test_what_a_check_looks_for_brings_the_sentence_with_the_list() -> None:
    assert asked_kinds("What do they test for?") == {"list"}
    quotes = _quotes("What do they test for?", [HEARING])
    assert "500, 1000, 2000 and 4000 Hz" in quotes[0]


def test_a_sentence_ending_in_a_colon_is_quoted_with_its_list_items() -> None:
    quotes = _quotes("what does the laboratory screen each batch for?", [ALLERGENS])
    assert quotes[0] == "The laboratory screens each batch for: gluten, sulphites, nuts"


def test_the_row_of_the_candidates_own_salary_band_is_chosen() -> None:
    quotes = _quotes("what savings share do I get?", [SHARE_PLAN], own_figures=(Decimal(52000),))
    assert quotes == ["Annual salary: €35,001 - €70,000; Savings share: 3%"]


@pytest.mark.parametrize(
    ("question", "row"),
    [
        ("I earn 30k, what savings share do I get?", "Annual salary: up to €35k; Savings share: 2%"),
        ("My salary is 90,000 a year, what savings share do I get?", "Annual salary: over €70,000; Savings share: 4%"),
    ],
)
def test_a_salary_the_question_states_picks_its_band(question: str, row: str) -> None:
    assert _quotes(question, [SHARE_PLAN])[0] == row


def test_an_age_is_not_read_as_a_salary_in_a_salary_band() -> None:
    by_age = _passage(
        "| Age | Extra days |\n|---|---|\n| under 30 | 0 |\n| 30 to 49 | 2 |\n| from 50 | 4 |",
        section="Extra days by age",
        title="Holidays",
    )
    assert _quotes("how many extra days do I get?", [by_age], own_figures=(Decimal(52000),)) != [
        "Age: from 50; Extra days: 4"
    ]
    assert _quotes("I'm 52, how many extra days do I get?", [by_age], own_figures=(Decimal(31000),))[0] == (
        "Age: from 50; Extra days: 4"
    )


def test_the_candidates_own_pay_is_what_a_band_is_read_by() -> None:
    annual = make_request("x", terms=make_terms(base_salary=Decimal(64000)))
    assert own_figures(annual) == (Decimal(64000),)


def test_an_answer_quotes_the_row_of_the_offers_salary_band(embedded: AnswerEngine) -> None:
    request = make_request(
        "what is the savings share in the share savings plan?",
        terms=make_terms(base_salary=Decimal(52000)),
        passages=[SHARE_PLAN, *OTHERS],
    )
    answer = embedded.answer(request)
    assert "3%" in answer.text
    assert "4%" not in answer.text


def test_who_pays_is_answered_by_the_sentence_that_says_who_pays() -> None:
    assert _quotes("Who pays for replacement boots?", [KIT_POLICY])[0] == (
        "Replacement boots are paid by the company once a year."
    )


def test_a_policys_purpose_sentence_does_not_answer_a_question_about_its_rules() -> None:
    assert _quotes("how is workwear issued?", [KIT_POLICY])[0] == ("Workwear is issued by the stores team.")


def test_a_values_and_rules_question_gets_the_offer_value_and_the_document(embedded: AnswerEngine) -> None:
    rota = _passage(
        "The roster is published four weeks ahead in the staff app.\nSwaps need the shift lead's approval.",
        section="Roster",
        title="Shift roster",
    )
    answer = embedded.answer(
        make_request("what is my base salary and how does the roster work?", passages=[rota, *OTHERS])
    )
    assert "172,000" in answer.text
    assert "published four weeks ahead" in answer.text


def test_the_sentence_that_completes_a_pair_answers_the_second_clause() -> None:
    adoption = _passage(
        "Adopting parents receive 20 weeks of adoption leave.\n"
        "Pay during adoption leave is 80% of base salary for the whole period.\n"
        "The leave starts on the day the child joins the family.",
        section="Adoption leave",
        title="Family leave",
    )
    assert _quotes("how many weeks of adoption leave and how is it paid?", [adoption]) == [
        "Adopting parents receive 20 weeks of adoption leave.",
        "Pay during adoption leave is 80% of base salary for the whole period.",
    ]


@pytest.mark.parametrize(
    "question",
    [
        "my wife is having a baby, how many days off do I get?",
        "how many days of leave when my child is born?",
        "¿cuántos días me dan si vamos a tener un bebé?",
        "wie viele Tage bekomme ich, wenn wir ein Baby bekommen?",
    ],
)
def test_a_life_event_named_in_other_words_picks_its_row(question: str) -> None:
    events = _passage(
        "| Event | Paid days |\n|---|---|\n| Death of a close relative | 3 |\n| Birth of a child | 5 |\n"
        "| Own wedding | 2 |\n| Moving house | 1 |",
        section="Special leave",
        title="Leave for life events",
    )
    assert _quotes(question, [events])[0] == "Event: Birth of a child; Paid days: 5"
