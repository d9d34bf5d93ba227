"""Turning a pipeline result into Chainlit elements: the answer's cited sources, the released letter's PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass

import chainlit as cl

from app.ai.models import Citation
from app.ai.models import Passage as GroundPassage
from app.chat.grounding import LetterInfo
from app.chat.notices import notice
from app.pipeline import PipelineResult
from app.security.text import defanged, plain

_NAME_UNSAFE = re.compile(r"[^\w\s,\-]+")
SOURCES_ELEMENT = "Sources"  # public/elements/Sources.jsx


def element_name(text: str) -> str:
    """An element's name, also written in the message ("Sources: ..."): only plain characters are kept."""
    return re.sub(r"\s+", " ", _NAME_UNSAFE.sub(" ", text)).strip(" -,") or "Source"


def source_elements(
    result: PipelineResult, language: str, *, compact: bool = False
) -> tuple[list[cl.CustomElement] | list[cl.Text], str]:
    """This answer's cited sources as elements, and the "Sources: ..." line naming them.

    In the full chat they are one list under the answer (`public/elements/Sources.jsx`), each source opening in
    place to its whole passage. Not Chainlit's side panel: since 2.11 it opens by itself on every answer with
    every side element of the conversation stacked under the newest one's title (Chainlit issue #2979).
    The widget has no room for passages, so its sources are short inline quotes.
    """
    sources = _distinct_sources(result, language)
    if not sources:
        return [], ""
    line = notice("sources", language, names=", ".join(source.name for source in sources))
    if compact:
        return [cl.Text(name=s.name, content=s.quote, display="inline") for s in sources], line
    props = {"sources": [{"name": s.name, "body": s.body} for s in sources]}
    return [cl.CustomElement(name=SOURCES_ELEMENT, props=props, display="inline")], line


@dataclass(frozen=True)
class _Source:
    name: str
    body: str  # Markdown: the whole passage (or the offer field) with its headings
    quote: str


def _distinct_sources(result: PipelineResult, language: str) -> list[_Source]:
    sources: list[_Source] = []
    for citation in result.answer.citations:
        if citation.kind == "offer":
            name, body = _offer_source(citation, language)
        else:
            name, body = _document_source(citation, result.passages)
        if all(source.name != name for source in sources):
            sources.append(_Source(name=name, body=body, quote=defanged(citation.quote)))
    return sources


def _offer_source(citation: Citation, language: str) -> tuple[str, str]:
    label = citation.quote.split(":", 1)[0] if ":" in citation.quote else citation.ref
    detail = notice("offer_source", language, title=citation.title, ref=citation.ref)
    return element_name(f"Offer - {label}"), f"**{citation.quote}**\n\n{detail}"


def _document_source(citation: Citation, passages: list[GroundPassage]) -> tuple[str, str]:
    passage = next((p for p in passages if p.citation_ref == citation.ref), None)
    passage = passage or next((p for p in passages if citation.ref.startswith(p.doc_id)), None)
    section = passage.section if passage is not None else ""
    name = element_name(f"{citation.title} - {section.split(' > ')[-1]}" if section else citation.title)
    where = f"*{plain(citation.title)}" + (f" > {plain(section)}*" if section else "*")
    body = passage.text if passage is not None else citation.quote
    # a document's passage keeps its formatting, but no image loads and no link hides where it goes
    return name, f"{where}\n\n{defanged(body)}\n\n> {defanged(citation.quote)}"


def letter_element(letter: LetterInfo, pdf: bytes, language: str) -> tuple[cl.Pdf, str]:
    """The released letter as an inline preview that opens the PDF viewer."""
    name = element_name(f"Offer letter v{letter.version_number}")
    element = cl.Pdf(name=name, content=pdf, display="inline", mime="application/pdf")
    return element, notice("letter", language, name=name)
