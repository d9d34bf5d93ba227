"""Compensation guidance: band position and counter-offer analysis against the policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from offer_engine.compensation import CounterAnalysis, CounterAnalysisError, analyse_counter, band_position
from offer_engine.policy import load_policy
from offer_engine.terms import CounterItem, OfferTerms, Term, WorkArrangement
from tests.offer_engine.letter_factories import demo_policy, make_band, make_terms, write_policy


def item(term: Term, requested: Any, **extra: Any) -> CounterItem:
    return CounterItem(term=term, requested=requested, **extra)


def analyse(items: list[CounterItem], terms: OfferTerms | None = None, band: Any = "default") -> CounterAnalysis:
    return analyse_counter(terms or make_terms(), items, demo_policy(), make_band() if band == "default" else band)


def keys(steps: list[Any]) -> list[str]:
    return [s.key for s in steps]


# -- band position ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "compa", "percent", "below", "above", "over_mid"),
    [
        (165000, "0.880", "0.0", False, False, False),
        (187500, "1.000", "50.0", False, False, False),
        (195000, "1.040", "66.7", False, False, True),
        (210000, "1.120", "100.0", False, False, True),
        (220000, "1.173", "122.2", False, True, True),
        (150000, "0.800", "-33.3", True, False, False),
    ],
)
def test_band_position(amount: int, compa: str, percent: str, below: bool, above: bool, over_mid: bool) -> None:
    position = band_position(Decimal(amount), make_band(165000, 210000))
    assert position.compa_ratio == Decimal(compa)
    assert position.percent_of_range == Decimal(percent)
    assert (position.below_min, position.above_max, position.above_midpoint) == (below, above, over_mid)


def test_band_position_in_a_zero_width_band() -> None:
    band = make_band(100000, 100000)
    assert band_position(Decimal(100000), band).percent_of_range == Decimal(100)
    assert band_position(Decimal(90000), band).percent_of_range == Decimal(0)


# -- counter analysis ------------------------------------------------------------------------------------------
def test_within_band_and_ceiling_is_accepted_with_the_approvals_it_needs() -> None:
    analysis = analyse([item(Term.BASE_SALARY, Decimal(195000))])
    base = analysis.items[0]
    assert base.decision == "accept"
    assert base.suggested == Decimal(195000)
    assert (base.delta, base.delta_percent) == (Decimal(10000), Decimal("5.4"))
    assert analysis.band_before is not None
    assert analysis.band_after is not None
    assert not analysis.band_before.above_midpoint
    assert analysis.band_after.above_midpoint
    assert keys(analysis.approval_preview) == ["hiring_manager", "compensation"]
    assert analysis.suggestion.kind == "accept"
    assert analysis.suggestion.values == {"base_salary": Decimal(195000)}
    assert analysis.legal_review == []


def test_over_band_max_is_capped_and_the_rest_offered_as_sign_on() -> None:
    analysis = analyse([item(Term.BASE_SALARY, Decimal(215000))])
    base = analysis.items[0]
    assert base.decision == "counter"
    assert base.suggested == Decimal(203500)  # min(band max, +10%) = 203,500
    assert analysis.band_after is not None
    assert analysis.band_after.above_max
    assert keys(analysis.approval_preview) == ["hiring_manager", "compensation", "band_exception"]
    suggestion = analysis.suggestion
    assert suggestion.kind == "partial"
    # 11,500 above the ceiling on top of the current 15,000 sign-on, capped at the 20,000 threshold
    assert suggestion.values == {"base_salary": Decimal(203500), "sign_on_bonus": Decimal(20000)}
    assert "band_exception" not in keys(suggestion.approval_preview)
    assert any("instead of base above the ceiling" in r for r in suggestion.reasons)


def test_the_ceiling_is_the_band_max_when_it_is_lower_than_ten_percent() -> None:
    analysis = analyse([item(Term.BASE_SALARY, Decimal(230000))], terms=make_terms(base_salary=Decimal(200000)))
    assert analysis.items[0].suggested == Decimal(210000)
    reason = analysis.items[0].reasons[0]
    assert "up to 10 % above the current base salary, capped at the band maximum: $210,000.00" in reason
    assert "min(" not in reason
    assert "base_salary" not in reason


def test_at_the_ceiling_the_base_item_is_declined() -> None:
    terms = make_terms(base_salary=Decimal(210000), sign_on_bonus=Decimal(20000))
    analysis = analyse([item(Term.BASE_SALARY, Decimal(220000))], terms=terms)
    assert analysis.items[0].decision == "decline"
    assert analysis.items[0].suggested == Decimal(210000)
    assert analysis.suggestion.kind == "decline"
    assert analysis.suggestion.values == {}


def test_sign_on_over_the_threshold_is_countered_at_it() -> None:
    analysis = analyse([item(Term.SIGN_ON_BONUS, Decimal(30000))])
    sign_on = analysis.items[0]
    assert sign_on.decision == "counter"
    assert sign_on.suggested == Decimal(20000)
    assert "compensation" in keys(analysis.approval_preview)  # the full request is over the threshold
    assert keys(analysis.suggestion.approval_preview) == ["hiring_manager"]


def test_equity_over_the_grid_is_declined_when_already_at_it() -> None:
    analysis = analyse([item(Term.EQUITY_UNITS, 6000)])
    assert analysis.items[0].decision == "decline"
    assert "the equity units set in the policy for this role: 4,000" in analysis.items[0].reasons[0]


def test_later_start_date_is_countered_at_the_latest_allowed() -> None:
    analysis = analyse([item(Term.START_DATE, date(2027, 4, 1))])
    start = analysis.items[0]
    assert start.decision == "counter"
    assert start.suggested == date(2027, 3, 1)
    assert start.delta == Decimal(59)
    assert "recruiting_ops" in keys(analysis.approval_preview)


def test_a_start_date_before_the_offer_expiry_is_countered() -> None:
    analysis = analyse([item(Term.START_DATE, date(2026, 12, 1))])
    assert analysis.items[0].decision == "counter"
    assert analysis.items[0].suggested == date(2026, 12, 12)


@pytest.mark.parametrize(("department", "decision"), [("Engineering", "accept"), ("Sales", "decline")])
def test_remote_work_follows_the_policy_rule(department: str, decision: str) -> None:
    analysis = analyse([item(Term.WORK_ARRANGEMENT, WorkArrangement.REMOTE)], terms=make_terms(department=department))
    assert analysis.items[0].decision == decision


def test_title_changes_are_declined_by_policy() -> None:
    analysis = analyse([item(Term.TITLE, "Staff Backend Engineer")])
    assert analysis.items[0].decision == "decline"
    assert analysis.suggestion.kind == "decline"


def test_non_standard_requests_are_flagged_for_legal() -> None:
    analysis = analyse([item(Term.OTHER, "Four-day week and a guaranteed bonus")])
    assert analysis.items[0].decision == "review"
    assert analysis.items[0].legal_review
    assert [f.term for f in analysis.legal_review] == [Term.OTHER]
    assert analysis.suggestion.kind == "refer"
    assert analysis.suggestion.values == {}


def test_legal_keywords_flag_any_item() -> None:
    analysis = analyse([item(Term.START_DATE, date(2027, 2, 15), note="pending my H-1B visa transfer")])
    start = analysis.items[0]
    assert start.legal_review
    assert "visa" in start.reasons[0]
    assert start.decision == "accept"
    assert analysis.legal_review[0].term is Term.START_DATE


def test_mixed_counter_is_partial_with_values_and_reasons() -> None:
    analysis = analyse([
        item(Term.BASE_SALARY, Decimal(200000), current=Decimal(180000)),
        item(Term.EQUITY_UNITS, 5000),
        item(Term.OTHER, "relocation of my partner's job"),
    ])  # fmt: skip
    assert [i.decision for i in analysis.items] == ["accept", "decline", "review"]
    assert analysis.items[0].stated_current == Decimal(180000)  # the candidate misremembered the offer
    assert analysis.suggestion.kind == "partial"
    assert analysis.suggestion.values == {"base_salary": Decimal(200000)}
    assert len(analysis.suggestion.reasons) == 3


def test_an_amount_in_another_currency_needs_clarifying() -> None:
    analysis = analyse([item(Term.BASE_SALARY, Decimal(170000), currency="EUR")])
    assert analysis.items[0].decision == "clarify"
    assert analysis.band_after == analysis.band_before  # nothing was applied
    assert analysis.suggestion.kind == "refer"


def test_sterling_offer_is_reasoned_in_sterling() -> None:
    terms = make_terms(jurisdiction="GB", currency="GBP", base_salary=Decimal(118000), title="Engineering Manager")
    analysis = analyse([item(Term.BASE_SALARY, Decimal(140000))], terms=terms, band=make_band(105000, 135000, "GBP"))
    assert analysis.items[0].suggested == Decimal(129500)
    assert "£129,500.00" in analysis.items[0].reasons[0]


def test_without_a_band_the_ceiling_is_the_ten_percent_limit() -> None:
    analysis = analyse([item(Term.BASE_SALARY, Decimal(230000))], band=None)
    assert analysis.items[0].suggested == Decimal(203500)
    assert analysis.band_before is None
    assert "band_exception" in keys(analysis.approval_preview)


def test_a_policy_without_negotiation_limits_accepts_and_shows_the_approvals(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, ""))
    analysis = analyse_counter(make_terms(), [item(Term.BASE_SALARY, Decimal(250000))], policy, make_band())
    assert analysis.items[0].decision == "accept"
    assert "no ceiling" in analysis.items[0].reasons[0]


def test_duplicate_and_invalid_items_are_refused() -> None:
    with pytest.raises(CounterAnalysisError, match="base_salary"):
        analyse([item(Term.BASE_SALARY, Decimal(1)), item(Term.BASE_SALARY, Decimal(2))])
    with pytest.raises(CounterAnalysisError, match="start_date"):
        analyse([item(Term.START_DATE, "next spring")])
