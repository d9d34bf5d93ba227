"""The Jinja2 environment for a policy's letter templates and clause texts.

Templates are named ``builtin:<file>`` (shipped in ``offer_engine/letters/templates``) or ``policy:<path>``
(relative to the policy file). The environment is sandboxed, autoescapes and fails on undefined variables,
because templates come from companies we have never seen.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from jinja2 import FileSystemLoader, PrefixLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

BUILTIN_TEMPLATES = Path(__file__).resolve().parents[1] / "letters" / "templates"

_JINJA_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def make_environment(policy_dir: Path) -> ImmutableSandboxedEnvironment:
    loader = PrefixLoader(
        {"builtin": FileSystemLoader(BUILTIN_TEMPLATES), "policy": FileSystemLoader(policy_dir)}, delimiter=":"
    )
    return ImmutableSandboxedEnvironment(
        loader=loader, autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


def template_name(reference: str) -> str:
    """``builtin:x.html.j2`` stays; a plain path becomes ``policy:<path>``."""
    return reference if reference.startswith(("builtin:", "policy:")) else f"policy:{reference}"


def resolve_file(reference: str, policy_dir: Path) -> Path:
    name = template_name(reference)
    prefix, _, rest = name.partition(":")
    return (BUILTIN_TEMPLATES if prefix == "builtin" else policy_dir) / rest


def clause_html_source(text: str) -> str:
    """Clause text (plain text with Jinja tags) as a Jinja HTML source: static text escaped, paragraphs in <p>."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]
    return "".join(f"<p>{_escape_static(' '.join(p.split()))}</p>" for p in paragraphs)


def _escape_static(text: str) -> str:
    parts = _JINJA_TAG.split(text)
    return "".join(part if _JINJA_TAG.fullmatch(part) else html.escape(part, quote=False) for part in parts)


def static_fragments(text: str) -> list[str]:
    """The clause's own words outside any Jinja tag and outside {% if %}/{% for %} blocks, split at sentences.

    These are what every rendering of the clause prints whatever the terms, so they identify it in a letter.
    """
    fragments: list[str] = []
    depth = 0
    for part in _JINJA_TAG.split(text):
        if part.startswith("{%"):
            keyword = part[2:].strip(" -").split(" ", 1)[0]
            if keyword in {"if", "for", "macro", "call", "filter", "raw"}:
                depth += 1
            elif keyword.startswith("end"):
                depth = max(0, depth - 1)
            continue
        if part.startswith(("{{", "{#")) or depth:
            continue
        for sentence in re.split(r"(?<=[.;:!?])\s+|\n\s*\n", part):
            cleaned = " ".join(sentence.split()).strip(" ,")
            if cleaned:
                fragments.append(cleaned)
    return fragments
