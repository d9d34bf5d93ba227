"""Reading an LLM's counter-offer JSON: validated by pydantic, normalised by the embedded parsers, and accepted
only when every requested value is one the candidate actually wrote."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.ai import counter_cues as cues
from app.ai.counter import extract_counter_offer
from app.ai.dates import find_dates
from app.ai.guard import Grounding, extract_claims
from app.ai.models import CounterProposal
from app.ai.text import fold
from offer_engine.terms import CounterItem, OfferTerms, Term, WorkArrangement


class ExtractedItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    term: Term
    requested: str | int | float
    currency: str | None = None


class Extraction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    is_counter_offer: bool
    items: list[ExtractedItem] = Field(default_factory=list)
    rationale: str | None = None
    competing_offer: str | None = None


class ExtractionRejectedError(ValueError):
    """The LLM's extraction is not valid JSON of the right shape, or asks for values the message does not hold."""

    def __init__(self, reason: str, unsupported: list[str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unsupported = unsupported or []


_FRAGMENT = {
    Term.BASE_SALARY: "{} base",
    Term.SIGN_ON_BONUS: "{} sign-on",
    Term.RELOCATION: "{} relocation",
    Term.BONUS_TARGET_PERCENT: "{} bonus",
    Term.EQUITY_UNITS: "{} equity units",
    Term.PTO_DAYS: "{} days PTO",
    Term.START_DATE: "start on {}",
    Term.WORK_ARRANGEMENT: "{}",
    Term.TITLE: "title to {}",
}


def parse_extraction(raw: str) -> Extraction:
    text = raw.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        return Extraction.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise ExtractionRejectedError("llm_invalid_output") from exc


def _normalise(item: ExtractedItem, terms: OfferTerms, today: date) -> CounterItem | None:
    """The item typed like the embedded engine would type it (None when it equals the current terms)."""
    requested = str(item.requested).strip()
    if item.term is Term.OTHER:
        return CounterItem(term=Term.OTHER, requested=requested, currency=item.currency)
    if item.term is Term.PTO_DAYS:
        requested = requested.lower().removesuffix("days").strip()
    proposal = extract_counter_offer(_FRAGMENT[item.term].format(requested), terms, today)
    found = [i for i in (proposal.items if proposal else []) if i.term is item.term]
    return found[0] if found else None


def _in_message(item: CounterItem, message: str, grounding: Grounding) -> bool:
    value = item.requested
    folded = fold(message)
    if isinstance(value, WorkArrangement):
        return any(p.search(folded) for p, arrangement in cues.ARRANGEMENTS if arrangement is value)
    if isinstance(value, date):
        return any((value.month, value.day) == (m.month, m.day) for m in find_dates(message))
    if isinstance(value, Decimal | int):
        number = Decimal(value)
        return number in grounding.numbers or (number / 1000 in grounding.numbers and number / 1000 < 1000)
    return fold(str(value)) in folded


def _grounded_text(text: str | None, grounding: Grounding) -> str | None:
    if not text:
        return None
    return text if all(grounding.supports(c) for c in extract_claims(text)) else None


def validate_extraction(extraction: Extraction, message: str, terms: OfferTerms, today: date) -> CounterProposal | None:
    """The LLM's counter-offer, if every item's value is in the candidate's own words; else a rejection."""
    if not extraction.is_counter_offer or not extraction.items:
        return None
    grounding = Grounding.from_texts([message])
    items: list[CounterItem] = []
    unsupported: list[str] = []
    for raw in extraction.items:
        item = _normalise(raw, terms, today)
        if item is None:
            continue  # unreadable, or equal to the current terms
        if not _in_message(item, message, grounding):
            unsupported.append(f"{raw.term.value}:{raw.requested}")
            continue
        items.append(item)
    if unsupported:
        raise ExtractionRejectedError("extraction_unsupported", unsupported)
    if not items:
        return None
    return CounterProposal(
        items=items,
        rationale=_grounded_text(extraction.rationale, grounding),
        competing_offer=_grounded_text(extraction.competing_offer, grounding),
    )
