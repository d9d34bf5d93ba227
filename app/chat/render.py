"""Turning a pipeline result into Chainlit elements: cited sources that open in the side panel, the letter PDF."""

from __future__ import annotations

import re

import chainlit as cl

from app.ai.models import Citation
from app.ai.models import Passage as GroundPassage
from app.chat.grounding import LetterInfo
from app.chat.notices import notice
from app.pipeline import PipelineResult

_NAME_UNSAFE = re.compile(r"[^\w\s,\-]+")


def element_name(text: str) -> str:
    """A side element's name: it must appear verbatim in the message, so only plain characters are kept."""
    return re.sub(r"\s+", " ", _NAME_UNSAFE.sub(" ", text)).strip(" -,") or "Source"


def source_elements(result: PipelineResult, language: str, *, compact: bool = False) -> tuple[list[cl.Text], str]:
    """One element per distinct citation, and the "Sources: ..." line naming them.

    In the full chat a source opens in the side panel with its whole passage. The widget has no side panel
    (Chainlit shows side elements there as a dialog that pops up on every answer), so its sources are short
    inline quotes.
    """
    elements: list[cl.Text] = []
    names: list[str] = []
    for citation in result.answer.citations:
        if citation.kind == "offer":
            name, content = _offer_source(citation, language)
        else:
            name, content = _document_source(citation, result.passages)
        if name in names:
            continue
        names.append(name)
        if compact:
            content = citation.quote
        elements.append(cl.Text(name=name, content=content, display="inline" if compact else "side"))
    line = notice("sources", language, names=", ".join(names)) if names else ""
    return elements, line


def _offer_source(citation: Citation, language: str) -> tuple[str, str]:
    label = citation.quote.split(":", 1)[0] if ":" in citation.quote else citation.ref
    detail = notice("offer_source", language, title=citation.title, ref=citation.ref)
    return element_name(f"Offer - {label}"), f"**{citation.quote}**\n\n{detail}"


def _document_source(citation: Citation, passages: list[GroundPassage]) -> tuple[str, str]:
    passage = next((p for p in passages if p.citation_ref == citation.ref), None)
    passage = passage or next((p for p in passages if citation.ref.startswith(p.doc_id)), None)
    section = passage.section if passage is not None else ""
    name = element_name(f"{citation.title} - {section.split(' > ')[-1]}" if section else citation.title)
    heading = f"## {citation.title}\n" + (f"### {section}\n" if section else "")
    body = passage.text if passage is not None else citation.quote
    return name, f"{heading}\n{body}\n\n> {citation.quote}"


def letter_element(letter: LetterInfo, pdf: bytes, language: str) -> tuple[cl.Pdf, str]:
    """The letter as an inline preview that opens the PDF viewer (the side panel is kept for sources)."""
    name = element_name(f"Offer letter v{letter.version_number}")
    return cl.Pdf(name=name, content=pdf, display="inline", mime="application/pdf"), notice(
        "letter", language, name=name, final=letter.final
    )
