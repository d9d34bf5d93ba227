"""Building masked, fenced LLM calls from a request, and reading their replies back.

Each call carries its masker (to restore placeholders), its boundary token (fencing data), its grounding (for the
guard) and the refs of the prompts it used (for the audit). Passages are sent as their quotable units only, so
sentences aimed at the assistant never leave the process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal

from app.ai.audit import sha256_text
from app.ai.extractive import best_evidence, passage_units
from app.ai.facts import FactValue, all_fact_values
from app.ai.guard import Grounding
from app.ai.injection import fence, new_boundary
from app.ai.llm import ChatMessage
from app.ai.masking import Masker
from app.ai.models import AnswerRequest, Citation, Passage
from offer_engine.terms import OfferTerms, Term
from prompts import Prompt, load_prompt

HANDOFF_TOKEN = "NO_ANSWER_IN_DATA"  # noqa: S105 - a reply marker, not a secret
_LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
_MARKER = re.compile(r"\s*\[(?P<kind>[FD])(?P<number>\d{1,3})\]")


@dataclass
class LLMCall:
    """One outbound call: the masked messages and everything needed to judge the reply."""

    kind: Literal["answer", "extract_counter_offer", "narrative"]
    messages: list[ChatMessage]
    masker: Masker
    boundary: str
    prompts: list[Prompt]
    grounding: Grounding = field(default_factory=Grounding)
    facts: list[FactValue] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    json_object: bool = False

    @property
    def prompt_refs(self) -> list[str]:
        return [p.ref for p in self.prompts]

    @property
    def input_hash(self) -> str:
        return sha256_text([m.model_dump() for m in self.messages])

    @property
    def secrets(self) -> list[str]:
        """Text the reply must never repeat: the system prompt."""
        return [m.content for m in self.messages if m.role == "system"]


def dollar_currency(terms: OfferTerms) -> str:
    return terms.currency if terms.currency.endswith("D") else "USD"


def _passage_text(passage: Passage) -> str:
    return "\n".join(passage_units(passage))


def answer_grounding(request: AnswerRequest, extra_texts: list[str]) -> Grounding:
    """What an answer may state: the offer facts (typed, in both languages), passage units, people, and the
    embedded answer (which only holds values derived from those)."""
    terms = request.terms
    texts = [f"{f.label}: {f.display}" for lang in ("en", "es") for f in all_fact_values(request, lang)]
    texts += [f"{p.title} {p.section}\n{_passage_text(p)}" for p in request.passages]
    texts += [request.company_name, request.offer_title, *extra_texts]
    grounding = Grounding.from_texts(texts, people=request.known_people(), dollar_currency=dollar_currency(terms))
    for amount in (terms.base_salary, terms.sign_on_bonus, terms.relocation):
        if amount is not None:
            grounding.add_money(amount, terms.currency)
    if terms.bonus_target_percent is not None:
        grounding.percents.add(terms.bonus_target_percent)
    if terms.equity_units is not None:
        grounding.add_count(terms.equity_units, "unit")
    if terms.pto_days is not None:
        grounding.add_count(terms.pto_days, "day")
    if terms.expiry_date is not None:
        grounding.add_count((terms.expiry_date - request.today).days, "day")
    if request.hours_per_week is not None:  # inputs of a computed pay figure ("$46.75 × 38 hours")
        grounding.add_count(request.hours_per_week, "hour")
    if request.payments_per_year is not None:
        grounding.numbers.add(request.payments_per_year)
    return grounding


_UNITS = {"equity_units": {"en": "units", "es": "unidades"}, "pto_days": {"en": "days per year", "es": "días al año"}}


def _facts_block(facts: list[FactValue], language: str) -> str:
    lines = []
    for i, fact in enumerate(facts, start=1):
        unit = _UNITS.get(fact.name, {}).get(language, "")
        lines.append(f"[F{i}] {fact.label}: {fact.display}{f' {unit}' if unit else ''}")
    return "\n".join(lines) or "(none)"


def _passages_block(passages: list[Passage]) -> str:
    parts = [
        f"[D{i}] {p.title}{f' — {p.section}' if p.section else ''}\n{_passage_text(p)}"
        for i, p in enumerate(passages, start=1)
    ]
    return "\n\n".join(parts) or "(none)"


_WORKED_LABEL = {"en": "Worked out from the offer", "es": "Calculado a partir de la oferta",
                 "de": "Aus dem Angebot berechnet"}  # fmt: skip


def worked_facts(calculations: list[dict[str, object]], language: str) -> list[FactValue]:
    """The embedded answer's computed figures as facts the model may state, each with its formula (the guard
    accepts the result only beside it) and the offer field it comes from as its citation."""
    label = _WORKED_LABEL.get(language, _WORKED_LABEL["en"])
    facts = []
    for calculation in calculations:
        sources = calculation.get("sources")
        ref = str(sources[0]) if isinstance(sources, list) and sources else "offer:calculation"
        facts.append(FactValue("calculation", label, str(calculation["formula"]), ref))
    return facts


def build_answer_call(
    request: AnswerRequest, message: str, language: str, embedded_text: str,
    calculations: list[dict[str, object]] | None = None,
) -> LLMCall:  # fmt: skip
    masker = Masker.for_people(request.known_people())
    boundary = new_boundary()
    facts = all_fact_values(request, language) + worked_facts(calculations or [], language)
    passages = [p for p in request.passages if passage_units(p)]
    system = load_prompt("chat_system", language)
    user = load_prompt("chat_user", language)
    language_name = _LANGUAGE_NAMES.get(language, "English")
    system_text = system.render(
        company_name=request.company_name, boundary=boundary, handoff_token=HANDOFF_TOKEN, language_name=language_name
    )
    user_text = user.render(
        facts_block=fence(boundary, "offer facts", masker.mask(_facts_block(facts, language))),
        passages_block=fence(boundary, "benefits passages", masker.mask(_passages_block(passages))),
        question_block=fence(boundary, "candidate message", masker.mask(message)),
        language_name=language_name,
        handoff_token=HANDOFF_TOKEN,
    )
    return LLMCall(
        kind="answer",
        messages=[ChatMessage(role="system", content=system_text), ChatMessage(role="user", content=user_text)],
        masker=masker,
        boundary=boundary,
        prompts=[system, user],
        grounding=answer_grounding(request, [embedded_text]),
        facts=facts,
        passages=passages,
    )


def build_extraction_call(message: str, terms: OfferTerms, today_iso: str, masker: Masker) -> LLMCall:
    boundary = new_boundary()
    system = load_prompt("counter_extraction_system")
    user = load_prompt("counter_extraction_user")
    negotiable = {t.value for t in Term} | {"currency", "pay_period"}
    current = "\n".join(
        f"{name}: {value}"
        for name, value in terms.model_dump(mode="json").items()
        if value is not None and name in negotiable
    )
    system_text = system.render(
        boundary=boundary,
        term_names=", ".join(t.value for t in Term),
        offer_year=terms.start_date.year,
        today=today_iso,
    )
    user_text = user.render(
        terms_block=fence(boundary, "current terms", masker.mask(current)),
        message_block=fence(boundary, "candidate message", masker.mask(message)),
    )
    return LLMCall(
        kind="extract_counter_offer",
        messages=[ChatMessage(role="system", content=system_text), ChatMessage(role="user", content=user_text)],
        masker=masker,
        boundary=boundary,
        prompts=[system, user],
        json_object=True,
    )


def is_handoff(text: str) -> bool:
    """The model said it cannot answer from the data (exactly the token; a longer text goes to the guard)."""
    return text.strip().strip(".").strip() in (HANDOFF_TOKEN, "")


def looks_like_prose(text: str, max_chars: int) -> bool:
    """A chat answer, not a JSON object, a code block or an essay."""
    stripped = text.strip()
    if len(stripped) > max_chars or stripped.startswith(("{", "[{", "```", "<")):
        return False
    try:
        json.loads(stripped)
    except ValueError:
        return True
    return False


def strip_markers(text: str) -> tuple[str, list[tuple[str, int]]]:
    """The reply without its [F2] / [D1] markers, and the markers in order of first use."""
    used = list(dict.fromkeys((m.group("kind"), int(m.group("number"))) for m in _MARKER.finditer(text)))
    cleaned = _MARKER.sub("", text)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned).strip(), used


def marker_citations(
    call: LLMCall, request: AnswerRequest, question: str, used: list[tuple[str, int]]
) -> list[Citation]:
    citations: list[Citation] = []
    for kind, number in used:
        if kind == "F" and 1 <= number <= len(call.facts):
            fact = call.facts[number - 1]
            citations.append(
                Citation(kind="offer", ref=fact.ref, title=request.offer_title, quote=f"{fact.label}: {fact.display}")
            )
        elif kind == "D" and 1 <= number <= len(call.passages):
            passage = call.passages[number - 1]
            evidence = best_evidence(question, [passage], limit=1, min_score=0.0, min_coverage=0.0)
            quote = evidence[0].text if evidence else (passage.quote or passage_units(passage)[0])
            citations.append(Citation(kind="document", ref=passage.citation_ref, title=passage.title, quote=quote))
    return citations
