"""Offer letters: an offer version rendered to HTML from the policy's template and clause library, then PDF."""

from __future__ import annotations

from offer_engine.letters.model import LetterContext, LetterRenderError, RenderedLetter
from offer_engine.letters.pdf import PdfError, find_fonts, write_pdf
from offer_engine.letters.render import render_letter
from offer_engine.letters.values import format_term

__all__ = [
    "LetterContext",
    "LetterRenderError",
    "PdfError",
    "RenderedLetter",
    "find_fonts",
    "format_term",
    "render_letter",
    "write_pdf",
]
