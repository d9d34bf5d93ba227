"""The typed boundary of the AI layer: what the chat pipeline hands in, and what it gets back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from offer_engine.terms import CounterItem, OfferTerms


class Intent(StrEnum):
    OFFER_TERM_QUESTION = "offer_term_question"
    BENEFITS_QUESTION = "benefits_question"
    NEGOTIATION = "negotiation"
    ACCEPT_INTENT = "accept_intent"
    DECLINE_INTENT = "decline_intent"
    PROCESS_QUESTION = "process_question"
    OUT_OF_SCOPE = "out_of_scope"
    OTHER_PERSON = "other_person"
    INTERNAL_INFO = "internal_info"  # internal notes, bands, budgets, approvals: never candidate data
    INJECTION = "injection"
    GREETING = "greeting"
    INVALID_INPUT = "invalid_input"  # empty, too long or binary


class Person(BaseModel):
    """Someone in the grounding: masked before text leaves the process, and allowed to be named in answers."""

    model_config = ConfigDict(frozen=True)

    role: str = "other"  # candidate | recruiter | hiring_manager | other
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list)  # street lines, postcodes, full one-line addresses
    date_of_birth: date | None = None
    government_ids: list[str] = Field(default_factory=list)  # SSN, NI number, passport ...
    job_title: str | None = None

    @property
    def display_name(self) -> str:
        if self.full_name:
            return self.full_name
        return " ".join(p for p in (self.first_name, self.last_name) if p) or ""

    @property
    def name_parts(self) -> list[str]:
        parts = [self.first_name, self.last_name, *(self.full_name or "").split()]
        return list(dict.fromkeys(p.strip() for p in parts if p and len(p.strip()) > 1))


class Passage(BaseModel):
    """A retrieved benefits passage, as the pipeline maps it from the retrieval index."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    title: str
    section: str = ""
    text: str
    quote: str | None = None
    jurisdiction: str | None = None
    ref: str | None = None
    # Each quotable unit's similarity in meaning to the question (sentence embeddings), when the pipeline has them.
    unit_similarity: dict[str, float] = Field(default_factory=dict)
    similarity: float | None = None  # the whole passage's similarity in meaning to the question (the index's)

    @property
    def citation_ref(self) -> str:
        return self.ref or (f"{self.doc_id}#{self.section}" if self.section else self.doc_id)


class OfferFact(BaseModel):
    """A fact beyond OfferTerms that policy lets this candidate see (e.g. the pay range where the law requires it)."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    value: str | None  # None: the tenant keeps this term, this candidate's offer has none ("do I get a car?": no)
    ref: str
    synonyms: list[str] = Field(default_factory=list)
    kind: str = "text"  # the catalogue type of a tenant term: money, money_rate, percent, count, duration, ...
    raw: str | None = None  # the kept value (a decimal string for numbers): what a counter-offer compares with
    negotiable: bool = False
    options: dict[str, str] = Field(default_factory=dict)  # choice terms: folded phrase -> the value it asks for
    weak: list[str] = Field(default_factory=list)  # words that name it only when no full name of a term is there
    percent_of: str | None = None  # percent terms: the pay it is of, "month" (one monthly salary) or "year"


class Citation(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["offer", "document"]
    ref: str
    title: str
    quote: str


class CounterProposal(BaseModel):
    """A structured counter-offer read from one candidate message (nothing is stored here)."""

    model_config = ConfigDict(frozen=True)

    items: list[CounterItem]
    rationale: str | None = None
    competing_offer: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The `ask` JSON shape: items {term, current, requested, currency}, rationale, competing_offer."""
        return {
            "items": [
                {
                    "term": item.key,
                    "current": _plain(item.current),
                    "requested": _plain(item.requested),
                    "currency": item.currency,
                }
                for item in self.items
            ],
            "rationale": self.rationale,
            "competing_offer": self.competing_offer,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


class CounterStatus(BaseModel):
    """One of the candidate's own counter-offers as the queue holds it: what a status question is answered from."""

    model_config = ConfigDict(frozen=True)

    number: int
    terms: list[str]  # the term keys it asked about
    submitted_at: datetime
    due_at: datetime  # when the recruiter aims to have answered
    state: Literal["submitted", "in_review", "resolved", "withdrawn"]
    resolution: Literal["accepted", "partially", "declined"] | None = None
    # The revised offer a resolution made: none yet, waiting for internal approval, approved, or sent to them.
    revision: Literal["none", "awaiting_approval", "approved", "sent"] = "none"

    @property
    def is_open(self) -> bool:
        return self.state in ("submitted", "in_review")


class AnswerRequest(BaseModel):
    """Everything one answer may be grounded in. The offer comes from the signed session, never the message."""

    model_config = ConfigDict(frozen=True)

    message: str | bytes
    terms: OfferTerms
    today: date
    company_name: str
    candidate: Person
    recruiter: Person | None = None
    hiring_manager: Person | None = None
    people: list[Person] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    fact_refs: dict[str, str] = Field(
        default_factory=dict
    )  # term name -> source field, e.g. "applicantworkflow.field31001"
    extra_facts: list[OfferFact] = Field(default_factory=list)
    # The tenant's own names for work arrangements (folded list value -> onsite | hybrid | remote).
    arrangement_names: dict[str, str] = Field(default_factory=dict)
    payments_per_year: Decimal | None = None  # how a yearly figure divides into a monthly salary (else 12)
    hours_per_week: Decimal | None = None  # contracted hours, where the offer's data states them
    annual_equivalent: bool = False  # the tenant lets an hourly or weekly rate be shown per year
    offer_title: str = "Your offer"  # the citation title of offer facts
    language_hint: str | None = None  # e.g. the candidate's preferred language from the ATS
    letter_available: bool = False  # a released letter is attached to the chat (drafts never are)
    counters: list[CounterStatus] = Field(default_factory=list)  # this candidate's own, oldest first

    def known_people(self) -> list[Person]:
        """Everyone in the grounding, including a manager named only in the terms (`reports_to`)."""
        found = [p for p in (self.candidate, self.recruiter, self.hiring_manager, *self.people) if p is not None]
        manager = (self.terms.reports_to or "").strip()
        if manager and all(p.display_name.lower() != manager.lower() for p in found):
            found.append(Person(role="hiring_manager", full_name=manager))
        return found


class GuardVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Literal["passed", "rejected", "not_checked"]
    unsupported: list[str] = Field(default_factory=list)  # the items of the text the grounding does not hold
    reasons: list[str] = Field(default_factory=list)  # money, percent, count, date, person, prompt_leak ...


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    intent: Intent
    language: str  # the language of the reply: "en" or "es"
    detected_language: str  # what the candidate wrote: "en", "es" or "other"
    citations: list[Citation] = Field(default_factory=list)
    counter_offer: CounterProposal | None = None
    handoff: bool = False  # the pipeline should queue this question for the recruiter (or offer to)
    guard: GuardVerdict = Field(default_factory=lambda: GuardVerdict(status="not_checked"))
    provider: str = "embedded"  # which engine wrote the text that is shown
    model: str = "embedded"
    prompt_refs: list[str] = Field(default_factory=list)
    fallback_reason: str | None = None  # why the LLM's text was not used, when one was asked


class AnswerDelta(BaseModel):
    """One piece of a streamed answer; the last one carries the complete Answer.

    `replace`: show `text` instead of everything streamed so far (the model's reply was refused after some of its
    verified sentences were shown, and the embedded answer takes its place)."""

    model_config = ConfigDict(frozen=True)

    text: str
    answer: Answer | None = None
    replace: bool = False


class EngineOptions(BaseModel):
    max_message_chars: int = 4000
    max_answer_chars: int = 2000  # a longer LLM answer is not a chat answer: the embedded one is used
    # Intents the LLM may phrase; the others always use the deterministic templates.
    llm_intents: frozenset[Intent] = frozenset(
        {Intent.OFFER_TERM_QUESTION, Intent.BENEFITS_QUESTION, Intent.PROCESS_QUESTION}
    )
