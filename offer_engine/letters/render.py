"""Rendering an offer version to HTML: template + the jurisdiction's clauses + the narrative paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, UndefinedError
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from offer_engine.catalogue import Catalogue
from offer_engine.letters.model import LetterContext, LetterRenderError, RenderedLetter
from offer_engine.letters.paper import page_size_css, paper_size_for
from offer_engine.letters.phrases import LetterPhrases
from offer_engine.letters.values import BandView, TermsView, printed_date
from offer_engine.money import locale_for
from offer_engine.narrative import NarrativeRequest, NarrativeWriter
from offer_engine.policy import Band, Clause, CompanyPolicy, LetterTemplate
from offer_engine.terms import OfferTerms

_PARAGRAPHS = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class RenderedClause:
    id: str
    title: str
    html: Markup


def render_letter(
    terms: OfferTerms,
    policy: CompanyPolicy,
    context: LetterContext,
    writer: NarrativeWriter,
    catalogue: Catalogue | None = None,
) -> RenderedLetter:
    """Render the letter of `terms`; raise LetterRenderError naming the template or clause that cannot render."""
    template = policy.template_for(terms.jurisdiction, context.language)
    language = _letter_language(template, context.language)
    locale = locale_for(terms.jurisdiction, language)
    band = policy.band_for(terms, context.job_band)
    printed: dict[str, str] = {}

    def record(name: str, text: str) -> None:
        printed.setdefault(name, text)

    variables = _variables(terms, policy, context, band, locale, record)
    variables["terms"] = TermsView(terms, locale, record, catalogue)
    variables["phrases"] = LetterPhrases(terms, locale, record, catalogue, language)
    clauses = [_render_clause(clause, variables) for clause in policy.clauses_for_letter(terms, band, template)]
    narrative = writer.write_narrative(
        NarrativeRequest(
            candidate_first_name=context.first_name,
            title=terms.title,
            department=terms.department,
            manager_name=context.manager_name,
            company_name=context.company_name,
            start_date=terms.start_date,
            language=language,
        )
    )
    paragraphs = [" ".join(p.split()) for p in _PARAGRAPHS.split(narrative.text.strip()) if p.strip()]
    paper = template.paper or paper_size_for(terms.jurisdiction)
    css = Markup(template.css + page_size_css(paper))  # noqa: S704 - the policy's own stylesheet file and our rule
    html = _render_template(
        template, policy, {**variables, "clauses": clauses, "narrative_paragraphs": paragraphs, "css": css}
    )
    return RenderedLetter(
        html=html,
        template_id=template.id,
        clause_ids=[c.id for c in clauses],
        narrative=narrative.text,
        narrative_source=dict(narrative.source),
        printed_values=printed,
        language=language,
        locale=locale,
        jurisdiction=terms.jurisdiction,
        currency=terms.currency,
        letter_date=context.today,
        paper=paper,
        band=band,
        policy_version=policy.version,
        candidate_name=context.candidate_name,
        company_name=context.company_name,
    )


def _letter_language(template: LetterTemplate, wanted: str) -> str:
    base = wanted.replace("_", "-").split("-")[0].lower()
    languages = [lang.lower() for lang in template.languages]
    return base if base in languages else languages[0]


def _variables(
    terms: OfferTerms,
    policy: CompanyPolicy,
    context: LetterContext,
    band: Band | None,
    locale: str,
    record: Any,
) -> dict[str, Any]:
    return {
        "terms": TermsView(terms, locale, record),
        "raw": terms,
        "band": BandView(band, locale, record),
        "letter_date": printed_date("letter_date", context.today, locale, record),
        "company": {"name": context.company_name, "address": list(context.company_address)},
        "candidate": {
            "name": context.candidate_name,
            "first_name": context.first_name,
            "address": list(context.candidate_address),
        },
        "manager": {"name": context.manager_name, "title": context.manager_title},
        "signer": _signer(context, policy),
        "recruiter": {"name": context.recruiter_name, "email": context.recruiter_email},
        "letterhead": policy.letterhead,
        "policy": {"company": policy.company, "version": policy.version},
        "locale": locale,
    }


def _signer(context: LetterContext, policy: CompanyPolicy) -> dict[str, str | None]:
    """Who signs: the person iCIMS names, else the policy's signer, else the hiring manager; a title stays with
    the name it came with (a configured title never goes under an iCIMS name)."""
    if context.signer_name:
        return {"name": context.signer_name, "title": context.signer_title}
    if policy.letterhead.signer_name:
        return {"name": policy.letterhead.signer_name, "title": policy.letterhead.signer_title or None}
    return {"name": context.manager_name, "title": context.signer_title or context.manager_title}


def _render_clause(clause: Clause, variables: dict[str, Any]) -> RenderedClause:
    try:
        html = clause.template.render(variables)
    except (UndefinedError, SecurityError, TemplateError, LetterRenderError) as exc:
        raise LetterRenderError(f"clause {clause.id!r} cannot be rendered: {exc}") from exc
    # The clause template autoescapes every value and its static text was escaped at load: this is safe HTML.
    return RenderedClause(id=clause.id, title=clause.title, html=Markup(html))  # noqa: S704


def _render_template(template: LetterTemplate, policy: CompanyPolicy, variables: dict[str, Any]) -> str:
    try:
        return policy.environment.get_template(template.html).render(variables)
    except (UndefinedError, SecurityError, TemplateError, LetterRenderError) as exc:
        raise LetterRenderError(f"letter template {template.id!r} cannot be rendered: {exc}") from exc
