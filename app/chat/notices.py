"""The chat's own wording (letter, sources, buttons, confirmations), from the versioned `chat_*` templates."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from prompts import load_prompt

# Same settings as the prompts loader; compiled once per template version (compiling costs ~20 ms a render).
_jinja = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)  # noqa: S701 - plain text

_DEFAULTS: dict[str, Any] = {
    "name": "",
    "names": "",
    "title": "",
    "ref": "",
    "recruiter_name": None,
    "number": "",
    "reason": "",
}


def notice(kind: str, language: str | None, **variables: Any) -> str:
    """One of the chat's messages in `language` ("es", else English)."""
    return _render("chat_notice", reply_language(language), {**_DEFAULTS, **variables, "kind": kind})


def starters(language: str | None) -> list[str]:
    text = _render("chat_starters", reply_language(language), {})
    return [line.strip() for line in text.splitlines() if line.strip()]


def render_template(name: str, language: str, **variables: Any) -> str:
    """Any response template, compiled once (for templates rendered on the chat's event loop)."""
    return _render(name, language, variables)


def _render(name: str, language: str, variables: dict[str, Any]) -> str:
    prompt = load_prompt(name, language)
    return _compiled(prompt.ref, prompt.text).render(**variables).strip()


@lru_cache(maxsize=64)
def _compiled(ref: str, text: str) -> Template:  # noqa: ARG001 - the ref keys the cache by name, version and language
    return _jinja.from_string(text)


def reply_language(language: str | None) -> str:
    """Spanish for Spanish speakers ("es", "es-MX", "Spanish"), English for everyone else."""
    code = (language or "").strip().lower()
    return "es" if code.startswith("es") or code in ("spanish", "español", "espanol") else "en"
