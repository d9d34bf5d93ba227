"""Offer terms as templates see them: each value formatted for the letter's locale and marked with its name.

``{{ terms.base_salary }}`` prints ``<span class="term" data-term="base_salary">$185,000.00</span>``: authors
cannot print an unformatted number, and the compliance check can find every printed term. Printing a term the
version does not have is an error (never an empty gap in the letter); ``{% if terms.sign_on_bonus %}`` tests it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from offer_engine.catalogue import Catalogue, ValueFormats, format_value
from offer_engine.letters.model import LetterRenderError
from offer_engine.money import format_count, format_date, format_money, format_percent_value
from offer_engine.policy import Band
from offer_engine.terms import OfferTerms

MONEY_TERMS = frozenset({"base_salary", "sign_on_bonus", "relocation"})
PERCENT_TERMS = frozenset({"bonus_target_percent"})
COUNT_TERMS = frozenset({"equity_units", "pto_days"})
DATE_TERMS = frozenset({"start_date", "expiry_date"})
WORK_ARRANGEMENT_LABELS = {"onsite": "on-site", "hybrid": "hybrid", "remote": "remote"}

Recorder = Callable[[str, str], None]


class PrintedValue:
    """One value ready to print; falsy when the version has no value for it."""

    def __init__(self, name: str, value: Any, printed: str | None, record: Recorder) -> None:
        self.name, self.raw, self._printed, self._record = name, value, printed, record

    def __bool__(self) -> bool:
        return self.raw is not None and self.raw != ""

    @property
    def text(self) -> str:
        """The printed text without markup (for a <title> or an attribute)."""
        if not self or self._printed is None:
            raise LetterRenderError(f"the template prints {self.name}, but this offer has no value for it")
        return self._printed

    def __html__(self) -> str:
        text = self.text
        self._record(self.name, text)
        return Markup('<span class="term" data-term="{}">{}</span>').format(self.name, text)

    def __str__(self) -> str:
        return self.__html__()


def format_term(name: str, value: Any, currency: str, locale: str) -> str | None:
    """A term value as letters print it, or None when unset."""
    if value is None or value == "":
        return None
    if name in MONEY_TERMS:
        return format_money(Decimal(value), currency, locale)
    if name in PERCENT_TERMS:
        return format_percent_value(Decimal(value), locale)
    if name in COUNT_TERMS:
        return format_count(value, locale)
    if isinstance(value, date):
        return format_date(value, locale)
    if name == "work_arrangement":
        return WORK_ARRANGEMENT_LABELS.get(str(value), str(value))
    return str(value)


def letter_formats(terms: OfferTerms, locale: str) -> ValueFormats:
    """Figures as letters print them in `locale`."""
    return ValueFormats(
        locale.split("_")[0],
        money=lambda amount: format_money(amount, terms.currency, locale),
        number=lambda number: format_count(number, locale),
        percent=lambda percent: format_percent_value(percent, locale),
        day=lambda value: format_date(value, locale),
    )


class TermsView:
    """``terms.<name>`` in templates."""

    def __init__(self, terms: OfferTerms, locale: str, record: Recorder, catalogue: Catalogue | None = None) -> None:
        self._terms, self._locale, self._record = terms, locale, record
        self._catalogue = catalogue

    def __getattr__(self, name: str) -> PrintedValue:
        if name.startswith("_"):
            raise AttributeError(name)
        tenant_term = self._catalogue.get(name) if self._catalogue else None
        if tenant_term is not None and not tenant_term.builtin:
            if tenant_term.internal:
                raise LetterRenderError(f"the template prints {name}, an internal term that never goes in a letter")
            raw = self._terms.custom.get(name)
            printed = None if raw is None else format_value(tenant_term, raw, letter_formats(self._terms, self._locale))
            return PrintedValue(name, raw, printed, self._record)
        if name not in OfferTerms.model_fields:
            raise AttributeError(name)
        value = getattr(self._terms, name)
        if name == "work_arrangement" and value is None:
            value = self._terms.work_arrangement_label  # a list value nobody mapped prints as iCIMS has it
        return PrintedValue(name, value, format_term(name, value, self._terms.currency, self._locale), self._record)


class BandView:
    """``band.min``, ``band.max``, ``band.midpoint`` in templates; falsy when the offer has no band."""

    def __init__(self, band: Band | None, locale: str, record: Recorder) -> None:
        self._band, self._locale, self._record = band, locale, record

    def __bool__(self) -> bool:
        return self._band is not None

    def __getattr__(self, name: str) -> PrintedValue:
        aliases = {
            "min": "minimum",
            "max": "maximum",
            "minimum": "minimum",
            "maximum": "maximum",
            "midpoint": "midpoint",
        }
        if name not in aliases:
            raise AttributeError(name)
        if self._band is None:
            raise LetterRenderError(f"the text prints band.{name}, but no salary band is known for this offer")
        value = getattr(self._band, aliases[name])
        short = {"minimum": "min", "maximum": "max"}.get(aliases[name], aliases[name])
        printed = format_money(value, self._band.currency, self._locale)
        return PrintedValue(f"band.{short}", value, printed, self._record)


def printed_date(name: str, value: date, locale: str, record: Recorder) -> PrintedValue:
    return PrintedValue(name, value, format_date(value, locale), record)
