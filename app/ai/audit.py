"""Audit of every AI call, handed to whatever sink the caller provides (the pipeline adapts offer_engine.audit).

The AI layer does not write to the database itself: the chat pipeline knows the offer, the actor and the
session, so it adapts `AuditSink` to `offer_engine.audit.record`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

Task = Literal["answer", "extract_counter_offer", "narrative"]


class AICallEvent(BaseModel):
    """One AI call: who answered, with which prompts, what went in (masked) and out, and what the guard said."""

    model_config = ConfigDict(frozen=True)

    task: Task
    provider: str  # "embedded" or "openai"
    model: str
    prompt_refs: list[str] = Field(default_factory=list)  # "name@version/lang"
    input_hash: str  # sha256 of the masked input actually used (sent, for an LLM)
    output_hash: str  # sha256 of the text returned to the caller
    latency_ms: float
    guard: str  # passed | rejected | not_checked
    unsupported: list[str] = Field(default_factory=list)
    fallback_reason: str | None = None  # llm_timeout, llm_unavailable, llm_invalid_output, guard_rejected ...
    intent: str | None = None
    language: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def action(self) -> str:
        return f"ai.{self.task}"

    @property
    def prompt_version(self) -> str:
        """All prompt refs in one string, for the audit trail's prompt_version column."""
        return ",".join(self.prompt_refs)


class AuditSink(Protocol):
    def record_ai_call(self, event: AICallEvent) -> None: ...


class InMemoryAuditSink:
    """Keeps events in a list: for tests, `ask` dry runs and benchmarks."""

    def __init__(self) -> None:
        self.events: list[AICallEvent] = []

    def record_ai_call(self, event: AICallEvent) -> None:
        self.events.append(event)


class NullAuditSink:
    def record_ai_call(self, event: AICallEvent) -> None:  # noqa: ARG002 - deliberately discards
        return None


def sha256_text(value: str | bytes | dict[str, Any] | list[Any]) -> str:
    """The same hashing as offer_engine.audit.sha256_of: strings as UTF-8, structures as canonical JSON."""
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode("utf-8")
    else:
        data = json.dumps(to_jsonable_python(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()
