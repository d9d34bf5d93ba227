"""The paper a letter is printed on, from the jurisdiction's country (not from the tenant)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

PaperSize = Literal["letter", "A4"]

# CLDR supplemental data, paperSize "US-Letter": every other country prints on A4.
LETTER_PAPER_COUNTRIES = frozenset({"US", "CA", "MX", "CL", "CO", "CR", "GT", "NI", "PA", "PH", "PR", "SV", "VE", "BZ"})
PAPER_WIDTH_MM: dict[PaperSize, Decimal] = {"letter": Decimal("215.9"), "A4": Decimal("210")}
SIDE_MARGINS_MM = Decimal(44)  # letter.css: 22 mm left and right


def paper_size_for(jurisdiction: str) -> PaperSize:
    """US Letter where the country prints on it (United States, Canada, …), else A4."""
    country = jurisdiction.strip().upper().split("-", 1)[0]
    return "letter" if country in LETTER_PAPER_COUNTRIES else "A4"


def page_size_css(paper: PaperSize) -> str:
    """Rules after the template's stylesheet (later rules win): the page size, and the running letterhead as wide
    as the text on that paper (a margin box does not take its width from the page)."""
    text_width = PAPER_WIDTH_MM[paper] - SIDE_MARGINS_MM
    return f"\n@page {{ size: {paper}; }}\n.letterhead {{ width: {text_width}mm; }}\n"
