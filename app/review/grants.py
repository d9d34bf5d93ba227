"""Reading what a recruiter grants from a counter-offer: ``base_salary=190000, sign_on_bonus`` and the like.

A term alone grants the requested value; ``term=value`` grants that value (money may be written ``190k``,
``$190,000``; dates as ``2027-02-01``). Only the counter-offer's own items can be granted, each once.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from offer_engine.counters import CounterOfferItem
from offer_engine.errors import InvalidInputError
from offer_engine.terms import OfferTerms, Term, as_term

ALIASES = {
    "base": Term.BASE_SALARY,
    "salary": Term.BASE_SALARY,
    "bonus": Term.BONUS_TARGET_PERCENT,
    "sign_on": Term.SIGN_ON_BONUS,
    "signon": Term.SIGN_ON_BONUS,
    "equity": Term.EQUITY_UNITS,
    "rsus": Term.EQUITY_UNITS,
    "start": Term.START_DATE,
    "pto": Term.PTO_DAYS,
    "remote": Term.WORK_ARRANGEMENT,
    "relocation": Term.RELOCATION,
}
_NUMERIC = {
    Term.BASE_SALARY,
    Term.SIGN_ON_BONUS,
    Term.RELOCATION,
    Term.BONUS_TARGET_PERCENT,
    Term.EQUITY_UNITS,
    Term.PTO_DAYS,
}


def term_of(name: str) -> Term:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    if key in ALIASES:
        return ALIASES[key]
    try:
        return Term(key)
    except ValueError:
        raise InvalidInputError(f"{name.strip()!r} is not a term (use e.g. base_salary, sign_on_bonus)") from None


def _number(text: str) -> Decimal:
    cleaned = re.sub(r"[^\d.kKmM-]", "", text)
    scale = Decimal(1)
    if cleaned[-1:].lower() == "k":
        scale, cleaned = Decimal(1000), cleaned[:-1]
    elif cleaned[-1:].lower() == "m":
        scale, cleaned = Decimal(1_000_000), cleaned[:-1]
    try:
        return Decimal(cleaned) * scale
    except InvalidOperation:
        raise InvalidInputError(f"{text.strip()!r} is not a number") from None


def parse_grants(text: str, items: list[CounterOfferItem], terms: OfferTerms) -> dict[Term | str, Any]:
    """Term → granted value, typed as the offer's term; InvalidInputError with the reason otherwise."""
    requested: dict[Term | str, Any] = {as_term(i.term): i.requested for i in items}
    granted: dict[Term | str, Any] = {}
    for part in (p.strip() for p in re.split(r"[,;\n]+", text) if p.strip()):
        name, sep, raw = part.partition("=") if "=" in part else part.partition(":")
        term = term_of(name)
        if term not in requested:
            raise InvalidInputError(f"{term.value} is not an item of this counter-offer")
        if term in granted:
            raise InvalidInputError(f"{term.value} is named twice")
        value: Any = raw.strip() if sep else requested[term]
        if sep and term in _NUMERIC:
            value = _number(value)
        granted[term] = _typed(term, value, terms)
    if not granted:
        raise InvalidInputError("name at least one item to grant")
    return granted


def _typed(term: Term, value: Any, terms: OfferTerms) -> Any:
    if term is Term.OTHER:
        return str(value)
    try:
        return getattr(OfferTerms.model_validate({**terms.model_dump(), term.value: value}), term.value)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"] if exc.errors() else str(exc)
        raise InvalidInputError(f"{value!r} is not a valid {term.value}: {reason}") from None
