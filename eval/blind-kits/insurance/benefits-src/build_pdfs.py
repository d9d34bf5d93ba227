#!/usr/bin/env python3
"""Renders the kit's PDF documents from HTML with WeasyPrint (run with the product's .venv/bin/python)."""
from pathlib import Path

from weasyprint import HTML

here = Path(__file__).resolve().parent
out = here.parent / "benefits" / "gb" / "uk-pension-salary-sacrifice.pdf"
HTML(filename=str(here / "uk-pension-salary-sacrifice.html")).write_pdf(str(out))
print("wrote", out.relative_to(here.parent))
