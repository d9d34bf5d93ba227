"""Reading a company policy file (TOML) into a validated `CompanyPolicy`.

Every problem raises `PolicyError` naming the key (``approvals.steps[1].rules[0].when: unknown name …``),
so a company editing its own policy sees exactly what to fix. Expressions, clause texts and templates are all
compiled here, at load time, never first discovered while rendering a candidate's letter.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Collection, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import ValidationError

from offer_engine.policy.expressions import (
    Binary,
    Call,
    Expression,
    ExpressionError,
    Name,
    Node,
    Unary,
    literal,
    parse,
)
from offer_engine.policy.expressions import BoolOp as BoolNode
from offer_engine.policy.model import (
    _REASON_VALUE,
    ApprovalRule,
    Clause,
    CompanyPolicy,
    GridRow,
    Letterhead,
    LetterTemplate,
    Negotiation,
    NegotiationTerm,
    PolicyError,
    ScopeRule,
    StepDefinition,
)
from offer_engine.policy.schema import Condition, MatchSpec, RawClause, RawPolicy, RawScopeRule, RawTemplate
from offer_engine.policy.scope import MATCHABLE_NAMES, Band, Matcher, unknown_names
from offer_engine.policy.templating import clause_html_source, make_environment, resolve_file, template_name
from offer_engine.terms import Term

_TABLE_OPS = {">", ">=", "<", "<=", "==", "!=", "in", "not in", "contains", "is_set", "is_not_set", "changed"}
APPROVAL_ROOTS = ("previous", "band", "grid")
CLAUSE_ROOTS = ("band", "grid")
NEGOTIATION_ROOTS = ("band", "grid", "requested")


def load_policy(path: Path, tenant_terms: Collection[str] = ()) -> CompanyPolicy:
    """Read and validate the policy at `path`; raise PolicyError naming the key of any invalid content.

    `tenant_terms` are the keys of the tenant's own terms (its term catalogue): rules may name them too.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError("", f"cannot read the policy file {path}: {exc.strerror or exc}", path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("", f"not valid TOML: {exc}", path) from exc
    try:
        raw = RawPolicy.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, path) from exc
    return _Builder(raw, path, tenant_terms).build()


def _key(location: Iterable[str | int]) -> str:
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _validation_error(exc: ValidationError, path: Path) -> PolicyError:
    first, *others = exc.errors()
    also = "; ".join(f"{_key(e['loc']) or '(top level)'}: {e['msg']}" for e in others[:4])
    message = first["msg"] + (f" (also {also})" if also else "")
    return PolicyError(_key(first["loc"]) or "(top level)", message, path)


class _Builder:
    def __init__(self, raw: RawPolicy, path: Path, tenant_terms: Collection[str] = ()) -> None:
        self.raw, self.path = raw, path
        self.tenant_terms = frozenset(tenant_terms)
        self.grid_names = set(raw.grids)
        self.environment: ImmutableSandboxedEnvironment = make_environment(path.resolve().parent)

    def fail(self, key: str, message: str) -> PolicyError:
        return PolicyError(key, message, self.path)

    def build(self) -> CompanyPolicy:
        raw = self.raw
        clauses = self.clauses()
        return CompanyPolicy(
            company=raw.policy.company,
            version=raw.policy.version,
            source=self.path,
            band_source=raw.bands.source,
            band_rows=self.bands(),
            levels=tuple((self.matcher(lv.match, f"levels[{i}].match"), lv.level) for i, lv in enumerate(raw.levels)),
            grids=self.grids(),
            steps=self.steps(),
            clauses=clauses,
            templates=self.templates({c.id for c in clauses}),
            letterhead=Letterhead(**raw.letterhead.model_dump()),
            negotiation=self.negotiation(),
            environment=self.environment,
        )

    # -- pieces -------------------------------------------------------------------------------------------
    def matcher(self, spec: MatchSpec, key: str) -> Matcher:
        fields: dict[str, tuple[str, ...]] = {}
        for name, patterns in spec.items():
            if name not in MATCHABLE_NAMES and name not in self.tenant_terms:
                raise self.fail(f"{key}.{name}", f"unknown term {name!r} (known: {', '.join(sorted(MATCHABLE_NAMES))})")
            fields[name] = (patterns,) if isinstance(patterns, str) else tuple(patterns)
        return Matcher(fields)

    def bands(self) -> tuple[tuple[Matcher, Band], ...]:
        rows = []
        for i, row in enumerate(self.raw.bands.ranges):
            key = f"bands.ranges[{i}]"
            try:
                band = Band(minimum=row.minimum, maximum=row.maximum, currency=row.currency)
            except ValidationError as exc:
                raise self.fail(key, exc.errors()[0]["msg"]) from exc
            rows.append((self.matcher(row.match, key + ".match"), band))
        return tuple(rows)

    def grids(self) -> dict[str, tuple[GridRow, ...]]:
        grids: dict[str, tuple[GridRow, ...]] = {}
        for name, rows in self.raw.grids.items():
            if not name.isidentifier():
                raise self.fail(f"grids.{name}", "grid names must be identifiers (letters, digits, _)")
            grids[name] = tuple(
                GridRow(self.matcher(row.match, f"grids.{name}[{i}].match"), _scalar(row.value))
                for i, row in enumerate(rows)
            )
        return grids

    def condition(self, raw: Condition, key: str, roots: Collection[str]) -> Expression:
        try:
            expression = parse(raw) if isinstance(raw, str) else Expression(_describe(raw), _table_node(raw))
        except ExpressionError as exc:
            raise self.fail(key, str(exc)) from exc
        problems = unknown_names(expression, roots, self.grid_names, self.tenant_terms)
        if problems:
            allowed = "terms, country, level" + "".join(f", {r}.…" for r in roots)
            raise self.fail(key, f"unknown name(s) {', '.join(problems)} (this rule can use {allowed})")
        return expression

    def steps(self) -> tuple[StepDefinition, ...]:
        steps, seen = [], set()
        for i, step in enumerate(self.raw.approvals.steps):
            key = f"approvals.steps[{i}]"
            if step.key in seen:
                raise self.fail(key + ".key", f"duplicate step key {step.key!r}")
            seen.add(step.key)
            rules = tuple(self.rule(rule.when, rule.reason, f"{key}.rules[{j}]") for j, rule in enumerate(step.rules))
            steps.append(
                StepDefinition(
                    key=step.key,
                    name=step.name,
                    approver_role=step.approver_role,
                    approver_user=step.approver_user,
                    quorum=step.quorum,
                    sla_hours=step.sla_hours,
                    escalate_to_role=step.escalate_to_role,
                    rules=rules,
                )
            )
        return tuple(steps)

    def rule(self, when: Condition, reason: str, key: str) -> ApprovalRule:
        values = tuple(
            self.condition(m.group(1), key + ".reason", APPROVAL_ROOTS) for m in _REASON_VALUE.finditer(reason)
        )
        return ApprovalRule(key, self.condition(when, key + ".when", APPROVAL_ROOTS), reason, values)

    def scope_rules(self, rules: list[RawScopeRule], key: str) -> list[ScopeRule]:
        return [
            ScopeRule(
                key=f"{key}[{i}]",
                patterns=tuple(r.in_),
                excluded=tuple(r.except_),
                when=None if r.when is None else self.condition(r.when, f"{key}[{i}].when", CLAUSE_ROOTS),
            )
            for i, r in enumerate(rules)
        ]

    def clause(self, raw: RawClause, key: str) -> Clause:
        required = self.scope_rules(raw.required, key + ".required")
        if raw.required_in:
            when = None if raw.when is None else self.condition(raw.when, key + ".when", CLAUSE_ROOTS)
            required.append(ScopeRule(key, tuple(raw.required_in), tuple(raw.required_except), when))
        elif raw.when is not None or raw.required_except:
            raise self.fail(key + ".when", "`when` and `required_except` only apply together with `required_in`")
        forbidden = self.scope_rules(raw.forbidden, key + ".forbidden")
        if raw.forbidden_in:
            when = None if raw.forbidden_when is None else self.condition(raw.forbidden_when, key, CLAUSE_ROOTS)
            forbidden.append(ScopeRule(key + ".forbidden_in", tuple(raw.forbidden_in), (), when))
        html_source = clause_html_source(raw.text)
        try:
            template = self.environment.from_string(html_source)
        except TemplateError as exc:
            raise self.fail(key + ".text", f"template error: {exc}") from exc
        return Clause(
            id=raw.id,
            title=raw.title,
            text=raw.text,
            html_source=html_source,
            template=template,
            required=tuple(required),
            forbidden=tuple(forbidden),
            detect=tuple(" ".join(d.split()) for d in raw.detect if d.strip()),
            order=raw.order,
        )

    def clauses(self) -> tuple[Clause, ...]:
        clauses, seen = [], set()
        for i, raw in enumerate(self.raw.clauses):
            if raw.id in seen:
                raise self.fail(f"clauses[{i}].id", f"duplicate clause id {raw.id!r}")
            seen.add(raw.id)
            clauses.append(self.clause(raw, f"clauses[{i}]"))
        return tuple(clauses)

    def template(self, raw: RawTemplate, key: str, clause_ids: set[str]) -> LetterTemplate:
        unknown = [c for c in raw.clauses if c not in clause_ids]
        if unknown:
            raise self.fail(key + ".clauses", f"unknown clause id(s) {', '.join(unknown)}")
        name = template_name(raw.html)
        try:
            self.environment.get_template(name)
        except TemplateError as exc:
            raise self.fail(key + ".html", f"cannot load template {raw.html!r}: {exc}") from exc
        try:
            css = resolve_file(raw.css, self.path.resolve().parent).read_text(encoding="utf-8")
        except OSError as exc:
            raise self.fail(key + ".css", f"cannot read stylesheet {raw.css!r}: {exc.strerror or exc}") from exc
        return LetterTemplate(
            id=raw.id,
            html=name,
            css=css,
            jurisdictions=tuple(raw.jurisdictions),
            languages=tuple(raw.languages),
            clauses=tuple(raw.clauses),
            default=raw.default,
            paper=raw.paper,
        )

    def templates(self, clause_ids: set[str]) -> tuple[LetterTemplate, ...]:
        templates = [
            self.template(raw, f"letters.templates[{i}]", clause_ids)
            for i, raw in enumerate(self.raw.letters.templates)
        ]
        ids = [t.id for t in templates]
        if len(set(ids)) != len(ids):
            raise self.fail("letters.templates", "template ids must be unique")
        if sum(t.default for t in templates) > 1:
            raise self.fail("letters.templates", "at most one template can be the default")
        return tuple(templates)

    def negotiation(self) -> Negotiation:
        raw = self.raw.negotiation
        terms: dict[Term | str, NegotiationTerm] = {}
        for name, spec in raw.terms.items():
            key = f"negotiation.terms.{name}"
            term = _term(name, key, self.path, self.tenant_terms)
            ceiling = (
                None if spec.ceiling is None else self.condition(spec.ceiling, key + ".ceiling", NEGOTIATION_ROOTS)
            )
            accept = (
                None
                if spec.accept_when is None
                else self.condition(spec.accept_when, key + ".accept_when", NEGOTIATION_ROOTS)
            )
            terms[term] = NegotiationTerm(ceiling=ceiling, accept_when=accept, round_down_to=spec.round_down_to)
        review = frozenset(
            _term(t, "negotiation.legal_review_terms", self.path, self.tenant_terms) for t in raw.legal_review_terms
        )
        return Negotiation(
            sign_on_in_lieu_of_base=raw.sign_on_in_lieu_of_base,
            legal_review_terms=review,
            legal_review_keywords=tuple(k.casefold() for k in raw.legal_review_keywords),
            terms=terms,
        )


def _term(name: str, key: str, path: Path, tenant_terms: Collection[str] = ()) -> Term | str:
    if name in tenant_terms:
        return name
    try:
        return Term(name)
    except ValueError:
        known = ", ".join([*(t.value for t in Term), *sorted(tenant_terms)])
        raise PolicyError(key, f"unknown term {name!r} (known: {known})", path) from None


def _scalar(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _describe(raw: Condition) -> str:
    return json.dumps(raw, default=str, sort_keys=True)


def _table_node(raw: Condition) -> Node:
    """The table form of a condition as an expression tree."""
    if isinstance(raw, bool):
        return literal(raw)
    if isinstance(raw, str):
        return parse(raw).root
    keys = set(raw)
    if keys == {"all"} or keys == {"any"}:
        parts = raw["all" if "all" in raw else "any"]
        if not isinstance(parts, list) or not parts:
            raise ExpressionError("`all`/`any` take a non-empty list of conditions")
        return BoolNode("and" if "all" in raw else "or", tuple(_table_node(p) for p in parts))
    if keys == {"not"}:
        return Unary("not", _table_node(raw["not"]))
    if keys == {"expr"}:
        return parse(str(raw["expr"])).root
    return _comparison_node(raw)


def _comparison_node(raw: dict[str, Any]) -> Node:
    op = raw.get("op")
    if "term" not in raw or op not in _TABLE_OPS:
        raise ExpressionError(
            "a condition table needs `term` and `op` (one of " + ", ".join(sorted(_TABLE_OPS)) + "), "
            'or is {all = [...]}, {any = [...]}, {not = {...}} or {expr = "..."}'
        )
    extra = set(raw) - {"term", "op", "value", "value_of"}
    if extra:
        raise ExpressionError(f"unknown key(s) {', '.join(sorted(extra))} in a condition table")
    term = Name(tuple(str(raw["term"]).split(".")))
    if op in {"is_set", "is_not_set", "changed"}:
        call = Call("changed" if op == "changed" else "is_set", (term,))
        return Unary("not", call) if op == "is_not_set" else call
    if ("value" in raw) == ("value_of" in raw):
        raise ExpressionError(f"op {op!r} needs exactly one of `value` or `value_of`")
    other = literal(raw["value"]) if "value" in raw else Name(tuple(str(raw["value_of"]).split(".")))
    if op == "contains":
        return Call("contains", (term, other))
    return Binary(str(op), term, other)
