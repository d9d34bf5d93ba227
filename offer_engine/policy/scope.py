"""What a policy expression can name, and how each name is looked up for one offer.

Names: any offer term (``base_salary`` or ``terms.base_salary``), ``country``, ``level`` (from the policy's
level table), ``previous.<term>`` (the version before, in approval rules), ``band.min|max|midpoint|currency``,
``grid.<name>`` (a lookup table in the policy) and ``requested`` (the requested value, in negotiation limits).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field, field_validator, model_validator

from offer_engine.policy.expressions import Expression, ExpressionError
from offer_engine.terms import OfferTerms, normalise_currency

TERM_NAMES = frozenset(OfferTerms.model_fields)
DERIVED_NAMES = frozenset({"country", "level"})
MATCHABLE_NAMES = TERM_NAMES | DERIVED_NAMES
_CONTEXT_ROOTS = frozenset({"previous", "band", "grid", "requested"})
BAND_ATTRIBUTES = frozenset({"min", "max", "minimum", "maximum", "midpoint", "currency"})


class Band(BaseModel):
    """A salary band in one currency, per year of the offer's pay period."""

    model_config = ConfigDict(frozen=True)

    minimum: Decimal
    maximum: Decimal
    currency: str

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        return normalise_currency(value)

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.minimum < 0 or self.maximum < self.minimum:
            raise ValueError(f"band minimum {self.minimum} must be ≥ 0 and ≤ maximum {self.maximum}")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def midpoint(self) -> Decimal:
        return (self.minimum + self.maximum) / 2

    def attribute(self, name: str) -> Any:
        aliases = {"min": "minimum", "max": "maximum"}
        return getattr(self, aliases.get(name, name))


def jurisdiction_matches(pattern: str, jurisdiction: str) -> bool:
    """ "*" matches all; "US" matches "US" and every "US-xx"; otherwise a glob on the whole code ("US-C*")."""
    pattern = pattern.strip().upper()
    if pattern == "*":
        return True
    if "-" not in pattern and not any(ch in pattern for ch in "*?["):
        return jurisdiction == pattern or jurisdiction.startswith(pattern + "-")
    return fnmatch.fnmatchcase(jurisdiction, pattern)


def any_jurisdiction_matches(patterns: Collection[str], jurisdiction: str) -> bool:
    return any(jurisdiction_matches(p, jurisdiction) for p in patterns)


def term_value(terms: OfferTerms, name: str, level: str | None = None) -> Any:
    if name == "country":
        return terms.country
    if name == "level":
        return level
    if name not in TERM_NAMES:
        return _custom(terms.custom.get(name))
    return getattr(terms, name)


def _custom(value: str | None) -> Any:
    """A tenant term's kept value as a rule compares it: a number where it is one, else the text (None if absent)."""
    if value is None:
        return None
    try:
        return Decimal(value)
    except ArithmeticError:
        return value


def value_matches(pattern: str, value: Any) -> bool:
    if pattern == "*":
        return True
    if value is None:
        return False
    return fnmatch.fnmatchcase(str(value).casefold(), pattern.casefold())


@dataclass(frozen=True)
class Matcher:
    """Row selector: every field must match one of its patterns (globs; jurisdictions as above)."""

    fields: Mapping[str, tuple[str, ...]]

    def matches(self, terms: OfferTerms, level: str | None) -> bool:
        for name, patterns in self.fields.items():
            if name == "jurisdiction":
                if not any_jurisdiction_matches(patterns, terms.jurisdiction):
                    return False
            elif not any(value_matches(p, term_value(terms, name, level)) for p in patterns):
                return False
        return True


@dataclass(frozen=True)
class Scope:
    """The values an expression sees for one offer."""

    terms: OfferTerms
    level: str | None
    band: Band | None
    grid: Callable[[str], Any]
    previous: OfferTerms | None = None
    requested: Any = None

    def resolve(self, path: tuple[str, ...]) -> Any:
        root, rest = path[0], path[1:]
        if root == "terms" and len(rest) == 1:
            root, rest = rest[0], ()
        if not rest and root not in _CONTEXT_ROOTS:  # names were checked when the policy was loaded
            return term_value(self.terms, root, self.level)
        if root == "previous":
            if not rest:
                return self.previous
            return None if self.previous is None else term_value(self.previous, rest[0], self.level)
        if root == "band":
            if not rest:
                return self.band
            return None if self.band is None else self.band.attribute(rest[0])
        if root == "grid" and len(rest) == 1:
            return self.grid(rest[0])
        if root == "requested" and not rest:
            return self.requested
        raise ExpressionError(f"unknown name {'.'.join(path)!r}")


def unknown_names(
    expression: Expression, roots: Collection[str], grids: Collection[str], tenant_terms: Collection[str] = ()
) -> list[str]:
    """Names in `expression` this context cannot resolve (roots: which of previous/band/grid/requested apply;
    tenant_terms: the keys of the tenant's own terms, which rules may name like built-in ones)."""
    names = MATCHABLE_NAMES | frozenset(tenant_terms)
    problems: list[str] = []
    for path in sorted(expression.names()):
        root, rest = path[0], path[1:]
        if root == "terms" and len(rest) == 1:
            root, rest = rest[0], ()
        ok = (
            (not rest and root in names)
            or (root == "previous" and "previous" in roots and (not rest or (len(rest) == 1 and rest[0] in names)))
            or (root == "band" and "band" in roots and (not rest or (len(rest) == 1 and rest[0] in BAND_ATTRIBUTES)))
            or (root == "grid" and "grid" in roots and len(rest) == 1 and rest[0] in grids)
            or (root == "requested" and "requested" in roots and not rest)
        )
        if not ok:
            problems.append(".".join(path))
    return problems
