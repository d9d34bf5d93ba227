"""Routing a candidate message to an intent, deterministically and before any model sees it.

Order matters: unreadable input, injection attempts, other people's data and internal information are decided
first, so that no later step (and no LLM) ever works on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.ai import cue_words as cw
from app.ai.calculations import asked_period, asks_amount, asks_one_paycheck, without_pay_in_period_words
from app.ai.counter import extract_counter_offer
from app.ai.counter_cues import asks_for_own_allowance, request_cue
from app.ai.counter_status import asks_counter_status
from app.ai.extractive import (
    LOOKUP_WORDS,
    UNKNOWN_WORD_WEIGHT,
    asked_kinds,
    asks_two_things,
    best_evidence,
    bridge_words,
    content_terms,
    evidence_by_meaning,
    has_kind,
)
from app.ai.facts import TermMention, fact_value, find_term_mentions
from app.ai.injection import injection_signals
from app.ai.language import detect_language, reply_language
from app.ai.models import AnswerRequest, CounterProposal, EngineOptions, Intent
from app.ai.text import fold, fold_aligned, phrase_pattern, words
from offer_engine.catalogue import BUILTIN_BY_KEY, TermType

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Route:
    intent: Intent
    text: str
    detected_language: str
    language: str
    terms: list[str] = field(default_factory=list)
    # process: deadline | next_steps | contact | letter | counter_status; greeting: hello | thanks | bye | help
    topic: str | None = None
    input_problem: str | None = None  # empty | too_long | binary
    counter: CounterProposal | None = None
    signals: list[str] = field(default_factory=list)


def decode_message(message: str | bytes) -> tuple[str, str | None]:
    """The message as text, and the input problem if it is binary."""
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            return "", "binary"
    controls = len(_CONTROL.findall(message))
    if "\x00" in message or controls > max(2, len(message) // 50) or message.count("\ufffd") > 2:
        return "", "binary"
    return message, None


def input_problem(message: str | bytes, max_chars: int) -> tuple[str, str | None]:
    text, problem = decode_message(message)
    if problem:
        return text, problem
    if not text.strip() or not re.search(r"[^\W_]", text):
        return text, "empty"
    if len(text) > max_chars:
        return text, "too_long"
    return text, None


def _grounding_words(request: AnswerRequest) -> set[str]:
    """Words of the candidate's own grounding: a capitalised phrase made of them is not another person."""
    terms = request.terms
    texts = [request.company_name, terms.title, terms.department or "", terms.location or "", *cw.NOT_NAMES]
    texts += [f"{p.title} {p.section} {p.text}" for p in request.passages]
    return {w for t in texts for w in words(t)}


def _named_other(text: str, request: AnswerRequest) -> bool:
    """A capitalised name that is not the candidate's, tied to pay or personal data ("Daniel's salary")."""
    own = {fold(p) for p in request.candidate.name_parts}
    staff = {fold(p) for person in (request.recruiter, request.hiring_manager) if person for p in person.name_parts}
    known = _grounding_words(request)
    everyone = {fold(p) for person in request.known_people() for p in person.name_parts}
    everyone |= set(words(request.terms.reports_to or ""))
    for match in cw.NAMED_DATA.finditer(text):
        raw = next(g for g in match.groups() if g)
        names = set(words(raw))
        if match.group("name5") and names <= everyone:
            continue  # "who is <my manager>?" is about the candidate's own offer
        if names and not names & own and not names <= known:
            is_contact = cw.CONTACT_NOUN.search(fold(match.group(0))) is not None
            if not (is_contact and names & staff):
                return True
    return False


def _named_in_lower_case(folded: str, request: AnswerRequest) -> bool:
    """ "what does dana make?": a name typed in lower case that is not the candidate's or their offer's people."""
    match = cw.NAMED_LOWER.search(folded)
    if match is None:
        return False
    names = set(words(next(g for g in match.groups() if g)))
    ours = {fold(p) for person in request.known_people() for p in person.name_parts} | _grounding_words(request)
    topics = {name for name in names if cw.BENEFITS.fullmatch(name)}  # "what rate does overtime get?"
    return not names <= ours | topics


def _is_other_person(text: str, folded: str, request: AnswerRequest) -> bool:
    return (
        cw.OTHER_PEOPLE.search(folded) is not None
        or _named_other(text, request)
        or _named_in_lower_case(folded, request)
    )


def _who_is_staff(text: str, request: AnswerRequest) -> tuple[Intent, str] | None:
    """ "Who is <my manager>?" is a term question; "who is <my recruiter>?" a contact question."""
    match = cw.NAMED_DATA.search(text)
    if match is None or not match.group("name5"):
        return None
    names = set(words(match.group("name5")))
    manager = set(words(request.terms.reports_to or "")) | (
        set(words(request.hiring_manager.display_name)) if request.hiring_manager else set()
    )
    if names and names <= manager:
        return Intent.OFFER_TERM_QUESTION, "reports_to"
    if request.recruiter and names and names <= set(words(request.recruiter.display_name)):
        return Intent.PROCESS_QUESTION, "contact"
    return None


def _is_internal(folded: str, request: AnswerRequest) -> bool:
    """Internal information, unless every cue lies inside a tenant term's own words: a "relocation budget" or a
    published "salary range" is the candidate's to know; "pay" named next to "pay range" is not."""
    cues = [m.span() for m in cw.INTERNAL.finditer(folded)]
    if not cues:
        return False
    terms = [m.span() for f in request.extra_facts if f.synonyms for m in phrase_pattern(f.synonyms).finditer(folded)]
    return not all(any(start <= c_start and c_end <= end for start, end in terms) for c_start, c_end in cues)


def _declared(pattern: re.Pattern[str], folded: str) -> bool:
    """An accept/decline statement, not a question about accepting ("how do I accept?")."""
    return any(cw.QUESTION_BEFORE.search(folded[: match.start()]) is None for match in pattern.finditer(folded))


def _process_topic(folded: str) -> str | None:
    if cw.REPORT_BACK.search(folded) and cw.FIRST_DAY.search(folded) is None:
        return "deadline"  # "wann muss ich mich melden?" (about the offer; on the first day it is about the day)
    topics = (("deadline", cw.DEADLINE), ("letter", cw.LETTER), ("next_steps", cw.NEXT_STEPS), ("contact", cw.CONTACT))
    for topic, pattern in topics:
        if pattern.search(folded):
            return topic
    return None


_PROCESS_PATTERNS = {"deadline": cw.DEADLINE, "contact": cw.CONTACT, "next_steps": cw.NEXT_STEPS}
# Words of the offer's own process: what is left of a question after them says what it is about.
_PROCESS_WORDS = frozenset(
    content_terms(
        "offer valid validity until accept acceptance decline respond response reply decide decision sign signature "
        "letter deadline expire "
        "time long need have must should when who contact talk speak ask next step process happen after before "
        "oferta valida aceptar firmar responder decidir angebot gultig annehmen unterschreiben antworten entscheiden"
    )
)
# What else a deadline question says about the candidate's own time ("I may need a few more days").
_DEADLINE_WORDS = _PROCESS_WORDS | frozenset(
    content_terms(
        "may might few days some more extra week weeks couple think "
        "dias tiempo pensar semana semanas unos algunos tage zeit woche wochen paar einige uberlegen brauche"
    )
)


def _process_beside_a_topic(folded: str, topic: str, request: AnswerRequest) -> bool:
    """ "What's the deadline for enrolling in the dental plan?" or "who do I contact about a parking permit?": a
    process word beside a topic of its own, which a document answers and no offer term names."""
    pattern = _PROCESS_PATTERNS.get(topic)
    if pattern is None:
        return False
    if topic == "deadline" and cw.THE_OFFER.search(folded):
        return False  # "the offer expires Friday and I may need a few days": the offer's own deadline
    rest = pattern.sub(" ", folded)
    own_words = _DEADLINE_WORDS if topic == "deadline" else _PROCESS_WORDS
    if not content_terms(rest) - own_words or find_term_mentions(rest, request.extra_facts):
        return False
    # the documents answer the question as asked (the benefits answer looks it up so); a topic found only without
    # the process words stays a process question, whose answer looks it up that way
    return bool(best_evidence(folded, request.passages, limit=1, unknown_weight=UNKNOWN_WORD_WEIGHT))


def _terms_beside(topic: str, text: str, request: AnswerRequest) -> list[str]:
    """Offer terms a deadline question also asks for by their full names (never the deadline itself)."""
    if topic != "deadline":
        return []
    mentions = find_term_mentions(text, request.extra_facts)
    return list(dict.fromkeys(m.name for m in mentions if not m.weak and m.name != "expiry_date"))


def _smalltalk(folded: str) -> str | None:
    """hello / thanks / bye / help when the message is nothing but that (and filler words)."""
    kinds = (("help", cw.HELP), ("thanks", cw.THANKS), ("bye", cw.BYE), ("hello", cw.HELLO), ("ack", cw.ACK))
    for kind, pattern in kinds:
        if not pattern.search(folded):
            continue
        rest = folded
        for other in (pattern, cw.HELP, cw.THANKS, cw.BYE, cw.HELLO, cw.ACK, cw.SMALLTALK_FILLER):
            rest = other.sub(" ", rest)
        return kind if not re.search(r"[^\W_]", rest) else None
    return None


def _is_benefits(folded: str, request: AnswerRequest, text: str) -> bool:
    """A benefits, onboarding or workplace question: a cue word, an HR topic the vocabulary knows in any of its
    languages ("Führungszeugnis", "alojamiento"), or a document passage that answers it. Only what none of these
    finds is out of scope."""
    return (
        cw.BENEFITS.search(folded) is not None
        or bool(bridge_words(text))
        or bool(best_evidence(text, request.passages, limit=1, unknown_weight=UNKNOWN_WORD_WEIGHT))
        or bool(evidence_by_meaning(request.passages))
    )


def _asks_policy(folded: str, request: AnswerRequest, text: str) -> bool:
    """A question naming an offer term but asking how the policy works for everyone, which the documents answer.

    "Which days do hybrid employees go in?" or "when is the annual bonus paid?" are not about the candidate's own
    terms (no "my", "I"), and are only taken from the documents when a retrieved passage answers them.
    """
    if cw.PERSONAL.search(folded) or not cw.POLICY_FRAMING.search(folded):
        return False
    return bool(best_evidence(text, request.passages, limit=1))


# About the first day itself (where, what time, what to bring or wear), not about its date.
_DAY_LOGISTICS = re.compile(
    r"\b(?:where|what time|which office|which address|arrive|bring|wear|expect|happen|agenda|parking|park|address"
    r"|who do i (?:meet|ask|report to)|donde|a que hora|que hora|traer|llevar|ponerme|esperar|wo|uhrzeit"
    r"|um wie ?viel uhr|mitbringen|anziehen|erwartet|ablauf|adresse)\b"
)


def _asks_about_the_day(folded: str, terms: list[str], request: AnswerRequest, text: str) -> bool:
    """ "Where do I go on my first day?" or "do I need a medical before I start?" name the start date's words but
    ask what the documents say (not "when do I start", nor "how long until I start")."""
    if terms != ["start_date"]:
        return False
    before_start = cw.BEFORE_START.search(folded) is not None and cw.ASKS_WHEN.search(folded) is None
    if _DAY_LOGISTICS.search(folded) is None and not before_start:
        return False
    return bool(best_evidence(text, request.passages, limit=1) or evidence_by_meaning(request.passages))


def _weak_beside_a_topic(folded: str, mentions: list[TermMention], request: AnswerRequest) -> bool:
    """ "¿Cuánto me pagan por hora extra?" names the base pay only by a weak word ("pagan") beside a topic of its
    own ("hora extra"): when a document answers that topic, the documents answer the question."""
    rest = folded
    for mention in mentions:
        rest = rest[: mention.start] + " " * (mention.end - mention.start) + rest[mention.end :]
    if not content_terms(rest) - LOOKUP_WORDS:
        return False  # "how much will I be paid?" asks for the term's value
    return bool(best_evidence(rest, request.passages, limit=1, unknown_weight=UNKNOWN_WORD_WEIGHT))


def _asks_own_pay_in_a_period(folded: str, text: str, mentions: list[TermMention]) -> bool:
    """ "Total gross a year?", "how much is that per year, roughly?", "how much is each paycheck?": the candidate's
    own pay in a period, asked with nothing else (no other term named, no topic left once the words for an amount,
    a period, the stated hours and a rough "that" are taken out). The base pay's calculation answers it."""
    if any(not m.weak for m in mentions) or cw.ASKS_WHEN.search(folded) or cw.OTHER_PEOPLE.search(folded):
        return False
    if asked_period(text) is None and not asks_one_paycheck(text):
        return False
    if not (asks_amount(text) or cw.OWN_PAY.search(folded) or cw.ROUGHLY.search(folded) or _POINTS_BACK.search(folded)):
        return False
    rest = cw.ROUGHLY.sub(" ", cw.OWN_PAY.sub(" ", without_pay_in_period_words(text)))
    return not content_terms(rest) - LOOKUP_WORDS - _PAY_FILLER


# "What's that annually?": a follow-up pointing back at the pay just given.
_POINTS_BACK = re.compile(r"\b(?:that|this|it|eso|esto|das)\b")
# What is left of "gross per fortnight?" or "was verdiene ich pro Monat?" once its words are taken out.
_PAY_FILLER = frozenset(
    content_terms(
        "per pro por je each every total all in whole full normal at bei con mit would seria serian ware waren entonces"
    )
)


_TEXTUAL = frozenset({TermType.TEXT.value, TermType.CHOICE.value})
_PLACE_TERMS = frozenset({"location", "work_arrangement"})
_AMOUNT_TYPES = frozenset({TermType.MONEY.value, TermType.MONEY_RATE.value, TermType.PERCENT.value})
# The kinds of value a term's type holds; a text or list value holds what its own words show ("6 months").
_KINDS_BY_TYPE = {
    "date": frozenset({TermType.DATE.value}),
    "duration": frozenset({TermType.DATE.value, TermType.DURATION.value, TermType.COUNT.value}),
    "cost": frozenset({TermType.MONEY.value, TermType.MONEY_RATE.value}),
    "rate": frozenset({TermType.MONEY.value, TermType.MONEY_RATE.value, TermType.PERCENT.value}),
}


def _kinds_asked(folded: str, text: str) -> frozenset[str]:
    """What a question asks for: a date, a time, a place, a duration, a payer, a cost, a rate or the papers."""
    extra = {"cost": cw.ASKS_COST, "rate": cw.ASKS_RATE, "papers": cw.ASKS_PAPERS, "payer": cw.ASKS_IF_PAID}
    return asked_kinds(text) | {kind for kind, cue in extra.items() if cue.search(folded)}


def _term_type(request: AnswerRequest, name: str) -> str:
    builtin = BUILTIN_BY_KEY.get(name)
    if builtin is not None:
        return builtin.type.value
    return next((f.kind for f in request.extra_facts if f.name == name), TermType.TEXT.value)


def _term_answers(request: AnswerRequest, name: str, kind: str) -> bool:
    """Whether the term's value can be the answer to a question for this kind of value (a salary is no date)."""
    fact = fact_value(request, name, "en")
    if fact.display is None:
        return False
    type_ = _term_type(request, name)
    if type_ in _KINDS_BY_TYPE.get(kind, frozenset()):
        return True
    if kind == "place" and (name in _PLACE_TERMS or has_kind(fact.label, "place")):
        return True
    return type_ in _TEXTUAL and kind in ("date", "time", "place", "duration", "payer") and has_kind(fact.display, kind)


def _gives_a_kind(unit: str, kinds: frozenset[str]) -> bool:
    checked = kinds & {"date", "time", "place", "duration", "payer"}
    if kinds - checked:  # a cost, a rate, the papers: the words found it, and a cost or a rate has its figure
        priced = kinds & {"cost", "rate"}
        return not priced or re.search(r"\d", unit) is not None or bool(checked & kinds)
    if "date" in kinds and cw.RECURRING.search(fold(unit)):
        return True  # "paid monthly on the last working day": when, though no date
    return any(has_kind(unit, kind) for kind in checked)


def _asks_what_its_terms_cannot_say(
    folded: str, text: str, mentions: list[TermMention], request: AnswerRequest
) -> bool:
    """ "When do I get paid each month?", "how long is probation for my role?": the question asks for a kind of
    value (a date, a duration, a cost, who pays) that the terms it names cannot hold. A document sentence that
    gives that kind of value answers it; the term's value would not."""
    kinds = _kinds_asked(folded, text)
    if not kinds or not mentions:
        return False
    strong = [m for m in mentions if not m.weak]
    amounts = any(_term_type(request, m.name) in _AMOUNT_TYPES or m.name == "equity_units" for m in strong)
    if strong and (amounts or cw.DOCUMENT_ASK.search(folded) or asks_two_things(text)):
        return False  # "when is my sign-on bonus paid?": the offer path shows the amount and the rule beside it
    names = {m.name for m in (strong or mentions)}
    if any(_term_answers(request, name, kind) for name in names for kind in kinds):
        return False
    evidence = best_evidence(text, request.passages, limit=2, unknown_weight=UNKNOWN_WORD_WEIGHT)
    evidence = evidence or evidence_by_meaning(request.passages)
    # about what was asked (its own words, the term's too: "paid" in "when do I get paid?"; a section's heading says
    # what its sentences are about: "Overtime"), not a sentence that merely holds a figure of that kind ("within 12
    # months" for "each month")
    asked = content_terms(text) - LOOKUP_WORDS
    return any(
        content_terms(f"{e.passage.section} {e.text}") & asked and _gives_a_kind(e.text, kinds) for e in evidence
    )


def _dated_term(folded: str, request: AnswerRequest) -> str | None:
    """ "Until when does my contract run?" with a tenant's "contract end date": a question about how long something
    lasts, naming a word of a date term's label (a German compound by its first part, "Vertrag" in "Vertragsende")."""
    if cw.ASKS_UNTIL.search(folded) is None:
        return None
    asked = [w for w in words(folded) if len(w) >= _LABEL_WORD]
    for fact in request.extra_facts:
        if fact.kind not in ("date", "duration"):
            continue
        label = [w for w in words(fold(fact.label)) if len(w) >= _LABEL_WORD and w not in cw.DATE_WORDS]
        if any(_share_a_stem(part, word) for part in label for word in asked):
            return fact.name
    return None


def _share_a_stem(one: str, other: str) -> bool:
    """ "contract" and "contracts", or German compounds sharing a part: "Vertragsende" and "Saisonvertrag"."""
    if one.startswith(other) or other.startswith(one):
        return True
    short, long_ = sorted((one, other), key=len)
    return any(short[i : i + _COMPOUND_PART] in long_ for i in range(len(short) - _COMPOUND_PART + 1))


def _dated_terms(folded: str, request: AnswerRequest, asked: list[str]) -> list[str]:
    """The date terms a "how long / until when" question asks beside the others it names ("when does my contract
    end, and is housing included?"); "from when to when" asks for the start too."""
    dated = _dated_term(folded, request)
    if dated is None:
        return []
    has_value = any(f.name == dated and f.value is not None for f in request.extra_facts)
    if asked and not has_value:
        return []  # beside a term asked by name, a date this offer lacks is no answer to add
    found = [dated] if dated not in asked else []
    if cw.FROM_TO_WHEN.search(folded) and "start_date" not in asked and dated != "start_date":
        found.insert(0, "start_date")
    return found


# A job the candidate says is theirs ("as a sous chef", "soy jefe de cocina", "ich bin Schichtleiter"): a word in it
# ("chef", "jefe", "manager") names no manager they report to.
_OWN_ROLE = re.compile(
    r"\b(?:as an?|i(?:'m| am) (?:an?|the)|i work as(?: an?)?|working as(?: an?)?|soy|trabajo (?:de|como)|como"
    r"|ich bin(?: als)?|ich arbeite als|als)\s+"
    r"((?:(?!(?:and|or|but|my|i|what|who|how|y|o|pero|mi|que|und|oder|aber|mein\w*|was|wer|wie)\b)[\w-]+ ?){1,4})"
)


def _in_own_role(mention: TermMention, folded: str, request: AnswerRequest) -> bool:
    spans = [m.span(1) for m in _OWN_ROLE.finditer(folded)] if mention.name == "reports_to" else []
    title = fold(request.terms.title)
    if title:
        spans += [m.span() for m in re.finditer(rf"\b{re.escape(title)}\b", folded)]
    return any(start <= mention.start and mention.end <= end for start, end in spans)


def _mentions(text: str, request: AnswerRequest, own_offer: bool) -> tuple[list[TermMention], list[str]]:
    """The terms a message names and those it asks about (`facts.asked_terms`), leaving out words of a job the
    candidate states as their own."""
    folded = fold(text)
    mentions = find_term_mentions(text, request.extra_facts, own_offer=own_offer)
    mentions = [m for m in mentions if not _in_own_role(m, folded, request)]
    strong = [m.name for m in mentions if not m.weak]
    return mentions, list(dict.fromkeys(strong or [m.name for m in mentions]))


_LABEL_WORD = 5  # shorter words ("date", "end", "the") name no particular term
_COMPOUND_PART = 6  # letters two compounds must share to name one thing ("vertra(g)" in both)


def route_message(request: AnswerRequest, options: EngineOptions) -> Route:
    text, problem = input_problem(request.message, options.max_message_chars)
    if problem:
        hint = reply_language(request.language_hint or "en")
        return Route(Intent.INVALID_INPUT, text, hint, hint, input_problem=problem)
    detected = detect_language(text, request.language_hint)

    def make(intent: Intent, **extra: Any) -> Route:
        return Route(intent, text, detected, reply_language(detected), **extra)

    folded = fold(text)
    if signals := injection_signals(text):
        return make(Intent.INJECTION, signals=signals)
    if staff := _who_is_staff(text, request):
        intent, detail = staff
        if intent is Intent.OFFER_TERM_QUESTION:
            return make(intent, terms=[detail])
        return make(intent, topic=detail)
    if _is_other_person(text, folded, request):
        return make(Intent.OTHER_PERSON)
    if (_is_internal(folded, request) and not asks_for_own_allowance(folded)) or cw.STAFF_CLAIM.search(folded):
        return make(Intent.INTERNAL_INFO)
    if asks_counter_status(folded):  # "did you get my request for 200k?" asks about one already sent
        return make(Intent.PROCESS_QUESTION, topic="counter_status")
    counter = extract_counter_offer(
        text, request.terms, request.today, request.extra_facts, request.arrangement_names, request.payments_per_year
    )
    if counter is not None:
        return make(Intent.NEGOTIATION, counter=counter)
    if _declared(cw.DECLINE, fold_aligned(text)):
        return make(Intent.DECLINE_INTENT)
    if _declared(cw.ACCEPT, fold_aligned(text)):
        return make(Intent.ACCEPT_INTENT)
    if (topic := _process_topic(folded)) and not _process_beside_a_topic(folded, topic, request):
        # "when do I start, and by when must I reply?": the deadline and the terms it is asked beside
        return make(Intent.PROCESS_QUESTION, topic=topic, terms=_terms_beside(topic, text, request))
    if cw.NEGOTIATE.search(folded) or (request_cue(folded) and cw.MORE_PLEASE.search(folded)):
        return make(Intent.NEGOTIATION)
    if kind := _smalltalk(folded):
        return make(Intent.GREETING, topic=kind)
    if cw.RECOMMENDATION.search(folded) and (not cw.BENEFITS.search(folded) or cw.NEARBY.search(folded)):
        return make(Intent.OUT_OF_SCOPE)  # "can you recommend a daycare near the office?": not ours to answer
    own_offer = cw.OWN_OFFER.search(folded) is not None
    mentions, asked = _mentions(text, request, own_offer)
    if _asks_own_pay_in_a_period(folded, text, mentions):
        return make(Intent.OFFER_TERM_QUESTION, terms=["base_salary"])
    only_weak = mentions and all(m.weak for m in mentions)
    documents_first = (
        _asks_policy(folded, request, text)
        or _asks_about_the_day(folded, asked, request, text)
        or (only_weak and _weak_beside_a_topic(folded, mentions, request))
        or _asks_what_its_terms_cannot_say(folded, text, mentions, request)
    )
    if mentions and not (only_weak and cw.BENEFITS.search(folded)) and not documents_first:
        return make(Intent.OFFER_TERM_QUESTION, terms=[*asked, *_dated_terms(folded, request, asked)])
    if dated := _dated_terms(folded, request, []):
        return make(Intent.OFFER_TERM_QUESTION, terms=dated)
    if _is_benefits(folded, request, text):
        return make(Intent.BENEFITS_QUESTION)
    return make(Intent.OUT_OF_SCOPE)
