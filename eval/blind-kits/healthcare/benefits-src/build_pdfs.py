"""Builds the kit's PDF documents from these HTML sources: /work/main/.venv/bin/python build_pdfs.py"""
from pathlib import Path

from weasyprint import HTML

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "benefits" / "company"
for name in ("pto-accrual", "retirement-403b"):
    HTML(filename=str(HERE / f"{name}.html")).write_pdf(str(OUT / f"{name}.pdf"))
    print("wrote", OUT / f"{name}.pdf")
