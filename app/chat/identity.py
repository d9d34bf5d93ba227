"""Who is chatting: the candidate identity carried by the signed session, and nothing else.

The identity is made once, at sign-in, from a verified link token and the database; it travels as the
metadata of Chainlit's user inside Chainlit's signed session cookie. Every handler reads the offer from here,
never from message text, action payloads or URL parameters.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

Channel = Literal["portal", "widget", "cli"]
_METADATA_KEY = "offer_assistant"


class IdentityError(ValueError):
    """The session carries no usable candidate identity (not signed in through a candidate link)."""


class CandidateIdentity(BaseModel):
    """One candidate's access to one offer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: int
    workflow_id: int
    offer_id: int
    person_id: int | None = None
    generation: int = 0
    channel: Channel = "portal"
    display_name: str = ""
    language: str | None = None  # the candidate's preferred language from the ATS, if any
    link_id: str | None = None  # the jti of the link that opened the session (for the audit trail)
    link_expires_at: int | None = None  # the link's own expiry (seconds since the epoch): the session ends there

    @property
    def user_identifier(self) -> str:
        """Chainlit's user identifier: unique per candidate and offer, never shared between candidates."""
        return f"candidate:{self.customer_id}:{self.workflow_id}:{self.offer_id}"

    def to_metadata(self) -> dict[str, Any]:
        return {_METADATA_KEY: self.model_dump(mode="json"), "roles": ["candidate"]}

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any] | None) -> CandidateIdentity:
        raw = (metadata or {}).get(_METADATA_KEY)
        if not isinstance(raw, dict):
            raise IdentityError("this session was not opened with a candidate link")
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise IdentityError(f"the session's candidate identity is malformed: {exc}") from exc
