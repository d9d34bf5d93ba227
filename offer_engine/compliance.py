"""The compliance check a letter must pass before it can enter approval or be sent.

It reads the letter as a reader would: the HTML is parsed to text, and every clause, figure and date found
there is compared with the policy and the version's terms. Nothing is taken on trust from the renderer, so
an edited, pasted or mis-rendered letter fails with findings that name the clause or term and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from offer_engine.letters.model import RenderedLetter
from offer_engine.letters.text import LetterText, normalise, template_static_text
from offer_engine.letters.values import COUNT_TERMS, DATE_TERMS, MONEY_TERMS, PERCENT_TERMS, format_term
from offer_engine.money import Figure, FigureKind, extract_figures
from offer_engine.policy import Clause, CompanyPolicy, static_fragments
from offer_engine.terms import OfferTerms

# Terms a letter must state whenever the version has them.
STATED_TERMS = (
    "title",
    "base_salary",
    "start_date",
    "expiry_date",
    "bonus_target_percent",
    "sign_on_bonus",
    "equity_units",
    "relocation",
    "pto_days",
)
REQUIRED_FRAGMENT_WORDS = 3  # shorter static fragments ("and", "per year") say nothing about a clause
FORBIDDEN_FRAGMENT_WORDS = 6  # a pasted sentence this long is the clause, not a coincidence

_PLACEHOLDERS = (
    (re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}"), "template markup"),
    (re.compile(r"\[\[|\]\]"), "a [[ ]] placeholder"),
    (re.compile(r"\b(?:TBD|TBC|TBA)\b"), "TBD/TBC"),
    (re.compile(r"(?<![A-Za-z])X{2,}(?![A-Za-z])"), "an XX placeholder"),
    (re.compile(r"<[^<>]{1,60}>"), "an <angle bracket> placeholder"),
    (
        re.compile(
            r"\[[^\[\]]{0,40}\b(?:insert|name|date|amount|salary|title|company|candidate|placeholder|todo)\b[^\[\]]{0,40}\]",
            re.I,
        ),
        "a [bracketed] placeholder",
    ),
    (re.compile(r"\blorem ipsum\b", re.I), "lorem ipsum"),
)


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    clause_id: str | None = None
    message: str
    term: str | None = None


class ComplianceReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    passed: bool
    findings: list[Finding]


def check_letter(rendered: RenderedLetter, terms: OfferTerms, policy: CompanyPolicy, today: date) -> ComplianceReport:
    """Check `rendered` against the version's `terms` and the policy, as of `today`."""
    text = LetterText.parse(rendered.html)
    findings = [
        *_version_findings(rendered, terms),
        *_placeholder_findings(text),
        *_clause_findings(rendered, terms, policy, text),
        *_figure_findings(rendered, terms, policy, text),
        *_date_findings(terms, today),
    ]
    return ComplianceReport(passed=not findings, findings=findings)


# -- the version and placeholders ------------------------------------------------------------------------------
def _version_findings(rendered: RenderedLetter, terms: OfferTerms) -> list[Finding]:
    findings = []
    for name in ("jurisdiction", "currency"):
        if getattr(rendered, name) != getattr(terms, name):
            findings.append(
                Finding(
                    code="wrong_version",
                    term=name,
                    message=(
                        f"the letter was rendered for {name} {getattr(rendered, name)}, "
                        f"the version has {getattr(terms, name)}"
                    ),
                )
            )
    return findings


def _placeholder_findings(text: LetterText) -> list[Finding]:
    findings = [
        Finding(code="placeholder", message=f"the letter contains a <{tag}> element: an unfilled placeholder")
        for tag in text.placeholder_tags
    ]
    for pattern, what in _PLACEHOLDERS:
        for match in pattern.finditer(text.full):
            snippet = text.full[max(0, match.start() - 30) : match.end() + 30]
            findings.append(Finding(code="placeholder", message=f"unfilled placeholder ({what}): …{snippet}…"))
    return findings


# -- clauses ---------------------------------------------------------------------------------------------------
def _fragments(clause: Clause, min_words: int) -> list[str]:
    return [normalise(f) for f in static_fragments(clause.text) if len(f.split()) >= min_words]


def _clause_findings(
    rendered: RenderedLetter, terms: OfferTerms, policy: CompanyPolicy, text: LetterText
) -> list[Finding]:
    letter = normalise(text.full)
    findings: list[Finding] = []
    for clause in policy.required_clauses(terms, rendered.band):
        fragments = _fragments(clause, REQUIRED_FRAGMENT_WORDS)
        missing = [f for f in fragments if f not in letter]
        if clause.id not in text.clause_markers and (not fragments or len(missing) == len(fragments)):
            findings.append(
                Finding(
                    code="missing_required_clause",
                    clause_id=clause.id,
                    message=(f"required clause {clause.id!r} ({clause.title}) is missing for {terms.jurisdiction}"),
                )
            )
        elif missing:
            findings.append(
                Finding(
                    code="clause_text_altered",
                    clause_id=clause.id,
                    message=(
                        f"required clause {clause.id!r} ({clause.title}) does not contain its text: {missing[0]!r}"
                    ),
                )
            )
    for clause in policy.forbidden_clauses(terms, rendered.band):
        if clause.id in text.clause_markers or clause.id in rendered.clause_ids:
            findings.append(
                Finding(
                    code="forbidden_clause",
                    clause_id=clause.id,
                    message=(f"clause {clause.id!r} ({clause.title}) is not allowed in {terms.jurisdiction}"),
                )
            )
            continue
        signatures = [normalise(d) for d in clause.detect] + _fragments(clause, FORBIDDEN_FRAGMENT_WORDS)
        found = next((s for s in signatures if s in letter), None)
        if found:
            findings.append(
                Finding(
                    code="forbidden_clause_text",
                    clause_id=clause.id,
                    message=(
                        f"the letter contains text of clause {clause.id!r} ({clause.title}), which is not allowed in "
                        f"{terms.jurisdiction}: {found!r}"
                    ),
                )
            )
    return findings


# -- figures ---------------------------------------------------------------------------------------------------
@dataclass
class _Allowed:
    values: dict[FigureKind, set[Any]] = field(
        default_factory=lambda: {"money": set(), "percent": set(), "date": set(), "number": set()}
    )

    def add(self, kind: FigureKind, value: Any) -> None:
        if value is not None:
            self.values[kind].add(value)

    def add_figures(self, figures: Iterable[Figure]) -> None:
        for figure in figures:
            self.add(figure.kind, figure.value)


def _kind_of(name: str) -> FigureKind | None:
    if name in MONEY_TERMS or name.startswith("band."):
        return "money"
    if name in PERCENT_TERMS:
        return "percent"
    if name in COUNT_TERMS:
        return "number"
    if name in DATE_TERMS or name == "letter_date":
        return "date"
    return None


def _expected(name: str, rendered: RenderedLetter, terms: OfferTerms) -> Any:
    if name == "letter_date":
        return rendered.letter_date
    if name.startswith("band."):
        band = rendered.band
        return None if band is None else band.attribute(name.removeprefix("band."))
    if name == "work_arrangement" and terms.work_arrangement is None:
        return terms.work_arrangement_label  # a list value nobody mapped, printed as iCIMS has it
    return getattr(terms, name, None)


def _allowed(rendered: RenderedLetter, terms: OfferTerms, policy: CompanyPolicy) -> _Allowed:
    allowed = _Allowed()
    for name in (*MONEY_TERMS, *PERCENT_TERMS, *COUNT_TERMS, *DATE_TERMS, "letter_date", "band.min", "band.max"):
        kind = _kind_of(name)
        if kind is not None:
            allowed.add(kind, _expected(name, rendered, terms))
    # Figures inside names and free-text terms ("Studio 54 Ltd", "4 years: 25% after a 1-year cliff") are theirs.
    texts = [getattr(terms, n) for n in ("title", "department", "location", "vesting_schedule", "special_terms",
                                         "reports_to")]  # fmt: skip
    for value in (*texts, rendered.candidate_name, rendered.company_name, policy.letterhead.tagline):
        if value:
            allowed.add_figures(extract_figures(str(value), rendered.locale, terms.currency))
    clause_ids = set(rendered.clause_ids) | {c.id for c in policy.required_clauses(terms, rendered.band)}
    for clause in policy.clauses:
        if clause.id in clause_ids:
            allowed.add_figures(_boilerplate(" ".join(static_fragments(clause.text)), rendered.locale, terms.currency))
    allowed.add_figures(
        _boilerplate(template_static_text(policy, rendered.template_id), rendered.locale, terms.currency)
    )
    return allowed


@lru_cache(maxsize=256)
def _boilerplate(text: str, locale: str, currency: str) -> tuple[Figure, ...]:
    return tuple(extract_figures(text, locale, currency))


def _describe(kind: FigureKind, value: Any, rendered: RenderedLetter) -> str:
    return f"{value}" if kind != "money" else f"{value} {rendered.currency}"


def _figure_findings(
    rendered: RenderedLetter, terms: OfferTerms, policy: CompanyPolicy, text: LetterText
) -> list[Finding]:
    findings: list[Finding] = []
    stated: set[str] = set()
    for name, printed in text.terms:
        stated.add(name)
        finding = _check_marked(name, printed, rendered, terms)
        if finding is not None:
            findings.append(finding)
    allowed = _allowed(rendered, terms, policy)
    figures = extract_figures(text.checked, rendered.locale, terms.currency)
    for figure in figures:
        findings.extend(_check_stray(figure, allowed, rendered))
    for name in STATED_TERMS:
        value, kind = getattr(terms, name), _kind_of(name)
        if value in (None, "") or name in stated:
            continue
        if kind is not None and any(f.kind == kind and f.value == value for f in figures):
            continue
        if kind is None and normalise(str(value)) in normalise(text.full):
            continue
        findings.append(
            Finding(
                code="term_not_stated",
                term=name,
                message=(
                    f"the letter does not state {name.replace('_', ' ')} "
                    f"({format_term(name, value, terms.currency, rendered.locale)})"
                ),
            )
        )
    return findings


def _check_marked(name: str, printed: str, rendered: RenderedLetter, terms: OfferTerms) -> Finding | None:
    expected = _expected(name, rendered, terms)
    kind = _kind_of(name)
    if kind is None:
        if name not in OfferTerms.model_fields:
            return None
        want = format_term(name, expected, terms.currency, rendered.locale) or ""
        if normalise(printed) == normalise(want):
            return None
        return Finding(
            code="wrong_value", term=name, message=f"the letter prints {name} as {printed!r}, the version has {want!r}"
        )
    read = [f for f in extract_figures(printed, rendered.locale, terms.currency) if f.kind == kind]
    want_text = (
        format_term(name, expected, terms.currency, rendered.locale)
        if name in OfferTerms.model_fields
        else str(expected)
    )
    if expected is None:
        return Finding(
            code="wrong_value", term=name, message=f"the letter prints {name} as {printed!r}, but the version has none"
        )
    if len(read) != 1 or read[0].value != expected or (kind == "money" and read[0].currency != rendered.currency):
        return Finding(
            code="wrong_value",
            term=name,
            message=(f"the letter prints {name.replace('_', ' ')} as {printed!r}; the version says {want_text}"),
        )
    return None


def _check_stray(figure: Figure, allowed: _Allowed, rendered: RenderedLetter) -> list[Finding]:
    if figure.kind == "money" and figure.currency != rendered.currency:
        return [
            Finding(
                code="wrong_currency", message=(f"{figure.text!r} is not in the offer's currency ({rendered.currency})")
            )
        ]
    if figure.kind == "date" and figure.value is None:
        return [Finding(code="invalid_date", message=f"{figure.text!r} is not a real date")]
    if figure.value in allowed.values[figure.kind]:
        return []
    code = {
        "money": "unexpected_amount",
        "percent": "unexpected_percent",
        "date": "unexpected_date",
        "number": "unexpected_number",
    }[figure.kind]
    return [
        Finding(
            code=code,
            message=(
                f"the letter prints {figure.text!r}, which matches no term of this version "
                f"({_describe(figure.kind, figure.value, rendered)})"
            ),
        )
    ]


# -- dates -----------------------------------------------------------------------------------------------------
def _date_findings(terms: OfferTerms, today: date) -> list[Finding]:
    if terms.expiry_date is None:
        return [Finding(code="missing_expiry", term="expiry_date", message="the version has no offer expiry date")]
    findings = []
    if terms.expiry_date <= today:
        findings.append(
            Finding(
                code="expiry_not_after_today",
                term="expiry_date",
                message=(
                    f"the offer expires on {terms.expiry_date.isoformat()}, "
                    f"which is not after today ({today.isoformat()})"
                ),
            )
        )
    if terms.start_date <= terms.expiry_date:
        findings.append(
            Finding(
                code="start_not_after_expiry",
                term="start_date",
                message=(
                    f"the start date {terms.start_date.isoformat()} is not after the offer expiry "
                    f"{terms.expiry_date.isoformat()}"
                ),
            )
        )
    return findings
