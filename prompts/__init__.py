"""Versioned prompts and candidate-facing response templates.

Each template is a text file in this folder named ``<name>.<lang>.md`` with a front-matter block::

    ---
    name: letter_narrative
    version: 3
    kind: prompt | response
    description: one line
    ---
    Jinja2 text with {{ variables }}

The version is recorded in every audit event that used the template. Missing variables are errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

PROMPTS_DIR = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = "en"

_jinja = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)  # noqa: S701 - plain text, not HTML


class PromptNotFoundError(LookupError):
    """No template by that name (in that language or English)."""


class PromptFormatError(ValueError):
    """A template file without valid front matter."""


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    kind: str
    language: str
    text: str
    description: str = ""
    _template: Template = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compile once: rendering is on every chat answer's path.
        object.__setattr__(self, "_template", _jinja.from_string(self.text))

    @property
    def ref(self) -> str:
        """How audit events name this template: ``name@version/lang``."""
        return f"{self.name}@{self.version}/{self.language}"

    def render(self, **variables: Any) -> str:
        return self._template.render(**variables).strip()


def _parse(path: Path) -> Prompt:
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---\n"):
        raise PromptFormatError(f"{path.name}: missing front matter")
    header, sep, body = raw[4:].partition("\n---\n")
    if not sep:
        raise PromptFormatError(f"{path.name}: front matter is not closed with ---")
    meta: dict[str, str] = {}
    for line in header.splitlines():
        key, colon, value = line.partition(":")
        if colon:
            meta[key.strip()] = value.strip()
    _stem, _, language = path.name.removesuffix(".md").rpartition(".")
    try:
        return Prompt(
            name=meta["name"],
            version=int(meta["version"]),
            kind=meta.get("kind", "prompt"),
            language=language or DEFAULT_LANGUAGE,
            text=body.strip("\n"),
            description=meta.get("description", ""),
        )
    except (KeyError, ValueError) as exc:
        raise PromptFormatError(f"{path.name}: front matter needs name and an integer version ({exc})") from exc


@lru_cache(maxsize=1)
def _catalogue() -> dict[tuple[str, str], Prompt]:
    found: dict[tuple[str, str], Prompt] = {}
    for path in sorted(PROMPTS_DIR.rglob("*.md")):  # subfolders group templates (e.g. notifications/)
        prompt = _parse(path)
        found[(prompt.name, prompt.language)] = prompt
    return found


def load_prompt(name: str, language: str = DEFAULT_LANGUAGE) -> Prompt:
    """The template `name` in `language` (e.g. "es" or "es-MX"), falling back to English."""
    catalogue = _catalogue()
    for lang in (language, language.split("-")[0].lower(), DEFAULT_LANGUAGE):
        if (name, lang) in catalogue:
            return catalogue[(name, lang)]
    raise PromptNotFoundError(f"no prompt named {name!r}")


def available_languages(name: str) -> set[str]:
    return {lang for (n, lang) in _catalogue() if n == name}


def all_prompts() -> list[Prompt]:
    return list(_catalogue().values())
