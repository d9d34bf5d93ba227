"""Render the demo PDF benefits documents with WeasyPrint: `.venv/bin/python demo/benefits-src/build_pdfs.py`.

The PDFs are committed under demo/benefits/ so the demo needs no build step; re-run this after editing a source.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML

SOURCES = Path(__file__).resolve().parent
TARGETS = {"life-and-disability.html": SOURCES.parent / "benefits" / "us" / "life-and-disability.pdf"}


def main() -> None:
    for name, target in TARGETS.items():
        HTML(filename=str(SOURCES / name)).write_pdf(str(target))
        print(f"{target.relative_to(SOURCES.parent.parent)}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
