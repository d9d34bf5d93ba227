"""Text others wrote, made safe for Chainlit's Markdown (`app.security.text`): shown as typed, or defanged."""

from __future__ import annotations

import pytest

from app.security.text import defanged, plain


def test_plain_escapes_every_markdown_character() -> None:
    assert plain("![x](https://evil.example) *b* `c` #h") == (
        "\\!\\[x\\]\\(https\\://evil\\.example\\) \\*b\\* \\`c\\` \\#h"
    )


def test_plain_keeps_line_breaks_as_markdown_line_breaks() -> None:
    assert plain("first\nsecond\nthird") == "first  \nsecond  \nthird"
    assert plain("one line") == "one line"
    assert plain("") == ""


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("![a cat](https://evil.example/cat.png)", "[image: a cat]"),
        ("![](https://evil.example/pixel.png)", "[image]"),
        ("[Click](https://evil.example/x)", "Click (https\\://evil\\.example/x)"),
        ('[Click](<https://evil.example/x> "title")', "Click (https\\://evil\\.example/x)"),
        ("see [the terms][t]\n[t]: https://evil.example", "see the terms\n"),
        ("<https://evil.example/x>", "https\\://evil\\.example/x"),
        ("<img src=x onerror=alert(1)>", "\\<img src\\=x onerror\\=alert\\(1\\)\\>"),
        ("## Dental\n**Covered** in full, _always_.", "## Dental\n**Covered** in full, _always_."),
    ],
)
def test_defanged_keeps_formatting_but_shows_images_and_links_as_text(markdown: str, shown: str) -> None:
    assert defanged(markdown) == shown
