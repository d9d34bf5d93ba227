"""The grounding guard: every figure, date and person in generated text must come from the grounding.

Money amounts, percentages, counts (days, weeks, months, years, units), dates, years and large bare numbers are
read from the text after normalising their forms (135k = $135,000 = 135,000 USD; 3 March 2027 = Mar 3 =
2027-03-03; ten percent = 10%) and compared with the same readings of the grounding. Names of people, leaks of
the prompt, unrestored placeholders, injected instructions and promises are rejected too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from app.ai.calculations import CALENDAR_COUNTS, CALENDAR_NUMBERS, MULTIPLIER_PATTERN, MULTIPLIER_PHRASES
from app.ai.dates import find_dates
from app.ai.injection import is_injection
from app.ai.masking import Masker
from app.ai.models import GuardVerdict, Person
from app.ai.numwords import rewrite_number_words
from app.ai.quantities import Quantity, QuantityKind, blank, find_quantities
from app.ai.text import fold, word_set, words

_COUNT_NEAR = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s+(?:[a-z-]+\s+){1,3}?(days?|weeks?|months?|years?|units?|shares?|rsus?|dias|semanas"
    r"|meses|anos)\b"
)
_UNIT_WORDS = {"day": "day", "dia": "day", "week": "week", "semana": "week", "month": "month", "mese": "month"}
_UNIT_WORDS |= {"year": "year", "ano": "year", "unit": "unit", "share": "unit", "rsu": "unit"}
_NAME_SEQUENCE = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:\s+[A-ZÀ-Ý][a-zà-ÿ'’-]+){1,2}\b")
_POSSESSIVE_NAME = re.compile(r"\b([A-ZÀ-Ý][a-zà-ÿ-]+)['’]s\s+(?:salary|offer|pay|bonus|equity|compensation|package)")
_COMMON_CAPITALISED = word_set(
    """
    i hi hello dear best regards thanks thank kind sincerely team hr human resources benefits please note your the
    this that these we you yes no our my a an if when what how where which who for and or but in on at to of with by
    from as it its is are be will can may about here there hola gracias saludos equipo estimado estimada un una el
    la los las tu su sus de del y o en con por para que cual cuando como recursos humanos beneficios monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july august september october
    november december lunes martes miercoles jueves viernes sabado domingo enero febrero marzo abril mayo junio
    julio agosto septiembre octubre noviembre diciembre offer letter salary bonus equity start date paid time off
    pto base sign on relocation vacation health dental vision plan insurance policy summary section document
    handbook guide overview recruiter manager hiring candidate company inc llc ltd corp according also however sure
    great okay unfortunately congratulations welcome aboard good news question happy glad assistant chat ai reminder
    important kindly warm wishes cheers buenas noticias felicidades bienvenida bienvenido
    """
)
_PROMISE = re.compile(
    r"\b(?:i|we) (?:guarantee|promise|approve|have approved|can approve|will approve|will match|can match|accept your)"
    r"\b|\bguaranteed (?:raise|increase|approval|bonus|salary)\b|\byou will (?:get|receive) (?:a|an|the) (?:raise|"
    r"increase|higher)\b|\b(?:your|the) (?:counter|request) (?:is|has been) (?:approved|accepted)\b"
    r"|\b(?:garantizo|garantizamos|aprobado|aprobamos|te lo aseguro)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    kind: str  # money, percent, count, number, date, year
    text: str
    readings: tuple[Decimal, ...] = ()
    currency: str | None = None
    unit: str | None = None
    date_readings: tuple[tuple[int, int | None, int | None], ...] = ()


@dataclass
class Grounding:
    """The normalised figures, dates and vocabulary an answer may use."""

    money: set[tuple[Decimal, str | None]] = field(default_factory=set)
    numbers: set[Decimal] = field(default_factory=set)  # every value, whatever its kind
    bare: set[Decimal] = field(default_factory=set)  # values written without a currency, unit or percent sign
    percents: set[Decimal] = field(default_factory=set)
    counts: set[tuple[Decimal, str]] = field(default_factory=set)
    dates: set[tuple[int, int | None, int | None]] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    vocabulary: set[str] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)

    @classmethod
    def from_texts(
        cls, texts: Iterable[str], *, people: Iterable[Person] = (), dollar_currency: str = "USD"
    ) -> Grounding:
        grounding = cls()
        for text in texts:
            grounding.add_text(text, dollar_currency=dollar_currency)
        for person in people:
            grounding.vocabulary.update(words(" ".join([person.display_name, *person.name_parts])))
        return grounding

    def add_text(self, text: str, *, dollar_currency: str = "USD") -> None:
        self.texts.append(fold(text))
        self.vocabulary.update(words(text))
        for claim in extract_claims(text, dollar_currency=dollar_currency, include_small=True):
            self._add_claim(claim)
        for match in _COUNT_NEAR.finditer(fold(rewrite_number_words(text))):
            unit = _UNIT_WORDS.get(match.group(2).rstrip("s"), "")
            if unit:
                self.counts.add((Decimal(match.group(1).replace(",", ".")), unit))
        for phrase in MULTIPLIER_PATTERN.finditer(fold(text)):  # "time and a half" grounds a formula's "× 1.5"
            self.numbers.add(MULTIPLIER_PHRASES[phrase.group(0)])

    def add_money(self, amount: Decimal, currency: str | None) -> None:
        self.money.add((amount, currency))
        self.numbers.add(amount)

    def add_count(self, value: Decimal | int, unit: str) -> None:
        self.counts.add((Decimal(value), unit))
        self.numbers.add(Decimal(value))

    def _add_claim(self, claim: Claim) -> None:
        if claim.kind == "date":
            self.dates.update(claim.date_readings)
            self.years.update(y for _, _, y in claim.date_readings if y is not None)
            return
        for value in claim.readings:
            self.numbers.add(value)
            if claim.kind == "money":
                self.money.add((value, claim.currency))
            elif claim.kind == "percent":
                self.percents.add(value)
            elif claim.kind == "count" and claim.unit:
                self.counts.add((value, claim.unit))
            elif claim.kind == "year":
                self.years.add(int(value))
            elif claim.kind == "number":
                self.bare.add(value)

    # -- support ------------------------------------------------------------------------------------------------

    def supports(self, claim: Claim) -> bool:
        match claim.kind:
            case "money":
                return any(self._supports_money(v, claim.currency) for v in claim.readings)
            case "percent":
                return any(v in self.percents for v in claim.readings)
            case "count":
                return any((v, claim.unit or "") in self.counts for v in claim.readings)
            case "number":
                return any(v in self.numbers for v in claim.readings)
            case "year":
                return any(int(v) in self.years for v in claim.readings)
            case _:
                return any(self._supports_date(r) for r in claim.date_readings)

    def supports_money(self, value: Decimal, currency: str | None) -> bool:
        return self._supports_money(value, currency)

    def _supports_money(self, value: Decimal, currency: str | None) -> bool:
        if currency is None:
            return value in self.numbers
        # the same amount in the same currency, or stated in the grounding without any currency
        return (value, currency) in self.money or (value, None) in self.money or value in self.bare

    def _supports_date(self, reading: tuple[int, int | None, int | None]) -> bool:
        month, day, year = reading
        for g_month, g_day, g_year in self.dates:
            if g_month != month:
                continue
            same_day = day is None or g_day == day
            same_year = year is None or g_year is None or g_year == year
            if same_day and same_year:
                return True
        return False


def extract_claims(text: str, *, dollar_currency: str = "USD", include_small: bool = False) -> list[Claim]:
    """The checkable items of a text: money, percentages, counts, dates, years and large bare numbers."""
    rewritten = rewrite_number_words(text)
    mentions = find_dates(rewritten)
    claims = [Claim("date", rewritten[m.start : m.end], date_readings=m.readings) for m in mentions]
    searchable = blank(rewritten, [(m.start, m.end) for m in mentions])
    for q in find_quantities(searchable, dollar_currency=dollar_currency, rewrite_words=False).items:
        shown = rewritten[q.start : q.end]
        if q.kind is QuantityKind.NUMBER:
            if q.is_year_like:
                claims.append(Claim("year", shown, q.readings))
            elif include_small or q.value >= 1000:
                claims.append(Claim("number", shown, q.readings))
            continue
        claims.append(Claim(q.kind.value, shown, q.readings, currency=q.currency, unit=q.unit))
    return claims


# Between two figures of a formula: a few words (a unit, "per hour") and one operator.
_FORMULA_GAP = re.compile(r"^\s*(?:[^\W\d]+\s+){0,3}?([×x*÷/+=])\s*$")
_OPERATOR = {"×": "×", "x": "×", "*": "×", "÷": "÷", "/": "÷", "+": "+", "=": "="}


def computed_figures(text: str, grounding: Grounding, *, dollar_currency: str = "USD") -> set[str]:
    """The figures of `text` that a written-out formula proves: each result of "a × b ÷ c = r" whose arithmetic is
    right and whose inputs the grounding holds (or calendar constants: 12 months, 52 weeks), and those constants.

    A result is only ever accepted with its formula beside it; an earlier verified result may feed a later one."""
    rewritten = rewrite_number_words(text)
    searchable = blank(rewritten, [(m.start, m.end) for m in find_dates(rewritten)])
    found = find_quantities(searchable, dollar_currency=dollar_currency, rewrite_words=False).items
    accepted: set[str] = set()
    proven: set[Decimal] = set()
    operands: list[Quantity] = []
    operators: list[str] = []
    for left, right in pairwise(found):
        gap = _FORMULA_GAP.match(searchable[left.end : right.start])
        if not operands:
            operands = [left]
        if gap is None:
            operands, operators = [], []
            continue
        operator = _OPERATOR[gap.group(1)]
        if operator != "=":
            operands.append(right)
            operators.append(operator)
            continue
        if operators and _formula_holds(operands, operators, right, grounding, proven):
            proven.update(right.readings)
            accepted.add(rewritten[right.start : right.end])
            accepted.update(rewritten[q.start : q.end] for q in operands if _calendar(q))
        operands, operators = [], []
    return accepted


def _calendar(quantity: Quantity) -> bool:
    if quantity.kind is QuantityKind.COUNT:
        return (quantity.value, quantity.unit) in CALENDAR_COUNTS
    return quantity.kind is QuantityKind.NUMBER and quantity.value in CALENDAR_NUMBERS


def _formula_holds(
    operands: list[Quantity], operators: list[str], result: Quantity, grounding: Grounding, proven: set[Decimal]
) -> bool:
    if result.kind not in (QuantityKind.MONEY, QuantityKind.NUMBER):
        return False
    if not all(_input_grounded(q, grounding, proven) for q in operands):
        return False
    value = _as_factor(operands[0])
    for operator, operand in zip(operators, operands[1:], strict=True):
        other = _as_factor(operand)
        if operator == "÷" and other == 0:
            return False
        value = value * other if operator == "×" else value / other if operator == "÷" else value + other
    return any(abs(value - shown) <= _tolerance(shown) for shown in result.readings)


def _as_factor(quantity: Quantity) -> Decimal:
    return quantity.value / 100 if quantity.kind is QuantityKind.PERCENT else quantity.value


def _tolerance(shown: Decimal) -> Decimal:
    """Half a unit of the last digit shown: "$70.13" is right for 70.125, "€42,000" for 41,999.6."""
    exponent = shown.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(5) * Decimal(10) ** -(places + 1) + Decimal("0.000001")


def _input_grounded(quantity: Quantity, grounding: Grounding, proven: set[Decimal]) -> bool:
    if any(v in proven for v in quantity.readings) or _calendar(quantity):
        return True
    kind = quantity.kind
    if kind is QuantityKind.MONEY:
        return any(grounding.supports_money(v, quantity.currency) for v in quantity.readings)
    if kind is QuantityKind.PERCENT:
        return any(v in grounding.percents for v in quantity.readings)
    if kind is QuantityKind.COUNT:
        return any((v, quantity.unit or "") in grounding.counts or v in grounding.numbers for v in quantity.readings)
    return any(v in grounding.numbers for v in quantity.readings)


def _unknown_people(text: str, grounding: Grounding) -> list[str]:
    found = []
    for match in [*_NAME_SEQUENCE.finditer(text), *_POSSESSIVE_NAME.finditer(text)]:
        name = match.group(1) if match.re is _POSSESSIVE_NAME else match.group(0)
        tokens = words(name)
        strangers = [t for t in tokens if t not in grounding.vocabulary and t not in _COMMON_CAPITALISED]
        if strangers and (len(tokens) > 1 or match.re is _POSSESSIVE_NAME):
            found.append(name)
    return list(dict.fromkeys(found))


def _leaks_prompt(text: str, secrets: Iterable[str]) -> bool:
    reply = " ".join(words(text))
    for secret in secrets:
        secret_words = words(secret)
        for i in range(0, max(0, len(secret_words) - 8) + 1, 4):
            window = " ".join(secret_words[i : i + 8])
            if len(window.split()) == 8 and window in reply:
                return True
    return False


def check(
    text: str,
    grounding: Grounding,
    *,
    dollar_currency: str = "USD",
    masker: Masker | None = None,
    secrets: Iterable[str] = (),
    boundary: str | None = None,
) -> GuardVerdict:
    """Passed when every claim in `text` is supported and nothing forbidden shows; else rejected with reasons."""
    unsupported, reasons = [], []
    computed = computed_figures(text, grounding, dollar_currency=dollar_currency)
    for claim in extract_claims(text, dollar_currency=dollar_currency):
        if claim.text not in computed and not grounding.supports(claim):
            unsupported.append(f"{claim.kind}:{claim.text}")
            reasons.append(claim.kind)
    for name in _unknown_people(text, grounding):
        unsupported.append(f"person:{name}")
        reasons.append("person")
    if masker is not None and (leftover := masker.unknown_placeholders(text)):
        unsupported += [f"placeholder:{p}" for p in leftover]
        reasons.append("placeholder")
    if (boundary and boundary in text) or _leaks_prompt(text, secrets):
        unsupported.append("prompt_leak")
        reasons.append("prompt_leak")
    if is_injection(text):
        unsupported.append("instruction_in_output")
        reasons.append("injection")
    promise = _PROMISE.search(text)
    if promise and not any(fold(promise.group(0)) in t for t in grounding.texts):
        unsupported.append(f"promise:{promise.group(0)}")
        reasons.append("promise")
    if unsupported:
        return GuardVerdict(status="rejected", unsupported=unsupported, reasons=list(dict.fromkeys(reasons)))
    return GuardVerdict(status="passed")
