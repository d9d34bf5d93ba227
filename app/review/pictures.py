"""Pictures in review mode's messages: charts (SVG) and the letter's pages (PNG), shown by the project's
`Picture` custom element (public/elements/Picture.jsx) at their natural size, shrunk to fit the chat.

Chainlit's own inline image is a thumbnail and its PDF viewer opens at 100 % in a narrower side panel (the
page is cut off on the right); a page image that fits the column reads at once.
"""

from __future__ import annotations

import base64
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

import chainlit as cl

from app.review.charts import Svg

log = logging.getLogger(__name__)
PICTURE_ELEMENT = "Picture"
PAGE_WIDTH_PX = 900
PAGE_TIMEOUT_SECONDS = 30
MAX_PAGES = 6


def picture(src: str, alt: str, width: int, height: int) -> cl.CustomElement:
    props = {"src": src, "alt": alt, "width": width, "height": height}
    return cl.CustomElement(name=PICTURE_ELEMENT, props=props, display="inline")


def chart(svg: Svg, alt: str) -> cl.CustomElement:
    encoded = base64.b64encode(svg.text.encode("utf-8")).decode("ascii")
    return picture(f"data:image/svg+xml;base64,{encoded}", alt, svg.width, svg.height)


def letter_pages(pdf: bytes) -> list[cl.CustomElement]:
    """The letter's pages as images fitting the chat; empty when poppler's `pdftoppm` is not installed or fails
    (the caller then shows Chainlit's PDF viewer)."""
    binary = shutil.which("pdftoppm")
    if binary is None:
        return []
    with tempfile.TemporaryDirectory(prefix="letter-preview-") as folder:
        source = Path(folder) / "letter.pdf"
        source.write_bytes(pdf)
        command = [binary, "-png", "-l", str(MAX_PAGES), "-scale-to-x", str(PAGE_WIDTH_PX), "-scale-to-y", "-1"]
        try:
            subprocess.run(  # noqa: S603 - a fixed binary on our own file, no shell
                [*command, str(source), str(Path(folder) / "page")],
                check=True,
                timeout=PAGE_TIMEOUT_SECONDS,
                capture_output=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("letter preview: pdftoppm failed (%s); showing the PDF viewer", exc)
            return []
        pages = sorted(Path(folder).glob("page*.png"))
        return [_page(path.read_bytes(), number) for number, path in enumerate(pages, start=1)]


def _page(png: bytes, number: int) -> cl.CustomElement:
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG header
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return picture(src, f"Letter page {number}", width, height)
