"""The hiring manager's paragraph in an offer letter, obtained through a writer interface.

The default writer fills the versioned `letter_narrative` template in `prompts/` (no model, no network).
The AI layer adds LLM writers behind the same `NarrativeWriter` protocol; whatever writes it, the letter
treats the narrative as plain text (HTML-escaped) and the compliance check reads every figure in it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from prompts import load_prompt

NARRATIVE_PROMPT = "letter_narrative"


class NarrativeRequest(BaseModel):
    """What a narrative writer may know: no pay figures, so none can be misquoted."""

    model_config = ConfigDict(frozen=True)

    candidate_first_name: str = Field(min_length=1)
    title: str = Field(min_length=1)
    department: str | None = None
    manager_name: str = Field(min_length=1)
    company_name: str = Field(min_length=1)
    start_date: date
    language: str = "en"


class Narrative(BaseModel):
    """The paragraph and how it was made, e.g. ``{"provider": "template", "prompt": "letter_narrative@2/en"}``."""

    model_config = ConfigDict(frozen=True)

    text: str
    source: dict[str, Any]


@runtime_checkable
class NarrativeWriter(Protocol):
    def write_narrative(self, request: NarrativeRequest) -> Narrative: ...


class TemplateNarrativeWriter:
    """Writes the narrative from `prompts/letter_narrative.<lang>.md`, falling back to English."""

    def write_narrative(self, request: NarrativeRequest) -> Narrative:
        prompt = load_prompt(NARRATIVE_PROMPT, request.language)
        text = prompt.render(
            candidate_first_name=request.candidate_first_name,
            title=request.title,
            department=request.department,
            manager_name=request.manager_name,
            company_name=request.company_name,
        )
        return Narrative(text=text, source={"provider": "template", "prompt": prompt.ref})
