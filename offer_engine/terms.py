"""The offer-term vocabulary shared by every part of the product.

Term names are fixed by the architecture and appear in data, APIs, the `ask` CLI and counter-offers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from babel.numbers import list_currencies
from pydantic import BaseModel, ConfigDict, Field, field_validator


class Term(StrEnum):
    """Negotiable terms, as named in counter-offers and the `ask` JSON."""

    BASE_SALARY = "base_salary"
    BONUS_TARGET_PERCENT = "bonus_target_percent"
    SIGN_ON_BONUS = "sign_on_bonus"
    EQUITY_UNITS = "equity_units"
    START_DATE = "start_date"
    WORK_ARRANGEMENT = "work_arrangement"
    RELOCATION = "relocation"
    PTO_DAYS = "pto_days"
    TITLE = "title"
    OTHER = "other"


_TERM_NAMES = frozenset(t.value for t in Term)
MONEY_TERMS = frozenset({Term.BASE_SALARY, Term.SIGN_ON_BONUS, Term.RELOCATION})


class PayPeriod(StrEnum):
    """The pay basis of base_salary (and of a money_rate term)."""

    YEAR = "year"
    MONTH = "month"
    WEEK = "week"
    HOUR = "hour"


class WorkArrangement(StrEnum):
    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"


class UnknownCurrencyError(ValueError):
    """A currency code that is not ISO 4217."""


_ISO_CURRENCIES = frozenset(list_currencies())


def normalise_currency(code: str) -> str:
    """Return the upper-case ISO 4217 code, or raise UnknownCurrencyError."""
    candidate = code.strip().upper()
    if candidate not in _ISO_CURRENCIES:
        raise UnknownCurrencyError(f"unknown currency code {code!r} (expected ISO 4217, e.g. USD, GBP, EUR)")
    return candidate


class OfferTerms(BaseModel):
    """The complete, immutable terms of one offer version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    department: str | None = None
    location: str | None = None
    jurisdiction: str  # "US-CA", "US-NY", "GB", ...: country code, then region where one applies
    currency: str
    base_salary: Decimal
    pay_period: PayPeriod = PayPeriod.YEAR
    bonus_target_percent: Decimal | None = None
    sign_on_bonus: Decimal | None = None
    equity_units: int | None = None
    vesting_schedule: str | None = None
    start_date: date
    work_arrangement: WorkArrangement | None = None
    work_arrangement_label: str | None = None  # a list value nobody mapped to a meaning, as iCIMS formats it
    relocation: Decimal | None = None
    pto_days: int | None = None
    reports_to: str | None = None
    expiry_date: date | None = None
    special_terms: str | None = None
    # The tenant's own terms (offer_engine.catalogue), by key: amounts and numbers as decimal strings, dates as
    # ISO dates, text and list values as written. The catalogue says how each is read and shown.
    custom: dict[str, str] = Field(default_factory=dict)

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        return normalise_currency(value)

    @field_validator("jurisdiction")
    @classmethod
    def _jurisdiction_shape(cls, value: str) -> str:
        normalised = value.strip().upper()
        country, _, region = normalised.partition("-")
        if len(country) != 2 or not country.isalpha() or (region and not region.isalnum()):
            raise ValueError(f"jurisdiction {value!r} must look like 'US-CA' or 'GB'")
        return normalised

    @property
    def country(self) -> str:
        return self.jurisdiction.split("-", 1)[0]

    def diff(self, previous: OfferTerms) -> dict[str, tuple[Any, Any]]:
        """Terms that changed from `previous` to self, as {name: (before, after)}."""
        before, after = previous.model_dump(), self.model_dump()
        return {name: (before[name], after[name]) for name in after if before[name] != after[name]}


class CounterItem(BaseModel):
    """One requested change in a counter-offer: `{term, current, requested, currency}`.

    `term` is a built-in `Term`, or the key of a term the tenant declared (see offer_engine.catalogue).
    `requested` is typed by term: Decimal for money and percentages, int for equity units and PTO days,
    date for start_date, WorkArrangement for work_arrangement, str for title and other; a tenant term's value
    is typed by its catalogue entry (Decimal, int, date or str).
    """

    model_config = ConfigDict(frozen=True)

    term: Term | str = Field(union_mode="left_to_right")
    current: Any = None
    requested: Any
    currency: str | None = None
    note: str | None = None

    @property
    def key(self) -> str:
        """The term's name as data and the `ask` JSON carry it."""
        return term_key(self.term)

    @property
    def is_builtin(self) -> bool:
        return isinstance(self.term, Term)


def as_term(key: str | Term) -> Term | str:
    """A built-in Term for its name, else the key of a tenant's own term as it is."""
    if isinstance(key, Term):
        return key
    return Term(key) if key in _TERM_NAMES else key


def term_key(term: Term | str) -> str:
    return str(term.value if isinstance(term, Term) else term)


def custom_value(value: Any) -> str:
    """How a tenant term's value is kept in `OfferTerms.custom`."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return str(value.value if isinstance(value, StrEnum) else value)


def apply_counter_items(terms: OfferTerms, items: list[CounterItem]) -> OfferTerms:
    """The terms with each requested item applied (items for `other` change nothing here)."""
    changes: dict[str, Any] = {
        item.key: item.requested for item in items if item.is_builtin and item.term is not Term.OTHER
    }
    custom = {item.key: custom_value(item.requested) for item in items if not item.is_builtin}
    if custom:
        changes["custom"] = {**terms.custom, **custom}
    return OfferTerms.model_validate({**terms.model_dump(), **changes}) if changes else terms
