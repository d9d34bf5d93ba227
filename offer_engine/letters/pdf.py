"""Rendered letter → PDF with WeasyPrint: embedded DejaVu fonts, page numbers, no network.

The letter's stylesheet uses "DejaVu Serif" and "DejaVu Sans"; here @font-face binds those families to the
font files found on the machine (WeasyPrint embeds the subsets it uses), so the PDF does not depend on what
fontconfig would pick. Resources may only come
from those font files, the built-in template folder and data: URLs; anything else fails the PDF.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from offer_engine.letters.model import RenderedLetter
from offer_engine.policy import BUILTIN_TEMPLATES

FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
)
# family → (file name, weight, style)
FONT_FILES = {
    "DejaVu Serif": (
        ("DejaVuSerif.ttf", "normal", "normal"),
        ("DejaVuSerif-Bold.ttf", "bold", "normal"),
        ("DejaVuSerif-Italic.ttf", "normal", "italic"),
        ("DejaVuSerif-BoldItalic.ttf", "bold", "italic"),
    ),
    "DejaVu Sans": (
        ("DejaVuSans.ttf", "normal", "normal"),
        ("DejaVuSans-Bold.ttf", "bold", "normal"),
        ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ),
}


class PdfError(RuntimeError):
    """The PDF could not be produced (e.g. the letter refers to a remote or forbidden resource)."""


@lru_cache(maxsize=1)
def find_fonts() -> dict[str, Path]:
    """Installed DejaVu font files by file name (empty when none are found: fontconfig then picks a font)."""
    found: dict[str, Path] = {}
    wanted = {name for faces in FONT_FILES.values() for name, _, _ in faces}
    for folder in FONT_DIRS:
        if not folder.is_dir():
            continue
        for name in wanted - set(found):
            match = next(iter(sorted(folder.rglob(name))), None)
            if match is not None:
                found[name] = match.resolve()
        if found.keys() == wanted:
            break
    return found


@lru_cache(maxsize=1)
def font_face_css() -> str:
    fonts = find_fonts()
    rules = []
    for family, faces in FONT_FILES.items():
        for file_name, weight, style in faces:
            source = f'url("{fonts[file_name].as_uri()}")' if file_name in fonts else f'local("{family}")'
            rules.append(
                f'@font-face {{ font-family: "{family}"; src: {source}; font-weight: {weight}; font-style: {style}; }}'
            )
    return "\n".join(rules)


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves data: URLs and files under the allowed folders; records and refuses everything else."""

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.allowed = tuple(p.resolve() for p in allowed)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.allowed) and path.is_file():
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _content_type(path)})
        self.refused.append(url)
        raise ValueError(f"refused to fetch {url}: letters may only use local font and template files")


def _content_type(path: Path) -> str:
    return {
        ".ttf": "font/ttf",
        ".otf": "font/otf",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
    }.get(path.suffix.lower(), "application/octet-stream")


_font_lock = threading.Lock()
_font_config: FontConfiguration | None = None


def _shared_font_config() -> FontConfiguration:
    # Loading the faces is the slow part of a render; one configuration serves every letter of the process.
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def write_pdf(rendered: RenderedLetter) -> bytes:
    """The letter as PDF bytes (its jurisdiction's paper, letterhead and page numbers on every page, fonts embedded)."""
    return html_to_pdf(rendered.html)


def html_to_pdf(html: str) -> bytes:
    """Any of our own HTML documents (a letter, a signature page) as PDF, with the letters' fonts and resources."""
    allowed = (BUILTIN_TEMPLATES, *{p.parent for p in find_fonts().values()})
    fetcher = LocalOnlyFetcher(allowed)
    with _font_lock:
        font_config = _shared_font_config()
        fonts = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
        document = HTML(string=html, base_url=BUILTIN_TEMPLATES.as_uri() + "/", url_fetcher=fetcher)
        pdf = document.write_pdf(stylesheets=[fonts], font_config=font_config)
    if fetcher.refused:
        raise PdfError("the letter refers to resources that are not allowed: " + ", ".join(fetcher.refused))
    if not isinstance(pdf, bytes):
        raise PdfError("WeasyPrint returned no PDF")
    return pdf
