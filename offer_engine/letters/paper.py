"""The paper a letter is printed on, from the jurisdiction's country (not from the tenant)."""

from __future__ import annotations

from typing import Literal

PaperSize = Literal["letter", "A4"]

# CLDR supplemental data, paperSize "US-Letter": every other country prints on A4.
LETTER_PAPER_COUNTRIES = frozenset({"US", "CA", "MX", "CL", "CO", "CR", "GT", "NI", "PA", "PH", "PR", "SV", "VE", "BZ"})


def paper_size_for(jurisdiction: str) -> PaperSize:
    """US Letter where the country prints on it (United States, Canada, …), else A4."""
    country = jurisdiction.strip().upper().split("-", 1)[0]
    return "letter" if country in LETTER_PAPER_COUNTRIES else "A4"


def page_size_css(paper: PaperSize) -> str:
    """A rule after the template's stylesheet: the later @page size wins, whatever the template set."""
    return f"\n@page {{ size: {paper}; }}\n"
