"""A small audited calculator: figures derived from the candidate's own offer values and a quoted rule's factor.

Every result carries the operands it used (each with where it comes from: an offer field or a document sentence)
and its formula written out ("$46.75 × 1.5 = $70.13 per hour"), so the candidate, the audit trail and the
grounding guard can all check it. Nothing here reads a figure from anywhere else: an input that is missing means
no result, never an estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from app.ai.numwords import rewrite_number_words
from app.ai.quantities import QuantityKind, find_quantities, format_money, format_number, format_percent
from app.ai.text import fold, sentences
from offer_engine.catalogue import BASIS_WORDS
from offer_engine.terms import PayPeriod

CENT = Decimal("0.01")
WEEKS_A_YEAR = Decimal(52)
MONTHS_A_YEAR = Decimal(12)
FORTNIGHTS_A_YEAR = Decimal(26)
# Calendar constants a formula may use without a source (facts of the calendar, not of an offer), with their units:
# a bare "× 2" is never one, so it cannot pass for a rule's "double time".
CALENDAR_COUNTS = frozenset({(MONTHS_A_YEAR, "month"), (WEEKS_A_YEAR, "week"), (Decimal(2), "week")})
CALENDAR_NUMBERS = frozenset({FORTNIGHTS_A_YEAR})


class Period(StrEnum):
    """A pay period a candidate may ask about: the offer's pay bases plus a fortnight."""

    HOUR = "hour"
    WEEK = "week"
    FORTNIGHT = "fortnight"
    MONTH = "month"
    YEAR = "year"


class CalculationKind(StrEnum):
    PAY_PERIOD = "pay_period"  # base pay in another period
    PERCENT_OF_PAY = "percent_of_pay"  # a percentage term (or a rule's percentage) of the base pay
    RATE_OVER_PERIOD = "rate_over_period"  # an allowance per period × the periods
    RULE_MULTIPLIER = "rule_multiplier"  # a rule's multiplier × the base rate ("time and a half")
    RATE_PLUS = "rate_plus"  # base rate + a per-hour differential
    PRO_RATA = "pro_rata"  # an amount × months left ÷ the rule's period
    PER_DAY = "per_day"  # a rule's amount per day × the offer's days (rostered days, travel days)


_PERIOD_WORDS = {
    "en": {Period.FORTNIGHT: "per fortnight"},
    "es": {Period.FORTNIGHT: "por quincena"},
    "de": {Period.FORTNIGHT: "vierzehntäglich"},
}
_UNIT_WORDS = {
    "en": {"hours": "hours", "weeks": "weeks", "months": "months", "days": "days"},
    "es": {"hours": "horas", "weeks": "semanas", "months": "meses", "days": "días"},
    "de": {"hours": "Stunden", "weeks": "Wochen", "months": "Monate", "days": "Tage"},
}


def period_words(period: Period, language: str) -> str:
    """How a figure's period is written after it ("per week", "a la semana", "pro Woche")."""
    lang = language if language in BASIS_WORDS else "en"
    if period is Period.FORTNIGHT:
        return _PERIOD_WORDS[lang][period]
    return BASIS_WORDS[lang][PayPeriod(period.value)]


@dataclass(frozen=True)
class Money:
    """The offer's currency and how its amounts are written for this candidate."""

    currency: str
    language: str
    country: str | None = None

    def show(self, amount: Decimal) -> str:
        return format_money(amount, self.currency, self.language, self.country)


@dataclass(frozen=True)
class Operand:
    value: Decimal
    shown: str  # as the formula writes it: "$46.75", "38 hours", "150%", "1.5"
    source: str  # the offer field ("offer:base_salary"), the document ("policy#Overtime") or "calendar"
    percent: bool = False  # a percentage: it counts as value / 100


@dataclass(frozen=True)
class Calculation:
    kind: CalculationKind
    operands: tuple[Operand, ...]
    operators: tuple[str, ...]  # between the operands: "×", "÷", "+"
    result: Decimal
    result_shown: str  # "$1,776.50 per week"
    label: str  # what was calculated, in the candidate's language ("Base pay per week", "Overtime rate")
    rule: str | None = None  # the quoted sentence a factor comes from, if any

    @property
    def formula(self) -> str:
        parts = [self.operands[0].shown]
        for operator, operand in zip(self.operators, self.operands[1:], strict=True):
            parts += [operator, operand.shown]
        return f"{' '.join(parts)} = {self.result_shown}"

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(o.source for o in self.operands if o.source != "calendar"))

    def record(self) -> dict[str, object]:
        """What the audit trail keeps of a computed figure: its formula and where each input comes from."""
        return {"kind": self.kind.value, "formula": self.formula, "sources": self.sources, "rule": self.rule}


def evaluate(operands: tuple[Operand, ...], operators: tuple[str, ...]) -> Decimal:
    """Left to right, as the formula reads (every formula here is written so that this is its meaning)."""
    value = _operand_value(operands[0])
    for operator, operand in zip(operators, operands[1:], strict=True):
        other = _operand_value(operand)
        if operator == "×":
            value *= other
        elif operator == "÷":
            value /= other
        elif operator == "+":
            value += other
        else:
            raise ValueError(f"unknown operator {operator!r}")
    return value


def _operand_value(operand: Operand) -> Decimal:
    return operand.value / 100 if operand.percent else operand.value


def _round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _calculation(
    kind: CalculationKind, operands: list[Operand], operators: list[str], money: Money, suffix: str, label: str,
    rule: str | None = None,
) -> Calculation:  # fmt: skip
    result = _round_money(evaluate(tuple(operands), tuple(operators)))
    shown = f"{money.show(result)} {suffix}".strip()
    return Calculation(kind, tuple(operands), tuple(operators), result, shown, label, rule)


def _count(value: Decimal, unit: str, language: str, source: str = "calendar") -> Operand:
    lang = language if language in _UNIT_WORDS else "en"
    return Operand(value, f"{format_number(value, lang)} {_UNIT_WORDS[lang][unit]}", source)


def _number(value: Decimal, language: str, source: str) -> Operand:
    return Operand(value, format_number(value, language if language in _UNIT_WORDS else "en"), source)


# -- base pay in another period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayBasis:
    """The candidate's base pay and what their offer says about it (nothing else may enter a pay calculation)."""

    amount: Decimal
    period: PayPeriod
    source: str  # the offer field of base pay
    hours_per_week: Decimal | None = None
    hours_source: str = "offer:hours_per_week"
    payments_per_year: Decimal | None = None
    payments_source: str = "offer:payments_per_year"
    annual_equivalent: bool = False  # the tenant enables an annual equivalent of an hourly or weekly rate


def _annual_steps(pay: PayBasis, money: Money) -> tuple[list[Operand], list[str]] | None:
    """Operands and operators that make the base pay a yearly figure, where the offer's data supports it."""
    base = Operand(pay.amount, money.show(pay.amount), pay.source)
    lang = money.language
    match pay.period:
        case PayPeriod.YEAR:
            return [base], []
        case PayPeriod.MONTH:
            if pay.payments_per_year and pay.payments_per_year > 0:
                return [base, _number(pay.payments_per_year, lang, pay.payments_source)], ["×"]
            if pay.annual_equivalent:
                return [base, _count(MONTHS_A_YEAR, "months", lang)], ["×"]
            return None
        case PayPeriod.WEEK:
            return ([base, _count(WEEKS_A_YEAR, "weeks", lang)], ["×"]) if pay.annual_equivalent else None
        case PayPeriod.HOUR:
            if pay.hours_per_week is None or pay.hours_per_week <= 0 or not pay.annual_equivalent:
                return None
            hours = _count(pay.hours_per_week, "hours", lang, pay.hours_source)
            return [base, hours, _count(WEEKS_A_YEAR, "weeks", lang)], ["×", "×"]
    return None  # pragma: no cover - every PayPeriod is matched above


def pay_in_period(pay: PayBasis, wanted: Period, money: Money, label: str) -> Calculation | None:
    """Base pay for `wanted` (hour, week, fortnight, month, year), or None when the offer's data does not give it.

    Hours a week turn a rate into a week's pay; a year from an hourly or weekly rate also needs the tenant to enable
    annual equivalents; a monthly salary makes a year only with its payments a year (14 in Spain) or that setting.
    """
    if wanted.value == pay.period.value:
        return None
    lang = money.language
    base = Operand(pay.amount, money.show(pay.amount), pay.source)
    known_hours = pay.hours_per_week is not None and pay.hours_per_week > 0
    hours = _count(pay.hours_per_week, "hours", lang, pay.hours_source) if known_hours and pay.hours_per_week else None
    suffix = period_words(wanted, lang)
    kind = CalculationKind.PAY_PERIOD

    def make(operands: list[Operand], operators: list[str]) -> Calculation:
        return _calculation(kind, operands, operators, money, suffix, label)

    short = _short_period(pay, base, hours, wanted, lang)
    if short is not None:
        return make(*short)
    annual = _annual_steps(pay, money)
    if annual is None:
        return None
    operands, operators = annual
    match wanted:
        case Period.YEAR:
            return make(operands, operators)
        case Period.MONTH:
            yearly = pay.period is PayPeriod.YEAR and pay.payments_per_year and pay.payments_per_year > 0
            divisor = pay.payments_per_year if yearly else None
            months = _number(divisor, lang, pay.payments_source) if divisor else _count(MONTHS_A_YEAR, "months", lang)
            return make([*operands, months], [*operators, "÷"])
        case Period.FORTNIGHT:
            return make([*operands, _number(FORTNIGHTS_A_YEAR, lang, "calendar")], [*operators, "÷"])
        case Period.WEEK:
            return make([*operands, _count(WEEKS_A_YEAR, "weeks", lang)], [*operators, "÷"])
        case Period.HOUR:
            if hours is None:
                return None
            return make([*operands, _count(WEEKS_A_YEAR, "weeks", lang), hours], [*operators, "÷", "÷"])
    return None  # pragma: no cover


def _short_period(
    pay: PayBasis, base: Operand, hours: Operand | None, wanted: Period, lang: str
) -> tuple[list[Operand], list[str]] | None:
    """Hour, week and fortnight from an hourly or weekly rate: they need no annual equivalent."""
    two = _count(Decimal(2), "weeks", lang)
    if pay.period is PayPeriod.HOUR and hours is not None:
        if wanted is Period.WEEK:
            return [base, hours], ["×"]
        if wanted is Period.FORTNIGHT:
            return [base, hours, two], ["×", "×"]
    if pay.period is PayPeriod.WEEK:
        if wanted is Period.FORTNIGHT:
            return [base, two], ["×"]
        if wanted is Period.HOUR and hours is not None:
            return [base, hours], ["÷"]
    return None


# -- terms of the offer --------------------------------------------------------------------------------------------


def percent_of_pay(
    percent: Decimal, percent_source: str, pay: PayBasis, money: Money, label: str, *, monthly: bool = False,
    rule: str | None = None, base: Period = Period.YEAR,
) -> Calculation | None:  # fmt: skip
    """A percentage of the base pay as an amount: of the year's pay (or of one month's where asked), or, when the
    percentage is of ONE monthly salary (`base`), of one month's pay, once."""
    rate = Operand(percent, format_percent(percent), percent_source, percent=True)
    if base is Period.HOUR:
        return _percent_of_the_rate(rate, pay, money, label, rule)
    if base is Period.MONTH:
        return _percent_of_a_month(rate, pay, money, label, rule)
    if monthly and pay.period is PayPeriod.MONTH:
        amount = Operand(pay.amount, money.show(pay.amount), pay.source)
        return _calculation(
            CalculationKind.PERCENT_OF_PAY, [rate, amount], ["×"], money, period_words(Period.MONTH, money.language),
            label, rule,
        )  # fmt: skip
    annual = _annual_steps(pay, money)
    if annual is None:
        return None
    operands, operators = annual
    return _calculation(
        CalculationKind.PERCENT_OF_PAY, [rate, *operands], ["×", *operators], money,
        period_words(Period.YEAR, money.language), label, rule,
    )  # fmt: skip


def _percent_of_the_rate(
    rate: Operand, pay: PayBasis, money: Money, label: str, rule: str | None
) -> Calculation | None:
    """P% of an hourly rate (a weekend or night premium), per hour; only for pay by the hour."""
    if pay.period is not PayPeriod.HOUR:
        return None
    amount = Operand(pay.amount, money.show(pay.amount), pay.source)
    suffix = period_words(Period.HOUR, money.language)
    return _calculation(CalculationKind.PERCENT_OF_PAY, [rate, amount], ["×"], money, suffix, label, rule)


def _percent_of_a_month(rate: Operand, pay: PayBasis, money: Money, label: str, rule: str | None) -> Calculation | None:
    """P% of one monthly salary: of the monthly pay itself, or of a yearly salary divided into its payments (its
    linked payments a year, else the calendar's 12 months); never from an hourly or weekly rate."""
    amount = Operand(pay.amount, money.show(pay.amount), pay.source)
    if pay.period is PayPeriod.MONTH:
        return _calculation(CalculationKind.PERCENT_OF_PAY, [rate, amount], ["×"], money, "", label, rule)
    if pay.period is not PayPeriod.YEAR:
        return None
    lang = money.language
    payments = pay.payments_per_year if pay.payments_per_year and pay.payments_per_year > 0 else None
    divisor = _number(payments, lang, pay.payments_source) if payments else _count(MONTHS_A_YEAR, "months", lang)
    return _calculation(CalculationKind.PERCENT_OF_PAY, [rate, amount, divisor], ["×", "÷"], money, "", label, rule)


# The pay a percentage is of, as a rule words it: one monthly salary ("80% of one monthly base salary", "80 % eines
# Monatsgehalts", "el 80 % de un salario mensual") or the year's ("5% of annual base salary", "5 % des
# Jahresgehalts"). Only right after the percentage: "paid with your monthly salary" says when, not of what. On folded
# text.
_SHARE = r"(?:%|\bpercent\w*|\bper cent|\bporcentaje|\bpor ciento|\bprozent\w*)\s*(?:of|des|eines|de|del|vom|von)\s+"
_MONTHLY_PAY = (
    r"(?:(?:one|a|1|the|each|your) month'?s? (?:\w+ )?(?:salary|pay|wage|earnings)"
    r"|(?:\w+ ){0,2}monthly (?:\w+ ){0,2}(?:salary|pay|wage|earnings)"
    r"|(?:\w+ ){0,2}\w*monats(?:grund)?(?:gehalt|lohn|entgelt|bezug|verdienst)\w*"
    r"|(?:\w+ ){0,2}monatlich\w* (?:\w+ )?(?:gehalt|lohn|entgelt|bezug|grundgehalt)\w*"
    r"|(?:\w+ ){0,2}(?:salario|sueldo|paga|retribucion)s? (?:\w+ ){0,2}mensual\w*|(?:\w+ ){0,2}mensualidad\w*)"
)
_ANNUAL_PAY = (
    r"(?:(?:\w+ ){0,2}(?:annual|yearly) (?:\w+ ){0,2}(?:salary|pay|wage|earnings|compensation)"
    r"|(?:\w+ ){0,2}\w*jahres(?:gehalt|lohn|entgelt|einkommen|verdienst|vergutung|bezug)\w*"
    r"|(?:\w+ ){0,2}(?:salario|sueldo|retribucion)s? (?:\w+ ){0,2}anual\w*)"
)
_MONTHLY_BASE = re.compile(_SHARE + _MONTHLY_PAY)
_ANNUAL_BASE = re.compile(_SHARE + _ANNUAL_PAY)


_HOURLY_PAY = (
    r"(?:(?:\w+ ){0,2}(?:hourly|hour'?s) (?:\w+ )?(?:rate|pay|wage)"
    r"|(?:\w+ ){0,2}(?:rate|pay|wage) (?:per|an|for each) hour"
    r"|(?:\w+ ){0,2}(?:salario|sueldo|tarifa|valor|precio) (?:\w+ )?(?:por|de la) hora|(?:\w+ ){0,2}\w*stunden(?:lohn"
    r"|satz|entgelt|verdienst|vergutung)\w*)"
)
# A premium is also said to be "on" or "above" the hourly rate ("a 25% premium on the base hourly rate").
_SHARE_ON = (
    r"(?:%|\bpercent\w*|\bper cent|\bpor ciento|\bprozent\w*)\s*(?:\w+\s+){0,2}"
    r"(?:of|on|above|over|de|del|sobre|auf|uber|zum|des|vom)\s+"
)
_HOURLY_BASE = re.compile(_SHARE_ON + _HOURLY_PAY)


def pay_base_in(sentence: str) -> Period | None:
    """The pay a rule's percentage is of: HOUR (the hourly rate), MONTH (one monthly salary), YEAR (the annual
    salary), or None when the sentence says none or several."""
    folded = fold(sentence)
    if _HOURLY_BASE.search(folded) and not (_MONTHLY_BASE.search(folded) or _ANNUAL_BASE.search(folded)):
        return Period.HOUR
    monthly, annual = bool(_MONTHLY_BASE.search(folded)), bool(_ANNUAL_BASE.search(folded))
    if monthly == annual:
        return None
    return Period.MONTH if monthly else Period.YEAR


_SHARE_OF_PAY = re.compile(
    r"(?:%|\bpercent|\bper cent|\bpor ciento|\bprozent)\s*(?:of|del?|des|vom|von)\s+(?:\w+\s+){0,3}"
    r"(?:salary|salaries|pay|earnings|wages?|compensation|salario|sueldo|retribucion|\w*gehalt\w*|\w*lohn\w*"
    r"|\w*entgelt\w*|verdienst\w*|\w*vergutung)\b"
)


def states_share_of_pay(sentence: str) -> bool:
    """The sentence gives a percentage of one's pay ("5% of base salary", "5 % des Gehalts"): a recurring share,
    the same whatever the period, so an amount of the year's pay."""
    return bool(_SHARE_OF_PAY.search(fold(sentence)))


# A policy's worked example: an imaginary employee with amounts of their own, never the candidate's figures or rule.
# It opens the sentence ("For example, …", "Beispiel: …", "Por ejemplo, …") or brings in an imaginary person ("…, e.g.
# an employee who …"); a rule that only names examples of a thing ("public holidays, e.g. Christmas") is no example.
_EXAMPLE_MARK = (
    r"(?:for (?:example|instance)|e\.\s?g\.|example|suppose|imagine|say you|let'?s say|zum beispiel|z\.\s?b\."
    r"|beispiel|beispielsweise|angenommen|nehmen wir an|por ejemplo|p\.\s?ej\.|ejemplo|supongamos|imaginemos"
    r"|pongamos que)"
)
_EXAMPLE_OPENING = re.compile(rf"^\W*{_EXAMPLE_MARK}\b")
_IMAGINARY_PERSON = re.compile(
    rf"\b{_EXAMPLE_MARK}\W+(?:if |wenn |si )?(?:an?|one|un|una|ein|eine[mr]?) (?:\w+ )?(?:employee|person|colleague"
    r"|worker|staff member|member of staff|hire|empleado|empleada|persona|trabajador\w*|mitarbeiter\w*"
    r"|beschaftigte\w*|kollege|kollegin|person)\b"
)


def is_example(sentence: str) -> bool:
    """The sentence is a worked example ("For example, an employee who leaves after 8 months…", "Beispiel: …")."""
    folded = fold(sentence)
    return bool(_EXAMPLE_OPENING.search(folded) or _IMAGINARY_PERSON.search(folded))


def without_examples(text: str) -> str:
    """A quoted passage without its worked-example sentences: what is left is the rule itself."""
    return " ".join(s for s in sentences(text) if not is_example(s))


def rate_over_period(
    amount: Decimal, basis: PayPeriod, source: str, wanted: Period, money: Money, label: str
) -> Calculation | None:
    """An allowance per month or week over a longer period (a year; a month from a weekly one is not exact)."""
    lang = money.language
    rate = Operand(amount, money.show(amount), source)
    suffix = period_words(wanted, lang)
    if wanted is Period.YEAR and basis is PayPeriod.MONTH:
        return _calculation(
            CalculationKind.RATE_OVER_PERIOD, [rate, _count(MONTHS_A_YEAR, "months", lang)], ["×"], money, suffix, label
        )
    if wanted is Period.YEAR and basis is PayPeriod.WEEK:
        return _calculation(
            CalculationKind.RATE_OVER_PERIOD, [rate, _count(WEEKS_A_YEAR, "weeks", lang)], ["×"], money, suffix, label
        )
    if wanted is Period.FORTNIGHT and basis is PayPeriod.WEEK:
        two = _count(Decimal(2), "weeks", lang)
        return _calculation(CalculationKind.RATE_OVER_PERIOD, [rate, two], ["×"], money, suffix, label)
    return None


def rate_plus(
    base: Decimal, base_source: str, addition: Decimal, addition_source: str, money: Money, label: str
) -> Calculation:
    """An hourly rate with a per-hour differential on top."""
    operands = [Operand(base, money.show(base), base_source), Operand(addition, money.show(addition), addition_source)]
    return _calculation(
        CalculationKind.RATE_PLUS, operands, ["+"], money, period_words(Period.HOUR, money.language), label
    )


# -- a factor a document states -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    value: Decimal
    shown: str  # as the formula writes it: "1.5" for "time and a half", "150%" for "150 %"
    percent: bool


# Multipliers written in words: the guard reads the same phrases as the numbers they stand for.
MULTIPLIER_PHRASES: dict[str, Decimal] = {
    "time and a half": Decimal("1.5"), "time-and-a-half": Decimal("1.5"), "1 and a half times": Decimal("1.5"),
    "double time": Decimal(2), "double-time": Decimal(2), "triple time": Decimal(3), "double pay": Decimal(2),
    "tiempo y medio": Decimal("1.5"), "doble": Decimal(2), "eineinhalbfach": Decimal("1.5"),
    "anderthalbfach": Decimal("1.5"), "doppelt": Decimal(2), "one and one-half times": Decimal("1.5"),
    "one and one half times": Decimal("1.5"), "one and a half times": Decimal("1.5"),
    "one-and-a-half times": Decimal("1.5"), "time and one-half": Decimal("1.5"), "time and one half": Decimal("1.5"),
    "time-and-one-half": Decimal("1.5"), "vez y media": Decimal("1.5"), "tiempo doble": Decimal(2),
    "1,5-fach": Decimal("1.5"), "1.5-fach": Decimal("1.5"), "zweifach": Decimal(2),
}  # fmt: skip
_PHRASE_ALT = "|".join(re.escape(p) for p in sorted(MULTIPLIER_PHRASES, key=len, reverse=True))
MULTIPLIER_PATTERN = re.compile(rf"\b(?:{_PHRASE_ALT})")
_TIMES = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?(?:×|x\b|times\b|veces\b|-?fach\w*)", re.IGNORECASE)


# A rule in tiers ("125% for the first two hours, 150% thereafter"), not a choice of rates ("125% or 150% depending
# on the day").
_TIERED = re.compile(
    r"\b(?:first|thereafter|after that|beyond|above|subsequent|additional|primeras?|a partir de|siguientes|ersten"
    r"|danach|ab der|daruber hinaus)\b"
)
_ALTERNATIVES = re.compile(r"\b(?:or|depending|o|segun|oder|je nach)\b")


def multiplier_in(sentence: str) -> Factor | None:
    """The multiplier a rule states ("time and a half", "1.5×", "150 %" of the rate), or None.

    A percentage counts as a multiplier only from 100 % up: "125 % of the hourly rate"; a smaller one is a share
    (`percent_in`)."""
    folded = fold(sentence)
    phrase = MULTIPLIER_PATTERN.search(folded)
    if phrase:
        value = MULTIPLIER_PHRASES[phrase.group(0)]
        return Factor(value, format_number(value), percent=False)
    times = _TIMES.search(folded)
    if times:
        value = Decimal(times.group(1).replace(",", "."))
        return Factor(value, format_number(value), percent=False) if Decimal(1) < value <= 5 else None
    percents = [q.value for q in find_quantities(sentence).items if q.kind is QuantityKind.PERCENT]
    big = [p for p in percents if Decimal(100) < p <= 500]
    if len(big) == 1 or (big and _TIERED.search(folded) and not _ALTERNATIVES.search(folded)):
        return Factor(big[0], format_percent(big[0]), percent=True)  # a tiered rule's first tier comes first
    return None


def percent_in(sentence: str) -> Decimal | None:
    """The one share of pay below 100 % a rule states ("matches 5% of base salary"), or None when it states none
    or several (which one applies is then not for a calculator to choose)."""
    percents = {q.value for q in find_quantities(sentence).items if q.kind is QuantityKind.PERCENT}
    small = [p for p in percents if Decimal(0) < p < 100]
    return small[0] if len(small) == 1 else None


def rule_multiplier(
    rate: Decimal, source: str, factor: Factor, rule_source: str, rule: str, money: Money, label: str
) -> Calculation:
    operands = [
        Operand(rate, money.show(rate), source), Operand(factor.value, factor.shown, rule_source, factor.percent)
    ]  # fmt: skip
    return _calculation(
        CalculationKind.RULE_MULTIPLIER, operands, ["×"], money, period_words(Period.HOUR, money.language), label, rule
    )


_PER_DAY = re.compile(
    r"^\s*(?:(?:per|a|an|each|every|for each|por|al|pro|je)\s+)(?:(?:rostered|working|shift|travel|calendar|"
    r"dia|de)\s+)?(?:day|dia|tag|arbeitstag|shift|turno|schicht)\b"
)


def per_day_amount(sentence: str, currency: str) -> Decimal | None:
    """The one amount in the offer's currency a rule pays per day ("€25 per rostered day", "25 € pro Tag")."""
    folded = fold(sentence)
    found = find_quantities(folded, dollar_currency=currency if currency.endswith("D") else "USD")
    amounts = {
        q.value for q in found.items
        if q.kind is QuantityKind.MONEY and q.currency in (currency, None) and _PER_DAY.match(found.text[q.end :])
    }  # fmt: skip
    return amounts.pop() if len(amounts) == 1 else None


# A roster's days on ("14 on / 7 off", "8 days on, 6 days off", "2/1 weeks", "14 días de trabajo", "14 Tage Dienst").
_DAYS_ON = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,2})\s*(?P<unit>days?|weeks?|dias?|semanas?|tage?|wochen?)?\s*"
    r"(?:on\b|in\b|de trabajo\b|trabajados\b|(?:im )?dienst\b|arbeit\w*|einsatz\w*|/|:|x\b|-|por\b)"
)


def days_on(roster: str) -> Decimal | None:
    """The days worked in one roster cycle its description states ("14 on / 7 off" → 14, "2 weeks on" → 14)."""
    match = _DAYS_ON.search(fold(roster))
    if match is None:
        return None
    unit = match.group("unit") or "day"
    weeks = unit.startswith(("week", "semana", "woche"))
    value = Decimal(match.group("n")) * (7 if weeks else 1)
    return value if 0 < value <= 42 else None


def per_day(
    amount: Decimal, rule_source: str, days: Decimal, days_source: str, rule: str, money: Money, label: str
) -> Calculation:
    """A rule's daily amount over the candidate's own days."""
    operands = [Operand(amount, money.show(amount), rule_source), _count(days, "days", money.language, days_source)]
    return _calculation(CalculationKind.PER_DAY, operands, ["×"], money, "", label, rule)


_PRO_RATA = re.compile(
    r"pro[ -]?rat|prorrat|anteilig|proportion\w*|proporcion|in proportion|im verhaltnis|unearned portion"
    r"|\b(?:for|per) (?:each|every) (?:\w+ )?month"
    r"|\bpor (?:cada )?mes(?:es)? (?:no |que )?(?:trabajad|restante|pendiente|complet)"
    r"|\b(?:fur )?je(?:den)? (?:volle[nm]? |fehlenden |verbleibenden )?monat"
    # the share written as a formula: "the full months remaining divided by the total months", "the bonus divided
    # by 24 and multiplied by the months remaining", "los meses restantes", "die verbleibenden Monate"
    r"|\b(?:months?|meses|monate) (?:\w+ )?(?:remaining|left|outstanding|not (?:yet )?(?:worked|served|completed)"
    r"|unworked|unserved|restantes?|pendientes?|que (?:falt|qued)\w*|no trabajados|no cumplidos)"
    r"|\b(?:remaining|outstanding|unworked|unserved|uncompleted|restantes?|verbleibend\w*|fehlend\w*|restlich\w*"
    r"|ausstehend\w*|nicht abgeleistet\w*) (?:\w+ )?(?:months?|meses|monate\w*)"
)
# A count of months or years, in digits, as words ("a year", "un año", "einem Jahr") or with a half ("a year and a
# half", "anderthalb Jahre"); on folded text whose number words are already digits.
_SPAN = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,3}(?:[.,]5)?|half an?|medio|(?:ein(?:em)? )?halb(?:es|en)|an?|one|un|una|uno|ein"
    r"|eine[mnrs]?|anderthalb|eineinhalb)\s?-?"
    r"(?P<unit>months?|mes|meses|monat|monate[n]?|years?|ano|anos|jahr|jahre[ns]?)\b"
    r"(?P<half> and a half| y medio| und (?:ein )?halb)?"
)
_RATE_BEFORE = re.compile(r"(?:\d|\b(?:per|pro|por|al|each|every|je))\s*$")
_HORIZON_BEFORE = re.compile(r"\b(?:within|in the first|innerhalb(?: von| der ersten)?|dentro de(?:l primer)?)\s*$")
_ONE = frozenset({"a", "an", "one", "un", "una", "uno", "ein", "eine", "einem", "einen", "einer", "eines"})


def _months_in(text: str, *, served: bool = False) -> set[Decimal]:
    """Every span of time a text states, in months (`served`: only the time someone has stayed, not a horizon)."""
    found = set()
    rewritten = rewrite_number_words(fold(text))
    for match in _SPAN.finditer(rewritten):
        raw = match.group("n")
        before = rewritten[: match.start()]
        if (raw in _ONE and _RATE_BEFORE.search(before)) or (served and _HORIZON_BEFORE.search(before)):
            continue  # "$3,000 a month" is a rate; "within a year" is a rule's horizon, not the time served
        if raw in _ONE:
            number = Decimal(1)
        elif raw.startswith(("half", "medio")) or raw.endswith(("halbes", "halben")):
            number = Decimal("0.5")
        elif raw in ("anderthalb", "eineinhalb"):
            number = Decimal("1.5")
        else:
            number = Decimal(raw.replace(",", "."))
        number += Decimal("0.5") if match.group("half") else 0
        yearly = match.group("unit").startswith(("year", "ano", "jahr"))
        found.add(number * MONTHS_A_YEAR if yearly else number)
    return found


def is_pro_rata_rule(sentence: str) -> bool:
    """The sentence states a pro-rata repayment ("repay pro rata", "anteilig zurückzahlen", "for each month")."""
    return bool(_PRO_RATA.search(fold(sentence)))


def repayment_period(sentence: str) -> Decimal | None:
    """The months a pro-rata repayment rule runs over ("repay pro rata if you leave within 24 months", "within two
    years"); None when it states no period, or several."""
    if not is_pro_rata_rule(sentence):
        return None
    found = _months_in(sentence)
    return found.pop() if len(found) == 1 else None


# Words right before a span that make it the rule's period, not the time served: "within 24 months", "a 24-month
# clawback", "over two years", "durante 2 años", "innerhalb von 24 Monaten".
_PERIOD_BEFORE = re.compile(
    r"\b(?:within|in the first|over|for|during|across|innerhalb(?: von| der ersten)?|dentro de(?:l primer)?|durante"
    r"|en los primeros|uber|fur|binnen|wahrend|stay|remain|permanecer|quedarme|bleiben)\s*"
    r"(?:for )?(?:a |the |an |un |una |los |die |der )?$"
    r"|\b(?:period|periodo|plazo|\w*frist|\w*zeitraum|clawback|permanencia|retention|retencion|commitment)\b[^.?!,;\d]{0,20}$"
)
_PERIOD_AFTER = re.compile(
    r"^\s*(?:\w+ )?(?:clawback|claw-back|retention|commitment|repayment|payback|lock-?in|period|tie-?in|de permanencia"
    r"|de retencion|de devolucion|de compromiso|bindung\w*|ruckzahlung\w*|frist|zeitraum)\b"
)


def served_and_period(question: str) -> tuple[Decimal, Decimal] | None:
    """A question that states both the time served and the repayment period ("the sign-on has a 24-month clawback;
    I'd leave after 10 months"): (months served, months of the period), or None unless exactly one of each."""
    rewritten = rewrite_number_words(fold(question))
    served: set[Decimal] = set()
    period: set[Decimal] = set()
    for match in _SPAN.finditer(rewritten):
        months = _months_in(match.group(0))
        if len(months) != 1:
            continue
        before, after = rewritten[: match.start()], rewritten[match.end() :]
        is_period = bool(_PERIOD_BEFORE.search(before) or _PERIOD_AFTER.match(after))
        (period if is_period else served).add(months.pop())
    if len(served) != 1 or len(period) != 1:
        return None
    return served.pop(), period.pop()


def pro_rata(
    amount: Decimal, source: str, months_left: Decimal, months_source: str, period: Decimal, rule_source: str,
    rule: str, money: Money, label: str,
) -> Calculation | None:  # fmt: skip
    """A repayment of `amount` for the months left of the rule's period; None when none are left."""
    if not Decimal(0) < months_left <= period:
        return None
    lang = money.language
    operands = [
        Operand(amount, money.show(amount), source), _count(months_left, "months", lang, months_source),
        _count(period, "months", lang, rule_source),
    ]  # fmt: skip
    return _calculation(CalculationKind.PRO_RATA, operands, ["×", "÷"], money, "", label, rule)


# -- what a question asks for -------------------------------------------------------------------------------------

# On folded text (lower case, no accents). Fortnight before week: "every two weeks" is not "a week".
_PERIOD_CUES: tuple[tuple[Period, re.Pattern[str]], ...] = (
    (Period.FORTNIGHT, re.compile(
        r"\b(?:fortnight\w*|bi-?weekly|every (?:two|2) weeks|quincen\w*|cada (?:dos|2) semanas|(?:alle|je) (?:zwei|2) "
        r"wochen|vierzehntag\w*|14-?tag\w*)\b"
    )),
    (Period.HOUR, re.compile(
        r"\b(?:hourly|(?:per|an|a|each|every|by the) hour|por hora|la hora|(?:pro|die|je|in der) stunde|stundenlohn"
        r"|stundensatz)\b"
    )),
    (Period.WEEK, re.compile(r"\b(?:weekly|week|semana\w*|woche\w*|wochentlich)\b")),
    (Period.MONTH, re.compile(r"\b(?:monthly|month|mes|mensual\w*|monat\w*|monatlich)\b")),
    (Period.YEAR, re.compile(r"\b(?:yearly|year|annual\w*|ano|anual\w*|jahr\w*|jahrlich)\b")),
)  # fmt: skip
_AMOUNT_CUES = re.compile(
    r"\b(?:how much|what (?:amount|is that|does that come)|in (?:euros?|dollars?|pounds?|money|cash)|amount|worth"
    r"|gross|earn\w*|bring in|come to|make|cuanto|cuanta|importe|cantidad|en euros|cobr[ao]\w*|gan[ao]\w*|bruto"
    r"|wie ?viel\w*|betrag|in euro|verdien\w*|brutto|bekomme)\b"
)


def asked_period(question: str) -> Period | None:
    """The pay period a question asks for ("per week", "a la semana", "in der Woche"): the earliest named one."""
    folded = fold(question)
    found = [(m.start(), period) for period, cue in _PERIOD_CUES if (m := cue.search(folded))]
    return min(found)[1] if found else None


# One pay day's pay asked without a period ("how much is each paycheck?", "¿cuánto es cada nómina?").
_ONE_PAYCHECK = re.compile(
    r"\b(?:pay ?checks?|pay ?cheques?|pay ?slips?|per pay(?: period| run| day)?|each pay(?: period| run| day)?"
    r"|every pay(?: period| run| day)?|(?:cada|por) (?:nomina|pago|recibo)|nomina|(?:pro|jede) (?:gehalts|lohn)"
    r"(?:abrechnung|zahlung)|(?:gehalts|lohn)(?:abrechnung|zahlung))\b"
)
# A sentence that says how often pay is paid ("Employees are paid biweekly", "La nómina se abona mensualmente").
_PAID_EVERY = re.compile(
    r"\b(?:paid|pay ?day|pay ?checks?|payroll|pay (?:period|date|cycle|schedule)|nomina|se (?:paga|abona)|pagamos"
    r"|abona\w*|pago|ausgezahlt|ausbezahlt|lohnabrechnung|gehaltsabrechnung|zahltag|auszahlung|gezahlt)\b"
)


def asks_one_paycheck(question: str) -> bool:
    """The question asks for one pay day's pay without naming the period ("how much is each paycheck?")."""
    return bool(_ONE_PAYCHECK.search(fold(question)))


def paid_every(sentence: str) -> Period | None:
    """How often a sentence says pay is paid (weekly, fortnightly, monthly), or None when it says none or several."""
    folded = fold(sentence)
    if not _PAID_EVERY.search(folded):
        return None
    found = {period for period, cue in _PERIOD_CUES if period in _PAY_FREQUENCIES and cue.search(folded)}
    if Period.FORTNIGHT in found:
        found.discard(Period.WEEK)  # "every two weeks" names a week too
    return found.pop() if len(found) == 1 else None


_PAY_FREQUENCIES = frozenset({Period.WEEK, Period.FORTNIGHT, Period.MONTH})
_HOURS_STATED = re.compile(r"(?<![\w.,])(\d{1,2}(?:[.,]\d)?)\s*(?:hours?|hrs?|horas?|stunden?|std|h)\b")


def hours_stated(question: str) -> Decimal | None:
    """The one count of hours (a week's) a question states ("weekly gross at 32 hours"), or None."""
    found = {Decimal(m.group(1).replace(",", ".")) for m in _HOURS_STATED.finditer(fold(question))}
    value = found.pop() if len(found) == 1 else None
    return value if value is not None and 0 < value <= 80 else None


def asks_amount(question: str) -> bool:
    """The question asks for an amount of money ("how much", "in euros", "cobrar", "wie viel")."""
    return bool(_AMOUNT_CUES.search(fold(question)))


_MONTH_NUMBER = re.compile(r"\b(?:in |at |during )?(?:month|mes|monat) (\d{1,2})\b")


def months_elapsed(question: str) -> Decimal | None:
    """The one span of time a question states, in months ("if I quit 5 months after the course", "after a year and
    a half", "nach zwei Jahren", "al cabo de un año", "if I leave in month 8"), or None."""
    found = _months_in(question, served=True)
    if not found:
        found = {Decimal(m.group(1)) for m in _MONTH_NUMBER.finditer(rewrite_number_words(fold(question)))}
    return found.pop() if len(found) == 1 else None


def without_pay_in_period_words(question: str) -> str:
    """The folded question with its words for an amount in a period blanked out (the period, one paycheck, the
    hours it states, "how much"): what is left says whether it asks anything else ("... for the gym?")."""
    folded = fold(question)
    for cue in (*(cue for _, cue in _PERIOD_CUES), _ONE_PAYCHECK, _HOURS_STATED, _AMOUNT_CUES):
        folded = cue.sub(" ", folded)
    return folded
