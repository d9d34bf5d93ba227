"""Compensation guidance: where an amount sits in its band, and what to answer a counter-offer within policy.

`analyse_counter` never changes anything: it previews the approval steps accepting the counter would trigger,
suggests a response from the policy's negotiation limits (accept, partial with values, decline, or refer to
legal) with the reasons, and flags items that need legal review before anyone answers the candidate.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from offer_engine.catalogue import staff_label
from offer_engine.letters.values import format_term
from offer_engine.money import format_money, locale_for
from offer_engine.policy import ApprovalStepSpec, Band, CompanyPolicy, Expression, NegotiationTerm
from offer_engine.policy.describe import describe
from offer_engine.terms import CounterItem, OfferTerms, PayPeriod, Term, apply_counter_items, term_key

NUMERIC_TERMS = frozenset(
    {Term.BASE_SALARY, Term.SIGN_ON_BONUS, Term.RELOCATION, Term.EQUITY_UNITS, Term.PTO_DAYS, Term.BONUS_TARGET_PERCENT}
)
INTEGER_TERMS = frozenset({Term.EQUITY_UNITS, Term.PTO_DAYS})
ItemDecision = Literal["accept", "counter", "decline", "review", "clarify"]
ResponseKind = Literal["accept", "partial", "decline", "refer"]


class CounterAnalysisError(ValueError):
    """Counter items that cannot be analysed (a duplicate term, or a requested value of the wrong type)."""


class BandPosition(BaseModel):
    model_config = ConfigDict(frozen=True)

    compa_ratio: Decimal  # amount / band midpoint
    percent_of_range: Decimal  # 0 at the minimum, 100 at the maximum; outside 0–100 when outside the band
    below_min: bool
    above_max: bool
    above_midpoint: bool


def band_position(amount: Decimal, band: Band) -> BandPosition:
    amount = Decimal(amount)
    width = band.maximum - band.minimum
    # A zero-width band (minimum = maximum) has no range: at or above it is 100%, below it 0%.
    percent = (amount - band.minimum) * 100 / width if width else Decimal(100 if amount >= band.maximum else 0)
    compa = amount / band.midpoint if band.midpoint else Decimal(0)
    return BandPosition(
        compa_ratio=compa.quantize(Decimal("0.001")),
        percent_of_range=percent.quantize(Decimal("0.1")),
        below_min=amount < band.minimum,
        above_max=amount > band.maximum,
        above_midpoint=amount > band.midpoint,
    )


class ItemAnalysis(BaseModel):
    model_config = ConfigDict(frozen=True)

    term: Term | str = Field(union_mode="left_to_right")
    current: Any  # from the version, not from what the candidate said
    requested: Any
    stated_current: Any = None  # what the candidate believed the current value was, when it differs
    delta: Decimal | None = None  # requested − current (days for start_date)
    delta_percent: Decimal | None = None
    decision: ItemDecision
    suggested: Any = None  # the value to offer (requested, a counter value, or the current value)
    reasons: list[str]
    legal_review: bool = False


class LegalFlag(BaseModel):
    model_config = ConfigDict(frozen=True)

    term: Term | str = Field(union_mode="left_to_right")
    reason: str


class SuggestedResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ResponseKind
    values: dict[str, Any]  # term → value to offer, only the terms that change
    reasons: list[str]
    approval_preview: list[ApprovalStepSpec]  # what the suggested values would need


class CounterAnalysis(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[ItemAnalysis]
    band: Band | None
    band_before: BandPosition | None
    band_after: BandPosition | None  # if every item were accepted as requested
    approval_preview: list[ApprovalStepSpec]  # if every item were accepted as requested
    suggestion: SuggestedResponse
    legal_review: list[LegalFlag]


def analyse_counter(
    current: OfferTerms, items: list[CounterItem], policy: CompanyPolicy, band: Band | None
) -> CounterAnalysis:
    """Analyse a counter-offer against the current version's terms, its band and the policy."""
    _check_unique(items)
    comparable = [i for i in items if i.term is not Term.OTHER and not _other_currency(i, current)]
    proposed = _apply(current, comparable)
    analysed = [_analyse_item(item, current, policy, band) for item in items]
    flags = [LegalFlag(term=i.term, reason=r) for i in analysed if i.legal_review for r in i.reasons[:1]]
    suggestion = _suggest(current, analysed, policy, band)
    return CounterAnalysis(
        items=analysed,
        band=band,
        band_before=band_position(current.base_salary, band) if band else None,
        band_after=band_position(proposed.base_salary, band) if band else None,
        approval_preview=policy.approval_steps(proposed, current, band),
        suggestion=suggestion,
        legal_review=flags,
    )


def _check_unique(items: list[CounterItem]) -> None:
    terms = [i.term for i in items if i.term is not Term.OTHER]
    duplicates = sorted({term_key(t) for t in terms if terms.count(t) > 1})
    if duplicates:
        raise CounterAnalysisError(f"more than one requested value for {', '.join(duplicates)}")


def _other_currency(item: CounterItem, current: OfferTerms) -> bool:
    return item.currency is not None and item.currency.strip().upper() != current.currency


def _apply(current: OfferTerms, items: list[CounterItem]) -> OfferTerms:
    try:
        return apply_counter_items(current, items)
    except ValidationError as exc:
        where = ", ".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
        raise CounterAnalysisError(f"requested value not valid for {where}: {exc.errors()[0]['msg']}") from exc


def _show(term: Term | str, value: Any, current: OfferTerms) -> str:
    if value is None:
        return "none"
    return format_term(term_key(term), value, current.currency, locale_for(current.jurisdiction)) or str(value)


def _legal_reason(item: CounterItem, policy: CompanyPolicy) -> str | None:
    negotiation = policy.negotiation
    if item.term in negotiation.legal_review_terms:
        return f"{item.key} requests are non-standard terms: legal reviews them before any answer"
    text = " ".join(str(v) for v in (item.requested, item.note) if v is not None).casefold()
    hit = next((k for k in negotiation.legal_review_keywords if k in text), None)
    return f"mentions {hit!r}: legal reviews it before any answer" if hit else None


def _analyse_item(item: CounterItem, current: OfferTerms, policy: CompanyPolicy, band: Band | None) -> ItemAnalysis:
    now = _current_value(item, current)
    legal = _legal_reason(item, policy)
    stated = item.current if item.current is not None and item.current != now else None
    base = {"term": item.term, "current": now, "requested": item.requested, "stated_current": stated}
    if item.term is Term.OTHER:
        return ItemAnalysis(**base, decision="review", reasons=[legal or "non-standard request"], legal_review=True)
    if not item.is_builtin:
        reasons = [r for r in (legal, "a term of this company's own: decide against its policy") if r]
        return ItemAnalysis(**base, decision="review", reasons=reasons, legal_review=legal is not None)
    if _other_currency(item, current):
        code = current.currency
        reason = f"requested in {item.currency}, the offer is in {code}: confirm the amount in {code}"
        return ItemAnalysis(**base, decision="clarify", reasons=[reason], legal_review=legal is not None)
    rule = policy.negotiation.terms.get(Term(item.key), NegotiationTerm())
    if item.term in NUMERIC_TERMS:
        decision, suggested, reasons = _numeric(item, now, rule, current, policy, band)
    elif item.term is Term.START_DATE:
        decision, suggested, reasons = _start_date(item, now, rule, current, policy, band)
    else:
        decision, suggested, reasons = _by_rule(item, now, rule, current, policy, band)
    delta, percent = _delta(item, now)
    if legal:
        reasons = [legal, *reasons]
    return ItemAnalysis(
        **base,
        delta=delta,
        delta_percent=percent,
        decision=decision,
        suggested=suggested,
        reasons=reasons,
        legal_review=legal is not None,
    )


def _current_value(item: CounterItem, current: OfferTerms) -> Any:
    if item.term is Term.OTHER:
        return None
    if not item.is_builtin:
        return current.custom.get(item.key)
    return getattr(current, item.key)


def _delta(item: CounterItem, now: Any) -> tuple[Decimal | None, Decimal | None]:
    if item.term is Term.START_DATE and isinstance(item.requested, date) and isinstance(now, date):
        return Decimal((item.requested - now).days), None
    if item.term not in NUMERIC_TERMS:
        return None, None
    before = Decimal(now or 0)
    delta = Decimal(item.requested) - before
    return delta, (delta * 100 / before).quantize(Decimal("0.1")) if before else None


def _ceiling(
    rule: NegotiationTerm, item: CounterItem, current: OfferTerms, policy: CompanyPolicy, band: Band | None
) -> Any:
    if rule.ceiling is None:
        return None
    scope = policy.scope(current, band, requested=item.requested)
    return policy.evaluate(rule.ceiling, scope, f"negotiation.terms.{item.key}.ceiling")


def _round_down(value: Decimal, step: Decimal | None, term: Term) -> Decimal | int:
    if step:
        value = (value / step).to_integral_value(rounding=ROUND_DOWN) * step
    return int(value) if term in INTEGER_TERMS else value


Outcome = tuple[ItemDecision, Any, list[str]]


def _numeric(
    item: CounterItem, now: Any, rule: NegotiationTerm, current: OfferTerms, policy: CompanyPolicy, band: Band | None
) -> Outcome:
    requested, before = Decimal(item.requested), Decimal(now or 0)

    def show(value: Any) -> str:
        return _show(item.term, value, current)

    if requested <= before:
        return "accept", item.requested, [f"{show(requested)} is not above the current {show(before)}"]
    ceiling = _ceiling(rule, item, current, policy, band)
    if ceiling is None:
        return "accept", item.requested, ["the policy sets no ceiling for this term; see the approvals it needs"]
    limit = f"the policy's limit (up to {describe(rule.ceiling, staff_label)}: {show(ceiling)})" if rule.ceiling else ""
    if requested <= Decimal(ceiling):
        return "accept", item.requested, [f"{show(requested)} is within {limit}"]
    offer = _round_down(Decimal(ceiling), rule.round_down_to, Term(item.key))
    if offer > before:
        return "counter", offer, [f"{show(requested)} is above {limit}; offer {show(offer)}"]
    return "decline", now, [f"the current {show(before)} is already at {limit}"]


def _start_date(
    item: CounterItem, now: Any, rule: NegotiationTerm, current: OfferTerms, policy: CompanyPolicy, band: Band | None
) -> Outcome:
    requested: date = item.requested
    if current.expiry_date is not None and requested <= current.expiry_date:
        earliest = current.expiry_date + timedelta(days=1)
        return (
            "counter",
            earliest,
            [f"the start date must be after the offer expiry; the earliest is {earliest.isoformat()}"],
        )
    if requested <= now:
        return "accept", requested, ["an earlier start date needs no exception"]
    latest = _ceiling(rule, item, current, policy, band)
    if latest is None or requested <= latest:
        return (
            "accept",
            requested,
            ["within the latest start date the policy allows" if latest else "no start-date limit"],
        )
    return "counter", latest, [f"the latest start date the policy allows is {latest.isoformat()}"]


def _by_rule(
    item: CounterItem, now: Any, rule: NegotiationTerm, current: OfferTerms, policy: CompanyPolicy, band: Band | None
) -> Outcome:
    if rule.accept_when is None:
        return "accept", item.requested, ["the policy sets no rule for this term; see the approvals it needs"]
    scope = policy.scope(current, band, requested=item.requested)
    if policy.evaluate(rule.accept_when, scope, f"negotiation.terms.{item.key}.accept_when"):
        return "accept", item.requested, [f"allowed by the policy ({_condition_words(rule.accept_when)})"]
    return "decline", now, [f"not allowed by the policy ({_condition_words(rule.accept_when)})"]


def _condition_words(condition: Expression) -> str:
    words = describe(condition, staff_label)
    return {"never": "it is never changed", "always": "always"}.get(words, f"only when {words}")


def _suggest(
    current: OfferTerms, items: list[ItemAnalysis], policy: CompanyPolicy, band: Band | None
) -> SuggestedResponse:
    values: dict[str, Any] = {
        term_key(i.term): i.suggested for i in items if i.decision in {"accept", "counter"} and i.suggested != i.current
    }
    reasons = [f"{_capitalised(term_key(i.term))}: {'; '.join(i.reasons)}" for i in items]
    in_lieu = _sign_on_in_lieu(current, items, values, policy, band)
    if in_lieu is not None:
        values["sign_on_bonus"], reason = in_lieu
        reasons.append(reason)
    decided = [i for i in items if i.decision not in {"review", "clarify"}]
    if not decided:
        kind: ResponseKind = "refer"
    elif all(i.decision == "accept" for i in items):
        kind = "accept"
    elif not values:
        kind = "decline"
    else:
        kind = "partial"
    suggested_terms = _apply(current, [CounterItem(term=Term(t), requested=v) for t, v in values.items()])
    return SuggestedResponse(
        kind=kind,
        values=values,
        reasons=reasons,
        approval_preview=policy.approval_steps(suggested_terms, current, band),
    )


def _sign_on_in_lieu(
    current: OfferTerms, items: list[ItemAnalysis], values: dict[str, Any], policy: CompanyPolicy, band: Band | None
) -> tuple[Decimal, str] | None:
    """Above the base ceiling, offer the first-year difference as a one-time sign-on, within the sign-on ceiling."""
    base = next((i for i in items if i.term is Term.BASE_SALARY and i.decision in {"counter", "decline"}), None)
    if base is None or not policy.negotiation.sign_on_in_lieu_of_base or current.pay_period is not PayPeriod.YEAR:
        return None
    offered = Decimal(values.get("base_salary", current.base_salary))
    gap = Decimal(base.requested) - offered
    sign_on_now = Decimal(values.get("sign_on_bonus", current.sign_on_bonus or 0))
    rule = policy.negotiation.terms.get(Term.SIGN_ON_BONUS, NegotiationTerm())
    probe = CounterItem(term=Term.SIGN_ON_BONUS, requested=sign_on_now + gap)
    cap = _ceiling(rule, probe, current, policy, band)
    target = sign_on_now + gap if cap is None else min(sign_on_now + gap, Decimal(cap))
    target = Decimal(_round_down(target, rule.round_down_to, Term.SIGN_ON_BONUS))
    if target <= sign_on_now:
        return None
    money = format_money(target, current.currency, locale_for(current.jurisdiction))
    gap_text = format_money(gap, current.currency, locale_for(current.jurisdiction))
    label = _capitalised("sign_on_bonus")
    return target, f"{label}: instead of base above the ceiling ({gap_text} a year), offer a sign-on of {money}"


def _capitalised(key: str) -> str:
    label = staff_label(key)
    return label[:1].upper() + label[1:]
