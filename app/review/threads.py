# mypy: disable-error-code="no-untyped-call"
# (Chainlit's API is not annotated: calls into it are untyped.)
"""The candidate's conversation, read by staff from the review item ("Conversation" button on an offer).

Who may read it is who may see the offer (`requisitions.require_visible`: a hiring manager only their own
requisitions); every reading is audited. The candidate's words are shown as typed (Markdown escaped), the
assistant's answers and the recruiters' messages as the candidate saw them, each with who wrote it and when.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import chainlit as cl
from pydantic import BaseModel, ConfigDict

from app.review import service
from app.review.handlers import review_action
from app.review.payloads import OfferRef
from app.review.runtime import ReviewRuntime, current
from app.security.text import plain
from offer_engine import audit, chat_history, offers, requisitions
from offer_engine.chat_history import ChatStep
from offer_engine.columns import as_utc

_SHOWN_TYPES = {"user_message": "candidate", "assistant_message": "assistant"}


class ConversationLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    who: str
    by_candidate: bool
    at: datetime
    text: str


def conversation(rt: ReviewRuntime, staff_id: int, offer_id: int) -> tuple[str, list[ConversationLine]]:
    """The candidate's name and their conversation, for a staff user who may see the offer (audited)."""
    with service.acting(rt, staff_id) as (session, user):
        offer = offers.get_offer(session, offer_id)
        requisitions.require_visible(session, user, offer)
        retention = rt.settings.chat.history_retention
        lines = [_line(step) for step in chat_history.conversation_of_offer(session, offer_id, retention=retention)]
        audit.record(
            session,
            actor=user.actor(),
            action="chat_history.read",
            subject_type="offer",
            subject_id=offer_id,
            icims=offer.icims_ids,
            details={"messages": len(lines)},
        )
        name = str((offer.attributes.get("letter_context") or {}).get("candidate_name") or "the candidate")
        return name, [line for line in lines if line is not None]


def _line(step: ChatStep) -> ConversationLine | None:
    body: dict[str, Any] = step.body
    kind = _SHOWN_TYPES.get(str(body.get("type")))
    text = str(body.get("output") or "").strip()
    if kind is None or not text:
        return None
    return ConversationLine(
        who=str(body.get("name") or kind), by_candidate=kind == "candidate", at=as_utc(step.created_at), text=text
    )


def conversation_markdown(candidate: str, lines: list[ConversationLine]) -> str:
    if not lines:
        return f"**Conversation with {plain(candidate)}**\n\nNo conversation is kept for this offer."
    parts = [f"**Conversation with {plain(candidate)}** ({len(lines)} messages)"]
    for line in lines:
        said = plain(line.text) if line.by_candidate else line.text
        quoted = "\n".join(f"> {row}" for row in said.splitlines())
        parts.append(f"**{plain(line.who)}**, {line.at.strftime('%Y-%m-%d %H:%M UTC')}\n{quoted}")
    return "\n\n".join(parts)


@review_action("review_thread", OfferRef)
async def on_thread(staff_id: int, choice: OfferRef) -> None:
    candidate, lines = await asyncio.to_thread(conversation, current(), staff_id, choice.offer_id)
    back = cl.Action(name="review_open", payload={"offer_id": choice.offer_id}, label="Back to the offer")
    await cl.Message(content=conversation_markdown(candidate, lines), actions=[back], author="Review").send()
