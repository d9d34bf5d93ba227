"""Text that others wrote, made safe to show in Chainlit's Markdown.

- `plain`: candidate-written text in the staff UI (rationale, "Candidate wrote", hand-off messages) is shown as
  the characters typed: every Markdown character is escaped, so ``![](https://…)`` loads nothing and
  ``[Click to approve](https://…)`` is not a link that looks like ours.
- `defanged`: document passages keep their headings, lists and emphasis, but images become their alt text and
  links show their real target as text.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&:=\"'$^])")
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?[^)\n]*\)")
_REFERENCE_DEFINITION = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[^\n]*$", re.MULTILINE)
_REFERENCE_USE = re.compile(r"!?\[([^\]\n]*)\]\[[^\]\n]*\]")
_ANGLE_LINK = re.compile(r"<((?:https?|ftp|mailto|data|javascript):[^>\s]*)>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(/?[A-Za-z][^>]*)>")


def plain(text: str) -> str:
    """`text` as literal characters in Markdown (line breaks kept)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return "  \n".join(line for line in escaped.splitlines()) if "\n" in escaped else escaped


def defanged(markdown: str) -> str:
    """`markdown` without images or links that hide their target; other formatting is kept."""
    text = _REFERENCE_DEFINITION.sub("", markdown)
    text = _IMAGE.sub(lambda m: f"[image: {plain(m.group(1))}]" if m.group(1) else "[image]", text)
    text = _LINK.sub(lambda m: f"{plain(m.group(1))} ({plain(m.group(2))})", text)
    text = _REFERENCE_USE.sub(lambda m: plain(m.group(1)), text)
    text = _ANGLE_LINK.sub(lambda m: plain(m.group(1)), text)
    return _HTML_TAG.sub(lambda m: plain(f"<{m.group(1)}>"), text)
