"""The words around printed terms that make a letter's sentences read well, whatever the term's type.

``{{ phrases.weekly_hours }}`` prints an hourly rate's scheduled hours; ``vest{{ phrases.vesting_lead }}`` puts
"over" before a schedule that starts with its length ("4 years: 25% after…"); ``phrases.tenant_terms`` lists the
tenant's own candidate-visible terms as (label, printed value) rows. The printed values stay marked terms, so
the compliance check reads them exactly as `TermsView` prints them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from offer_engine.catalogue import UNIT_WORDS, Catalogue, format_value, pay_quantity
from offer_engine.letters.values import PrintedValue, Recorder, letter_formats
from offer_engine.money import format_count
from offer_engine.terms import OfferTerms, PayPeriod

# A schedule that opens with its length: "4 years: …", "48 months, …", "four-year …".
_LENGTH_FIRST = re.compile(
    r"^\s*(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]*(?:years?|months?)\b", re.IGNORECASE
)
_HOURLY_BASES = (PayPeriod.HOUR, PayPeriod.WEEK)


class LetterPhrases:
    """``phrases.<name>`` in templates."""

    def __init__(
        self, terms: OfferTerms, locale: str, record: Recorder, catalogue: Catalogue | None, language: str
    ) -> None:
        self._terms, self._locale, self._record = terms, locale, record
        self._catalogue, self._language = catalogue, language

    @property
    def weekly_hours(self) -> PrintedValue:
        """The scheduled hours of an hourly or weekly rate ("40 hours"); falsy when the offer does not say."""
        base = self._catalogue.terms["base_salary"] if self._catalogue else None
        reference = base.hours_per_week if base else None
        hours = pay_quantity(reference, self._terms.custom)
        if hours is None or self._terms.pay_period not in _HOURLY_BASES:
            return PrintedValue("hours_per_week", None, None, self._record)
        name = reference if reference in self._terms.custom else "hours_per_week"
        unit = UNIT_WORDS.get(self._language, UNIT_WORDS["en"])["hours"]
        return PrintedValue(str(name), hours, f"{format_count(hours, self._locale)} {unit}", self._record)

    @property
    def vesting_lead(self) -> str:
        """ " over" before a schedule that opens with its length, so "The units vest over 4 years: …" reads."""
        schedule = self._terms.vesting_schedule or ""
        return " over" if _LENGTH_FIRST.match(schedule) else ""

    @property
    def tenant_terms(self) -> list[tuple[str, PrintedValue]]:
        """The tenant's own terms a candidate may see and this offer has, as (label, printed value)."""
        if self._catalogue is None:
            return []
        formats = letter_formats(self._terms, self._locale)
        rows = []
        for term in self._catalogue.tenant_terms:
            raw = self._terms.custom.get(term.key)
            if term.internal or raw in (None, "") or term.key in self._pay_parts():
                continue
            printed = PrintedValue(term.key, raw, format_value(term, raw, formats), self._record)
            rows.append((term.label(self._language), printed))
        return rows

    def _pay_parts(self) -> set[str]:
        """Terms that are part of the pay sentence (hours a week, payments a year), not rows of their own."""
        base = self._catalogue.terms["base_salary"] if self._catalogue else None
        parts = {base.hours_per_week, base.payments_per_year} if base else set()
        return {p for p in parts if p and not _is_number(p)}


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
