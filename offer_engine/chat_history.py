"""Conversation history: a candidate's chat threads, their steps (messages) and elements, kept in the product's
own database for `retention` after the last activity and while the offer is open.

The chat app's data layer (`app.chat.history`) is the only writer of threads and steps; this module holds the
tables and the rules: who owns a thread, when it is no longer shown (offer closed, retention passed), the purge
and the candidate's right to erasure. A step is stored as the dictionary the chat UI sent (`body`), so a newer
chat UI field needs no migration; the columns beside it are what the rules query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Delete, LargeBinary, Text, delete, func
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine import audit
from offer_engine.actors import Actor
from offer_engine.columns import UTCDateTime, utcnow
from offer_engine.messages import CandidateMessage
from offer_engine.offers import CLOSED_STATES, Offer


class ChatThread(SQLModel, table=True):
    __tablename__ = "chat_threads"

    id: str = Field(primary_key=True, max_length=64)
    owner: str | None = Field(default=None, max_length=200, index=True)  # the chat user's identifier
    customer_id: int | None = None
    workflow_id: int | None = Field(default=None, index=True)
    offer_id: int | None = Field(default=None, index=True)
    name: str | None = Field(default=None, max_length=255)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)


class ChatStep(SQLModel, table=True):
    __tablename__ = "chat_steps"

    id: str = Field(primary_key=True, max_length=64)
    thread_id: str = Field(foreign_key="chat_threads.id", index=True, max_length=64)
    body: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ChatElement(SQLModel, table=True):
    __tablename__ = "chat_elements"

    id: str = Field(primary_key=True, max_length=64)
    thread_id: str = Field(foreign_key="chat_threads.id", index=True, max_length=64)
    for_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=32)
    name: str = Field(sa_type=Text, nullable=False)
    display: str = Field(default="inline", max_length=16)
    mime: str | None = Field(default=None, max_length=100)
    size: str | None = Field(default=None, max_length=16)
    language: str | None = Field(default=None, max_length=32)
    page: int | None = None
    props: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    content: bytes | None = Field(default=None, sa_type=LargeBinary)  # in the database: no file to protect
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ThreadOwner(BaseModel):
    """Whose thread it is: the chat user's identifier and the candidate's offer."""

    model_config = ConfigDict(frozen=True)

    identifier: str
    customer_id: int
    workflow_id: int
    offer_id: int


class ErasureReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    workflow_id: int
    threads: int
    steps: int
    elements: int
    messages: int


# -- writing ---------------------------------------------------------------------------------------------------


def save_thread(
    session: Session,
    thread_id: str,
    *,
    owner: ThreadOwner | None = None,
    name: str | None = None,
    attributes: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ChatThread:
    """Create or update a thread; an owner, once set, never changes (a thread cannot be handed to someone else)."""
    moment = now or utcnow()
    thread = session.get(ChatThread, thread_id) or ChatThread(id=thread_id, created_at=moment)
    if owner is not None and thread.owner is None:
        thread.owner = owner.identifier[:200]
        thread.customer_id, thread.workflow_id, thread.offer_id = owner.customer_id, owner.workflow_id, owner.offer_id
    if name is not None:
        thread.name = name[:255]
    if attributes is not None:
        thread.attributes = attributes
    thread.updated_at = moment
    session.add(thread)
    session.flush()
    return thread


def save_step(
    session: Session,
    owner: ThreadOwner,
    thread_id: str,
    step_id: str,
    body: dict[str, Any],
    now: datetime | None = None,
) -> bool:
    """Create or replace a step (a message, an answer being streamed, …) of the owner's thread; False (nothing
    written) when the thread or the step belongs to someone else."""
    moment = now or utcnow()
    step = session.get(ChatStep, step_id)
    if step is not None and step.thread_id != thread_id:
        return False
    if save_thread(session, thread_id, owner=owner, now=moment).owner != owner.identifier[:200]:
        return False
    step = step or ChatStep(id=step_id, thread_id=thread_id, created_at=moment)
    step.body = body
    session.add(step)
    session.flush()
    return True


def delete_step(session: Session, step_id: str) -> None:
    session.execute(delete(ChatElement).where(col(ChatElement.for_id) == step_id))
    session.execute(delete(ChatStep).where(col(ChatStep.id) == step_id))


def save_element(session: Session, owner: ThreadOwner, element: ChatElement) -> bool:
    """Store an element (a passage, the letter) of the owner's thread; False when it is someone else's."""
    existing = session.get(ChatElement, element.id)
    if existing is not None and existing.thread_id != element.thread_id:
        return False
    if save_thread(session, element.thread_id, owner=owner, now=element.created_at).owner != owner.identifier[:200]:
        return False
    session.merge(element)
    session.flush()
    return True


def delete_element(session: Session, element_id: str, thread_id: str | None = None) -> None:
    statement = delete(ChatElement).where(col(ChatElement.id) == element_id)
    if thread_id is not None:
        statement = statement.where(col(ChatElement.thread_id) == thread_id)
    session.execute(statement)


def delete_thread(session: Session, thread_id: str) -> None:
    _delete_threads(session, [thread_id])


# -- reading ---------------------------------------------------------------------------------------------------


def visible_thread(
    session: Session, thread_id: str, *, retention: timedelta, now: datetime | None = None
) -> ChatThread | None:
    """The thread if it is still shown: it has an owner, its offer is open and it was active within `retention`."""
    thread = session.get(ChatThread, thread_id, populate_existing=True)
    if thread is None or thread.owner is None or _expired(thread, retention, now or utcnow()):
        return None
    return thread if _offer_open(session, thread.offer_id) else None


def threads_of(
    session: Session, owner: str, *, retention: timedelta, now: datetime | None = None, limit: int = 20
) -> list[ChatThread]:
    """The owner's shown threads, most recently active first."""
    moment = now or utcnow()
    statement = (
        select(ChatThread)
        .where(ChatThread.owner == owner[:200], col(ChatThread.updated_at) > moment - retention)
        .order_by(col(ChatThread.updated_at).desc())
        .limit(limit)
    )
    return [t for t in session.exec(statement) if _offer_open(session, t.offer_id)]


def latest_thread_of(session: Session, owner: str, *, retention: timedelta, now: datetime | None = None) -> str | None:
    found = threads_of(session, owner, retention=retention, now=now, limit=1)
    return found[0].id if found else None


def conversation_of_offer(
    session: Session, offer_id: int, *, retention: timedelta, now: datetime | None = None
) -> list[ChatStep]:
    """Every kept step of the candidate's threads of this offer, oldest first (for staff, who read it whole)."""
    moment = now or utcnow()
    statement = (
        select(ChatStep)
        .join(ChatThread, col(ChatThread.id) == col(ChatStep.thread_id))
        .where(ChatThread.offer_id == offer_id, col(ChatThread.updated_at) > moment - retention)
        .order_by(col(ChatStep.created_at), col(ChatStep.id))
    )
    return list(session.exec(statement))


def steps_of(session: Session, thread_id: str) -> list[ChatStep]:
    statement = select(ChatStep).where(ChatStep.thread_id == thread_id)
    return list(session.exec(statement.order_by(col(ChatStep.created_at), col(ChatStep.id))))


def elements_of(session: Session, thread_id: str) -> list[ChatElement]:
    statement = select(ChatElement).where(ChatElement.thread_id == thread_id)
    return list(session.exec(statement.order_by(col(ChatElement.created_at), col(ChatElement.id))))


def element_of(session: Session, thread_id: str, element_id: str) -> ChatElement | None:
    element = session.get(ChatElement, element_id)
    return element if element is not None and element.thread_id == thread_id else None


def _expired(thread: ChatThread, retention: timedelta, now: datetime) -> bool:
    return thread.updated_at <= now - retention


def _offer_open(session: Session, offer_id: int | None) -> bool:
    offer = session.get(Offer, offer_id) if offer_id is not None else None
    return offer is not None and offer.status not in CLOSED_STATES


# -- retention and erasure -------------------------------------------------------------------------------------


def purge_due(session: Session, *, retention: timedelta, now: datetime | None = None) -> bool:
    """Whether any thread is past retention (a read only: the worker writes only when there is work)."""
    moment = now or utcnow()
    statement = select(func.count()).select_from(ChatThread).where(col(ChatThread.updated_at) <= moment - retention)
    return bool(session.exec(statement).one())


def purge_expired(session: Session, *, retention: timedelta, now: datetime | None = None) -> int:
    """Delete the threads (steps, elements) last active more than `retention` ago; returns how many."""
    moment = now or utcnow()
    ids = list(session.exec(select(ChatThread.id).where(col(ChatThread.updated_at) <= moment - retention)))
    _delete_threads(session, ids)
    return len(ids)


def erase_workflow(
    session: Session, customer_id: int, workflow_id: int, *, actor: Actor, now: datetime | None = None
) -> ErasureReport:
    """The candidate's right to erasure: every thread, step, element and recruiter message of the workflow's
    offers is deleted, and the erasure is audited (counts only: nothing erased is copied into the trail)."""
    offer_ids = list(
        session.exec(select(Offer.id).where(Offer.customer_id == customer_id, Offer.workflow_id == workflow_id))
    )
    thread_ids = list(
        session.exec(
            select(ChatThread.id).where(
                (col(ChatThread.offer_id).in_(offer_ids))
                | ((ChatThread.customer_id == customer_id) & (ChatThread.workflow_id == workflow_id))
            )
        )
    )
    steps, elements = _delete_threads(session, thread_ids)
    messages = _deleted(
        session,
        delete(CandidateMessage).where(
            col(CandidateMessage.customer_id) == customer_id, col(CandidateMessage.workflow_id) == workflow_id
        ),
    )
    report = ErasureReport(
        workflow_id=workflow_id, threads=len(thread_ids), steps=steps, elements=elements, messages=messages
    )
    audit.record(
        session,
        actor=actor,
        action="candidate.history_erased",
        subject_type="workflow",
        subject_id=workflow_id,
        icims={"customer_id": customer_id, "workflow_id": workflow_id},
        details=report.model_dump(exclude={"workflow_id"}),
        occurred_at=now,
    )
    return report


def _delete_threads(session: Session, thread_ids: Sequence[str]) -> tuple[int, int]:
    if not thread_ids:
        return 0, 0
    elements = _deleted(session, delete(ChatElement).where(col(ChatElement.thread_id).in_(thread_ids)))
    steps = _deleted(session, delete(ChatStep).where(col(ChatStep.thread_id).in_(thread_ids)))
    session.execute(delete(ChatThread).where(col(ChatThread.id).in_(thread_ids)))
    return steps, elements


def _deleted(session: Session, statement: Delete) -> int:
    return int(getattr(session.execute(statement), "rowcount", 0) or 0)
