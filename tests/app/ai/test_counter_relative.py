"""Counter-offers asked relative to the current value or phrased as a question or condition, and what-if questions
about a figure that ask for no change (invented data: a ferry operator's hourly deckhand offer)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.ai.counter import extract_counter_offer
from app.ai.models import OfferFact
from offer_engine.terms import Term
from tests.app.ai.factories import make_terms

TODAY = date(2026, 12, 8)
HOURLY = make_terms(base_salary=Decimal("24.60"), pay_period="hour")
YEARLY = make_terms()
TIDE_DIFF = OfferFact(
    name="tide_differential", label="Tide differential", value="$2.25 per hour", ref="f1",
    synonyms=["tide differential"], kind="money_rate", raw="2.25", negotiable=True,
)  # fmt: skip
DECK_ALLOWANCE = OfferFact(
    name="deck_allowance", label="Deck allowance", value="$40 per week", ref="f2",
    synonyms=["deck allowance"], kind="money_rate", raw="40", negotiable=True,
)  # fmt: skip
FACTS = [TIDE_DIFF, DECK_ALLOWANCE]


def _items(message: str, terms: object = YEARLY) -> list[tuple[object, object]]:
    found = extract_counter_offer(message, terms, TODAY, FACTS)  # type: ignore[arg-type]
    return [(item.term, item.requested) for item in found.items] if found else []


def test_a_percent_raise_on_an_hourly_rate_keeps_its_cents() -> None:
    assert _items("Could you do 5 percent more on my hourly rate?", HOURLY) == [(Term.BASE_SALARY, Decimal("25.83"))]


def test_twice_the_current_value() -> None:
    assert _items("The sign-on is nice, could you make it twice that?") == [(Term.SIGN_ON_BONUS, Decimal(40000))]
    assert _items("Could you double the sign-on bonus?") == [(Term.SIGN_ON_BONUS, Decimal(40000))]


def test_an_amount_more_on_a_tenant_rate_stated_bare() -> None:
    assert _items("$1.50/hr more on the tide differential?", HOURLY) == [("tide_differential", Decimal("3.75"))]


def test_a_spanish_raise_by_an_amount() -> None:
    assert _items("¿Pueden subirme el salario en 10 mil?") == [(Term.BASE_SALARY, Decimal(182000))]
    assert _items("¿Podrían aumentar el salario base en un 5 %?") == [(Term.BASE_SALARY, Decimal(180600))]
    assert _items("¿Podrían subir el bono de contratación en 5 mil?") == [(Term.SIGN_ON_BONUS, Decimal(25000))]


def test_a_condition_and_an_extra_with_say() -> None:
    assert _items("I'd sign at 190 and 15%") == [
        (Term.BASE_SALARY, Decimal(190000)), (Term.BONUS_TARGET_PERCENT, Decimal(15))
    ]  # fmt: skip
    assert _items("Could I have extra deck allowance, say 60 a week?", HOURLY) == [("deck_allowance", Decimal(60))]


@pytest.mark.parametrize(
    "message",
    [
        "What would the bonus come to at full attainment (120 %)?",
        "If I hit full attainment of 120%, what would my bonus be?",
        "How much would the bonus pay at a 120% payout?",
        "¿A cuánto ascendería el bono al 120 %?",
    ],
)
def test_a_what_if_about_a_figure_is_no_counter(message: str) -> None:
    assert _items(message) == []


def test_a_bare_percentage_beside_a_tenant_term_is_never_the_bonus_target() -> None:
    match = OfferFact(
        name="lamp_match", label="Lamp fund match", value="5%", ref="f3", synonyms=["lamp fund match"],
        kind="percent", raw="5",
    )  # fmt: skip
    found = extract_counter_offer("I'd accept if the lamp fund match were 6%", YEARLY, TODAY, [match])
    assert found is None or all(item.term is not Term.BONUS_TARGET_PERCENT for item in found.items)
    assert _items("I'd sign at 190k base and 15%") == [
        (Term.BASE_SALARY, Decimal(190000)), (Term.BONUS_TARGET_PERCENT, Decimal(15))
    ]  # fmt: skip
