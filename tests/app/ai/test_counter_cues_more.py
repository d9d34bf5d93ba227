"""Counter-offers asked as questions, by a shortened term name, relative raises in words, and hours a week."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.ai.counter import extract_counter_offer
from app.ai.models import OfferFact
from offer_engine.terms import PayPeriod
from tests.app.ai.factories import TODAY, make_terms

HOURLY = make_terms(base_salary=Decimal("18.50"), pay_period=PayPeriod.HOUR)
NOTICE = OfferFact(
    name="notice_period", label="Notice period", value="3 months", ref="x.notice", kind="duration", raw="3",
    negotiable=True, synonyms=["notice period", "kundigungsfrist", "preaviso"],
)  # fmt: skip
HOURS = OfferFact(
    name="weekly_hours", label="Weekly hours", value="24", ref="x.hours", kind="count", raw="24", negotiable=True,
    synonyms=["weekly hours", "contracted hours"], weak=["hours"],
)  # fmt: skip
NIGHTS = OfferFact(
    name="night_differential", label="Night shift differential", value="$1.50 per hour", ref="x.nights",
    kind="money_rate", raw="1.50", negotiable=True, synonyms=["night shift differential", "night differential"],
)  # fmt: skip
COMMISSION = OfferFact(
    name="commission_rate", label="Commission rate", value="2%", ref="x.commission", kind="percent", raw="2",
    negotiable=True, synonyms=["commission rate", "commission"],
)  # fmt: skip
FACTS = [NOTICE, HOURS, NIGHTS, COMMISSION]


def _items(message: str) -> list[tuple[str, str]] | None:
    counter = extract_counter_offer(message, HOURLY, TODAY, FACTS)
    return None if counter is None else [(item.key, str(item.requested)) for item in counter.items]


@pytest.mark.parametrize(
    "message",
    [
        "The notice period of 3 months is long, would 1 month work too?",
        "Is a 1 month notice period OK too?",
        "Die Kündigungsfrist ist 3 Monate, würde auch 1 Monat gehen?",
        "Wäre eine Kündigungsfrist von 1 Monat auch in Ordnung?",
        "¿Valdría también un preaviso de 1 mes?",
    ],
)
def test_a_lower_value_asked_as_a_question_is_a_counter(message: str) -> None:
    assert _items(message) == [("notice_period", "1")]


@pytest.mark.parametrize(
    ("message", "requested"),
    [
        ("Could I get 8 more hours a week?", "32"),
        ("could you give me more hours? 30 would be ideal", "30"),
        ("I need more hours per week, 30 minimum", "30"),
    ],
)
def test_more_hours_a_week_is_the_hours_term(message: str, requested: str) -> None:
    assert _items(message) == [("weekly_hours", requested)]


@pytest.mark.parametrize("message", ["could the night diff be 2.50 an hour?", "I'd accept if the night diff were 2.50"])
def test_a_shortened_term_name_is_the_term(message: str) -> None:
    assert _items(message) == [("night_differential", "2.50")]


def test_a_conditional_acceptance_naming_two_values_asks_for_both() -> None:
    assert _items("I would accept for a 2.50 night differential and 4% commission") == [
        ("night_differential", "2.50"),
        ("commission_rate", "4"),
    ]


@pytest.mark.parametrize(
    "message",
    [
        "could you do an extra dollar an hour?",
        "Just one more dollar an hour and I'm in",
        "otro dólar por hora y firmo",
        "Einen weiteren Euro pro Stunde wäre toll",
    ],
)
def test_a_relative_raise_in_words_is_added_to_the_rate(message: str) -> None:
    assert _items(message) == [("base_salary", "19.50")]


@pytest.mark.parametrize(
    "message",
    [
        "Is a notice period of 1 month usual here?",
        "What is the night diff?",
        "How many hours a week will I work?",
        "Is the 3 month notice period OK for resigning?",
    ],
)
def test_questions_stay_questions(message: str) -> None:
    assert _items(message) is None
