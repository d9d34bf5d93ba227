"""The embedded grounded engine: answers composed from response templates, offer facts and quoted passages.

Deterministic, no network, no model weights. Every figure it shows comes from the candidate's offer terms or is
quoted verbatim from a retrieved passage, so its answers are the fallback whenever an LLM's are not trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from app.ai import cue_words as cw
from app.ai.calculations import (
    Calculation,
    Money,
    PayBasis,
    Period,
    asked_period,
    asks_amount,
    asks_one_paycheck,
    days_on,
    hours_stated,
    is_pro_rata_rule,
    months_elapsed,
    multiplier_in,
    paid_every,
    pay_base_in,
    pay_in_period,
    per_day,
    per_day_amount,
    percent_in,
    percent_of_pay,
    period_words,
    pro_rata,
    rate_over_period,
    rate_plus,
    repayment_period,
    rule_multiplier,
    served_and_period,
    states_share_of_pay,
    without_examples,
)
from app.ai.counter_status import status_variables
from app.ai.dates import format_long_date
from app.ai.extractive import (
    LOOKUP_WORDS,
    UNKNOWN_WORD_WEIGHT,
    Evidence,
    asks_two_things,
    best_evidence,
    bridge_words,
    closest_in_meaning,
    content_terms,
    evidence_by_meaning,
    is_overview_question,
)
from app.ai.facts import SPECS_BY_NAME, asked_terms, display_value, fact_citation, fact_value, find_term_mentions
from app.ai.models import AnswerRequest, Citation, CounterProposal, EngineOptions, Intent, OfferFact, Passage
from app.ai.quantities import QuantityKind, find_quantities, format_money, format_number, format_percent
from app.ai.routing import Route
from app.ai.text import fold, phrase_pattern, sentences
from offer_engine.catalogue import BASIS_WORDS, BUILTIN_BY_KEY, TermType
from offer_engine.terms import CounterItem, OfferTerms, PayPeriod, Term, WorkArrangement
from prompts import load_prompt
from retrieval.errors import RetrievalError
from retrieval.jurisdiction import normalise, visible_to

EMBEDDED_MODEL = "embedded-grounded-1"
# "Do I get a sign-on bonus?" about a term the offer lacks is answered "no", never with the policy's figures.
_YES_NO = re.compile(
    r"[\s¿¡\"]*(?:do|does|did|is|are|am|will|would|can|could|have|has|tengo|hay|habra|bekomme|gibt|habe)\b"
)


_MAX_REPHRASINGS = 8
# Words in documents that say which candidates a rule is for, by the offer's pay basis.
_PAY_BASIS_WORDS = {
    PayPeriod.HOUR: "hourly non-exempt por hora stundenlohn",
    PayPeriod.WEEK: "weekly",
    PayPeriod.MONTH: "monthly mensual monatlich",
    PayPeriod.YEAR: "salaried exempt asalariado",
}


def personal_terms(request: AnswerRequest) -> frozenset[str]:
    """Words that describe this candidate (pay basis, role, department, place, their own list values): a table row
    or section keyed by one of them ("Hourly associates", "Academic staff") is the one that applies to them."""
    terms = request.terms
    texts = [_PAY_BASIS_WORDS[terms.pay_period], terms.title, terms.department or "", terms.location or ""]
    texts += [fact.value for fact in request.extra_facts if fact.kind == "choice" and fact.value]
    return frozenset(content_terms(" ".join(texts)))


def own_figures(request: AnswerRequest) -> tuple[Decimal, ...]:
    """The candidate's own pay as a table's band may state it (a contribution rate by salary band): the annual or
    monthly base, and the annual figure the offer's payments a year give a monthly pay. An hourly or weekly rate is
    left out: its size is an age's or an hour count's, so it would pick rows of other tables."""
    terms = request.terms
    if terms.pay_period is PayPeriod.YEAR:
        return (terms.base_salary,)
    if terms.pay_period is PayPeriod.MONTH:
        payments = request.payments_per_year
        return (terms.base_salary, terms.base_salary * payments) if payments else (terms.base_salary,)
    return ()


def _rephrasings(request: AnswerRequest, route: Route) -> tuple[str, str, list[tuple[str, str]]]:
    """The question as asked; without the terms' words (what it asks about them); with the first term named each
    of its other ways (each with the phrase used)."""
    folded = fold(route.text)
    mentions = [m for m in find_term_mentions(route.text, request.extra_facts) if m.name in route.terms]
    if not mentions:
        return route.text, "", []
    residual = folded
    for mention in sorted(mentions, key=lambda m: m.start, reverse=True):
        residual = residual[: mention.start] + " " + residual[mention.end :]
    first = mentions[0]
    renamed = {folded[: first.start] + fold(p) + folded[first.end :]: fold(p) for p in _phrases(request, first.name)}
    distinct = [(question, phrase) for question, phrase in renamed.items() if question != folded]
    return route.text, residual.strip(), distinct[:_MAX_REPHRASINGS]


def _passages_naming(passages: list[Passage], phrase: str) -> list[Passage]:
    """The passages that use this name of the term themselves ("paid time off" for a question about "PTO")."""
    pattern = phrase_pattern([phrase])
    return [p for p in passages if pattern.search(fold(f"{p.title} {p.section} {p.text}"))]


def _passages_about(request: AnswerRequest, names: list[str]) -> list[Passage]:
    """Passages that name one of the terms in any of its ways: only there may what is left of a question (its
    words other than the term's) be looked up, or one common word ("paid") would pick any passage."""
    patterns = [phrase_pattern([fold(p) for p in _phrases(request, name)]) for name in names]
    return [p for p in request.passages if any(rx.search(fold(f"{p.title} {p.section} {p.text}")) for rx in patterns)]


# Words that ask for a value in a period or as an amount ("per week", "a normal week", "cobrar"): the calculator
# answers them from the offer, so they send no question to the documents.
_AMOUNT_IN_PERIOD_WORDS = frozenset(
    content_terms(
        "per pro por je each every full whole normal bring come comes earn earning earnings make gross cobrar cobro "
        "cobraria ganar gano ganaria verdiene verdienen bekomme fortnight fortnightly biweekly quincena quincenal "
        "vierzehntaglich dollars euros pounds"
    )
    - content_terms("paid")  # "when is it paid?" still asks the documents (a synonym above reads as "pay")
)


def _asks_beyond_values(request: AnswerRequest, route: Route) -> bool:
    """The question asks something about its terms beyond their values ("when is it paid?", "who is eligible?")."""
    asked = content_terms(route.text)
    named = {t for name in route.terms for t in content_terms(" ".join(_phrases(request, name)))}
    return bool(asked - named - LOOKUP_WORDS - _AMOUNT_IN_PERIOD_WORDS)


def _asks_a_document(request: AnswerRequest, route: Route) -> bool:
    """The question names a term but asks what its value does not say: a rule only a document states ("is the
    13th salary included in my base?", "do I pay towards the pension?"), or when an amount is paid."""
    folded = fold(route.text)
    if cw.DOCUMENT_ASK.search(folded):
        return True
    amounts = route.terms and all(_individual_grant(request, name) or name == "base_salary" for name in route.terms)
    return bool(amounts) and cw.ASKS_A_TIME.search(folded) is not None  # "when is my sign-on paid?"


def _in_the_documents_language(question: str, request: AnswerRequest) -> list[Evidence]:
    """ "Brauche ich ein Führungszeugnis?" over an English onboarding guide: when none of the question's own words
    is in the retrieved documents (it is in another language), its topics named the way they name them ("criminal
    record"). A question in the documents' language that found nothing stays unanswered (a hand-off)."""
    held = {t for p in request.passages for t in content_terms(f"{p.section} {p.text}")}
    if content_terms(question) - LOOKUP_WORDS & held:
        return []
    named = [phrase for phrase in bridge_words(question) if content_terms(phrase) <= held]
    if not named:
        return []
    return best_evidence(" ".join(named), request.passages, limit=1, personal=personal_terms(request))


def _excludes(evidence: list[Evidence]) -> bool:
    """A document sentence saying a group is not eligible ("deckhands are not eligible for commission")."""
    return any(cw.NOT_ELIGIBLE.search(fold(e.text)) for e in evidence)


def _individual_grant(request: AnswerRequest, name: str) -> bool:
    """An amount granted to this candidate or not (a sign-on bonus, equity), not an entitlement every employee has
    by policy (paid time off): "do I get one?" about a grant the offer lacks is answered "no"."""
    builtin = BUILTIN_BY_KEY.get(name)
    kind = builtin.type.value if builtin else next((f.kind for f in request.extra_facts if f.name == name), "")
    return kind in (TermType.MONEY.value, TermType.PERCENT.value) or name == "equity_units"


def _phrases(request: AnswerRequest, name: str) -> list[str]:
    spec = SPECS_BY_NAME.get(name)
    if spec is not None:
        return [*spec.labels.values(), *spec.synonyms, *spec.weak]
    fact = next((f for f in request.extra_facts if f.name == name), None)
    return [fact.label, *fact.synonyms] if fact else [name]


_VALUE_LOOKUP = ("what", "how much", "how many", "when", "which", "who", "cual", "cuanto", "cuando", "que", "quien")


@dataclass
class Draft:
    """An answer before auditing: text, citations and the template versions that made it."""

    text: str
    intent: Intent
    language: str
    citations: list[Citation] = field(default_factory=list)
    counter_offer: CounterProposal | None = None
    handoff: bool = False
    prompt_refs: list[str] = field(default_factory=list)
    calculations: list[dict[str, object]] = field(default_factory=list)  # each computed figure's formula, audited

    def render(self, name: str, **variables: Any) -> str:
        prompt = load_prompt(name, self.language)
        if prompt.ref not in self.prompt_refs:
            self.prompt_refs.append(prompt.ref)
        return prompt.render(**variables)


def _recruiter(request: AnswerRequest) -> dict[str, str | None]:
    recruiter = request.recruiter
    if recruiter is None:
        return {"recruiter_name": None, "recruiter_email": None, "recruiter_phone": None}
    return {
        "recruiter_name": recruiter.display_name or None,
        "recruiter_email": recruiter.emails[0] if recruiter.emails else None,
        "recruiter_phone": recruiter.phones[0] if recruiter.phones else None,
    }


def item_display(
    terms: OfferTerms, item: CounterItem, value: Any, language: str, currency: str | None = None
) -> str | None:
    """A counter-offer value as the candidate reads it ("$195,000", "15%", "April 6, 2027", "remote")."""
    if value is None:
        return None
    if item.term in (Term.BASE_SALARY, Term.SIGN_ON_BONUS, Term.RELOCATION) and isinstance(value, Decimal | int):
        return format_money(value, currency or terms.currency, language, terms.country)
    if item.term is Term.BONUS_TARGET_PERCENT and isinstance(value, Decimal | int):
        return format_percent(Decimal(value))
    if item.term in (Term.EQUITY_UNITS, Term.PTO_DAYS) and isinstance(value, int):
        return format_number(value, language)
    if isinstance(value, date):
        return format_long_date(value, language, terms.country)
    if isinstance(value, WorkArrangement):
        return display_value(terms.model_copy(update={"work_arrangement": value}), "work_arrangement", language)
    return str(value.value if isinstance(value, Enum) else value)


_OTHER_LABEL = {"en": "Other", "es": "Otro", "de": "Sonstiges"}
_DAYS = {"en": "days", "es": "días", "de": "Tage"}


def _item_label(request: AnswerRequest, item: CounterItem, language: str) -> str:
    spec = SPECS_BY_NAME.get(item.key)
    if spec is None:
        fact = next((f for f in request.extra_facts if f.name == item.key), None)
        return fact.label if fact else _OTHER_LABEL.get(language, "Other")
    label = spec.label(language)
    return f"{label} ({_DAYS.get(language, 'days')})" if item.term is Term.PTO_DAYS else label


_MISSING_WORDS = {
    "en": {"hours": "your weekly hours", "annual": "how your pay converts to a year (payments or hours a year)",
           "base": "which pay the percentage is of (one monthly salary or the annual salary)"},
    "es": {"hours": "tus horas semanales", "annual": "cómo se convierte tu salario a un año (pagas u horas al año)",
           "base": "sobre qué salario se aplica el porcentaje (un salario mensual o el anual)"},
    "de": {"hours": "Ihre Wochenstunden", "annual": "die Umrechnung Ihres Entgelts auf ein Jahr",
           "base": "auf welches Entgelt sich der Prozentsatz bezieht (ein Monatsgehalt oder das Jahresgehalt)"},
}  # fmt: skip
_PAY_WORDS = re.compile(r"\b(?:salary|pay|earnings|wage|salario|sueldo|nomina|gehalt|lohn|entgelt|verdienst)\b")
_RATE_WORDS = re.compile(
    r"\b(?:overtime|hourly rate|base rate|rate of pay|regular rate|horas extra\w*|tarifa|salario por hora"
    r"|sobretiempo|tiempo extra|horas suplementarias|valor de la hora|uberstunde\w*|mehrarbeit\w*"
    r"|stundensatz|stundenlohn|grundlohn|zuschlag)\b"
)
_REPAY_WORDS = re.compile(
    r"\b(?:repay\w*|pay (?:it |that |them )?back|refund|owe|owed|owing|give (?:it |that )?back|devolver|devuelv\w*"
    r"|reembols\w*|adeud\w*|zuruckzahl\w*|ruckzahl\w*|zuruck ?(?:zahlen|geben)|schulde\w*|claw\w* back|clawback"
    r"|return (?:it|that|them|the|part|some|any|all)|(?:have|need|had|must|would) to return|reintegr\w*"
    r"|\w*erstatt\w*)\b"
)
# Words that ask for an amount in all ("how much will I get a fortnight", "gross per year", "in total").
_ASKS_COUNT = re.compile(r"\b(?:how many|cuant[oa]s|wie viele)\b")  # "how many days a week?" asks no pay
_IN_TOTAL = re.compile(r"\b(?:in total|all in all|take home|en total|insgesamt|zusammen)\b")
# A term's name or value says its hours are a week's (never a shift's or a roster cycle's).
_WEEK_WORDS = re.compile(r"\b(?:week\w*|semana\w*|woche\w*|wochentlich\w*)|\w+woche\b")
# A term's name or value says it counts salary payments ("payments a year", "pagas", "Monatsgehälter").
_PAYMENT_WORDS = re.compile(
    r"\b(?:payments?|instal?ments?|salaries|pagas?|pagos|mensualidades|zahlungen|\w*gehalter|\w*lohne)\b"
)
# The names of percent terms that are a share of every payment of pay: an amount over a year is the same whatever
# the salary's period (a one-off bonus is not among them: it may be a percentage of one month's salary).
_CONTRIBUTION_WORDS = re.compile(
    r"\b(?:pension\w*|retirement|superannuation|super|401 ?\(?k\)?|match\w*|contribution\w*|loading"
    r"|jubilacion|plan de pensiones|aportacion\w*|contribucion\w*|rente\w*|\w*vorsorge\w*|pensionskasse\w*"
    r"|\w*beitrag\w*|\w*beitrage\w*|bvg)\b"
)
# Words of a term's name too common to tie a rule to it ("period" is in the notice period and the retention period).
_GENERIC_TERM_WORDS = frozenset(
    content_terms("period periodo plazo zeitraum frist dauer term months meses monate years anos jahre time")
)
_MONEY_KINDS = frozenset({TermType.MONEY.value, TermType.MONEY_RATE.value, TermType.PERCENT.value})
_MONEY_BUILTINS = ("sign_on_bonus", "relocation")
# A unit already known to be of the kind asked (an onboarding passage for "what's next?", a sentence naming whom to
# contact for "who do I contact about my move?") needs to share less with the question to answer it.
_NARROW_SCORE = 0.5
_NARROW_COVERAGE = 0.2
# A sentence that says whom to contact: an address, a number, or a verb of contacting.
_CONTACT_MARK = re.compile(
    r"@|\+?\d[\d ()/-]{6,}\d|\b(?:contact\w*|call|email|e-mail|phone|reach|kontakt\w*|anrufen|wenden|melden"
    r"|contact[ae]\w*|llam[ae]\w*|correo|telefono|escrib[ae]\w*)\b"
)


@dataclass
class Computed:
    """What the calculator gave for one question: each figure with what it cites, and the figures it could not
    give for lack of an input (each: label, period, what is missing)."""

    calculations: list[tuple[Calculation, list[Citation]]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)


def _pay_basis(request: AnswerRequest, names: list[str] | None = None) -> PayBasis:
    """The base pay and what converts it: the tenant's linked hours and payments a year (each cited by its term's
    field when a term holds it), else the weekly hours or the payments a year of a term the question names itself
    (the candidate sees its value in the same answer)."""
    terms, source = request.terms, request.fact_refs.get("base_salary", "offer:base_salary")
    pay = PayBasis(
        amount=terms.base_salary, period=terms.pay_period, source=source,
        hours_per_week=request.hours_per_week, payments_per_year=request.payments_per_year,
        annual_equivalent=request.annual_equivalent,
    )  # fmt: skip
    named = [f for f in request.extra_facts if f.name in (names or [])]
    hours = [f for f in named if _weekly_hours(f) is not None]
    if pay.hours_per_week is None and len(hours) == 1:
        pay = replace(pay, hours_per_week=_weekly_hours(hours[0]), hours_source=hours[0].ref)
    payments = [f for f in named if _payments_a_year(f) is not None]
    if pay.payments_per_year is None and len(payments) == 1:
        pay = replace(pay, payments_per_year=_payments_a_year(payments[0]), payments_source=payments[0].ref)
    return pay


def _with_stated_hours(pay: PayBasis, question: str) -> PayBasis:
    """Pay by the hour at the weekly hours the question states ("weekly gross at 32 hours?")."""
    hours = hours_stated(question) if pay.period is PayPeriod.HOUR else None
    return replace(pay, hours_per_week=hours, hours_source="question") if hours is not None else pay


def _pay_frequency(request: AnswerRequest) -> Period | None:
    """How often pay is paid, as the candidate's documents say ("paid biweekly"): the one period they state."""
    found = {
        period
        for passage in request.passages if _applies_to(passage, request.terms)
        for sentence in sentences(passage.text) if (period := paid_every(sentence)) is not None
    }  # fmt: skip
    return found.pop() if len(found) == 1 else None


def _payments_a_year(fact: OfferFact) -> Decimal | None:
    """A count term holding the salary payments a year (12 to 16: "14 payments", "14 pagas", "13 Monatsgehälter"),
    or None."""
    value = _decimal(fact.raw)
    named = _PAYMENT_WORDS.search(fold(" ".join([fact.label, *fact.synonyms, fact.value or ""])))
    counted = fact.kind == TermType.COUNT.value
    return value if named and counted and value is not None and 12 <= value <= 16 else None


def _weekly_hours(fact: OfferFact) -> Decimal | None:
    """A count or duration term holding hours a week ("38 hours", "40 Stunden"), or None."""
    value = _decimal(fact.raw)
    hours = re.search(r"\b(?:hours?|horas?|stunden?)\b", fold(fact.value or ""))
    weekly = _WEEK_WORDS.search(fold(" ".join([fact.label, *fact.synonyms, fact.value or ""])))
    counted = fact.kind in (TermType.COUNT.value, TermType.DURATION.value)
    return value if hours and weekly and counted and value is not None and 0 < value <= 80 else None


def _missing_input(pay: PayBasis, wanted: Period, language: str) -> str:
    """What the offer would have to state for base pay in `wanted`: the weekly hours, or a year's conversion."""
    hourly = pay.period is PayPeriod.HOUR or wanted is Period.HOUR
    return _MISSING_WORDS[language]["hours" if hourly and pay.hours_per_week is None else "annual"]


def _rate_basis(fact: OfferFact) -> PayPeriod | None:
    """The basis of a tenant money_rate term, as its shown value ends ("€600 per month", "600 € al mes")."""
    for words in BASIS_WORDS.values():
        for period, word in words.items():
            if fact.value and fact.value.endswith(f" {word}"):
                return period
    return None


def _applies_to(passage: Passage | None, terms: OfferTerms) -> bool:
    """A rule's sentence may give a factor only for the candidate's own jurisdiction, its country, or a rule for
    everyone (company-wide, "ALL"); a passage may list several ("US,GB")."""
    if passage is None:
        return False
    if not passage.jurisdiction:
        return True
    try:
        visible = set(visible_to(terms.jurisdiction))
        return any(normalise(code) in visible for code in passage.jurisdiction.split(",") if code.strip())
    except RetrievalError:
        return False


def _decimal(raw: str | None) -> Decimal | None:
    try:
        return Decimal(raw) if raw not in (None, "") else None
    except ArithmeticError:
        return None


def compute_for_question(
    request: AnswerRequest, names: list[str], question: str, language: str, quoted: list[Citation]
) -> Computed:
    """The calculations a question about offer terms asks for, from this candidate's values only: base pay in the
    asked period; a percentage term as an amount of the pay it is of; an allowance per period over the asked period;
    the base rate with an hourly differential; a pro-rata repayment; and, when the question asks "how much" (or for a
    rate), a quoted rule's factor applied to the value."""
    outcome = Computed()
    lang = language if language in _MISSING_WORDS else "en"
    money = Money(request.terms.currency, lang, request.terms.country)
    pay = _with_stated_hours(_pay_basis(request, names), question)
    wanted, amount = asked_period(question), asks_amount(question)
    if wanted is None and asks_one_paycheck(question):
        wanted = _pay_frequency(request)  # "how much is each paycheck?": the period pay is paid by
    folded = fold(question)
    when = bool(cw.ASKS_WHEN.search(folded))  # "when is my first month's pay?" asks a date, not an amount
    rate = pay.period is PayPeriod.HOUR and bool(cw.ASKS_RATE.search(folded))
    shown = {name: fact_value(request, name, lang) for name in ["base_salary", *names]}
    offer_cite = {name: fact_citation(request, fact) for name, fact in shown.items()}

    def add(calculation: Calculation | None, *names_used: str, rule: Citation | None = None) -> None:
        if calculation is not None:
            cites = [offer_cite[n] for n in names_used if shown[n].display is not None]
            outcome.calculations.append((calculation, [*cites, *([rule] if rule else [])]))

    other_period = wanted is not None and wanted.value != request.terms.pay_period.value
    if wanted is not None and other_period and not when and _asks_base_pay(request, names, folded, amount):
        label = shown["base_salary"].label
        calculation = pay_in_period(pay, wanted, money, label)
        if calculation is None and "base_salary" in names:  # asked by name: say what the offer would need
            outcome.missing.append(
                {"label": label, "period": period_words(wanted, lang), "missing": _missing_input(pay, wanted, lang)}
            )
        add(calculation, "base_salary", *[n for n in names if n != "base_salary" and _feeds_pay(request, n, pay)])
    for name in names:
        fact = next((f for f in request.extra_facts if f.name == name and f.value is not None), None)
        label = shown[name].label
        if name in _MONEY_BUILTINS and (builtin := getattr(request.terms, name, None)) is not None:
            _repayment(request, question, name, Decimal(builtin), shown[name].ref, label, money, quoted, outcome,
                       offer_cite[name])  # fmt: skip
        if fact is None or (value := _decimal(fact.raw)) is None:
            continue
        if fact.kind == TermType.PERCENT.value and (amount or rate or wanted is not None):
            base = _percent_base(request, fact, quoted)
            if base is None:
                outcome.missing.append({"label": label, "period": "", "missing": _MISSING_WORDS[lang]["base"]})
                continue
            calculation = percent_of_pay(value, fact.ref, pay, money, label, monthly=wanted is Period.MONTH, base=base)
            if calculation is None:
                outcome.missing.append(
                    {"label": label, "period": "", "missing": _missing_input(pay, Period.YEAR, lang)}
                )
            add(calculation, name, "base_salary")
        elif fact.kind == TermType.MONEY_RATE.value and (basis := _rate_basis(fact)) is not None:
            if wanted is not None and wanted.value != basis.value:
                add(rate_over_period(value, basis, fact.ref, wanted, money, label), name)
            elif basis is PayPeriod.HOUR and request.terms.pay_period is PayPeriod.HOUR and (amount or rate):
                add(rate_plus(pay.amount, pay.source, value, fact.ref, money, label), "base_salary", name)
        elif fact.kind == TermType.MONEY.value:
            _repayment(request, question, name, value, fact.ref, label, money, quoted, outcome, offer_cite[name])
        elif fact.kind in (TermType.COUNT.value, TermType.DURATION.value) and amount and _in_days(fact):
            _days_at_rule_rate(request, value, fact, label, money, quoted, outcome, offer_cite[name])
    if (amount or rate or _PER_CYCLE.search(folded)) and not outcome.calculations:
        _allowance_per_cycle(request, names, folded, money, quoted, outcome)
        _rate_with_premium(request, pay, folded, money, outcome, offer_cite["base_salary"])
    if amount or rate:
        _rule_factors(request, pay, money, quoted, outcome, offer_cite["base_salary"], lang)
    if not any(shown[n].display is not None for n in names if n in _MONEY_BUILTINS or _kind(request, n) == "money"):
        _repayment_of_stated_amount(request, names, question, money, quoted, outcome)
    return outcome


def _asks_base_pay(request: AnswerRequest, names: list[str], folded: str, amount: bool) -> bool:
    """Base pay in another period is asked for: by name, or as an amount a period ("how much will I get a
    fortnight?", "gross per year with the extra payments?") beside no other money term (the hours or the payments
    a year are what converts it)."""
    if "base_salary" in names:
        return True
    if not (amount or _IN_TOTAL.search(folded)) or _ASKS_COUNT.search(folded):
        return False
    money_names = (*_MONEY_BUILTINS, "bonus_target_percent")
    others = [n for n in names if n in money_names or _kind(request, n) in _MONEY_KINDS]
    return not others and (bool(names) or bool(cw.OWN_PAY.search(folded)))


def _kind(request: AnswerRequest, name: str) -> str:
    return next((f.kind for f in request.extra_facts if f.name == name), "")


def _feeds_pay(request: AnswerRequest, name: str, pay: PayBasis) -> bool:
    """The named term is one the pay conversion used (its hours or payments a year): it is cited with it."""
    ref = next((f.ref for f in request.extra_facts if f.name == name), None)
    return ref is not None and ref in (pay.hours_source, pay.payments_source)


def _percent_base(request: AnswerRequest, fact: OfferFact, quoted: list[Citation]) -> Period | None:
    """The pay a percentage term is of: as the tenant declares it, else as the rule about it words it ("of one
    monthly salary", "des Jahresgehalts"); None when neither says (then no amount: a guessed base could be twelve
    times off)."""
    if fact.percent_of in (Period.MONTH.value, Period.YEAR.value, Period.HOUR.value):
        return Period(fact.percent_of)
    pattern = phrase_pattern([fold(p) for p in [fact.label, *fact.synonyms] if p.strip()])
    texts = [c.quote for c in quoted if _applies_to(_passage(request, c), request.terms)]
    texts += [
        sentence
        for passage in request.passages if _applies_to(passage, request.terms)
        for sentence in sentences(passage.text) if pattern.search(fold(f"{passage.title} {passage.section} {sentence}"))
    ]  # fmt: skip
    texts = [rule for text in texts if (rule := without_examples(text))]
    found = {base for text in texts if (base := pay_base_in(text)) is not None}
    if not found and request.terms.pay_period is PayPeriod.HOUR and _is_rate_premium(fact):
        return Period.HOUR  # a weekend premium of 25% on pay by the hour: a share of the hourly rate
    if not found and (any(states_share_of_pay(text) for text in texts) or _is_contribution(fact)):
        return Period.YEAR  # "5% of base salary", a pension contribution: a share of every payment, so of the year's
    return found.pop() if len(found) == 1 else None


# The names of percent terms that are a premium on the rate for some hours (weekend, night, shift, unsocial hours).
_PREMIUM_WORDS = re.compile(
    r"\b(?:premium|differential|diff|penalty rate|uplift|loading|shift|weekend|night|evening|sunday|saturday"
    r"|holiday|unsocial|on-?call|recargo|prima|plus|nocturn\w*|fin de semana|festiv\w*|dominical|turno"
    r"|\w*zuschlag\w*|\w*zulage|nacht\w*|wochenende\w*|sonntag\w*|feiertag\w*|schicht\w*)\b"
)


def _is_rate_premium(fact: OfferFact) -> bool:
    """A percent term that by its name is a premium on the rate for some hours, never a bonus or a contribution."""
    named = fold(" ".join([fact.label, fact.name.replace("_", " "), *fact.synonyms]))
    return bool(_PREMIUM_WORDS.search(named)) and not _is_contribution(fact) and "bonus" not in named


def _is_contribution(fact: OfferFact) -> bool:
    """A percent term that by its name is a share of every payment of pay (a pension or retirement contribution, an
    employer match, a loading on pay), never a one-off amount such as a bonus of one month's salary."""
    return bool(_CONTRIBUTION_WORDS.search(fold(" ".join([fact.label, *fact.synonyms]))))


def _repayment(
    request: AnswerRequest, question: str, name: str, value: Decimal, source: str, label: str, money: Money,
    quoted: list[Citation], outcome: Computed, cite: Citation | None,
) -> None:  # fmt: skip
    """ "If I leave 5 months after, how much do I pay back?": the amount for the months left of the rule's period
    (the period the rule states, else the offer's own term for it, e.g. a retention period in months, else the
    period the question states)."""
    if not _REPAY_WORDS.search(fold(question)):
        return
    elapsed, stated_period = months_elapsed(question), None
    if elapsed is None and (both := served_and_period(question)) is not None:
        elapsed, stated_period = both  # "a 24-month clawback, and I'd leave after 10 months"
    if elapsed is None:
        return
    for rule, text in _pro_rata_rules(request, quoted, name):
        period, period_source, period_cites = repayment_period(text), rule.ref, []
        if period is None and (term := _period_term(request, text, money.language)) is not None:
            period, period_source, period_cite = term
            period_cites = [period_cite]
        elif period is None and stated_period is not None:
            period, period_source = stated_period, "question"
        if period is None:
            continue
        calculation = pro_rata(value, source, period - elapsed, "question", period, period_source, text, money, label)
        if calculation is not None:
            outcome.calculations.append((calculation, [*([cite] if cite else []), *period_cites, rule]))
        return


def _stated_amount(question: str, currency: str) -> Decimal | None:
    """The one amount of money a question states in the offer's currency ("my $8,000 sign-on"), or None."""
    found = find_quantities(question, dollar_currency=currency if currency.endswith("D") else "USD")
    amounts = {q.value for q in found.items if q.kind is QuantityKind.MONEY and q.currency in (currency, None)}
    return amounts.pop() if len(amounts) == 1 else None


def _repayment_of_stated_amount(
    request: AnswerRequest, names: list[str], question: str, money: Money, quoted: list[Citation], outcome: Computed
) -> None:
    """ "I got an $8,000 sign-on; what do I repay if I leave after 5 months?" with no such amount in the offer: the
    rule applied to the amount the candidate states."""
    if outcome.calculations:
        return
    amount = _stated_amount(question, request.terms.currency)
    if amount is None:
        _repayment_of_the_bonus(request, names, question, money, quoted, outcome)
        return
    name = next((n for n in names if n in _MONEY_BUILTINS or _kind(request, n) == TermType.MONEY.value), None)
    label = fact_value(request, name or "sign_on_bonus", money.language).label
    _repayment(request, question, name or "sign_on_bonus", amount, "question", label, money, quoted, outcome, None)


_RECURRING_BONUS = re.compile(
    r"\b(?:annual|yearly|target|performance|year-end|anual|objetivo|desempeno|jahres\w*|ziel\w*|leistungs\w*)\b"
)
_BONUS_WORD = re.compile(r"\b(?:bonus\w*|bono|bonos|\w*pramie\w*|prima)\b")


def _repayment_of_the_bonus(
    request: AnswerRequest, names: list[str], question: str, money: Money, quoted: list[Citation], outcome: Computed
) -> None:
    """ "How much of the bonus do I give back if I leave after 7 months?": "bonus" named the bonus target, but a
    bonus that is repaid is the one amount the offer grants (its sign-on bonus, or its one bonus in money)."""
    folded = fold(question)
    if "bonus_target_percent" not in names and not _BONUS_WORD.search(folded):
        return
    if _RECURRING_BONUS.search(folded):
        return  # "the annual bonus" is the target bonus itself, not an amount granted once

    granted = [("sign_on_bonus", request.terms.sign_on_bonus)] if request.terms.sign_on_bonus is not None else []
    granted += [
        (fact.name, value) for fact in request.extra_facts
        if fact.kind == TermType.MONEY.value and (value := _decimal(fact.raw)) is not None
        and _BONUS_WORD.search(fold(" ".join([fact.label, *fact.synonyms])))
    ]  # fmt: skip
    if len(granted) != 1:
        return
    name, value = granted[0]
    shown = fact_value(request, name, money.language)
    _repayment(
        request, question, name, Decimal(value), shown.ref, shown.label, money, quoted, outcome,
        fact_citation(request, shown),
    )  # fmt: skip


def _pro_rata_rules(request: AnswerRequest, quoted: list[Citation], name: str) -> list[tuple[Citation, str]]:
    """The pro-rata repayment rules for this candidate: the quoted ones first, then any sentence of the retrieved
    passages about the term (named in it or in its section); never a worked example (its employee's period and
    amount are not the candidate's)."""
    rules = [c for c in quoted if _applies_to(_passage(request, c), request.terms)]
    naming = phrase_pattern([fold(p) for p in _phrases(request, name) if p.strip()])
    rules += [
        Citation(kind="document", ref=p.citation_ref, title=p.title, quote=sentence)
        for p in request.passages if _applies_to(p, request.terms)
        for sentence in sentences(p.text) if naming.search(fold(f"{p.title} {p.section} {sentence}"))
    ]  # fmt: skip
    kept = [(r, without_examples(r.quote)) for r in rules]
    found = [(r, text) for r, text in kept if is_pro_rata_rule(text)]
    return found or _repayment_rules(request)


def _repayment_rules(request: AnswerRequest) -> list[tuple[Citation, str]]:
    """The pro-rata repayment rules of the retrieved passages that name no term (a rule in another language than
    the question, "bonuses are repaid pro rata"): used only when the one rule of them all is unambiguous."""
    found = [
        (Citation(kind="document", ref=p.citation_ref, title=p.title, quote=sentence), text)
        for p in request.passages if _applies_to(p, request.terms)
        for sentence in sentences(p.text)
        if (text := without_examples(sentence)) and is_pro_rata_rule(text) and _REPAY_WORDS.search(fold(text))
    ]  # fmt: skip
    return found if len({text for _, text in found}) == 1 else []


def _period_term(request: AnswerRequest, rule: str, language: str) -> tuple[Decimal, str, Citation] | None:
    """The offer's term in months or years that a pro-rata rule stating no number refers to: the one whose name
    shares the rule's words ("… pro rata over the retention period" → the retention period term)."""
    words = set(content_terms(rule)) - _GENERIC_TERM_WORDS
    scored = []
    for fact in request.extra_facts:
        months = _in_months(fact)
        if months is None:
            continue
        shared = len(words & (set(content_terms(" ".join([fact.label, *fact.synonyms]))) - _GENERIC_TERM_WORDS))
        if shared:
            scored.append((shared, months, fact))
    best = [s for s in scored if s[0] == max((s[0] for s in scored), default=0)]
    if len(best) != 1:
        best = _repayment_period_terms(request)
    if len(best) != 1:
        return None
    _, months, fact = best[0]
    return months, fact.ref, fact_citation(request, fact_value(request, fact.name, language))


# A term's name that says it is the time one must stay or repay over ("Retention period", "Clawback (months)",
# "Periodo de permanencia", "Bindungsfrist", "Rückzahlungszeitraum").
_REPAYMENT_PERIOD_NAME = re.compile(
    r"\b(?:repay\w*|pay ?back|claw-?back|retention|retain\w*|commitment|minimum (?:stay|service)|lock-?in|tie-?in"
    r"|devolucion|reembolso|permanencia|retencion|compromiso|\w*ruckzahl\w*|\w*bindung\w*|verpflichtung\w*|halte\w*"
    r"|verbleib\w*)\b"
)


def _repayment_period_terms(request: AnswerRequest) -> list[tuple[int, Decimal, OfferFact]]:
    """The offer's terms in months whose name says they are a repayment or retention period."""
    return [
        (0, months, fact) for fact in request.extra_facts
        if (months := _in_months(fact)) is not None
        and _REPAYMENT_PERIOD_NAME.search(fold(" ".join([fact.label, fact.name.replace("_", " "), *fact.synonyms])))
    ]  # fmt: skip


def _in_months(fact: OfferFact) -> Decimal | None:
    """A count or duration term's value in months (a value in years × 12), or None for other units."""
    value = _decimal(fact.raw)
    if value is None or value <= 0 or fact.kind not in (TermType.COUNT.value, TermType.DURATION.value):
        return None
    shown = fold(fact.value or "")
    if shown.endswith((" months", " month", " meses", " mes", " monate", " monat")):
        return value
    if shown.endswith((" years", " year", " anos", " ano", " jahre", " jahr")):
        return value * 12
    return None


def _in_days(fact: OfferFact) -> bool:
    return bool(fact.value) and fold(fact.value or "").endswith((" days", " dias", " tage"))


def _days_at_rule_rate(
    request: AnswerRequest, days: Decimal, fact: OfferFact, label: str, money: Money, quoted: list[Citation],
    outcome: Computed, cite: Citation,
) -> None:  # fmt: skip
    """ "How much is the meal allowance for my rostered days?": the quoted rule's amount per day × the days."""
    for rule in quoted:
        daily = per_day_amount(without_examples(rule.quote), request.terms.currency)
        if daily is not None and _applies_to(_passage(request, rule), request.terms):
            outcome.calculations.append(
                (per_day(daily, rule.ref, days, fact.ref, rule.quote, money, label), [cite, rule])
            )
            return


# "per swing", "each rotation", "for my hitch", "por turno de rotación", "pro Turnus": one roster cycle.
_CYCLE_WORDS = re.compile(
    r"\b(?:swing|rotation|roster|hitch|cycle|tour|stint|rotacion|turno|jornada|bloque|turnus|einsatz\w*|schicht\w*"
    r"|dienstplan|rhythmus)\b"
)
_ROSTER_NAME = re.compile(
    r"\b(?:roster|rotation|swing|fly-?in|fifo|dido|schedule|work pattern|shift pattern|rotacion|turno|regimen|jornada"
    r"|calendario|dienstplan|turnus|schicht\w*|einsatz\w*|arbeitszeitmodell)"
)
# A roster written as days on and off ("14 on / 7 off", "8/6", "2 weeks in, 1 week out").
_ROSTER_VALUE = re.compile(
    r"\b\d{1,2}\s*(?:days?|weeks?|dias?|semanas?|tage?|wochen?)?\s*(?:on|in)\b[^\d]{0,12}\d{1,2}\s*"
    r"(?:days?|weeks?|dias?|semanas?|tage?|wochen?)?\s*(?:off|out)\b|^\s*\d{1,2}\s*[/:x]\s*\d{1,2}\b"
)
# "per swing", "each rotation", "por turno", "pro Einsatz": an amount for one roster cycle is asked.
_PER_CYCLE = re.compile(
    r"\b(?:per|each|every|a|por|cada|pro|je)\s+(?:\w+\s+)?(?:swing|rotation|roster|hitch|cycle|tour|stint|rotacion"
    r"|turno|bloque|turnus|einsatz\w*)\b"
)


def _allowance_per_cycle(
    request: AnswerRequest, names: list[str], folded: str, money: Money, quoted: list[Citation], outcome: Computed
) -> None:
    """ "How much site allowance do I get per swing?": a daily amount (the offer's, else a quoted rule's) × the days
    on of the offer's roster ("14 on / 7 off")."""
    if not _CYCLE_WORDS.search(folded):
        return
    rosters = [
        (days, fact) for fact in request.extra_facts
        if fact.value and fact.kind not in _MONEY_KINDS
        and (_ROSTER_NAME.search(fold(f"{fact.label} {fact.name.replace('_', ' ')}"))
             or _ROSTER_VALUE.search(fold(fact.value)))
        and (days := days_on(fact.value)) is not None
    ]  # fmt: skip
    if len(rosters) != 1:
        return
    days, roster = rosters[0]
    roster_cite = fact_citation(request, fact_value(request, roster.name, money.language))
    for fact in request.extra_facts:
        daily = _daily_amount(fact, request.terms.currency) if fact.name in names else None
        if daily is not None:
            label = fact_value(request, fact.name, money.language).label
            cite = fact_citation(request, fact_value(request, fact.name, money.language))
            rule_text = fact.value or ""
            calculation = per_day(daily, fact.ref, days, roster.ref, rule_text, money, label)
            outcome.calculations.append((replace(calculation, rule=None), [cite, roster_cite]))
            return
    for rule in quoted:
        daily = per_day_amount(without_examples(rule.quote), request.terms.currency)
        if daily is not None and _applies_to(_passage(request, rule), request.terms):
            calculation = per_day(daily, rule.ref, days, roster.ref, rule.quote, money, roster.label)
            outcome.calculations.append((calculation, [roster_cite, rule]))
            return


_DAILY_NAME = re.compile(r"\b(?:daily|per day|a day|diari[oa]|por dia|al dia|taglich\w*|pro tag|tages\w*)")


def _daily_amount(fact: OfferFact, currency: str) -> Decimal | None:
    """A term's amount per day: its value says so ("$85 per day"), or its name does ("Daily site allowance: $85")."""
    stated = per_day_amount(fact.value or "", currency)
    if stated is not None:
        return stated
    named = _DAILY_NAME.search(fold(f"{fact.label} {fact.name.replace('_', ' ')}"))
    money = fact.kind in (TermType.MONEY.value, TermType.MONEY_RATE.value)
    return _decimal(fact.raw) if named and money else None


# Words that ask for the rate with something added: "with the differential", "all in", "including nights".
_ADDED_ON = re.compile(r"\b(?:with|incl\w*|plus|all[- ]in|on top|together|con|incluid\w*|mit|inkl\w*|samt)\b")
_SHORT_NAME = 4  # a question's word that starts a term's word names it ("diff" for "differential")


def _rate_with_premium(
    request: AnswerRequest, pay: PayBasis, folded: str, money: Money, outcome: Computed, base_cite: Citation
) -> None:
    """ "Hourly rate on nights with the diff included?": the base rate + the one hourly amount the offer adds that
    the question names, even in short ("diff"), when routing did not name it."""
    if pay.period is not PayPeriod.HOUR or not _ADDED_ON.search(folded):
        return
    asked = {w for w in re.findall(r"[a-z]+", folded) if len(w) >= _SHORT_NAME}
    found = []
    for fact in request.extra_facts:
        value = _decimal(fact.raw)
        if fact.kind != TermType.MONEY_RATE.value or value is None or _rate_basis(fact) is not PayPeriod.HOUR:
            continue
        label_text = fold(" ".join([fact.label, fact.name.replace("_", " "), *fact.synonyms]))
        if not _PREMIUM_WORDS.search(label_text) or "overtime" in label_text:
            continue  # an overtime rate replaces the base rate, it is not added to it
        named = set(re.findall(r"[a-z]+", label_text)) - {"rate", "hour", "hourly"}
        long_names = [name for name in named if len(name) >= _SHORT_NAME]
        if any(name.startswith(word) or word.startswith(name) for word in asked for name in long_names):
            found.append((value, fact))
    if len(found) != 1:
        return
    value, fact = found[0]
    label = fact_value(request, fact.name, money.language).label
    cite = fact_citation(request, fact_value(request, fact.name, money.language))
    outcome.calculations.append((rate_plus(pay.amount, pay.source, value, fact.ref, money, label), [base_cite, cite]))


def _rule_factors(
    request: AnswerRequest, pay: PayBasis, money: Money, quoted: list[Citation], outcome: Computed, cite: Citation,
    language: str,
) -> None:  # fmt: skip
    """A quoted rule's multiplier applied to the hourly base rate, or its share of pay as an amount."""
    label = fact_value(request, "base_salary", language).label
    for rule in quoted:
        text = without_examples(rule.quote)  # a worked example's figures are never the candidate's
        folded = fold(text)
        passage = _passage(request, rule)
        if not text or passage is None or not _applies_to(passage, request.terms):
            continue
        about_rates = _RATE_WORDS.search(folded) or _RATE_WORDS.search(fold(f"{passage.title} {passage.section}"))
        factor = multiplier_in(text) if about_rates else None  # a tier row of an "Overtime" table names no overtime
        if factor is not None and pay.period is PayPeriod.HOUR:
            calculation = rule_multiplier(pay.amount, pay.source, factor, rule.ref, text, money, label)
            outcome.calculations.append((calculation, [cite, rule]))
            return
        of_the_rate = pay.period is PayPeriod.HOUR and pay_base_in(text) is Period.HOUR
        share = percent_in(text) if _PAY_WORDS.search(folded) or of_the_rate else None
        if share is not None:
            base = pay_base_in(text) or Period.YEAR  # "of base salary": the pay as the offer states it
            found = percent_of_pay(share, rule.ref, pay, money, label, rule=text, base=base)
            if found is not None:
                outcome.calculations.append((found, [cite, rule]))
                return


def _passage(request: AnswerRequest, citation: Citation) -> Passage | None:
    return next((p for p in request.passages if p.citation_ref == citation.ref), None)


class EmbeddedEngine:
    """Composes the deterministic answer for a routed message."""

    def __init__(self, options: EngineOptions | None = None) -> None:
        self.options = options or EngineOptions()

    def answer(self, request: AnswerRequest, route: Route) -> Draft:
        draft = Draft(text="", intent=route.intent, language=route.language)
        draft.text = self._compose(request, route, draft)
        if route.detected_language == "other" and route.intent is not Intent.INVALID_INPUT:
            draft.text = f"{draft.text}\n\n{draft.render('language_note')}"
        return draft

    def _compose(self, request: AnswerRequest, route: Route, draft: Draft) -> str:
        match route.intent:
            case Intent.INVALID_INPUT:
                return draft.render(
                    "input_invalid", problem=route.input_problem, max_chars=self.options.max_message_chars
                )
            case Intent.INJECTION:
                return draft.render("refusal_injection")
            case Intent.OTHER_PERSON:
                return draft.render("refusal_other_person")
            case Intent.INTERNAL_INFO:
                draft.handoff = True
                return draft.render("refusal_internal", **_recruiter(request))
            case Intent.NEGOTIATION:
                return self._negotiation(request, route.counter, draft)
            case Intent.ACCEPT_INTENT | Intent.DECLINE_INTENT:
                name = "accept_ack" if route.intent is Intent.ACCEPT_INTENT else "decline_ack"
                ack = draft.render(name, title=request.terms.title, **_recruiter(request))
                steps = self._steps_after_accepting(request, route) if route.intent is Intent.ACCEPT_INTENT else []
                return f"{ack}\n\n{self._quote(steps, draft)}" if steps else ack  # "I accept, what's next?"
            case Intent.PROCESS_QUESTION:
                return self._process(request, route, draft)
            case Intent.GREETING:
                first = request.candidate.first_name or request.candidate.display_name.split(" ")[0]
                return draft.render(
                    "greeting", kind=route.topic, first_name=first, title=request.terms.title,
                    company_name=request.company_name,
                )  # fmt: skip
            case Intent.OFFER_TERM_QUESTION:
                return self._facts(request, route, draft)
            case Intent.BENEFITS_QUESTION:
                return self._benefits(request, route.text, draft) or self._handoff(request, draft)
            case _:
                return draft.render("out_of_scope", company_name=request.company_name)

    def _handoff(self, request: AnswerRequest, draft: Draft) -> str:
        draft.handoff = True
        return draft.render("handoff", **_recruiter(request))

    def _negotiation(self, request: AnswerRequest, counter: CounterProposal | None, draft: Draft) -> str:
        if counter is None:
            return draft.render("negotiation_invite", **_recruiter(request))
        return self.confirmation(request, counter, draft)

    def confirmation(self, request: AnswerRequest, counter: CounterProposal, draft: Draft) -> str:
        """The counter-offer shown back for confirmation, with what happens next."""
        draft.counter_offer = counter
        terms, language = request.terms, draft.language
        items = [
            {
                "label": _item_label(request, item, language),
                "requested": item_display(terms, item, item.requested, language, item.currency),
                "current": item_display(terms, item, item.current, language, terms.currency),
            }
            for item in counter.items
        ]
        draft.citations = [
            fact_citation(request, fact_value(request, item.key, language))
            for item in counter.items
            if item.term is not Term.OTHER and item.current is not None
        ]
        return draft.render(
            "counter_confirmation", items=items, competing_offer=counter.competing_offer, **_recruiter(request)
        )

    def _process(self, request: AnswerRequest, route: Route, draft: Draft) -> str:
        terms, language = request.terms, draft.language
        expiry = format_long_date(terms.expiry_date, language, terms.country) if terms.expiry_date else None
        if route.topic == "deadline" and not cw.ABOUT_THE_OFFER.search(fold(route.text)):
            topic = cw.DEADLINE.sub(" ", fold(route.text))  # "the deadline to apply for a sabbatical": its topic
            evidence = [
                found
                for question in (route.text, topic)
                for found in best_evidence(
                    question, request.passages, limit=1, personal=personal_terms(request),
                    unknown_weight=UNKNOWN_WORD_WEIGHT,
                )
            ][:1]  # fmt: skip
            if evidence:  # "until when can I claim relocation costs?": a document's deadline, not the offer's
                return self._quote(evidence, draft)
        if route.topic == "deadline":
            days_left = (terms.expiry_date - request.today).days if terms.expiry_date else None
            if terms.expiry_date:
                draft.citations.append(fact_citation(request, fact_value(request, "expiry_date", language)))
            deadline = draft.render(
                "process_deadline", expiry=expiry, expired=days_left is not None and days_left < 0,
                days_left=days_left, **_recruiter(request),
            )  # fmt: skip
            asked_beside = self._facts(request, route, draft) if route.terms else ""
            return f"{asked_beside}\n\n{deadline}" if asked_beside else deadline
        if route.topic == "contact":
            card = draft.render("process_contact", **_recruiter(request))
            named = self._named_contact(request, route, draft)
            return f"{named}\n\n{card}" if named else card  # "who do I contact about my move?": the provider too
        if route.topic == "counter_status":
            status = status_variables(request, language)
            draft.handoff = bool(status.get("overdue"))  # late: offer to remind the recruiter
            return draft.render("counter_status", **status, **_recruiter(request))
        if route.topic == "letter":
            return draft.render("process_letter", available=request.letter_available, **_recruiter(request))
        steps = draft.render("process_next_steps", expiry=expiry, **_recruiter(request))
        evidence = self._next_steps_evidence(request, route.text)  # the company's own onboarding documents
        return f"{self._quote(evidence, draft)}\n\n{steps}" if evidence else steps

    def _next_steps_evidence(self, request: AnswerRequest, question: str) -> list[Evidence]:
        """What the onboarding documents say comes next: a passage whose title or section is about what follows an
        acceptance (background check, onboarding, next steps) in the question's words, then any passage in them
        ("accept" alone would also find a dentist who accepts negotiated fees), then the onboarding passage closest
        in meaning."""
        onboarding = self._onboarding(request)
        found = best_evidence(
            question, onboarding, limit=2, min_score=_NARROW_SCORE, min_coverage=_NARROW_COVERAGE,
            unknown_weight=UNKNOWN_WORD_WEIGHT,
        )  # fmt: skip
        return found or best_evidence(question, request.passages, limit=1) or closest_in_meaning(onboarding)

    def _onboarding(self, request: AnswerRequest) -> list[Passage]:
        return [p for p in request.passages if cw.ONBOARDING_DOC.search(fold(f"{p.title} {p.section}"))]

    def _steps_after_accepting(self, request: AnswerRequest, route: Route) -> list[Evidence]:
        """An acceptance with what the onboarding documents say follows it; "I accept, what's next?" also from
        any document that answers it."""
        if cw.NEXT_STEPS.search(fold(route.text)):
            return self._next_steps_evidence(request, route.text)
        onboarding = self._onboarding(request)
        return best_evidence(
            route.text, onboarding, limit=2, min_score=_NARROW_SCORE, min_coverage=_NARROW_COVERAGE,
            unknown_weight=UNKNOWN_WORD_WEIGHT,
        )  # fmt: skip

    def _named_contact(self, request: AnswerRequest, route: Route, draft: Draft) -> str | None:
        """A document sentence naming whom to contact about the question's topic (a relocation provider)."""
        rest = cw.CONTACT.sub(" ", fold(route.text))
        if not content_terms(rest) - LOOKUP_WORDS:
            return None
        evidence = best_evidence(
            rest, request.passages, limit=3, min_score=_NARROW_SCORE, min_coverage=_NARROW_COVERAGE,
            personal=personal_terms(request), unknown_weight=UNKNOWN_WORD_WEIGHT,
        )  # fmt: skip
        named = [e for e in evidence if _CONTACT_MARK.search(fold(e.text))]
        return self._quote(named[:1], draft) if named else None

    def _facts(self, request: AnswerRequest, route: Route, draft: Draft) -> str:
        sentences: list[str] = []
        missing: list[str] = []
        for name in route.terms[:3]:
            fact = fact_value(request, name, draft.language)
            if fact.display is None:
                missing.append(name)
                sentences.append(draft.render("offer_fact", term=name, label=fact.label, value="", available=False))
                continue
            draft.citations.append(fact_citation(request, fact))
            sentences.append(
                draft.render("offer_fact", term=name, label=fact.label, value=fact.display, available=True)
            )
        documents = self._documents_beyond_terms(request, route, draft)
        if missing and len(missing) == len(sentences):
            grants = any(_individual_grant(request, name) for name in missing)
            answered_no = grants and _YES_NO.match(fold(route.text)) and not _excludes(documents)
            if documents and not answered_no:  # the documents state it, or that people like them are not eligible
                label = fact_value(request, missing[0], draft.language).label
                return draft.render("term_from_documents", label=label) + "\n\n" + self._quote(documents, draft)
            if cw.PERSONAL.search(fold(route.text)):
                draft.handoff = True
                return " ".join(sentences)  # "do I get a sign-on bonus?": the offer's answer is no, not the policy
        explained = self._quote(documents, draft) if documents else self._term_passage(request, route, draft)
        worked = self._worked_figures(request, route.terms[:3], route.text, draft)
        if explained and len(missing) == len(sentences):
            return explained + (f"\n\n{worked}" if worked else "")  # the documents explain a term the offer lacks
        # "when is my sign-on paid?" with no document that says: the value, and the recruiter for the rest
        draft.handoff = draft.handoff or bool(missing) or (not explained and _asks_beyond_values(request, route))
        return " ".join(sentences) + "".join(f"\n\n{part}" for part in (explained, worked) if part)

    def _worked_figures(self, request: AnswerRequest, names: list[str], question: str, draft: Draft) -> str | None:
        """The figures the question asks for that the offer's values (and a quoted rule) give by arithmetic, each
        with its formula, cited and kept for the audit; or what is missing to work one out (then a handoff)."""
        quoted = [c for c in draft.citations if c.kind == "document"]
        outcome = compute_for_question(request, names, question, draft.language, quoted)
        lines = []
        for calculation, citations in outcome.calculations:
            draft.calculations.append(calculation.record())
            draft.citations.extend(c for c in citations if c not in draft.citations)
            rule_title = next((c.title for c in citations if c.kind == "document"), "")
            lines.append(
                draft.render(
                    "calculation", kind=calculation.kind.value, formula=calculation.formula, label=calculation.label,
                    rule_title=rule_title, missing="", period="",
                )
            )  # fmt: skip
        for gap in outcome.missing:
            draft.handoff = True
            lines.append(draft.render("calculation", kind="missing", formula="", rule_title="", **gap))
        return "\n".join(lines) or None

    def _documents_beyond_terms(self, request: AnswerRequest, route: Route, draft: Draft) -> list[Evidence]:
        """A document passage for what the question asks beyond the terms' values ("when is the sign-on paid?",
        "how much vacation?" with no such term in the offer): the offer and the documents answer together."""
        missing = any(fact_value(request, name, draft.language).display is None for name in route.terms[:3])
        document_ask = _asks_a_document(request, route)
        if not _asks_beyond_values(request, route) and not missing and not document_ask:
            return []
        evidence = self._term_evidence(request, route)
        if not evidence and (document_ask or missing):  # "when is pay day?", "how many holidays?": as a benefit
            personal = personal_terms(request)
            evidence = best_evidence(
                route.text, request.passages, limit=1, personal=personal, unknown_weight=UNKNOWN_WORD_WEIGHT,
                own_figures=own_figures(request),
            )  # fmt: skip
        if not evidence and (missing or document_ask):  # the passage closest in meaning, if a close one
            evidence = evidence_by_meaning(request.passages)
        return evidence

    def _term_evidence(self, request: AnswerRequest, route: Route) -> list[Evidence]:
        """Evidence for a question naming offer terms: as asked, then without the term's words (what is asked
        about it), then with the term named in each of its other ways ("PTO" → "paid time off", "vacation")."""
        personal, figures = personal_terms(request), own_figures(request)
        whole, residual, renamed = _rephrasings(request, route)
        about_term = _passages_about(request, route.terms)
        searches = [(whole, request.passages)]
        searches += [(question, _passages_naming(request.passages, phrase)) for question, phrase in renamed]
        searches.append((residual, about_term))
        for question, passages in searches:
            if not question:
                continue
            evidence = best_evidence(question, passages, limit=2, personal=personal, own_figures=figures)
            if evidence:
                return evidence
        if residual and asks_two_things(whole):  # "my base salary and how does the roster work?": its own question
            evidence = best_evidence(
                residual, request.passages, limit=1, personal=personal, own_figures=figures,
                unknown_weight=UNKNOWN_WORD_WEIGHT,
            )  # fmt: skip
            if evidence:
                return evidence
        return closest_in_meaning(about_term)  # "is my car allowance taxed?" in the allowance policy's own words

    def _term_passage(self, request: AnswerRequest, route: Route, draft: Draft) -> str | None:
        """A document sentence about the asked term, for "how"/"why" questions or terms the offer lacks."""
        lookup = route.text.strip().lower().startswith(_VALUE_LOOKUP)
        has_values = all(display_value(request.terms, n, draft.language) for n in route.terms[:3] if n in SPECS_BY_NAME)
        if lookup and has_values and not _asks_a_document(request, route):
            return None
        about_term = [
            p
            for p in request.passages
            if asked_terms(f"{p.doc_id} {p.title} {p.section}")
            and set(asked_terms(f"{p.doc_id} {p.title} {p.section}")) & set(route.terms)
        ]
        evidence = best_evidence(route.text, about_term, limit=1)
        return self._quote(evidence, draft) if evidence else None

    def _benefits(self, request: AnswerRequest, question: str, draft: Draft) -> str | None:
        if is_overview_question(question) and request.passages:
            titles = list(dict.fromkeys(p.title for p in request.passages))
            return draft.render("benefits_overview", titles=titles, company_name=request.company_name)
        personal = personal_terms(request)
        evidence = best_evidence(
            question, request.passages, personal=personal, unknown_weight=UNKNOWN_WORD_WEIGHT,
            own_figures=own_figures(request),
        )  # fmt: skip
        evidence = evidence or evidence_by_meaning(request.passages) or _in_the_documents_language(question, request)
        if not evidence:
            return None
        values = self._values_asked_beside(request, question, draft)
        quoted = self._quote(evidence, draft)
        # "what's the pension match in euros?": the quoted rule's share of the candidate's own pay, as an amount
        worked = self._worked_figures(request, [], question, draft)
        return "\n\n".join(part for part in (values, quoted, worked) if part)

    def _values_asked_beside(self, request: AnswerRequest, question: str, draft: Draft) -> str:
        """The offer's values a two-part question names by their full names, when the documents answer its other
        part ("my hourly rate and how does the roster work?"): each part gets its answer."""
        if not asks_two_things(question):
            return ""
        mentions = find_term_mentions(question, request.extra_facts, own_offer=True)
        lines = []
        for name in list(dict.fromkeys(m.name for m in mentions if not m.weak))[:2]:
            fact = fact_value(request, name, draft.language)
            if fact.display is None:
                continue
            draft.citations.append(fact_citation(request, fact))
            lines.append(draft.render("offer_fact", term=name, label=fact.label, value=fact.display, available=True))
        return " ".join(lines)

    def _quote(self, evidence: list[Evidence], draft: Draft) -> str:
        quotes = []
        for item in evidence:
            passage = item.passage
            quotes.append({"title": passage.title, "section": passage.section, "text": item.text})
            draft.citations.append(
                Citation(kind="document", ref=passage.citation_ref, title=passage.title, quote=item.text)
            )
        return draft.render("benefits_answer", quotes=quotes)
