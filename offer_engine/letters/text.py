"""A rendered letter read back as text, the way the compliance check (and a reader) sees it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bs4 import BeautifulSoup, Tag

from offer_engine.policy import CompanyPolicy

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " ", "\u202f": " "})


def normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).casefold().split())


@dataclass
class LetterText:
    """The letter as text: all of it, and the part whose figures are checked (addresses and marked terms out)."""

    full: str
    checked: str
    terms: list[tuple[str, str]]  # (data-term, printed text) in document order
    clause_markers: set[str]
    placeholder_tags: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, html: str) -> LetterText:
        soup = BeautifulSoup(html, "html.parser")
        for element in soup(["style", "script", "head"]):
            element.decompose()
        placeholder_tags = sorted({t.name for t in soup.find_all(True) if "placeholder" in t.name})
        markers = {str(t["data-clause"]) for t in soup.select("[data-clause]")}
        marked = [(str(t["data-term"]), " ".join(t.get_text(" ").split())) for t in soup.select("[data-term]")]
        full = " ".join(soup.get_text(" ").split())
        for element in soup(["address", "svg"]):
            element.decompose()
        for element in soup.select("[data-term]"):
            if isinstance(element, Tag):
                element.replace_with(" ; ")
        checked = " ".join(soup.get_text(" ").split())
        return cls(full, checked, marked, markers, placeholder_tags)


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_REFERENCE = re.compile(r"\{%-?\s*(?:extends|include|import|from)\s+[\"']([^\"']+)[\"']")


@lru_cache(maxsize=64)
def template_static_text(policy: CompanyPolicy, template_id: str) -> str:
    """The words a template prints whatever the terms (the template and those it extends or includes)."""
    loader = policy.environment.loader
    if loader is None:
        return ""
    try:
        pending, seen, texts = [policy.template(template_id).html], set(), []
    except ValueError:
        return ""
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source = loader.get_source(policy.environment, name)[0]
        pending.extend(_REFERENCE.findall(source))
        soup = BeautifulSoup(_JINJA.sub(" ", source), "html.parser")
        for element in soup(["style", "script"]):
            element.decompose()
        texts.append(soup.get_text(" "))
    return " ".join(texts)
