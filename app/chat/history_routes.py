"""Conversation history over plain HTTP, without Chainlit (`app.web` imports this before Chainlit is configured):
where a returning candidate's link leads, and the stored content of an element of one's own conversation."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.chat.runtime import current
from app.config import Settings
from app.security import sessions
from app.security.guard import credentials
from offer_engine import chat_history
from offer_engine.chat_history import ChatElement
from offer_engine.db import session_scope

ELEMENT_CONTENT_PATH = "/history/{thread_id}/elements/{element_id}"


def latest_thread_of(settings: Settings, engine: Engine, identifier: str) -> str | None:
    """The candidate's most recent conversation still shown, to reopen it when they come back."""
    with session_scope(engine) as session:
        return chat_history.latest_thread_of(session, identifier, retention=settings.chat.history_retention)


async def element_content(request: Request) -> Response:
    """The stored bytes of an element of one of the caller's own threads; 404 for anything else."""
    runtime = current()
    caller = _caller(runtime.settings, request)
    thread_id, element_id = request.path_params["thread_id"], request.path_params["element_id"]
    row = await asyncio.to_thread(_own_element, runtime.settings, runtime.db, caller, thread_id, element_id)
    if row is None or row.content is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(row.content, media_type=row.mime or "application/octet-stream", headers=headers)


def _own_element(
    settings: Settings, engine: Engine, caller: str | None, thread_id: str, element_id: str
) -> ChatElement | None:
    with session_scope(engine) as session:
        thread = chat_history.visible_thread(session, thread_id, retention=settings.chat.history_retention)
        if thread is None or caller is None or thread.owner != caller:
            return None
        return chat_history.element_of(session, thread_id, element_id)


def _caller(settings: Settings, request: Request) -> str | None:
    """The identifier of the session presenting this request (the session guard has already dropped invalid ones)."""
    found = credentials(request.scope)
    token = found.cookie_token or found.bearer_token
    if not token:
        return None
    try:
        return sessions.read(settings, token).identifier
    except sessions.SessionTokenError:
        return None


def history_routes() -> list[Route]:
    return [Route(ELEMENT_CONTENT_PATH, element_content, methods=["GET"], name="chat_history_element")]
