"""The loaded company policy: bands, grids, approval steps, clause library, letter templates, negotiation limits.

Built only by `offer_engine.policy.load_policy`, which validates every key first; the methods here answer
questions about one offer (which band, which approval steps, which clauses, which template).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from jinja2 import Template
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict

from offer_engine.money import format_date, format_money, locale_for
from offer_engine.policy.expressions import Expression, ExpressionError, Name, parse
from offer_engine.policy.scope import Band, Matcher, Scope, any_jurisdiction_matches
from offer_engine.terms import OfferTerms, Term

Role = Literal["recruiter", "hiring_manager", "compensation", "legal", "admin"]
ROLES: tuple[str, ...] = ("recruiter", "hiring_manager", "compensation", "legal", "admin")
BandSource = Literal["job", "policy", "job_then_policy", "policy_then_job"]


class PolicyError(ValueError):
    """Invalid policy content, or a rule that failed on an offer; the message names the policy key."""

    def __init__(self, key: str, message: str, source: Path | None = None) -> None:
        self.key = key
        where = f"{source.name}: " if source else ""
        super().__init__(f"{where}{key}: {message}" if key else f"{where}{message}")


class ApprovalStepSpec(BaseModel):
    """One approval step the policy requires for an offer version, with the reasons it fired."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    approver_role: str
    approver_user: str | None = None
    quorum: Literal["all", "any"] | int = "any"
    sla_hours: int
    escalate_to_role: str | None = None
    reasons: list[str]


_REASON_VALUE = re.compile(r"\{\{\s*(.+?)\s*\}\}")


_MONEY_NAMES = frozenset({"base_salary", "sign_on_bonus", "relocation"})
_BAND_MONEY = frozenset({"min", "max", "minimum", "maximum", "midpoint"})


def _show(expression: Expression, value: Any, scope: Scope) -> str:
    """A value in an approval reason: money in the offer's currency, dates long, numbers grouped."""
    if value is None:
        return "none"
    names = expression.root.path if isinstance(expression.root, Name) else ()
    locale = locale_for(scope.terms.jurisdiction)
    if names and (names[-1] in _MONEY_NAMES or (names[0] == "band" and names[-1] in _BAND_MONEY)):
        return format_money(Decimal(value), scope.terms.currency, locale)
    if isinstance(value, date):
        return format_date(value, locale)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = Decimal(value)
        whole = number.to_integral_value()
        return f"{whole if number == whole else number.quantize(Decimal('0.01')):,}"
    return str(value)


@dataclass(frozen=True)
class ApprovalRule:
    key: str  # where it is in the policy file, for error messages
    when: Expression
    reason: str
    reason_values: tuple[Expression, ...] = ()

    def explain(self, scope: Scope) -> str:
        values = iter(_show(expr, expr.evaluate(scope.resolve), scope) for expr in self.reason_values)
        return _REASON_VALUE.sub(lambda _m: next(values), self.reason)


@dataclass(frozen=True)
class StepDefinition:
    key: str
    name: str
    approver_role: str
    approver_user: str | None
    quorum: Literal["all", "any"] | int
    sla_hours: int
    escalate_to_role: str | None
    rules: tuple[ApprovalRule, ...]


@dataclass(frozen=True)
class ScopeRule:
    """Where a clause is required or forbidden: jurisdiction patterns, exceptions and an optional condition."""

    key: str
    patterns: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    when: Expression | None = None


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    text: str  # the clause as written in the policy (plain text with {{ }} variables)
    html_source: str  # the same, HTML-escaped and split into <p> paragraphs
    template: Template  # html_source compiled in the policy's sandboxed environment
    required: tuple[ScopeRule, ...]
    forbidden: tuple[ScopeRule, ...]
    detect: tuple[str, ...]
    order: int


@dataclass(frozen=True)
class LetterTemplate:
    id: str
    html: str  # loader name, "builtin:…" or "policy:…"
    css: str  # the stylesheet text
    jurisdictions: tuple[str, ...]
    languages: tuple[str, ...]
    clauses: tuple[str, ...]
    default: bool
    paper: Literal["letter", "A4"] | None = None


@dataclass(frozen=True)
class Letterhead:
    accent_color: str = "#1f3a5f"
    monogram: str = ""
    tagline: str = ""
    signer_name: str = ""
    signer_title: str = ""


@dataclass(frozen=True)
class NegotiationTerm:
    ceiling: Expression | None = None
    accept_when: Expression | None = None
    round_down_to: Decimal | None = None


@dataclass(frozen=True)
class Negotiation:
    sign_on_in_lieu_of_base: bool = False
    legal_review_terms: frozenset[Term | str] = frozenset({Term.OTHER})
    legal_review_keywords: tuple[str, ...] = ()
    terms: Mapping[Term | str, NegotiationTerm] = field(default_factory=dict)


@dataclass(frozen=True)
class GridRow:
    matcher: Matcher
    value: Any


@dataclass(frozen=True, eq=False)
class CompanyPolicy:
    company: str
    version: str
    source: Path
    band_source: BandSource
    band_rows: tuple[tuple[Matcher, Band], ...]
    levels: tuple[tuple[Matcher, str], ...]
    grids: Mapping[str, tuple[GridRow, ...]]
    steps: tuple[StepDefinition, ...]
    clauses: tuple[Clause, ...]
    templates: tuple[LetterTemplate, ...]
    letterhead: Letterhead
    negotiation: Negotiation
    environment: ImmutableSandboxedEnvironment

    # -- lookups ------------------------------------------------------------------------------------------
    def level_for(self, terms: OfferTerms) -> str | None:
        return next((level for matcher, level in self.levels if matcher.matches(terms, None)), None)

    def grid_value(self, name: str, terms: OfferTerms) -> Any:
        level = self.level_for(terms)
        rows = self.grids.get(name, ())
        return next((row.value for row in rows if row.matcher.matches(terms, level)), None)

    def scope(
        self, terms: OfferTerms, band: Band | None, previous: OfferTerms | None = None, requested: Any = None
    ) -> Scope:
        return Scope(
            terms=terms,
            level=self.level_for(terms),
            band=band,
            grid=lambda name: self.grid_value(name, terms),
            previous=previous,
            requested=requested,
        )

    def evaluate(self, expression: Expression, scope: Scope, key: str) -> Any:
        try:
            return expression.evaluate(scope.resolve)
        except ExpressionError as exc:
            raise PolicyError(key, str(exc), self.source) from exc

    # -- bands ----------------------------------------------------------------------------------------------
    def band_for(self, terms: OfferTerms, job_band: Band | None) -> Band | None:
        """The band to compare the offer with; a band in another currency than the offer's is never used."""
        level = self.level_for(terms)

        def from_job() -> Band | None:
            return job_band if job_band is not None and job_band.currency == terms.currency else None

        def from_policy() -> Band | None:
            return next(
                (b for m, b in self.band_rows if b.currency == terms.currency and m.matches(terms, level)), None
            )

        order = {
            "job": (from_job,),
            "policy": (from_policy,),
            "job_then_policy": (from_job, from_policy),
            "policy_then_job": (from_policy, from_job),
        }[self.band_source]
        return next((band for source in order if (band := source()) is not None), None)

    # -- approvals ------------------------------------------------------------------------------------------
    def approval_steps(
        self, terms: OfferTerms, previous: OfferTerms | None, band: Band | None
    ) -> list[ApprovalStepSpec]:
        """The ordered steps whose rules fire for `terms` (compared with `previous`, the version before)."""
        scope = self.scope(terms, band, previous)
        steps: list[ApprovalStepSpec] = []
        for step in self.steps:
            reasons = [
                self._explain(rule, scope) for rule in step.rules if self.evaluate(rule.when, scope, rule.key + ".when")
            ]
            if reasons:
                steps.append(
                    ApprovalStepSpec(
                        key=step.key,
                        name=step.name,
                        approver_role=step.approver_role,
                        approver_user=step.approver_user,
                        quorum=step.quorum,
                        sla_hours=step.sla_hours,
                        escalate_to_role=step.escalate_to_role,
                        reasons=reasons,
                    )
                )
        return steps

    def _explain(self, rule: ApprovalRule, scope: Scope) -> str:
        try:
            return rule.explain(scope)
        except ExpressionError as exc:
            raise PolicyError(rule.key + ".reason", str(exc), self.source) from exc

    # -- clauses and templates ----------------------------------------------------------------------------
    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise PolicyError("clauses", f"no clause with id {clause_id!r}", self.source)

    def _rule_applies(self, rule: ScopeRule, terms: OfferTerms, scope: Scope) -> bool:
        if not any_jurisdiction_matches(rule.patterns, terms.jurisdiction):
            return False
        if any_jurisdiction_matches(rule.excluded, terms.jurisdiction):
            return False
        return rule.when is None or bool(self.evaluate(rule.when, scope, rule.key + ".when"))

    def required_clauses(self, terms: OfferTerms, band: Band | None) -> list[Clause]:
        scope = self.scope(terms, band)
        return [c for c in self.clauses if any(self._rule_applies(r, terms, scope) for r in c.required)]

    def forbidden_clauses(self, terms: OfferTerms, band: Band | None) -> list[Clause]:
        scope = self.scope(terms, band)
        return [c for c in self.clauses if any(self._rule_applies(r, terms, scope) for r in c.forbidden)]

    def clauses_for_letter(self, terms: OfferTerms, band: Band | None, template: LetterTemplate) -> list[Clause]:
        """The required clauses plus the template's own, in library order (`order`, then file order)."""
        wanted = {c.id for c in self.required_clauses(terms, band)} | set(template.clauses)
        chosen = [c for c in self.clauses if c.id in wanted]
        return sorted(chosen, key=lambda c: c.order)

    def template_for(self, jurisdiction: str, language: str) -> LetterTemplate:
        """The first template for the jurisdiction in the language, else for the jurisdiction, else the default."""
        base_language = language.split("-")[0].split("_")[0].lower()
        matching = [t for t in self.templates if any_jurisdiction_matches(t.jurisdictions, jurisdiction)]
        for template in matching:
            if base_language in t_languages(template):
                return template
        if matching:
            return matching[0]
        default = next((t for t in self.templates if t.default), None)
        if default is None:
            raise PolicyError("letters.templates", f"no letter template for jurisdiction {jurisdiction}", self.source)
        return default

    def template(self, template_id: str) -> LetterTemplate:
        for template in self.templates:
            if template.id == template_id:
                return template
        raise PolicyError("letters.templates", f"no template with id {template_id!r}", self.source)


def t_languages(template: LetterTemplate) -> set[str]:
    return {lang.split("-")[0].split("_")[0].lower() for lang in template.languages}


def compile_expression(source: str, key: str, policy_source: Path | None = None) -> Expression:
    try:
        return parse(source)
    except ExpressionError as exc:
        raise PolicyError(key, str(exc), policy_source) from exc
