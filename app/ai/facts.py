"""Offer facts: which term a question is about (English and Spanish synonyms), and each fact's display value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from app.ai.dates import format_long_date
from app.ai.models import AnswerRequest, Citation, OfferFact
from app.ai.quantities import format_money, format_number, format_percent
from app.ai.text import fold, phrase_pattern
from offer_engine.terms import OfferTerms, PayPeriod, WorkArrangement


@dataclass(frozen=True)
class FactSpec:
    name: str
    label_en: str
    label_es: str
    synonyms: tuple[str, ...]
    weak: tuple[str, ...] = ()  # synonyms that also occur in benefits questions ("pay", "leave", "team")


FACT_SPECS: tuple[FactSpec, ...] = (
    FactSpec(
        "sign_on_bonus", "Sign-on bonus", "Bono de incorporación",
        ("sign-on", "sign on", "signon", "signing bonus", "sign-on bonus", "joining bonus", "welcome bonus",
         "hiring bonus", "bono de firma", "bono de incorporacion", "prima de incorporacion", "prima de fichaje",
         "bono de bienvenida", "bono por firma"),
    ),
    FactSpec(
        "bonus_target_percent", "Bonus target", "Bono objetivo",
        ("bonus", "bonus target", "target bonus", "annual bonus", "performance bonus", "bono", "bonificacion",
         "bono anual", "bono objetivo", "incentive"),
    ),
    FactSpec(
        "vesting_schedule", "Vesting schedule", "Calendario de consolidación",
        ("vest", "vesting", "vests", "vested", "cliff", "consolidacion", "consolidan", "se consolida"),
    ),
    FactSpec(
        "equity_units", "Equity", "Acciones",
        ("equity", "stock", "rsu", "rsus", "shares", "stock options", "options", "equity grant", "acciones",
         "participaciones", "opciones sobre acciones"),
    ),
    FactSpec(
        "base_salary", "Base salary", "Salario base",
        ("salary", "base salary", "base", "base pay", "annual salary", "compensation", "comp", "wage", "wages",
         "how much will i make", "how much will i earn", "how much will i be paid", "sueldo", "salario",
         "salario base", "remuneracion", "compensacion", "cuanto voy a ganar", "cuanto gano", "cuanto ganare",
         "salaire", "gehalt", "stipendio", "remuneracao"),
        ("pay", "paid", "earn", "paga"),
    ),
    FactSpec(
        "start_date", "Start date", "Fecha de inicio",
        ("start date", "starting date", "first day", "when do i start", "when will i start", "join date",
         "joining date", "start", "fecha de inicio", "fecha de incorporacion", "primer dia", "cuando empiezo",
         "cuando comienzo", "empiezo", "empezar", "comienzo", "incorporacion"),
    ),
    FactSpec(
        "work_arrangement", "Work arrangement", "Modalidad de trabajo",
        ("remote", "remotely", "hybrid", "onsite", "on-site", "on site", "in office", "in the office", "work from home",
         "wfh", "work arrangement", "teletrabajo", "remoto", "hibrido", "presencial", "trabajo desde casa",
         "modalidad"),
        ("office",),
    ),
    FactSpec(
        "relocation", "Relocation", "Reubicación",
        ("relocation", "relo", "relocate", "relocating", "relocation package", "relocation bonus",
         "relocation allowance", "relocation assistance", "moving costs", "moving expenses", "reubicacion",
         "mudanza", "traslado", "relocalizacion"),
        ("moving", "move"),
    ),
    FactSpec(
        "pto_days", "Paid time off", "Vacaciones",
        ("pto", "vacation", "vacation days", "paid time off", "days off", "annual leave", "holiday allowance",
         "holiday entitlement", "vacaciones", "dias libres", "dias de vacaciones"),
        ("time off",),
    ),
    FactSpec(
        "title", "Job title", "Puesto",
        ("title", "job title", "position", "my role", "what role", "puesto", "cargo", "titulo"),
        ("role",),
    ),
    FactSpec(
        "reports_to", "Manager", "Responsable",
        ("manager", "report to", "reports to", "reporting to", "boss", "hiring manager", "supervisor",
         "who will i report", "jefe", "jefa", "responsable", "gerente", "a quien reporto"),
    ),
    FactSpec(
        "location", "Location", "Ubicación",
        ("location", "where will i work", "office location", "where is the office", "based", "ubicacion",
         "donde trabajare", "sede"),
    ),
    FactSpec(
        "expiry_date", "Offer expiry", "Vencimiento de la oferta",
        ("expiry date", "expiration date", "offer expiry", "fecha de vencimiento", "vencimiento"),
    ),
    FactSpec("department", "Department", "Departamento", ("department", "departamento", "which team"), ("team",)),
    FactSpec(
        "special_terms", "Special terms", "Condiciones especiales",
        ("special terms", "visa", "sponsorship", "special conditions", "condiciones especiales",
         "terminos especiales", "patrocinio"),
    ),
)  # fmt: skip

SPECS_BY_NAME = {spec.name: spec for spec in FACT_SPECS}
# Words that name an offer term only when the candidate asks about their own offer: "how much holiday is in my
# offer?" is paid time off, "how many bank holidays are there?" is a benefits question.
_OWN_ONLY = {"pto_days": re.compile(r"(?<!bank )(?<!public )(?<!national )(?<!federal )\bholidays?\b")}
_STRONG = {spec.name: phrase_pattern(spec.synonyms) for spec in FACT_SPECS}
_WEAK = {spec.name: phrase_pattern(spec.weak) for spec in FACT_SPECS if spec.weak}

_PERIOD = {
    "en": {PayPeriod.YEAR: "per year", PayPeriod.MONTH: "per month", PayPeriod.HOUR: "per hour"},
    "es": {PayPeriod.YEAR: "al año", PayPeriod.MONTH: "al mes", PayPeriod.HOUR: "por hora"},
}
_ARRANGEMENT = {
    "en": {WorkArrangement.ONSITE: "on-site", WorkArrangement.HYBRID: "hybrid", WorkArrangement.REMOTE: "remote"},
    "es": {WorkArrangement.ONSITE: "presencial", WorkArrangement.HYBRID: "híbrida", WorkArrangement.REMOTE: "remota"},
}


@dataclass(frozen=True)
class TermMention:
    name: str
    start: int
    end: int
    weak: bool


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
    for fact in extra_facts or []:
        if fact.synonyms:
            candidates += [(fact.name, m, False) for m in phrase_pattern(fact.synonyms).finditer(folded)]
    for name, pattern in _STRONG.items():
        candidates += [(name, m, False) for m in pattern.finditer(folded)]
    for name, pattern in _WEAK.items():
        candidates += [(name, m, True) for m in pattern.finditer(folded)]
    if own_offer:
        for name, pattern in _OWN_ONLY.items():
            candidates += [(name, m, False) for m in pattern.finditer(folded)]
    for name, match, weak in sorted(candidates, key=lambda c: (c[1].start() - c[1].end(), c[1].start())):
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


def display_value(terms: OfferTerms, name: str, language: str) -> str | None:
    """A term's value as a candidate reads it in `language`, or None when the offer has none."""
    lang = "es" if language == "es" else "en"
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
            return None if terms.work_arrangement is None else _ARRANGEMENT[lang][terms.work_arrangement]
        case _:
            raw = getattr(terms, name, None)
            return None if raw in (None, "") else str(raw)


def fact_value(request: AnswerRequest, name: str, language: str) -> FactValue:
    for fact in request.extra_facts:
        if fact.name == name:
            return FactValue(name, fact.label, fact.value, fact.ref)
    spec = SPECS_BY_NAME.get(name)
    label = (spec.label_es if language == "es" else spec.label_en) if spec else name.replace("_", " ").capitalize()
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
    facts += [FactValue(f.name, f.label, f.value, f.ref) for f in request.extra_facts]
    return [f for f in facts if f.display is not None]
