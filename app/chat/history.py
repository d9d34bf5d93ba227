# mypy: disable-error-code="no-untyped-call,untyped-decorator"
# (Chainlit's API is not annotated: calls into it and its decorators are untyped.)
"""Conversation history: Chainlit's data layer on the product's own database (`offer_engine.chat_history`).

Our own `BaseDataLayer` over the SQLModel engine the rest of the product uses (SQLite or PostgreSQL, migrated by
Alembic), not Chainlit's SQLAlchemy layer: that one needs a second, asynchronous engine (aiosqlite/asyncpg) on the
same database and a cloud bucket for files. Database calls run in worker threads, off the event loop.

Only candidates' conversations are kept. A step or element is stored only when the session that sends it is a
candidate's, and a thread belongs to the candidate (Chainlit user identifier) that started it, for ever. Staff
review sessions are never stored (they show live data). A thread is shown, listed and resumable only by its
owner, while the offer is open and for `chat.history_retention_days` after its last message; after that it is
gone as if it never existed (and the worker purges it).

The user Chainlit "persists" is the one of the signed session token itself (`create_user` writes nothing and
`get_user` finds nothing): Chainlit would otherwise replace the token's metadata (the candidate's link
generation, our session id) with stored metadata on every request, and an older tab could pick up a newer link.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import chainlit as cl
from chainlit.context import context
from chainlit.data import get_data_layer
from chainlit.data.base import BaseDataLayer
from chainlit.data.utils import queue_until_user_message
from chainlit.types import Feedback, PageInfo, PaginatedResponse, Pagination, ThreadDict, ThreadFilter
from chainlit.user import PersistedUser, User
from fastapi import HTTPException
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.chat.history_routes import ELEMENT_CONTENT_PATH, latest_thread_of
from app.chat.identity import CandidateIdentity, IdentityError
from app.chat.runtime import current
from offer_engine import chat_history
from offer_engine.chat_history import ChatElement, ChatThread, ThreadOwner
from offer_engine.columns import utcnow
from offer_engine.db import session_scope

if TYPE_CHECKING:
    from chainlit.element import Element, ElementDict
    from chainlit.step import StepDict

T = TypeVar("T")
_KEPT_THREAD_ATTRIBUTES = ("chat_profile", "client_type")


def _engine() -> Engine:
    return current().db


def _retention() -> timedelta:
    return current().settings.chat.history_retention


def _in_session(work: Callable[[Session], T]) -> Callable[[], T]:
    def run() -> T:
        with session_scope(_engine()) as session:
            return work(session)

    return run


async def _in_db(work: Callable[[Session], T]) -> T:
    return await asyncio.to_thread(_in_session(work))


def owner_of(user: Any) -> ThreadOwner | None:
    """The thread owner a chat user is, when it is a candidate (None for staff and anyone else)."""
    try:
        identity = CandidateIdentity.from_metadata(getattr(user, "metadata", None))
    except IdentityError:
        return None
    if getattr(user, "identifier", None) != identity.user_identifier:
        return None
    return ThreadOwner(
        identifier=identity.user_identifier,
        customer_id=identity.customer_id,
        workflow_id=identity.workflow_id,
        offer_id=identity.offer_id,
    )


def _session_owner() -> ThreadOwner | None:
    try:
        return owner_of(context.session.user)
    except Exception:  # no chat context (a plain HTTP call): nothing is written for nobody
        return None


class HistoryDataLayer(BaseDataLayer):
    """Chainlit's persistence hooks, answered from `offer_engine.chat_history`.

    Chainlit fires each write as its own task (a message's creation, then its update); one writer thread runs
    them in the order they were fired, so a later state is never overwritten by an earlier one."""

    def __init__(self) -> None:
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-history")

    async def _write(self, work: Callable[[Session], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._writer, _in_session(work))

    # -- users: the signed token's own user, never stored metadata ---------------------------------------------

    async def get_user(self, identifier: str) -> PersistedUser | None:
        del identifier
        return None

    async def create_user(self, user: User) -> PersistedUser | None:
        return PersistedUser(
            id=user.identifier,
            identifier=user.identifier,
            display_name=user.display_name,
            metadata=dict(user.metadata or {}),
            createdAt=utcnow().isoformat(),
        )

    # -- threads -----------------------------------------------------------------------------------------------

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
    ) -> None:
        del tags
        owner = _session_owner()
        if owner is None or (user_id is not None and user_id != owner.identifier):
            return
        kept = {k: v for k, v in (metadata or {}).items() if k in _KEPT_THREAD_ATTRIBUTES and isinstance(v, str)}

        def save(session: Session) -> None:
            existing = session.get(ChatThread, thread_id)
            if existing is not None and existing.owner not in (None, owner.identifier):
                return
            chat_history.save_thread(
                session, thread_id, owner=owner, name=name, attributes=kept if metadata is not None else None
            )

        await self._write(save)

    async def get_thread_author(self, thread_id: str) -> str:
        thread = await _in_db(lambda s: chat_history.visible_thread(s, thread_id, retention=_retention()))
        return thread.owner or "" if thread is not None else ""

    async def get_thread(self, thread_id: str) -> ThreadDict | None:
        def read(session: Session) -> ThreadDict | None:
            thread = chat_history.visible_thread(session, thread_id, retention=_retention())
            return _thread_dict(session, thread, with_steps=True) if thread is not None else None

        return await _in_db(read)

    async def list_threads(self, pagination: Pagination, filters: ThreadFilter) -> PaginatedResponse[ThreadDict]:
        owner = filters.userId or ""
        limit = max(1, min(pagination.first, 50))

        def read(session: Session) -> list[ThreadDict]:
            found = chat_history.threads_of(session, owner, retention=_retention(), limit=limit)
            return [_thread_dict(session, t, with_steps=False) for t in found]

        data = await _in_db(read) if owner.startswith("candidate:") else []
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        return PaginatedResponse(data=data, pageInfo=PageInfo(hasNextPage=False, startCursor=first, endCursor=last))

    async def delete_thread(self, thread_id: str) -> None:
        owner = _session_owner()

        def delete(session: Session) -> None:
            thread = session.get(ChatThread, thread_id)
            if thread is not None and (owner is None or thread.owner == owner.identifier):
                chat_history.delete_thread(session, thread_id)

        await self._write(delete)  # Chainlit's route checked the caller is the author

    # -- steps -------------------------------------------------------------------------------------------------

    @queue_until_user_message()
    async def create_step(self, step_dict: StepDict) -> None:
        await self._save_step(step_dict)

    @queue_until_user_message()
    async def update_step(self, step_dict: StepDict) -> None:
        await self._save_step(step_dict)

    @queue_until_user_message()
    async def delete_step(self, step_id: str) -> None:
        owner = _session_owner()
        if owner is None:
            return

        def delete(session: Session) -> None:
            step = session.get(chat_history.ChatStep, step_id)
            thread = session.get(ChatThread, step.thread_id) if step is not None else None
            if thread is not None and thread.owner == owner.identifier:
                chat_history.delete_step(session, step_id)

        await self._write(delete)

    async def _save_step(self, step_dict: StepDict) -> None:
        owner = _session_owner()
        thread_id, step_id = step_dict.get("threadId"), step_dict.get("id")
        if owner is None or not thread_id or not step_id:
            return
        body = {k: v for k, v in dict(step_dict).items() if k != "feedback"}
        await self._write(lambda s: chat_history.save_step(s, owner, str(thread_id), str(step_id), body))

    # -- elements ----------------------------------------------------------------------------------------------

    @queue_until_user_message()
    async def create_element(self, element: Element) -> None:
        owner = _session_owner()
        if owner is None or not element.thread_id:
            return
        content = await _element_bytes(element)
        row = ChatElement(
            id=element.id,
            thread_id=element.thread_id,
            for_id=element.for_id,
            kind=str(element.type),
            name=element.name,
            display=str(element.display),
            mime=element.mime,
            size=getattr(element, "size", None),
            language=getattr(element, "language", None),
            page=getattr(element, "page", None),
            props=dict(getattr(element, "props", None) or {}),
            content=content,
        )
        await self._write(lambda s: chat_history.save_element(s, owner, row))

    async def get_element(self, thread_id: str, element_id: str) -> ElementDict | None:
        def read(session: Session) -> ElementDict | None:
            if chat_history.visible_thread(session, thread_id, retention=_retention()) is None:
                return None
            row = chat_history.element_of(session, thread_id, element_id)
            return _element_dict(row) if row is not None else None

        return await _in_db(read)

    @queue_until_user_message()
    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        owner = _session_owner()
        if owner is None:
            return

        def delete(session: Session) -> None:
            row = session.get(ChatElement, element_id)
            thread = session.get(ChatThread, row.thread_id) if row is not None else None
            if thread is not None and thread.owner == owner.identifier:
                chat_history.delete_element(session, element_id, thread_id)

        await self._write(delete)

    # -- what the product does not use -------------------------------------------------------------------------

    async def upsert_feedback(self, feedback: Feedback) -> str:
        return feedback.id or str(uuid.uuid4())  # feedback buttons are not offered; nothing is stored

    async def delete_feedback(self, feedback_id: str) -> bool:
        del feedback_id
        return True

    async def build_debug_url(self) -> str:
        return ""

    async def get_favorite_steps(self, user_id: str) -> list[StepDict]:
        del user_id
        return []

    async def close(self) -> None:
        self._writer.shutdown(wait=True)


async def _element_bytes(element: Element) -> bytes | None:
    if isinstance(element.content, bytes):
        return element.content
    if isinstance(element.content, str):
        return element.content.encode("utf-8")
    if element.path:
        return await asyncio.to_thread(Path(element.path).read_bytes)
    return None


def _thread_dict(session: Session, thread: ChatThread, *, with_steps: bool) -> ThreadDict:
    steps = [dict(s.body) for s in chat_history.steps_of(session, thread.id)] if with_steps else []
    elements = [_element_dict(e) for e in chat_history.elements_of(session, thread.id)] if with_steps else []
    return ThreadDict(
        id=thread.id,
        createdAt=thread.created_at.isoformat(),
        name=thread.name,
        userId=thread.owner,
        userIdentifier=thread.owner,
        tags=[],
        metadata=dict(thread.attributes),
        steps=steps,  # type: ignore[typeddict-item]
        elements=elements,
    )


def _element_dict(row: ChatElement) -> ElementDict:
    return {
        "id": row.id,
        "threadId": row.thread_id,
        "type": row.kind,  # type: ignore[typeddict-item]
        "name": row.name,
        "display": row.display,  # type: ignore[typeddict-item]
        "url": ELEMENT_CONTENT_PATH.format(thread_id=row.thread_id, element_id=row.id),
        "chainlitKey": None,
        "objectKey": None,
        "size": row.size,  # type: ignore[typeddict-item]
        "language": row.language,
        "page": row.page,
        "props": row.props,
        "forId": row.for_id,
        "mime": row.mime,
    }


# -- Chainlit's thread routes: 404 for anybody else's thread ------------------------------------------------


async def only_the_author(username: str, thread_id: str) -> bool:
    """Chainlit's thread-route check, answering 404 (not 401) for a thread that is not the caller's: whether
    someone else's thread exists is not for the caller to learn."""
    layer = get_data_layer()
    author = await layer.get_thread_author(thread_id) if layer is not None else ""
    if not author or author != username:
        raise HTTPException(status_code=404, detail="Thread not found")
    return True


def install_history() -> None:
    """Register the data layer and the author check on Chainlit (idempotent)."""
    import chainlit.data
    import chainlit.server

    chainlit.data._data_layer, chainlit.data._data_layer_initialized = None, False  # built again from ours
    chainlit.server.is_thread_author = only_the_author  # type: ignore[attr-defined]  # the routes call it by this module-level name
    cl.data_layer(HistoryDataLayer)


async def latest_thread(identifier: str) -> str | None:
    return await asyncio.to_thread(latest_thread_of, current().settings, _engine(), identifier)


async def start_thread_now(name: str) -> bool:
    """Keep this session's conversation from its first message when it is the candidate's first (Chainlit would
    wait for them to type): the greeting and a recruiter's message are part of it even if they only read them.

    False when the candidate already has a kept conversation: this session is then the one the chat opens before
    resuming it, or a new chat they asked for; it is kept only once they write in it, and the recruiter's new
    messages join the kept conversation when it is resumed. True in the careers widget, which cannot resume."""
    owner = _session_owner()
    if owner is None or get_data_layer() is None:
        return True
    session = context.session
    if await latest_thread(owner.identifier) not in (None, session.thread_id):
        return session.client_type == "copilot"  # the careers widget cannot reopen it: it shows them itself
    if not session.has_first_interaction:
        session.has_first_interaction = True
        # Stored now, without Chainlit's "first interaction" event: the page would move to the thread's address
        # and reload it at once. The address changes when the candidate comes back through their link.
        flush = getattr(context.emitter, "flush_thread_queues", None)
        if flush is not None:
            await flush(name)
    return True


def leave_unrecorded() -> None:
    """A session that is never kept (staff review): marked as started, so Chainlit never tells the page a
    conversation began; the page would move to that conversation's address and try to reopen what is not stored."""
    context.session.has_first_interaction = True
