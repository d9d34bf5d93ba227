"""Offer facts: which term a question is about (English and Spanish synonyms), and each fact's display value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import permutations

from app.ai.dates import format_long_date
from app.ai.models import AnswerRequest, Citation, OfferFact
from app.ai.quantities import format_money, format_number, format_percent
from app.ai.text import fold, phrase_pattern, word_set
from offer_engine.catalogue import (
    BASIS_WORDS,
    BUILTIN_BY_KEY,
    BUILTIN_TERMS,
    Catalogue,
    TermDefinition,
    ValueFormats,
    format_value,
    pay_quantity,
)
from offer_engine.terms import OfferTerms, PayPeriod, WorkArrangement


@dataclass(frozen=True)
class FactSpec:
    name: str
    labels: dict[str, str]
    synonyms: tuple[str, ...]
    weak: tuple[str, ...] = ()  # synonyms that also occur in benefits questions ("pay", "leave", "team")

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]


# The built-in terms' labels and synonyms live in the term catalogue; the chat matches them here.
FACT_SPECS: tuple[FactSpec, ...] = tuple(
    FactSpec(
        term.key,
        dict(term.labels),
        tuple(s for group in term.synonyms.values() for s in group),
        tuple(term.weak),
    )
    for term in BUILTIN_TERMS
)

SPECS_BY_NAME = {spec.name: spec for spec in FACT_SPECS}
# Words that name an offer term only when the candidate asks about their own offer: "how much holiday is in my
# offer?" is paid time off, "how many bank holidays are there?" is a benefits question.
_OWN_ONLY = {"pto_days": re.compile(r"(?<!bank )(?<!public )(?<!national )(?<!federal )\bholidays?\b")}
_STRONG = {spec.name: phrase_pattern(spec.synonyms) for spec in FACT_SPECS}
_WEAK = {spec.name: phrase_pattern(spec.weak) for spec in FACT_SPECS if spec.weak}

_PERIOD = BASIS_WORDS
_ARRANGEMENT = {
    "en": {WorkArrangement.ONSITE: "on-site", WorkArrangement.HYBRID: "hybrid", WorkArrangement.REMOTE: "remote"},
    "es": {WorkArrangement.ONSITE: "presencial", WorkArrangement.HYBRID: "híbrida", WorkArrangement.REMOTE: "remota"},
    "de": {WorkArrangement.ONSITE: "vor Ort", WorkArrangement.HYBRID: "hybrid", WorkArrangement.REMOTE: "remote"},
}


@dataclass(frozen=True)
class TermMention:
    name: str
    start: int
    end: int
    weak: bool


_ABBREVIABLE = 7  # a word this long is shortened by people ("diff" for "differential", "reloc" for "relocation")
_SHORTEST = 4


def _prefixes(word: str) -> str:
    """A regex for `word` or any of its beginnings of at least `_SHORTEST` letters ("diff", "differ", …)."""
    tail = "".join(f"(?:{re.escape(ch)}" for ch in word[_SHORTEST:]) + ")?" * (len(word) - _SHORTEST)
    return re.escape(word[:_SHORTEST]) + tail + r"\.?"


@lru_cache(maxsize=256)
def _abbreviated(synonyms: tuple[str, ...]) -> re.Pattern[str] | None:
    """Synonyms of two or more words with a long word shortened ("night diff" for "night differential"): one word
    of the phrase stays whole, so a shortening alone names nothing."""
    bodies = []
    for synonym in synonyms:
        parts = fold(synonym).split()
        long_ = [i for i, part in enumerate(parts) if len(part) >= _ABBREVIABLE and part.isalpha()]
        if len(parts) < 2 or not long_ or len(long_) == len(parts):
            continue
        bodies.append(r"[\s-]+".join(_prefixes(p) if i in long_ else re.escape(p) for i, p in enumerate(parts)))
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(bodies)})(?![a-z0-9])") if bodies else None


_LABEL_FILLER = frozenset(
    {"with", "from", "your", "this", "that", "para", "pro", "per", "der", "die", "das", "des", "del", "los", "las"}
)
_LABEL_WORDS = (2, 3)  # labels of this many words are asked by their words in any order ("payments … a year")


def _stem_pattern(word: str) -> str:
    return re.escape(word[: max(4, len(word) - 2)]) + r"[a-z]*"


@lru_cache(maxsize=256)
def _label_words(label: str) -> re.Pattern[str] | None:
    """A tenant term's label said in other words around its own ("how many salary payments do I get a year?" for
    "Salary payments per year"): every word of the label, in any order, within a few words of each other."""
    parts = [w for w in re.findall(r"[a-z]+", fold(label)) if len(w) >= _SHORTEST and w not in _LABEL_FILLER]
    if len(parts) not in _LABEL_WORDS:
        return None
    orders = permutations(parts) if len(parts) == len(set(parts)) else [parts]
    gap = r"(?:[^a-z0-9]+[a-z0-9']+){0,4}?[^a-z0-9]+"
    bodies = [gap.join(_stem_pattern(w) for w in order) for order in orders]
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(bodies)})(?![a-z0-9])")


def _straddles(outer: re.Match[str], inner: re.Match[str]) -> bool:
    """The two overlap without the first holding the second whole."""
    overlap = outer.start() < inner.end() and inner.start() < outer.end()
    return overlap and not (outer.start() <= inner.start() and inner.end() <= outer.end())


def find_term_mentions(
    message: str, extra_facts: list[OfferFact] | None = None, *, own_offer: bool = False
) -> list[TermMention]:
    """Which offer terms a message names, in order; each span is claimed by the longest synonym only.

    `own_offer` (the message asks about the candidate's own offer) also counts the words that name a term only then.
    """
    folded = fold(message)
    found: list[TermMention] = []
    taken: list[tuple[int, int]] = []
    candidates: list[tuple[str, re.Match[str], bool]] = []
    by_label: list[tuple[str, re.Match[str], bool]] = []
    for fact in extra_facts or []:
        if fact.synonyms:
            candidates += [(fact.name, m, False) for m in phrase_pattern(fact.synonyms).finditer(folded)]
            if shortened := _abbreviated(tuple(fact.synonyms)):
                candidates += [(fact.name, m, False) for m in shortened.finditer(folded)]
        if fact.label and (by_words := _label_words(fact.label)):
            by_label += [(fact.name, m, False) for m in by_words.finditer(folded)]
        if fact.weak and fact.value is not None:  # a head noun ("salary") never names a term the offer lacks
            candidates += [(fact.name, m, True) for m in phrase_pattern(fact.weak).finditer(folded)]
    for name, pattern in _STRONG.items():
        candidates += [(name, m, False) for m in pattern.finditer(folded)]
    for name, pattern in _WEAK.items():
        candidates += [(name, m, True) for m in pattern.finditer(folded)]
    if own_offer:
        for name, pattern in _OWN_ONLY.items():
            candidates += [(name, m, False) for m in pattern.finditer(folded)]
    # the longest name claims a span; of two as long, a term's full name beats another's head noun
    # label words count around whole synonyms (they hold "salary" in "salary payments … a year"), never across one
    candidates += [c for c in by_label if not any(_straddles(c[1], other[1]) for other in candidates)]
    for name, match, weak in sorted(candidates, key=lambda c: (c[1].start() - c[1].end(), c[2], c[1].start())):
        if any(match.start() < end and start < match.end() for start, end in taken):
            continue
        taken.append(match.span())
        found.append(TermMention(name, match.start(), match.end(), weak))
    return sorted(found, key=lambda m: m.start)


def asked_terms(message: str, extra_facts: list[OfferFact] | None = None, *, own_offer: bool = False) -> list[str]:
    """The distinct term names a question is about; weak mentions count only when there is no strong one."""
    mentions = find_term_mentions(message, extra_facts, own_offer=own_offer)
    strong = [m.name for m in mentions if not m.weak]
    return list(dict.fromkeys(strong or [m.name for m in mentions]))


@dataclass(frozen=True)
class FactValue:
    name: str
    label: str
    display: str | None  # None: the offer does not include this term
    ref: str


def _money(terms: OfferTerms, amount: Decimal | None, language: str) -> str | None:
    return None if amount is None else format_money(amount, terms.currency, language, terms.country)


def _language(language: str) -> str:
    return language if language in _PERIOD else "en"


def display_value(terms: OfferTerms, name: str, language: str) -> str | None:
    """A term's value as a candidate reads it in `language`, or None when the offer has none."""
    lang = _language(language)
    match name:
        case "base_salary":
            return f"{_money(terms, terms.base_salary, lang)} {_PERIOD[lang][terms.pay_period]}"
        case "sign_on_bonus" | "relocation":
            return _money(terms, getattr(terms, name), lang)
        case "bonus_target_percent":
            return None if terms.bonus_target_percent is None else format_percent(terms.bonus_target_percent)
        case "equity_units":
            return None if terms.equity_units is None else format_number(terms.equity_units, lang)
        case "pto_days":
            return None if terms.pto_days is None else format_number(terms.pto_days, lang)
        case "start_date" | "expiry_date":
            value = getattr(terms, name)
            return None if value is None else format_long_date(value, lang, terms.country)
        case "work_arrangement":
            if terms.work_arrangement is None:
                return terms.work_arrangement_label
            return _ARRANGEMENT[lang][terms.work_arrangement]
        case _:
            raw = getattr(terms, name, None)
            return None if raw in (None, "") else str(raw)


def fact_value(request: AnswerRequest, name: str, language: str) -> FactValue:
    for fact in request.extra_facts:
        if fact.name == name:
            return FactValue(name, fact.label, fact.value, fact.ref)
    spec = SPECS_BY_NAME.get(name)
    label = spec.label(language) if spec else name.replace("_", " ").capitalize()
    ref = request.fact_refs.get(name, f"offer:{name}")
    return FactValue(name, label, display_value(request.terms, name, language), ref)


def fact_citation(request: AnswerRequest, fact: FactValue) -> Citation:
    return Citation(kind="offer", ref=fact.ref, title=request.offer_title, quote=f"{fact.label}: {fact.display}")


GROUNDED_FACTS = (
    "title", "department", "location", "base_salary", "bonus_target_percent", "sign_on_bonus", "equity_units",
    "vesting_schedule", "start_date", "work_arrangement", "relocation", "pto_days", "reports_to", "expiry_date",
    "special_terms",
)  # fmt: skip


def all_fact_values(request: AnswerRequest, language: str) -> list[FactValue]:
    """Every fact the candidate may be told, in `language` (what an LLM answer is grounded in)."""
    facts = [fact_value(request, name, language) for name in GROUNDED_FACTS]
    facts += [FactValue(f.name, f.label, f.value, f.ref) for f in request.extra_facts if f.name not in GROUNDED_FACTS]
    return [f for f in facts if f.display is not None]


def chat_formats(terms: OfferTerms, language: str) -> ValueFormats:
    """Figures as the chat writes them in `language` for this offer's currency and country."""
    lang = _language(language)
    return ValueFormats(
        lang,
        money=lambda amount: format_money(amount, terms.currency, lang, terms.country),
        number=lambda number: format_number(number, lang),
        percent=format_percent,
        day=lambda value: format_long_date(value, lang, terms.country),
    )


def _sentence_case(label: str) -> str:
    """A label as the start of a sentence ("shift differential" -> "Shift differential"; "OTE" stays)."""
    return label[:1].upper() + label[1:]


# Last words of a label that name nothing by themselves ("contract type", "notice period").
_VAGUE_HEADS = word_set(
    "type kind period rate amount date days day value number percent level status term terms option options plan "
    "tipo periodo cantidad fecha dias valor numero nivel art zeitraum betrag datum tage wert stufe"
)


def head_nouns(term: TermDefinition) -> list[str]:
    """The last word of each label of two or more words ("store discount" → "discount"): candidates often name a
    term by it alone. They count only where no full name of any term is in the message."""
    heads = []
    for label in term.labels.values():
        parts = fold(label).split()
        if len(parts) >= 2 and len(parts[-1]) >= 4 and parts[-1] not in _VAGUE_HEADS:
            heads.append(parts[-1])
    return list(dict.fromkeys(heads))


def choice_options(term: TermDefinition) -> dict[str, str]:
    """How a candidate may name each value of a choice term (its iCIMS text and its meaning), folded."""
    options: dict[str, str] = {}
    for value, meaning in term.values.items():
        options[fold(value)] = meaning
        options[fold(meaning)] = meaning
    return {phrase: value for phrase, value in options.items() if len(phrase) > 2}


def tenant_facts(catalogue: Catalogue, terms: OfferTerms, language: str, refs: dict[str, str]) -> list[OfferFact]:
    """The candidate's values of the tenant's own terms, as facts the chat can answer and cite (never internal).

    A term this offer has no value for is kept with none: the candidate who asks "do I get a company car?" is told
    the offer does not include one, instead of the question going unrecognised."""
    facts = []
    formats = chat_formats(terms, language)
    for term in catalogue.tenant_terms:
        raw = terms.custom.get(term.key)
        if term.internal:
            continue
        value = None if raw is None else _pay_count(catalogue, term, raw, language) or format_value(term, raw, formats)
        facts.append(
            OfferFact(
                name=term.key, label=_sentence_case(term.label(language)), value=value,
                ref=refs.get(term.key, f"offer:{term.key}"), synonyms=[fold(p) for p in term.phrases],
                kind=term.type.value, raw=raw, negotiable=term.negotiable, options=choice_options(term),
                weak=head_nouns(term), percent_of=term.percent_of,
            )
        )  # fmt: skip
    return facts


_EQUIVALENT_WORDS = {
    "en": {"hours": "{n} hours a week", "payments": "{n} payments a year", "about": "about",
           "at_target": "at target", "each": "each"},
    "es": {"hours": "{n} horas a la semana", "payments": "{n} pagas al año", "about": "aprox.",
           "at_target": "al 100 %", "each": "cada una"},
    "de": {"hours": "{n} Stunden pro Woche", "payments": "{n} Zahlungen pro Jahr", "about": "etwa",
           "at_target": "bei Zielerreichung", "each": "je Zahlung"},
}  # fmt: skip
_WEEKS_A_YEAR = Decimal(52)


def _pay_count(catalogue: Catalogue, term: TermDefinition, raw: str, language: str) -> str | None:
    """The count term that holds base pay's payments a year or weekly hours, in the candidate's language ("14 pagas
    al año", never the tenant's English unit "payments a year" in a Spanish answer); None for any other term."""
    base = catalogue.terms["base_salary"]
    word = {base.payments_per_year: "payments", base.hours_per_week: "hours"}.get(term.key)
    number = pay_quantity(term.key, {term.key: raw}) if word else None
    if word is None or number is None:
        return None
    return _EQUIVALENT_WORDS[_language(language)][word].format(n=format_number(number, _language(language)))


def annual_base(catalogue: Catalogue, terms: OfferTerms) -> Decimal | None:
    """The base pay for a year, where the offer's own data gives it (never a guess): a yearly salary; a monthly one
    times the payments a year; an hourly or weekly rate only where the tenant enables an annual equivalent."""
    base = catalogue.terms["base_salary"]
    per_payment = pay_quantity(base.payments_per_year, terms.custom)
    hours = pay_quantity(base.hours_per_week, terms.custom)
    match terms.pay_period:
        case PayPeriod.YEAR:
            return terms.base_salary
        case PayPeriod.MONTH:
            payments = per_payment or (Decimal(12) if base.annual_equivalent else None)
            return terms.base_salary * payments if payments else None
        case PayPeriod.WEEK:
            return terms.base_salary * _WEEKS_A_YEAR if base.annual_equivalent else None
        case PayPeriod.HOUR:
            return terms.base_salary * hours * _WEEKS_A_YEAR if hours and base.annual_equivalent else None
    return None


def pay_facts(catalogue: Catalogue, terms: OfferTerms, language: str, refs: dict[str, str]) -> list[OfferFact]:
    """Base pay and bonus with the equivalents the offer's data supports ("$46.75 per hour (38 hours a week:
    $1,776.50 per week)", "10% (about $18,500 a year at target)"); they stand in for the plain values."""
    lang = _language(language)
    words = _EQUIVALENT_WORDS[lang]
    base = catalogue.terms["base_salary"]
    plain = display_value(terms, "base_salary", lang) or ""
    extras: list[str] = []
    hours = pay_quantity(base.hours_per_week, terms.custom)
    if terms.pay_period is PayPeriod.HOUR and hours:
        weekly = _money(terms, (terms.base_salary * hours).quantize(Decimal("0.01")), lang)
        extras.append(
            f"{words['hours'].format(n=format_number(hours, lang))}: {weekly} {_PERIOD[lang][PayPeriod.WEEK]}"
        )
    payments = pay_quantity(base.payments_per_year, terms.custom)
    if terms.pay_period is PayPeriod.MONTH and payments:
        extras.append(words["payments"].format(n=format_number(payments, lang)))
    if terms.pay_period is PayPeriod.YEAR and payments:  # "26 payments a year: $5,038.46 each" (fortnightly pay)
        each = _money(terms, (terms.base_salary / payments).quantize(Decimal("0.01")), lang)
        extras.append(f"{words['payments'].format(n=format_number(payments, lang))}: {each} {words['each']}")
    annual = annual_base(catalogue, terms)
    if annual is not None and terms.pay_period is not PayPeriod.YEAR:
        extras.append(
            f"{words['about']} {_money(terms, annual.quantize(Decimal(1)), lang)} {_PERIOD[lang][PayPeriod.YEAR]}"
        )
    facts = []
    if extras:
        shown = f"{plain} ({'; '.join(extras)})"
        facts.append(_override(catalogue, "base_salary", shown, lang, refs))
    if terms.bonus_target_percent is not None and annual is not None:
        amount = _money(terms, (annual * terms.bonus_target_percent / 100).quantize(Decimal(1)), lang)
        per_year = f"{amount} {_PERIOD[lang][PayPeriod.YEAR]} {words['at_target']}"
        shown = f"{format_percent(terms.bonus_target_percent)} ({words['about']} {per_year})"
        facts.append(_override(catalogue, "bonus_target_percent", shown, lang, refs))
    return facts


def _override(catalogue: Catalogue, name: str, shown: str, language: str, refs: dict[str, str]) -> OfferFact:
    """A built-in term's fact with a fuller value; the term's own words still find it."""
    return OfferFact(name=name, label=catalogue.label(name, language), value=shown, ref=refs.get(name, f"offer:{name}"))


def builtin_facts(catalogue: Catalogue, terms: OfferTerms, language: str, refs: dict[str, str]) -> list[OfferFact]:
    """Built-in terms as this tenant names them too (labels and synonyms it declared), with their values: the
    chat then finds "Jahreslohn" or "OTE" where the tenant says that is its base salary. Figures with their
    equivalents (`pay_facts`) stand in for the plain values."""
    lang = _language(language)
    fuller = {fact.name: fact for fact in pay_facts(catalogue, terms, language, refs)}
    facts = []
    for term in catalogue.terms.values():
        if term.key not in BUILTIN_BY_KEY or term.internal:
            continue
        own = [fold(p) for p in catalogue.added_names.get(term.key, [])]
        shown = fuller[term.key].value if term.key in fuller else display_value(terms, term.key, lang)
        if shown is None or (not own and term.key not in fuller):
            continue
        facts.append(
            OfferFact(
                name=term.key, label=term.label(lang), value=shown, ref=refs.get(term.key, f"offer:{term.key}"),
                synonyms=own,
            )
        )  # fmt: skip
    return facts
