"""Rule-based counter-offer extraction: the items a candidate asks for, typed by term, from one message.

A question about a term ("what's my salary?", "is the sign-on negotiable?") is never a counter-offer: figures
count only in a request ("could you do 160k base?"), a competing-offer mention, or a terse statement of terms
("175 base"). Items equal to the current terms are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.ai import counter_cues as cues
from app.ai.dates import find_dates, resolve_date
from app.ai.facts import SPECS_BY_NAME, find_term_mentions
from app.ai.models import CounterProposal, OfferFact
from app.ai.numwords import rewrite_number_words
from app.ai.quantities import Quantity, QuantityKind, blank, find_quantities, format_money
from app.ai.text import fold, fold_aligned
from offer_engine.catalogue import BUILTIN_BY_KEY, TermType
from offer_engine.terms import CounterItem, OfferTerms, PayPeriod, Term, WorkArrangement, as_term

_COMPATIBLE: dict[QuantityKind, frozenset[str]] = {
    QuantityKind.MONEY: frozenset(
        {"base_salary", "sign_on_bonus", "relocation", "bonus_target_percent", "equity_units"}
    ),
    QuantityKind.PERCENT: frozenset({"bonus_target_percent", "base_salary"}),
    QuantityKind.COUNT: frozenset({"equity_units", "pto_days", "start_date"}),
    QuantityKind.NUMBER: frozenset(
        {"base_salary", "sign_on_bonus", "relocation", "equity_units", "pto_days", "bonus_target_percent"}
    ),
}


_MONEY_TYPES = frozenset({TermType.MONEY.value, TermType.MONEY_RATE.value})
_BUILTIN_MONEY = frozenset(key for key, term in BUILTIN_BY_KEY.items() if term.type.value in _MONEY_TYPES)


@dataclass(frozen=True)
class _Parsed:
    text: str  # number words rewritten as digits
    folded: str  # same offsets as text


@dataclass(frozen=True)
class _Found:
    item: CounterItem
    start: int


def _clauses(folded: str) -> list[tuple[int, int]]:
    bounds, cursor = [], 0
    for match in cues.CLAUSE_BREAK.finditer(folded):
        bounds.append((cursor, match.start()))
        cursor = match.end()
    bounds.append((cursor, len(folded)))
    return [(a, b) for a, b in bounds if folded[a:b].strip()]


def _clause_of(clauses: list[tuple[int, int]], position: int) -> tuple[int, int]:
    for start, end in clauses:
        if start <= position < end:
            return start, end
    return 0, 0


def _word_cost(parsed: _Parsed, q: Quantity, term_start: int, term_end: int) -> float | None:
    """How far a term is from a figure in words (None across a conjunction: "190k and the sign-on")."""
    lo, hi = (q.end, term_start) if term_start >= q.end else (term_end, q.start)
    between = parsed.folded[lo:hi] if lo <= hi else ""
    if cues.CONJUNCTION.search(between):
        return None
    return len(between.split()) + (0.5 if term_start < q.start else 0.0)


# Which figures a tenant's own term can take, by its catalogue type.
_TENANT_KINDS: dict[str, frozenset[QuantityKind]] = {
    "money": frozenset({QuantityKind.MONEY, QuantityKind.NUMBER}),
    "money_rate": frozenset({QuantityKind.MONEY, QuantityKind.NUMBER}),
    "percent": frozenset({QuantityKind.PERCENT, QuantityKind.NUMBER}),
    "count": frozenset({QuantityKind.COUNT, QuantityKind.NUMBER}),
    "duration": frozenset({QuantityKind.COUNT, QuantityKind.NUMBER}),
}


def _negotiable(facts: Sequence[OfferFact], kind: QuantityKind) -> set[str]:
    return {f.name for f in facts if f.negotiable and kind in _TENANT_KINDS.get(f.kind, frozenset())}


def _nearest_term(parsed: _Parsed, q: Quantity, clause: tuple[int, int], facts: Sequence[OfferFact] = ()) -> str | None:
    allowed = _COMPATIBLE[q.kind] | _negotiable(facts, q.kind)
    options = [
        (cost, m.name)
        for m in find_term_mentions(parsed.text, list(facts))
        if m.name in allowed
        and clause[0] <= m.start < clause[1]
        and (cost := _word_cost(parsed, q, m.start, m.end)) is not None
    ]
    return min(options)[1] if options else None


_LONG_WORD = re.compile(r"[a-zß]{8,}")
_STEM = 5  # a shorter word ("base", "gehalt" stays) starts too many unrelated words
_REST = 5  # and the rest a word of its own ("Umzug|szuschuss"), not "Stock|holm"


def _compound_term(
    parsed: _Parsed, q: Quantity, clause: tuple[int, int], facts: Sequence[OfferFact] = ()
) -> str | None:
    """A German compound that starts with a term's word: "Umzugszuschuss" (Umzug), "Gehaltswunsch" (Gehalt)."""
    allowed = _COMPATIBLE[q.kind] | _negotiable(facts, q.kind)
    stems = {name: [s for s in SPECS_BY_NAME[name].synonyms if " " not in s and len(s) >= _STEM]
             for name in allowed if name in SPECS_BY_NAME}  # fmt: skip
    stems |= {f.name: [s for s in f.synonyms if " " not in s and len(s) >= _STEM] for f in facts if f.name in allowed}
    options = []
    for word in _LONG_WORD.finditer(parsed.folded, clause[0], clause[1]):
        for name, words in stems.items():
            if any(word.group().startswith(stem) and len(word.group()) >= len(stem) + _REST for stem in words):
                options.append((abs(word.start() - q.start), name))
    return min(options)[1] if options else None


def _term_pointed_back(
    parsed: _Parsed, q: Quantity, clauses: list[tuple[int, int]], facts: Sequence[OfferFact]
) -> str | None:
    """The term named in the clause just before, when the figure's own clause names none but points back to it."""
    clause = _clause_of(clauses, q.start)
    index = clauses.index(clause) if clause in clauses else 0
    if index == 0:
        return None
    own = parsed.folded[clause[0] : clause[1]]
    before = clauses[index - 1]
    # "could you give me more hours? 30 would be ideal": a clause naming a term without a figure asks for it next
    figureless = not any(ch.isdigit() for ch in parsed.folded[before[0] : before[1]])
    if not (figureless or cues.POINTS_BACK.search(own) or cues.POINTS_BACK.search(parsed.folded[clause[0] : q.start])):
        return None
    allowed = _COMPATIBLE[q.kind] | _negotiable(facts, q.kind)
    named = [
        m.name
        for m in find_term_mentions(parsed.text, list(facts))
        if m.name in allowed and before[0] <= m.start < before[1]
    ]
    return named[-1] if named else None


def _starts_a_range(parsed: _Parsed, q: Quantity) -> bool:
    """ "from 172k (to 185k)", "más de 3.000", "de 3.200 a 3.500": the figure a range starts from, not the ask."""
    before = parsed.folded[max(0, q.start - 10) : q.start]
    if cues.FROM_BEFORE.search(before):
        return True
    return cues.DE_BEFORE.search(before) is not None and cues.FROM_TO_AFTER.search(parsed.folded[q.end :]) is not None


def _below_current(item: CounterItem | None) -> bool:
    if item is None or item.term in (Term.START_DATE, Term.OTHER):
        return False
    current, requested = item.current, item.requested
    numeric = isinstance(current, (Decimal, int)) and isinstance(requested, (Decimal, int))
    return numeric and requested < current  # type: ignore[operator]


def _small_bare(q: Quantity) -> bool:
    """A small whole number: "2.50" is a rate, never a count of things."""
    whole = q.value == q.value.to_integral_value()
    return q.kind is QuantityKind.NUMBER and not q.scaled and q.value <= cues.COUNTED_MAX and whole


def _counts_things(parsed: _Parsed, q: Quantity, quantities: list[Quantity]) -> bool:
    """ "two kids", "3 dogs", "a family of four, could it be 9,500?": a small bare number before a plural noun, or
    beside a real amount, counts something; it is the amount only when it says it is a raise ("2 more")."""
    if not _small_bare(q):
        return False
    if cues.COUNTED_AFTER.search(parsed.folded[q.end : q.end + 25]):
        return True
    amount_elsewhere = any(other is not q and not _small_bare(other) and not other.is_year_like for other in quantities)
    return amount_elsewhere and _relative(parsed, q) == 0


def _leave_taken(parsed: _Parsed, q: Quantity) -> bool:
    """ "Could I take 2 days off in my first month?": days of leave used, not a new entitlement asked for."""
    before, after = parsed.folded[max(0, q.start - 30) : q.start], parsed.folded[q.end : q.end + 25]
    taken = cues.TAKE_BEFORE.search(before) is not None and cues.DAYS_OFF_AFTER.search(after) is not None
    return taken and _relative(parsed, q) == 0


def _relative(parsed: _Parsed, q: Quantity) -> int:
    """+1 for "5k more" / "an extra 5k", -1 for "two weeks earlier", 0 for an absolute figure."""
    before, after = parsed.folded[max(0, q.start - 40) : q.start], parsed.folded[q.end : q.end + 20]
    if cues.EARLIER_AFTER.search(after):
        return -1
    return 1 if cues.RELATIVE_BEFORE.search(before) or cues.RELATIVE_AFTER.search(after) else 0


TYPICAL_RAISE = Decimal("0.1")  # a raise asked for is near a tenth of the current value


def _money_value(q: Quantity, term: str, terms: OfferTerms, *, raise_by: bool = False) -> Decimal:
    """The amount a figure stands for; `raise_by`: the figure is added to the current value ("5 more")."""
    small = not q.scaled and q.value < 1000 and q.unit is None
    current = getattr(terms, term, None)
    if small and term == "base_salary" and isinstance(current, Decimal):
        if raise_by:
            return _plausible(q.value, current * TYPICAL_RAISE)  # "5 more" on 182,000: 5,000; on 38.50 an hour: 5
        return _plausible(q.value, current)  # "190" for 182,000 a year is 190,000; "50" for 46.75 an hour is 50
    bonus_like = q.kind is QuantityKind.NUMBER and term in ("sign_on_bonus", "relocation")
    if small and bonus_like and (terms.pay_period is not PayPeriod.HOUR or q.value < 100):
        return q.value * 1000  # "20 sign-on" means 20,000
    return q.value


def _plausible(value: Decimal, near: Decimal) -> Decimal:
    """The reading of a shorthand figure nearest `near`: as written, or in thousands."""
    if near <= 0 or value <= 0:
        return value
    return min((value, value * 1000), key=lambda v: abs((v / near).ln()))


def _tenant_item(parsed: _Parsed, q: Quantity, fact: OfferFact, terms: OfferTerms) -> CounterItem | None:
    """A request for one of the tenant's own numeric terms: a total unless the message says "more"."""
    sign = _relative(parsed, q)
    current = _decimal(fact.raw)
    value = q.value
    if fact.kind in ("money", "money_rate") and current is not None and not q.scaled and q.value < 1000:
        value = _plausible(q.value, current)
    requested = (current or Decimal(0)) + sign * value if sign else value
    if requested < 0 or (fact.kind == "percent" and requested > 100):
        return None
    if fact.kind != "duration" and current is not None and requested < current:
        return None  # nobody asks for less pay: a smaller figure beside the term is a rule or a question about it
    money = fact.kind in ("money", "money_rate")
    return CounterItem(
        term=fact.name, current=current, requested=requested, currency=(q.currency or terms.currency) if money else None
    )


def _decimal(raw: str | None) -> Decimal | None:
    try:
        return Decimal(raw) if raw is not None else None
    except ArithmeticError:
        return None


def _monthly(parsed: _Parsed, q: Quantity, value: Decimal, monthly: Decimal, payments: Decimal | None) -> Decimal:
    """A yearly figure asked for a monthly salary ("48k a year", or simply far above a month's pay) is divided into
    the payments of a year (the tenant's number, else 12)."""
    yearly = cues.PER_YEAR.search(parsed.folded[q.end : q.end + 25]) is not None or value >= monthly * 6
    return (value / (payments or Decimal(12))).quantize(Decimal("0.01")) if yearly else value


def _item_for(
    parsed: _Parsed, q: Quantity, term: str, terms: OfferTerms, payments: Decimal | None = None, *, more: bool = False
) -> CounterItem | None:
    """`more`: the figure is added even without "more" right beside it."""
    sign = 1 if more else _relative(parsed, q)
    current = getattr(terms, term, None)
    if term == "base_salary" and _per_other_period(parsed, q, terms):
        return None  # "20 an hour" is no monthly salary: the figure is for a pay this offer does not have
    if term in _BUILTIN_MONEY:
        if q.kind is QuantityKind.PERCENT:  # "10% more on base"
            if not sign or term != "base_salary":
                return None
            amount = (terms.base_salary * (1 + q.value / 100)).quantize(_raise_precision(terms))
            return CounterItem(term=Term(term), current=current, requested=amount, currency=terms.currency)
        value = _money_value(q, term, terms, raise_by=sign > 0)
        if term == "base_salary" and terms.pay_period is PayPeriod.MONTH:
            value = _monthly(parsed, q, value, terms.base_salary, payments)
        requested = (current or Decimal(0)) + sign * value if sign else value
        return CounterItem(term=Term(term), current=current, requested=requested, currency=q.currency or terms.currency)
    if term == "bonus_target_percent":
        if q.kind is QuantityKind.MONEY:
            shown = format_money(q.value, q.currency or terms.currency)
            return CounterItem(term=Term.OTHER, requested=f"bonus of {shown}", currency=q.currency or terms.currency)
        if q.value > 100:
            return None
        requested = (current or Decimal(0)) + sign * q.value if sign else q.value
        return CounterItem(term=Term.BONUS_TARGET_PERCENT, current=current, requested=requested)
    if term == "equity_units":
        if q.kind is QuantityKind.MONEY:
            shown = format_money(q.value, q.currency or terms.currency)
            return CounterItem(
                term=Term.OTHER, requested=f"equity worth {shown}", currency=q.currency or terms.currency
            )
        units = int(q.value)
        return CounterItem(term=Term.EQUITY_UNITS, current=current, requested=(current or 0) + units if sign else units)
    if term == "pto_days":
        if q.unit not in (None, "day", "week"):
            return None  # "more PTO after 5 years" names a time of service, not days off
        days = int(q.value * 5) if q.unit == "week" else int(q.value)
        requested = (current or 0) + days if sign else days
        return CounterItem(term=Term.PTO_DAYS, current=current, requested=requested) if 0 < requested <= 365 else None
    if term == "start_date" and sign and q.unit in ("day", "week", "month"):
        days = int(q.value) * {"day": 1, "week": 7, "month": 30}[q.unit]
        return CounterItem(
            term=Term.START_DATE, current=current, requested=terms.start_date + timedelta(days=sign * days)
        )
    return None


def _raise_precision(terms: OfferTerms) -> Decimal:
    """A percent raise keeps cents on an hourly rate or a pay with cents ("5% more on 24.60" is 25.83)."""
    with_cents = terms.base_salary != terms.base_salary.to_integral_value()
    return CENT if terms.pay_period is PayPeriod.HOUR or with_cents else Decimal(1)


CENT = Decimal("0.01")


def _salary_sized(q: Quantity, term: str, terms: OfferTerms) -> str:
    """A figure the size of the base salary beside a word for a much smaller allowance ("190k and the move …") asks
    for the salary; an allowance of that size would be implausible (beside a yearly salary only)."""
    if term not in ("sign_on_bonus", "relocation") or q.kind not in (QuantityKind.MONEY, QuantityKind.NUMBER):
        return term
    if terms.pay_period is not PayPeriod.YEAR:
        return term  # a move or a sign-on near a month's (or an hour's) pay is a plausible allowance
    value = _money_value(q, "base_salary", terms)
    current = getattr(terms, term) or Decimal(0)
    near_salary = terms.base_salary * Decimal("0.6") <= value <= terms.base_salary * 2
    return "base_salary" if near_salary and value > max(current * 3, terms.base_salary * Decimal("0.25")) else term


def _default_term(parsed: _Parsed, q: Quantity, terms: OfferTerms) -> str | None:
    """A figure with no term beside it: a salary-sized amount (or "5k more") is about the base salary."""
    if q.kind not in (QuantityKind.MONEY, QuantityKind.NUMBER) or q.is_year_like:
        return None
    relative = _relative(parsed, q) > 0
    value = _money_value(q, "base_salary", terms, raise_by=relative)
    if _small_bare(q) and not relative and value != q.value:
        return None  # "mit 2 Kindern" is not 2,000 a month: a lone small number needs a term to be thousands
    if relative and (value >= 1000 or _per_pay_period(parsed, q, terms)):
        return "base_salary"  # "5k more", "2 more an hour" for hourly pay, "200 mehr im Monat" for a monthly salary
    return "base_salary" if value >= terms.base_salary * Decimal("0.4") else None


def _names_a_term(parsed: _Parsed, clause: tuple[int, int], facts: Sequence[OfferFact]) -> bool:
    """The clause names a tenant's own term, one that could not take the figure ("if the pension match were 6%"):
    the percentage is about that term, never the bonus target."""
    tenant = {f.name for f in facts if not isinstance(as_term(f.name), Term)}
    mentions = find_term_mentions(parsed.text, list(facts))
    return any(clause[0] <= m.start < clause[1] and m.name in tenant for m in mentions)


def _default_percent_term(parsed: _Parsed, q: Quantity, terms: OfferTerms) -> str | None:
    """A percentage with no term beside it: "10% more" raises the base; "I'd sign at 190 and 15%" asks for the
    offer's bonus target (the one percentage an offer states)."""
    if _relative(parsed, q) > 0:
        return "base_salary"
    current = terms.bonus_target_percent
    plausible = current is not None and current < q.value <= min(Decimal(100), current * 3)
    return "bonus_target_percent" if plausible else None


def _multiple_items(parsed: _Parsed, terms: OfferTerms, facts: Sequence[OfferFact]) -> list[_Found]:
    """ "Could you double the sign-on?", "make it twice that": the named term's current amount times two (the one
    money term the message names; none when it names several or none)."""
    match = cues.TWICE.search(parsed.folded)
    if match is None:
        return []
    money = _BUILTIN_MONEY | {f.name for f in facts if f.kind in _MONEY_TYPES}
    named = {m.name for m in find_term_mentions(parsed.text, list(facts)) if m.name in money}
    if len(named) != 1:
        return []
    term = named.pop()
    fact = next((f for f in facts if f.name == term and not isinstance(as_term(f.name), Term)), None)
    current = _decimal(fact.raw) if fact else getattr(terms, term, None)
    if not isinstance(current, Decimal) or current <= 0:
        return []
    item = CounterItem(
        term=fact.name if fact else Term(term), current=current, requested=current * 2, currency=terms.currency
    )
    return [_Found(item, match.start())]


def _per_other_period(parsed: _Parsed, q: Quantity, terms: OfferTerms) -> bool:
    """The figure is said to be per an hour, a week or a month, and the base pay is paid by another period (a
    yearly figure for a monthly salary is converted, see `_monthly`)."""
    after = parsed.folded[q.end : q.end + 30]
    return any(
        period != terms.pay_period.value and cues.PER_PERIOD_AFTER[period].search(after)
        for period in ("hour", "week", "month")
    )


def _per_pay_period(parsed: _Parsed, q: Quantity, terms: OfferTerms) -> bool:
    """The figure is said to be per the period the base pay is paid by ("an hour" for an hourly rate)."""
    cue = cues.PER_PERIOD_AFTER.get(terms.pay_period.value)
    return cue is not None and cue.search(parsed.folded[q.end : q.end + 30]) is not None


def _quantity_items(
    parsed: _Parsed,
    quantities: list[Quantity],
    terms: OfferTerms,
    facts: Sequence[OfferFact] = (),
    payments: Decimal | None = None,
) -> list[_Found]:
    clauses = _clauses(parsed.folded)
    tenant = {f.name: f for f in facts if not isinstance(as_term(f.name), Term)}  # built-ins are read as built-ins
    found: list[_Found] = []
    for q in quantities:
        if q.is_year_like or _starts_a_range(parsed, q):
            continue
        if _counts_things(parsed, q, quantities) or _leave_taken(parsed, q):
            continue
        clause = _clause_of(clauses, q.start)
        term = _nearest_term(parsed, q, clause, facts) or _compound_term(parsed, q, clause, facts)
        if term is None:
            term = _term_pointed_back(parsed, q, clauses, facts)
        if term is None and q.kind is not QuantityKind.PERCENT:
            term = _default_term(parsed, q, terms)
        elif term is None and not _names_a_term(parsed, clause, facts):
            term = _default_percent_term(parsed, q, terms)
        if term is None:
            continue
        term = _salary_sized(q, term, terms)
        if term in tenant:
            item = _tenant_item(parsed, q, tenant[term], terms)
        else:
            item = _item_for(parsed, q, term, terms, payments)
            before = parsed.folded[max(0, q.start - 60) : q.start]
            if _below_current(item) and cues.THAN_BEFORE.search(before):
                continue  # "more than 10 days of PTO?" when there are 22 asks how things are
            if _below_current(item) and cues.MORE_BEFORE.search(before):
                item = _item_for(parsed, q, term, terms, payments, more=True)  # "more PTO, like 5 days" is 5 more
        if item is not None:
            found.append(_Found(item, q.start))
    return found


def _date_items(parsed: _Parsed, terms: OfferTerms, today: date) -> tuple[list[_Found], list[tuple[int, int]]]:
    mentions = find_dates(parsed.text)
    spans = [(m.start, m.end) for m in mentions]
    if not cues.START_CONTEXT.search(parsed.folded):
        return [], spans
    found = []
    for mention in mentions:
        resolved = resolve_date(mention, terms.start_date, today)
        if resolved is not None:
            item = CounterItem(term=Term.START_DATE, current=terms.start_date, requested=resolved)
            found.append(_Found(item, mention.start))
    return found, spans


def _arrangement_items(parsed: _Parsed, terms: OfferTerms) -> tuple[list[_Found], list[tuple[int, int]]]:
    found: list[_Found] = []
    spans: list[tuple[int, int]] = []
    for pattern, arrangement in cues.ARRANGEMENTS:
        for match in pattern.finditer(parsed.folded):
            if any(match.start() < e and s < match.end() for s, e in spans):
                continue
            spans.append(match.span())
            item = CounterItem(term=Term.WORK_ARRANGEMENT, current=terms.work_arrangement, requested=arrangement)
            found.append(_Found(item, match.start()))
    return found, spans


def _named_arrangements(parsed: _Parsed, terms: OfferTerms, names: dict[str, str]) -> list[_Found]:
    """Work arrangements asked for by the tenant's own list names ("Blended (campus + home)")."""
    found = []
    for phrase, meaning in names.items():
        position = parsed.folded.find(phrase)
        if position >= 0 and meaning in {a.value for a in WorkArrangement}:
            wanted = WorkArrangement(meaning)
            item = CounterItem(term=Term.WORK_ARRANGEMENT, current=terms.work_arrangement, requested=wanted)
            found.append(_Found(item, position))
    return found


def _choice_items(parsed: _Parsed, facts: Sequence[OfferFact]) -> list[_Found]:
    """A tenant choice term asked to change to another of its values ("could the contract be permanent?")."""
    found = []
    for fact in facts:
        if not (fact.negotiable and fact.kind == "choice" and fact.options):
            continue
        mentioned = find_term_mentions(parsed.text, [fact])
        for phrase, value in fact.options.items():
            position = parsed.folded.find(phrase)
            current = fold(fact.raw or "")
            if position < 0 or fold(value) == current or phrase == current:
                continue
            if mentioned or len(phrase) > 5:
                found.append(_Found(CounterItem(term=fact.name, current=fact.raw, requested=value), position))
    return found


def _title_items(parsed: _Parsed, terms: OfferTerms) -> list[_Found]:
    match = cues.TITLE_REQUEST.search(parsed.text)
    if match is None:
        return []
    title = match.group("title").strip()
    return [_Found(CounterItem(term=Term.TITLE, current=terms.title, requested=title), match.start())]


def _spans_matching(folded: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in _clauses(folded) if pattern.search(folded[a:b])]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= position < b for a, b in spans)


def _is_request(folded: str, has_competing: bool) -> bool:
    return cues.request_cue(folded) or has_competing or cues.looks_like_fragment(folded)


def _rationale(parsed: _Parsed, explained: list[tuple[int, int]]) -> str | None:
    """The candidate's reasons: clauses with "because", the market, a competing offer or their current pay."""
    kept = [
        parsed.text[a:b].strip()
        for a, b in _clauses(parsed.folded)
        if cues.RATIONALE_CUE.search(parsed.folded[a:b]) or (a, b) in explained
    ]
    return "; ".join(kept) or None


def _differs(item: CounterItem) -> bool:
    return item.term is Term.OTHER or item.requested != item.current


def _dedupe(found: list[_Found]) -> list[CounterItem]:
    """One item per term (the first mentioned); `other` items are all kept."""
    items: list[CounterItem] = []
    seen: set[Term | str] = set()
    for f in sorted(found, key=lambda f: f.start):
        if f.item.term is not Term.OTHER and f.item.term in seen:
            continue
        seen.add(f.item.term)
        items.append(f.item)
    return items


def extract_counter_offer(
    message: str,
    terms: OfferTerms,
    today: date,
    facts: Sequence[OfferFact] = (),
    arrangement_names: dict[str, str] | None = None,
    payments_per_year: Decimal | None = None,
) -> CounterProposal | None:
    """The counter-offer in a candidate message, or None when the message asks for nothing.

    `facts` are the tenant's own terms (from the catalogue): the negotiable ones can be asked for too.
    """
    payments_per_year = payments_per_year or _payments_in(facts)
    text = rewrite_number_words(message)
    parsed = _Parsed(text, fold_aligned(text))
    competing = _spans_matching(parsed.folded, cues.COMPETING)
    if not _is_request(parsed.folded, bool(competing)):
        return None
    context = _spans_matching(parsed.folded, cues.CURRENT_CONTEXT)
    date_found, date_spans = _date_items(parsed, terms, today)
    arrangement_found, arrangement_spans = _arrangement_items(parsed, terms)
    searchable = blank(text, date_spans + arrangement_spans)
    quantities = list(find_quantities(searchable, dollar_currency=_dollar(terms), rewrite_words=False).items)
    quantities = [q for q in quantities if not _inside(q.start, context)]
    found = _quantity_items(parsed, quantities, terms, facts, payments_per_year) + date_found + arrangement_found
    found += _title_items(parsed, terms) + _choice_items(parsed, facts)
    if not quantities:
        found += _multiple_items(parsed, terms, facts)
    found += _named_arrangements(parsed, terms, arrangement_names or {})
    found = [f for f in found if _differs(f.item)]
    requested = [f for f in found if not _inside(f.start, competing)]
    chosen = requested or found  # a competing offer alone asks to be matched
    items = _dedupe(chosen)
    if not items:
        return None
    mention = "; ".join(parsed.text[a:b].strip() for a, b in competing) or None
    return CounterProposal(items=items, rationale=_rationale(parsed, context + competing), competing_offer=mention)


def _payments_in(facts: Sequence[OfferFact]) -> Decimal | None:
    """Salary payments a year from a tenant count term that holds them ("Pagas: 14"), when none is configured."""
    for fact in facts:
        if fact.kind != "count" or not cues.PAYMENTS_TERM.search(fold(f"{fact.label} {fact.name.replace('_', ' ')}")):
            continue
        value = _decimal(fact.raw)
        if value is not None and 12 <= value <= 16:
            return value
    return None


def _dollar(terms: OfferTerms) -> str:
    return terms.currency if terms.currency.endswith("D") else "USD"
