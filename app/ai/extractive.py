"""Extractive answers from retrieved passages: the sentence or table row that answers, not the whole chunk.

Units (sentences, list items, table rows rendered with their headers) are scored by the question's content words
they share, weighted by rarity across the retrieved units, with English and Spanish synonyms folded together.
Sentences that address the assistant are never units, so instructions hidden in a document are never quoted.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale

from app.ai.injection import is_hostile_passage_sentence
from app.ai.models import Passage
from app.ai.numwords import rewrite_number_words
from app.ai.text import fold, sentences, word_set, words
from app.vocabulary import Vocabulary, builtin_vocabulary
from retrieval.chunking import CELL_SEPARATOR

_STOPWORDS = word_set(
    """
    a an the is are was were be been being do does did doing have has had i me my mine we our you your yours he she
    it its they them their what which who whom whose this that these those am of to in on at by for with about
    against between into through during before after above below from up down out off over under again further then
    once here there when where why how all any both each few more most other some such no nor not only own same so
    than too very can will just should now would could may might must shall get got let tell know please much many
    also if or and but as until while el la los las un una unos unas de del al y o que en es son mi mis tu tus su
    sus por para con sin sobre como cual cuales cuando cuanto cuantos cuantas donde quien hay puedo tengo se lo le
    les me te nos este esta estos estas ese esa eso qué cuál cómo cuánto dónde muy mas más ser estar si no ya
    tambien también pero porque
    der die das den dem des ein eine einen einem einer eines ist sind war waren bin bist sein ich mich mir mein meine
    meinen meinem meiner du sie ihr ihre ihren ihnen wir uns unser er es was wie wann wo wer welche welcher welches
    warum wieviel viel viele und oder aber nicht kein keine mit von zu zum zur bei fur auf aus an am im in um uber
    als auch noch schon nur wenn dass ob habe hat haben hatte wird werden wurde kann konnen konnte muss mussen soll
    sollte darf gibt gilt bitte bekomme bekommt man sich so da dann denn doch ja nein hab hast gibts wieviel
    wie viel eigentlich genau mal bis ab unter uber seit
    whats wheres whens hows whos whys wieso weshalb wozu wohin woher wofur womit wodurch welchen welchem
    cuanta quienes adonde
    """
)
# Words that shape a question but never name what it is about ("what discount does the plan give?").
_QUESTION_VERBS = word_set(
    "give gives given giving provide provides offered receive receives dauert dauern dura duran tarda tardan"
)
_ASKS_AMOUNT = re.compile(
    r"\b(how (much|many|long|often|far)|cuant[oa]s?|what(?:'?s| is)? (?:the )?(percent\w*|amount|discount|rate|price"
    r"|limit|match|threshold|cap|ceiling|maximum|minimum|fee|cost|budget)"
    r"|que porcentaje|wie (?:viel|hoch|lange?)|welche[nrs]? (?:betrag|hohe|prozentsatz))\b"
)
# "how long", "wie lange", "cuánto tiempo", "what time": what kind of value is asked, not a topic word a sentence
# should share (a word no passage holds weighs most, so "lange" or "tiempo" would block the sentence that answers).
_AMOUNT_ADVERB = re.compile(
    r"\b(?:how (?:much|many|long|often|far|soon)|(?:for|since) how long|wie (?:viele?n?|lange?|oft|hoch|weit|bald)"
    r"|cuanto tiempo|(?:por|durante) cuanto tiempo|con que frecuencia|(?:at )?what time(?! off)|a que hora"
    r"|um wie ?viel uhr)\b"
)
# "how many bank holidays": what is counted, so a unit that counts it ("the 8 bank holidays") beats units that
# merely hold some figure (dates, other amounts) next to the same words.
_ASKS_COUNT = re.compile(r"\b(?:how many|cuant[oa]s|wie viele?n?)\s+(\w+(?:\s+\w+){0,2})")
_COUNT_REACH = 3  # words between a number and the counted noun at most ("8 paid bank holidays")
_PAREN_SUFFIX = re.compile(r"\b(\d+)\((\w)\)")  # "401(k)" -> "401k", one token
# How much a heading word counts for a sentence under it, relative to the sentence's own words.
_SECTION_WEIGHT = 0.8
# A word the sentence and its section heading both name: the topic's own section, not a passing mention elsewhere.
_IN_ITS_SECTION = 0.2
_TITLE_WEIGHT = 0.5
_NO_FIGURE_FACTOR = 0.7
_WRONG_KIND_FACTOR = 0.4  # a unit without the kind of value asked (no date for "when", no place for "where")
_PREAMBLE_FACTOR = 0.7  # a document's purpose or scope sentence, for a question about anything else
_ONLY_A_SPAN_FACTOR = 0.7  # a number of days where a date or deadline is asked, when another unit names one
# Sentence similarity by meaning (the index's encoder, when the pipeline supplies it): a unit this close answers
# even in other words ("jeans" for "dress code: denim"), and among relevant units the closer one ranks first.
# Below the floor, similarities say little (~0.3-0.45 for any two sentences on one topic) and order nothing.
SEMANTIC_ACCEPT = 0.6
# For a question the documents answer on their own: a word no document holds but close to one it does (an
# inflection, a typo) weighs half, so it no longer blocks the sentence that shares the rest; a topic no document
# has ("weather") keeps its full weight, so one shared place name never makes an answer. (Beside an offer term,
# unknown words keep their full weight: there the term's own words must not make an answer alone.)
UNKNOWN_WORD_WEIGHT = 0.5
_SHARED_PREFIX = 4  # letters an inflection or a typo shares with the word the documents use
RETRIEVAL_TRUST = 0.5  # passage similarity of in-scope questions in our measurements ~0.6+, off-topic ones < 0.4
SEMANTIC_FLOOR = 0.45
SEMANTIC_WEIGHT = 0.5
PERSONAL_WEIGHT = 0.1
_HEADING_NOISE = word_set("benefit perk policy overview summary faq guide general information")
_EMPHASIS = re.compile(r"\*\*|__|`")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}")


@dataclass(frozen=True)
class Evidence:
    passage: Passage
    text: str
    score: float


# The words of every language mapped to one shared concept word, the heads of German compounds ("Erholungsurlaub",
# "Zahnzusatzversicherung" are read by their last part) and the multi-word names of a concept: data, in
# app/vocabulary/*.toml, extended by a tenant's configuration through `use_vocabulary`.
_vocabulary: Vocabulary = builtin_vocabulary()


def use_vocabulary(vocabulary: Vocabulary) -> None:
    """Read questions and documents with `vocabulary` from now on (the tenant's, from its configuration)."""
    global _vocabulary  # one per process, set at start-up from the configuration
    if vocabulary is _vocabulary:
        return
    _vocabulary = vocabulary
    for cached in (_stem, _terms_of, _heading_terms, _counts, _compounds_read_as):
        cached.cache_clear()


def active_vocabulary() -> Vocabulary:
    return _vocabulary


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A word's concept word, else a light plural stem ("plans" -> "plan", "bonuses" -> "bonus")."""
    synonyms, heads = _vocabulary.words, _vocabulary.heads
    if len(word) >= 9 and word not in synonyms:
        head = next((h for h in _vocabulary.heads_longest_first if word.endswith(h)), None)
        if head is not None and len(word) - len(head) >= 4:
            return heads[head]
    word = synonyms.get(word, word)
    if word.endswith("ies") and len(word) > 4:
        base = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes", "uses")):
        base = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        base = word[:-1]
    else:
        return word
    return synonyms.get(base, base)


_PHRASES = re.compile(r"\b(?:pay|paid|paying) (?:it )?back\b|\bclaw ?-?backs?\b")
_CONCEPT_WEIGHT = 1.5  # a concept stands for the two or three words that named it


def _concepts(text: str) -> str:
    """The text with the words that name a concept replaced by its one shared word."""
    for concept, pattern in _vocabulary.phrases:
        text = pattern.sub(f" {concept} ", text)
    return text


# Verbs with a particle that only say something happens ("how long until results come back?"): no topic.
_IDLE_PHRASES = re.compile(r"\b(?:come|comes|coming|came|get|gets|hear|heard) back\b")
_HOW_IT_WORKS = re.compile(r"\b(how (?:does|do|will|would) (?:\w+ ){1,4})works?\b")  # "how does the roster work?"


def content_terms(text: str) -> set[str]:
    text = _concepts(fold(text))
    text = _PAREN_SUFFIX.sub(r"\1\2", _PHRASES.sub(" repay ", text))
    text = _HOW_IT_WORKS.sub(r"\1", _IDLE_PHRASES.sub(" ", _AMOUNT_ADVERB.sub(" ", text)))
    plain = (w.split("'")[0] for w in words(text))  # "what's" -> "what"
    return {_stem(w) for w in plain if w not in _STOPWORDS and w not in _QUESTION_VERBS and len(w) > 1}


MAX_BRIDGE_WORDS = 24  # a search query stays mostly the question's own words


def bridge_words(
    question: str, language: str | None = None, into: Collection[str] = (), per_language: int = 0
) -> list[str]:
    """The words that name the question's concepts in the vocabulary's languages (`into`, default all, but the
    question's own `language`) and that the question does not already use ("Urlaub übertragen" → "carry over",
    "vacaciones", …): added to a search, they let it meet a document written in another language."""
    concepts = sorted(content_terms(question) & _vocabulary.concepts)
    own = set(words(question))
    bridged = _vocabulary.search_words(concepts, besides=language, into=into, per_language=per_language)
    found = [w for w in bridged if not set(words(w)) <= own]
    return found[:MAX_BRIDGE_WORDS]


# Words of a plain value lookup ("what is my base pay?"): what is left beyond them and the term's own words is
# something the documents may have to answer ("when is it paid?", "who is eligible?").
LOOKUP_WORDS = frozenset(
    content_terms(
        "offer my amount value much many total figure number rate get receive include included exactly year month "
        "week day hour annual annually yearly monthly weekly hourly gross net before after tax currently right now "
        "jahr monat woche tag stunde jahrlich monatlich brutto netto insgesamt gesamt aktuell derzeit hoch hohe "
        "ano mes semana dia hora anual mensual bruto neto total actual actualmente"
    )
)


@lru_cache(maxsize=16384)
def _terms_of(unit: str) -> frozenset[str]:
    return frozenset(content_terms(unit))


@lru_cache(maxsize=4096)
def _heading_terms(heading: str) -> frozenset[str]:
    """A heading's topic words; category words ("benefits", "policy") head everything, so they say nothing."""
    return frozenset(content_terms(heading) - _HEADING_NOISE)


def _table_rows(lines: list[str]) -> list[str]:
    cells = [
        [c.strip() for c in line.strip().strip("|").split("|")] for line in lines if not _TABLE_SEPARATOR.match(line)
    ]
    if len(cells) < 2:
        return [" ".join(c) for c in cells]
    header, *rows = cells
    return ["; ".join(f"{h}: {v}" if h else v for h, v in zip(header, row, strict=False) if v) for row in rows]


def _is_cell_row(line: str) -> bool:
    cells = line.split(CELL_SEPARATOR)
    return len(cells) > 1 and sum(":" in cell for cell in cells) >= len(cells) - 1


def passage_units(passage: Passage) -> list[str]:
    """The quotable units of a passage, without headings and without sentences aimed at the assistant."""
    return list(_units(passage.text))


@lru_cache(maxsize=4096)
def _units(text: str) -> tuple[str, ...]:
    units: list[str] = []
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip().startswith("|"):
            table.append(line)
            continue
        if table:
            units += _table_rows(table)
            table = []
        if line.strip().startswith("#"):
            continue
        # a table row as the indexer writes it ("Plan: PPO | Family: $412") is one unit, never cut at a full stop
        units += [line.strip()] if _is_cell_row(line) else sentences(line)
    plain = [_EMPHASIS.sub("", u).strip() for u in units]
    return tuple(u for u in _answers_with_questions(plain) if len(words(u)) >= 3 and not is_hostile_passage_sentence(u))


# A band's bound: a figure, perhaps after a currency sign ("$40,001") or with "k" for thousands ("£30k").
_BOUND = r"(?:[$€£]\s?)?(\d[\d.,']*k?)(?![a-z])"
_RANGE = re.compile(
    rf"{_BOUND}\s*(?:[$€£]|eur|usd|gbp|chf)?\s*(?:-|–|—|to|bis|a|hasta|until|through)\s*{_BOUND}"
    rf"|(?:from|ab|desde|over|above|uber|mas de|more than)\s+{_BOUND}"
    rf"|(?:under|below|up to|bis|hasta|unter|menos de|less than)\s+{_BOUND}"
)
# "I'm 52", "35 years old", "tengo 40 años": a fact about the asker that picks a row, not a topic to match.
_ABOUT_THE_ASKER = re.compile(
    r"\b(?:(?:i'?m|i am|ich bin|tengo|soy)\s+)?\d{1,3}\s*(?:years?|yrs?|jahre?|anos|años)"
    r"(?:\s*(?:old|alt|de edad))?\b|\b(?:i'?m|i am|ich bin|tengo|soy)\s+\d{1,3}\b"
)
_FIGURE = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,']\d{3})+(?![\d])|(?<![\d.,])\d+(?:k\b)?(?![\d.,]\d)")
_IN_RANGE, _OUT_OF_RANGE = 1.3, 0.75  # a row whose band holds the figure the question gives, or one that does not


def _number(text: str) -> Decimal | None:
    thousands = text.endswith("k")
    digits = re.sub(r"[.,'](?=\d{3}\b)", "", text.removesuffix("k")).rstrip(".,'").replace(",", ".")
    try:
        value = Decimal(digits)
    except ArithmeticError:
        return None
    return value * 1000 if thousands else value


def _figures(question: str) -> list[Decimal]:
    """The whole numbers a question states ("I'm 34", "earning 52,000"): a table row by band may hold them."""
    return [n for m in _FIGURE.finditer(fold(question)) if (n := _number(m.group(0))) is not None]


def _bands(unit: str) -> list[tuple[Decimal | None, Decimal | None]]:
    """The numeric ranges a unit states ("30 to 39", "from 50,000", "under 25"); reversed pairs (dates, phone
    numbers) are not ranges."""
    bands = []
    for match in _RANGE.finditer(fold(unit)):
        low, high, above, below = (_number(g) if g else None for g in match.groups())
        if low is not None and high is not None and low >= high:
            continue
        bands.append((low if low is not None else above, high if high is not None else below))
    return bands


# A band and a figure of different magnitudes measure different things: an age (52) is not in a salary band
# ("up to 40,000"), nor a salary (52,000) in an age band ("from 50"), nor an annual pay in a monthly band.
_SAME_SCALE = 8


def _on_the_scale_of(figure: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    bounds = [b for b in (low, high) if b is not None and b > 0]
    return bool(bounds) and all(figure <= b * _SAME_SCALE and b <= figure * _SAME_SCALE for b in bounds)


def _holds(unit: str, figures: list[Decimal]) -> bool:
    return any(
        (lo is None or lo <= f) and (hi is None or f <= hi) and _on_the_scale_of(f, lo, hi)
        for lo, hi in _bands(unit)
        for f in figures
    )


def _range_fit(unit: str, figures: list[Decimal]) -> float:
    """Favour the row whose range holds one of the figures, disfavour other rows with ranges on their scale;
    neutral for a unit without such ranges, or when no unit's range holds any figure (the figures are then not
    what the table is by)."""
    if not figures or not any(_on_the_scale_of(f, lo, hi) for lo, hi in _bands(unit) for f in figures):
        return 1.0
    return _IN_RANGE if _holds(unit, figures) else _OUT_OF_RANGE


@lru_cache(maxsize=16384)
def _compounds_read_as(terms: frozenset[str], asked: frozenset[str]) -> frozenset[str]:
    """The asked words a unit's long compounds are made of ("nachtarbeitszuschlag" → "zuschlag" when the question
    says "Zuschlag"): German joins the nouns a question may write apart."""
    found: set[str] = set()
    for term in terms:
        if len(term) >= 8 and term not in asked:
            found |= set(_compound_parts(term, asked) or ())
            found |= {word for word in asked if len(word) >= 4 and term.startswith(word)}
    return frozenset(found)


def _split_compounds(asked: set[str], vocabulary: set[str]) -> set[str]:
    """A word of the question that no passage has, read as the words of a compound they do have
    ("sonderurlaubstage" → "sonderurlaub" + "tag"; "urlaubsanspruch" → "urlaub" + "anspruch"), else as its head
    (its last part): German joins nouns that a document may write apart or in another compound."""
    split: set[str] = set()
    for term in asked:
        parts = None if term in vocabulary or len(term) < 8 else _compound_parts(term, vocabulary)
        split |= set(parts) if parts else {term}
    return split


def _compound_parts(term: str, vocabulary: Collection[str]) -> tuple[str, ...] | None:
    cuts = range(len(term) - 3, 3, -1)
    for i in cuts:
        head, tail = _stem(term[:i].removesuffix("s")), _stem(term[i:])
        if head in vocabulary and tail in vocabulary:
            return head, tail
    for i in reversed(cuts):  # the longest head noun first
        tail = _stem(term[i:])
        if len(tail) >= 5 and tail in vocabulary:
            return (tail,)
    return None


def _answers_with_questions(units: list[str]) -> list[str]:
    """An FAQ's question is kept with the answer that follows it (a question alone answers nothing)."""
    merged: list[str] = []
    pending = ""
    for unit in units:
        if unit.endswith("?"):
            pending = f"{pending} {unit}".strip()
            continue
        merged.append(f"{pending} {unit}".strip() if pending else unit)
        pending = ""
    return merged


def counted_terms(question: str) -> frozenset[str]:
    """The content words a "how many …" question counts ("how many bank holidays" -> bank, holiday)."""
    match = _ASKS_COUNT.search(fold(question))
    return frozenset(content_terms(match.group(1))) if match else frozenset()


@lru_cache(maxsize=16384)
def _counts(unit: str, counted: frozenset[str]) -> bool:
    """Whether `unit` gives a number of one of the `counted` things: a number followed closely by one of them."""
    tokens = words(rewrite_number_words(fold(unit)))
    for n, token in enumerate(tokens):
        if token[0].isdigit() and any(_stem(w) in counted for w in tokens[n + 1 : n + 1 + _COUNT_REACH]):
            return True
    return False


# -- Answer kinds: "when" wants a date, "where" a place, "how long" a duration, "who pays" a payer --------------------

# The question's cue for each kind of value (folded text). "when"/"where" count as asked at the question's start or
# after "by", "until", "know", … (not "when I leave, …", a condition); Spanish and German question words always.
_LEAD = r"(?:^|[,;:?¿.!]\s*|\b(?:and|so|but|hi|ok|know|tell me|say|ask|wondering|idea|by|until|till|from|since)\s+)"
_KIND_CUES: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        _LEAD + r"when\b|\b(?:what|which) (?:date|day|month)\b|\bhow soon\b|\bdeadline\b"
        r"|\b(?:que|cual) (?:fecha|dia|mes)\b"
        r"|¿\s*cuando\b|\b(?:hasta|desde|para) cuando\b|\bplazo\b|\bwann\b|\b(?:an )?welche[mnr]? (?:tag|datum|monat)\b"
        r"|\bfrist\b|\bstichtag\b"
    ),
    "time": re.compile(r"\b(?:what|which) time(?! off)\b|\ba que hora\b|\bum wie ?viel uhr\b|\buhrzeit\b"),
    "place": re.compile(
        _LEAD + r"wheres?\b|\b(?:which|what) (?:office|address|building|location|site|campus|floor|room)\b"
        r"|\b(?:a )?donde\b|\badonde\b|(?:^|[,;:?.!]\s*|\bund\s+)(?:wo|wohin)\b"
        r"|\bwelche[mnrs]? (?:adresse|ort|standort|buro|gebaude)\b"
    ),
    "duration": re.compile(
        r"\b(?:(?:for|since) )?how long\b|\bhow many (?:days|weeks|months|years|hours)\b|\bhow much notice\b"
        r"|\bcuanto tiempo\b|\bcuant[oa]s (?:dias|semanas|meses|anos|horas)\b|\bcuanto dura\b"
        r"|\bwie lange?\b|\bwie viele?n? (?:tage|wochen|monate|jahre|stunden)\b"
    ),
    "list": re.compile(
        r"\b(?:what|which) (?:\w+ ){0,4}(?:test|tested|testing|screen|screened|check|checked|checking) for\b"
        r"|\bwhat (?:\w+ ){0,4}(?:covers?|covered|includes?|included)\??$"
        r"|\b(?:what|which) (?:documents|papers|paperwork|items|things|substances|drugs|conditions|services)\b"
        r"|\bque (?:documentos|papeles|sustancias|incluye|cubre)\b|\bque (?:\w+ ){0,3}(?:detecta|analiza)n?\b"
        r"|\bwelche (?:unterlagen|dokumente|papiere|substanzen|leistungen)\b"
        r"|\bwas (?:\w+ ){0,3}(?:getestet|gepruft|untersucht|abgedeckt|enthalten)\b"
    ),
    "payer": re.compile(
        r"\bwho (?:pays|covers|bears|foots|is paying|will pay|would pay|has to pay|pays for)\b"
        r"|\bwhose (?:expense|cost)\b|\bwho (?:\w+ ){0,2}(?:pays?|covers?) for\b"
        r"|\bquien (?:paga|cubre|asume|costea)\b|\ba cargo de quien\b|\bwer (?:zahlt|bezahlt|tragt|ubernimmt)\b"
    ),
}


@lru_cache(maxsize=1)
def _calendar_words() -> frozenset[str]:
    """Month and weekday names in the built-in languages (folded; "may" only beside a figure, it is also a verb)."""
    names: set[str] = set()
    for language in ("en", "de", "es"):
        locale = Locale(language)
        for width in ("wide", "abbreviated"):
            names |= {fold(n).strip(".") for n in locale.months["format"][width].values()}
        names |= {fold(n) for n in locale.days["format"]["wide"].values()}
    return frozenset(n for n in names if len(n) >= 3) - {"may", "mar", "sun", "sat", "wed"}


_TIME_UNIT = (
    r"(?:hours?|days?|weeks?|months?|years?|yrs?|stunden?|tagen?|tage|wochen?|monate?n?|jahre?n?|horas?|dias?|semanas?"
    r"|mes(?:es)?|anos?)"
)
_DURATION = re.compile(
    rf"\b\d+(?:[.,]\d+)?(?:\s*|-)(?:\w+[\s-]){{0,1}}{_TIME_UNIT}\b"
    rf"|\b(?:a|an|one|un|una|ein|eine|einen|einem)[\s-]{_TIME_UNIT}\b"
)
_DATE = re.compile(
    r"\b\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?\b|\b\d{1,2}(?:st|nd|rd|th)\b|\bmay \d|\d\.? may\b|\b(?:19|20)\d\d\b"
    r"|\b(?:immediately|right away|first day|day one|day 1|anniversary|end of the (?:month|year|quarter)|sofort"
    r"|ab dem ersten|ersten (?:arbeits)?tag|monatsende|jahresende|inmediatamente|primer dia|fin de (?:mes|ano))\b"
)
_CLOCK = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h)\b|\b\d{1,2}:\d{2}\b|\b(?:noon|mediodia|mittag)\b"
)
_PLACE = re.compile(
    r"\b(?:office|offices|floor|building|address|street|avenue|road|room|reception|lobby|campus|site|location|headquarters"
    r"|hq|entrance|suite|level|online|remote|virtual|oficina|planta|piso|edificio|direccion|calle|avenida|sala|recepcion"
    r"|sede|buro|etage|stock|stockwerk|gebaude|adresse|strasse|platz|raum|empfang|standort|zentrale|eingang)\b"
    r"|\b\d+[a-z]?,? [a-z]+ (?:st|street|ave|avenue|road|rd|strasse|str|calle|weg|platz)\b"
    r"|\w+(?:strasse|str\.|platz|weg)\b"
)
# Three or more items in a row ("cannabis, cocaine and opiates"; "passport; visa; bank details").
_LIST = re.compile(r"[^,;:]+(?:,|;)[^,;:]+(?:,|;|\b(?:and|or|y|o|und|oder)\b)[^,;:]+")
_PAYER = re.compile(
    r"\b(?:pays?|paid (?:by|for)|covers?|covered by|reimburs\w*|bears?|borne|expense|at no cost|free of charge|employer"
    r"|no charge|(?:fee|cost|charge)s? (?:is|are) (?:met|refunded|waived)"
    r"|funds?|funded|paga\w*|cubre|cubiert[oa]s?|reembols\w*|a cargo|corre por cuenta|gratuit\w*|costea|zahlt|bezahlt"
    r"|ubernimmt|ubernommen|tragt|getragen|erstatt\w*|kostenlos|kostenfrei)\b"
)


def asked_kinds(question: str) -> frozenset[str]:
    """The kinds of value `question` asks for: date, time, place, duration, a list, payer (none for most)."""
    folded = fold(question)
    kinds = {kind for kind, cue in _KIND_CUES.items() if cue.search(folded)}
    if "date" in kinds and "time" in kinds:
        kinds.discard("date")  # "what time on which day": the clock time is the harder part to find
    return frozenset(kinds)


@lru_cache(maxsize=16384)
def has_kind(unit: str, kind: str) -> bool:
    """Whether `unit` holds a value of `kind` (a date or month, a clock time, a place, a duration, a payer)."""
    text = rewrite_number_words(fold(unit))
    if kind == "date":
        return (
            _DATE.search(text) is not None
            or _DURATION.search(text) is not None
            or not _calendar_words().isdisjoint(words(text))
        )
    if kind == "time":
        return _CLOCK.search(text) is not None
    if kind == "place":
        return _PLACE.search(text) is not None
    if kind == "list":  # items in a row, or a sentence that introduces them ("The panel screens for:")
        return _LIST.search(text) is not None or text.endswith(":")
    if kind == "duration":
        return _DURATION.search(text) is not None
    return _PAYER.search(text) is not None


# "Until when?", "by when?", "deadline": a date or a deadline answers, a count of days does not.
_ASKS_A_DEADLINE = re.compile(
    r"\b(?:until|till|by) when\b|\bdeadline\b|\bby what date\b|\bexpir\w*|\bhasta cuando\b|\bplazo\b"
    r"|\bbis wann\b|\bfrist\b|\bstichtag\b|\bverfall\w*"
)


# A policy's opening statement of purpose or scope ("This policy sets out …", "The purpose of this guide is …").
_PREAMBLE = re.compile(
    r"^(?:this|the|our) (?:policy|document|guide|guideline|procedure|handbook|section|page|agreement|scheme|programme"
    r"|program|plan)\b[^.]{0,60}\b(?:sets? out|describes?|explains?|outlines?|summari[sz]es|aims?|is intended"
    r"|is designed|provides? (?:an overview|guidance|information)|applies|covers)\b"
    r"|\b(?:the )?(?:purpose|aim|scope) of (?:this|the) (?:policy|document|guide|procedure|scheme|programme|program)\b"
    r"|^(?:diese|dieses|die) (?:richtlinie|regelung|vereinbarung|leitlinie|dokument)\b[^.]{0,60}\b(?:regelt|beschreibt"
    r"|gilt|erlautert|legt)\b|^(?:esta|este|la|el) (?:politica|documento|guia|procedimiento|norma)\b[^.]{0,60}"
    r"\b(?:establece|describe|explica|se aplica|regula|tiene por objeto)\b"
)
# A question about whom or what a policy is for: there its scope sentence is the answer.
_ASKS_SCOPE = re.compile(
    r"\b(?:who|whom|eligible|eligibility|apply|applies|purpose|scope|what is (?:the|this) \w+ (?:for|about)|quien"
    r"|quienes|aplica|elegible|wer|gilt|berechtigt|anspruchsberechtigt|zweck)\b"
)


# A span that says when, not how much: "within 30 days", "no later than 2 weeks before", "innerhalb von 4 Wochen".
_DEADLINE_SPAN = re.compile(
    rf"\b(?:within|no later than|at the latest|before|after|by|innerhalb(?: von)?|binnen|spatestens|nach"
    rf"|dentro de|antes de|despues de|tras|en un plazo de|en los)\s+(?:the\s+|the first\s+|den\s+|los\s+)?"
    rf"(?:\d+(?:[.,]\d+)?|a|an|one|un|una|einem|einer)[\s-]+(?:\w+[\s-]+)?{_TIME_UNIT}\b"
    rf"|\b\d+[\s-]+(?:\w+[\s-]+)?{_TIME_UNIT}\s+(?:before|after|prior to|from|following"
    rf"|of (?:your|the|joining|starting)|vor|nach|ab|antes|despues|desde|tras)\b"
)


@lru_cache(maxsize=16384)
def names_a_date(unit: str) -> bool:
    """Whether `unit` says when (a date, a month, a day, or a deadline such as "within 30 days"), not only how
    many days."""
    text = rewrite_number_words(fold(unit))
    return (
        _DATE.search(text) is not None
        or _DEADLINE_SPAN.search(text) is not None
        or not _calendar_words().isdisjoint(words(text))
    )


def _gives_what_is_asked(unit: str, wants_amount: bool, counted: frozenset[str]) -> bool:
    """A count of the counted thing when some unit has one; else any figure when an amount is asked."""
    if counted:
        return _counts(unit, counted)
    return not wants_amount or re.search(r"\d", unit) is not None


def _overlap(
    asked: set[str],
    own: frozenset[str],
    section: frozenset[str],
    title: frozenset[str],
    weight: Callable[[str], float],
) -> float:
    """The asked weight a unit covers: its own words in full, its section heading's and title's words in part.

    A heading is what every sentence under it is about ("Company match" for "Corvid matches 100% of ..."), so a
    question naming the heading is answered by the sentences below it even when they do not repeat it.
    """
    covered = 0.0
    for term in asked:
        if term in own:
            covered += weight(term)
        elif term in section:
            covered += _SECTION_WEIGHT * weight(term)
        elif term in title:
            covered += _TITLE_WEIGHT * weight(term)
    return covered


def best_evidence(
    question: str,
    passages: list[Passage],
    *,
    limit: int = 2,
    min_score: float = 1.2,
    min_coverage: float = 0.45,
    personal: frozenset[str] = frozenset(),
    own_figures: tuple[Decimal, ...] = (),
    unknown_weight: float = 1.0,
) -> list[Evidence]:
    """The units that best answer `question` (best first), or [] when none shares enough with it.

    A unit must share at least `min_coverage` of the question's weight (rare words weigh more; a word that no
    unit contains weighs most), so one shared common word ("work") never makes an answer.
    """
    asked = content_terms(_ABOUT_THE_ASKER.sub(" ", fold(question)))
    if not asked:
        return []
    plain = [(p, unit, _terms_of(unit)) for p in passages for unit in _units(p.text)]
    if not plain:
        return []
    # a document's compound read as the question's separate words ("Nachtzuschlag" for "Zuschlag für die Nacht")
    frozen_asked = frozenset(asked)
    candidates = [(p, unit, terms | _compounds_read_as(terms, frozen_asked)) for p, unit, terms in plain]
    vocabulary = {t for p, _, terms in candidates for t in terms | _heading_terms(p.section) | _heading_terms(p.title)}
    # a figure no passage has ("I'm 52") is a fact about the asker, not a topic word a sentence must share
    asked = {t for t in _split_compounds(asked, vocabulary) if not (t[0].isdigit() and t not in vocabulary)}
    if not asked:
        return []
    figures = [*_figures(question), *own_figures]
    if not any(_holds(unit, figures) for _, unit, _ in candidates):
        figures = []  # no row is by these figures: they say nothing about which row applies
    document_frequency: dict[str, int] = {}
    for passage, _, terms in candidates:  # a heading's words are in every unit under it, for rarity too
        for term in terms | _heading_terms(passage.section) | _heading_terms(passage.title):
            document_frequency[term] = document_frequency.get(term, 0) + 1
    total = len(candidates)

    def rarity(term: str) -> float:
        lighter = term not in document_frequency and _near_a_word_of(term, vocabulary)
        factor = unknown_weight if lighter else 1.0
        value = math.log(1 + total / document_frequency.get(term, 1)) * factor
        return value * _CONCEPT_WEIGHT if term in _vocabulary.phrase_concepts else value

    # A word no passage holds weighs no more than the rarest asked word one does ("obtain", "old" beside the topic
    # words), when the question is mostly about what the passages hold: a benefits topic the vocabulary knows, and
    # fewer such words than present ones. A topic no passage has ("weather" beside a place name) keeps its weight.
    present = [t for t in asked if t in document_frequency]
    about_a_topic = any(t in _vocabulary.bridges for t in present) and 2 * len(present) > len(asked)
    cap = max(rarity(t) for t in present) if about_a_topic else math.inf

    def weight(term: str) -> float:
        return rarity(term) if term in document_frequency else min(rarity(term), cap)

    asked_weight = sum(weight(t) for t in asked)
    wants_amount = _ASKS_AMOUNT.search(fold(question)) is not None
    counted = counted_terms(question)
    if counted and not any(_counts(unit, counted) for _, unit, _ in candidates):
        counted = frozenset()  # nothing counts it: any unit with a figure may answer
    kinds = asked_kinds(question)
    if not any(has_kind(unit, kind) for _, unit, _ in candidates for kind in kinds):
        kinds = frozenset()  # no unit holds that kind of value: the words decide alone
    # "until when?": a unit naming the date or deadline beats one that only counts days ("up to 5 days")
    deadline = "date" in kinds and _ASKS_A_DEADLINE.search(fold(question)) is not None
    preamble_is_no_answer = _ASKS_SCOPE.search(fold(question)) is None
    dated = deadline and any(names_a_date(unit) for _, unit, _ in candidates)
    scored: list[Evidence] = []
    shares: dict[str, float] = {}  # each unit's score before the factors for what the whole question asks
    passing = 0.0
    for rank, (passage, unit, terms) in enumerate(candidates):
        score = _overlap(asked, terms, _heading_terms(passage.section), _heading_terms(passage.title), weight)
        meaning = passage.unit_similarity.get(unit)
        close_in_meaning = meaning is not None and meaning >= SEMANTIC_ACCEPT
        if score <= 0 or score < min_coverage * asked_weight:
            if not close_in_meaning or meaning is None:
                continue
            score = min_score * meaning / SEMANTIC_ACCEPT  # found by meaning alone: as good as a bare pass
        shares[unit] = score
        gives = not kinds or any(has_kind(unit, kind) for kind in kinds)
        if not gives:  # "when is it paid?" is answered by the sentence with the month
            score *= _NO_FIGURE_FACTOR if kinds == {"list"} else _WRONG_KIND_FACTOR
        elif not _gives_what_is_asked(unit, wants_amount, counted):
            score *= _NO_FIGURE_FACTOR  # "how many weeks?" is answered by the sentence with the number
        elif dated and kinds == {"date"} and not names_a_date(unit):
            score *= _ONLY_A_SPAN_FACTOR
        if preamble_is_no_answer and _PREAMBLE.search(fold(unit)):
            score *= _PREAMBLE_FACTOR  # "This policy sets out how leave works" names the topic, answers nothing
        if meaning is not None:  # words decide what is relevant; meaning picks the sentence that answers
            score += SEMANTIC_WEIGHT * asked_weight * max(meaning - SEMANTIC_FLOOR, 0.0)
        if personal:  # the row or section for people like this candidate ("Hourly", "Academic staff")
            about = terms | _heading_terms(passage.section)
            score += PERSONAL_WEIGHT * asked_weight * min(len(about & personal), 2)
        score *= _range_fit(unit, figures)
        score -= 0.001 * rank  # ties go to the better-ranked passage
        passing = max(passing, score)
        section = _heading_terms(passage.section)
        in_section = _IN_ITS_SECTION * sum(weight(t) for t in asked if t in terms and t in section)  # ranks only
        score += in_section * (1.0 if gives else _WRONG_KIND_FACTOR)
        scored.append(Evidence(passage, unit, score))
    scored.sort(key=lambda e: e.score, reverse=True)
    if not scored or passing < min_score:
        return []
    best = scored[0].score
    chosen: list[Evidence] = []
    for evidence in scored:
        if len(chosen) == limit or evidence.score < 0.75 * best:
            break
        evidence = _with_context(evidence) if chosen else _with_the_asked_value(_with_context(evidence), kinds)
        if not any(_says_the_same(evidence.text, other.text) for other in chosen):  # overlapping chunks
            chosen.append(evidence)
    if len(chosen) == 1 < limit and asks_two_things(question):
        second = _second_part(chosen[0], scored, shares, asked, weight, asked_weight)
        chosen += [_with_context(second)] if second is not None else []
    return chosen


# "What's the match and when does it vest?", "¿… y cuándo …?", "… und wie lange …?": two questions in one.
_TWO_PARTS = re.compile(
    r"\b(?:and|also|plus|as well as|y|e|tambien|und|sowie|auch)\s+(?:(?:if|whether|si|ob)\s+"
    r"|(?:until|till|by|from|since|for|to|in|at|hasta|desde|para|por|en|bis|ab|seit|um|an)\s+)?"
    r"(?:when|where|how|what|who|which|whether|is|are|do|does|can|will|cuando|donde|como|que|cual|cuanto|cuanta|cuantos|quien|wann|wo|wie|was"
    r"|wer|welche[rsnm]?|gibt|bekomme)\b|\?.+\?"
)
_SECOND_SHARE = 0.15  # of the asked weight, what the second unit must add that the first does not cover
_SECOND_FLOOR = 0.4  # of the best score, at least


def asks_two_things(question: str) -> bool:
    return _TWO_PARTS.search(fold(question)) is not None


def _second_part(
    first: Evidence,
    scored: list[Evidence],
    shares: dict[str, float],
    asked: set[str],
    weight: Callable[[str], float],
    asked_weight: float,
) -> Evidence | None:
    """The best unit of the first one's document answering what the first leaves out (a second clause): it must
    cover asked words the first does not hold, even when it scores below the usual share of the best. The floor
    is on its words, before the factors for the kind of value asked: those are the first clause's ("how many
    weeks … and how is it paid?" is answered second by a sentence with no weeks in it)."""
    about_first = _terms_of(first.text) | _heading_terms(first.passage.section)
    missing = {t for t in asked if t not in about_first}
    for evidence in scored[1:]:
        if shares.get(evidence.text, evidence.score) < _SECOND_FLOOR * scored[0].score:
            continue
        if evidence.passage.doc_id != first.passage.doc_id or _says_the_same(evidence.text, first.text):
            continue  # the same document's other part: never a passing mention elsewhere
        about = _terms_of(evidence.text) | _heading_terms(evidence.passage.section)
        if sum(weight(t) for t in missing & about) >= _SECOND_SHARE * asked_weight:
            return evidence
    return None


def _near_a_word_of(term: str, vocabulary: set[str]) -> bool:
    """An inflection or a typo of a word the documents hold ("vaping" beside "vape", "enrol" beside "enrollment"):
    not a topic of its own the documents lack ("weather")."""
    stem = term[:_SHARED_PREFIX]
    return len(term) >= _SHARED_PREFIX and any(word.startswith(stem) for word in vocabulary)


def _says_the_same(one: str, other: str) -> bool:
    a, b = " ".join(one.split()), " ".join(other.split())
    return a in b or b in a


# A sentence that opens by pointing back ("It is paid …", "Dies gilt …") means nothing without the one before; a
# sentence followed by one that points back to it goes on there ("… an allowance. It covers …").
_POINTS_BACK = re.compile(
    r"^(?:it|its|this|that|these|those|they|them|such|es|dies|diese[rsnm]?|das|sie|er|esto|esta|este|estos|estas"
    r"|ello|dicha?o?s?|in (?:this|that) case|in diesem fall|en ese caso)\b",
    re.IGNORECASE,
)


_LIST_ITEMS = 8  # list items quoted after a unit that introduces them with a colon
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+(.+)$")


def _items_after(text: str, unit: str) -> list[str]:
    """The list items (however short) on the lines right after the line that holds `unit`."""
    lines = text.splitlines()
    at = next((n for n, line in enumerate(lines) if unit in _EMPHASIS.sub("", line)), None)
    if at is None:
        return []
    items = (_LIST_ITEM.match(line) for line in lines[at + 1 : at + 1 + _LIST_ITEMS])
    return [_EMPHASIS.sub("", m.group(1)).strip() for m in itertools.takewhile(bool, items) if m]


_NEIGHBOURS = (1, 2, -1)  # where the sentence with the asked value may sit, from the one that names the topic


def _with_the_asked_value(evidence: Evidence, kinds: Collection[str]) -> Evidence:
    """The quoted unit, with the next (or previous) sentence of its passage that holds the kind of value asked when
    it has none itself: "the drug test is done at a clinic" and, next, "the panel covers X, Y and Z"."""
    if not kinds or any(_gives_kind(evidence.text, kind) for kind in kinds):
        return evidence
    units = _units(evidence.passage.text)
    at = next((n for n, unit in enumerate(units) if unit in evidence.text), None)
    if at is None:
        return evidence
    for step in _NEIGHBOURS:
        near = at + step
        if not 0 <= near < len(units) or units[near] in evidence.text:
            continue
        if any(_gives_kind(units[near], kind) for kind in kinds):
            value = _with_context(Evidence(evidence.passage, units[near], evidence.score)).text
            joined = f"{evidence.text} {value}" if step > 0 else f"{value} {evidence.text}"
            return Evidence(evidence.passage, joined, evidence.score)
    return evidence


def _gives_kind(unit: str, kind: str) -> bool:
    return names_a_date(unit) if kind == "date" else has_kind(unit, kind)


def _with_context(evidence: Evidence) -> Evidence:
    units = _units(evidence.passage.text)
    if evidence.text not in units:
        return evidence
    at = units.index(evidence.text)
    text = evidence.text
    if _POINTS_BACK.match(text) and at > 0:
        text = f"{units[at - 1]} {text}"
    if at + 1 < len(units) and _POINTS_BACK.match(units[at + 1]):
        text = f"{text} {units[at + 1]}"
    elif text.endswith(":"):  # "The panel screens for:" and the list items under it
        text = " ".join([text, ", ".join(_items_after(evidence.passage.text, text))]).strip()
    return Evidence(evidence.passage, text, evidence.score)


_GENERIC = word_set(
    "benefit perk package get offer have company overview list available provide give employee tener ofrecen ofrece "
    "hay cuale which"
)


def evidence_by_meaning(passages: list[Passage]) -> list[Evidence]:
    """When no unit shares enough words with the question: the unit closest in meaning, taken only from a passage
    the search found close in meaning as a whole ("can I wear jeans?" → the dress-code passage), never a guess."""
    trusted = [p for p in passages if p.similarity is not None and p.similarity >= RETRIEVAL_TRUST]
    scored = [(meaning, p, unit) for p in trusted for unit, meaning in p.unit_similarity.items()]
    if not scored:
        return []
    meaning, passage, unit = max(scored, key=lambda s: s[0])
    return [Evidence(passage, unit, meaning)] if meaning >= SEMANTIC_FLOOR else []


def closest_in_meaning(passages: list[Passage]) -> list[Evidence]:
    """The unit closest in meaning to the question among `passages` already known to be about what it asks (they
    name its term), when it is close enough to say something: words failed, meaning may still find it."""
    trusted = [p for p in passages if p.similarity is None or p.similarity >= RETRIEVAL_TRUST]
    scored = [(meaning, p, unit) for p in trusted for unit, meaning in p.unit_similarity.items()]
    if not scored:
        return []
    meaning, passage, unit = max(scored, key=lambda s: s[0])
    return [_with_context(Evidence(passage, unit, meaning))] if meaning >= SEMANTIC_FLOOR else []


def is_overview_question(question: str) -> bool:
    """ "What benefits do I get?": nothing more specific than benefits in general."""
    terms = content_terms(question)
    return bool(terms & {"benefit", "perk"}) and terms <= _GENERIC
