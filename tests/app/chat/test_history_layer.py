"""The data layer Chainlit calls (SQLite and PostgreSQL): what a candidate's session writes is kept in order under
their thread; a staff session writes nothing; users are the signed token's own, never stored metadata."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from chainlit.types import Pagination, ThreadDict, ThreadFilter
from chainlit.user import User

from app.chat import resume
from app.chat.history import HistoryDataLayer, install_history, start_thread_now
from offer_engine import messages
from offer_engine.db import session_scope
from tests import factories as f
from tests.app.chat.conftest import Chat, Tenant, runtime_for

MAYA, DANIEL = 3401, 3402


def step(thread_id: str, step_id: str, text: str, kind: str = "assistant_message") -> dict[str, Any]:
    return {"id": step_id, "threadId": thread_id, "type": kind, "name": "Assistant", "output": text}


async def test_a_candidates_messages_are_kept_in_the_order_they_were_sent(
    tenant: Tenant, open_chat: Callable[..., Chat]
) -> None:
    maya = tenant.offer(MAYA)
    chat = open_chat(maya, runtime_for(tenant.settings, tenant.engine, tenant.pipeline()))
    layer, thread_id, reply = HistoryDataLayer(), chat.context.session.thread_id, str(uuid.uuid4())
    await layer.update_thread(thread_id, name="Offer", user_id=maya.user_identifier)
    await asyncio.gather(  # fired as Chainlit fires them: creation, then updates, each its own task
        layer.create_step(step(thread_id, reply, "")),
        layer.update_step(step(thread_id, reply, "Your start date is")),
        layer.update_step(step(thread_id, reply, "Your start date is February 1, 2027.")),
    )
    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["userIdentifier"] == maya.user_identifier
    assert [s["output"] for s in thread["steps"]] == ["Your start date is February 1, 2027."]
    assert await layer.get_thread_author(thread_id) == maya.user_identifier
    listed = await layer.list_threads(Pagination(first=20), ThreadFilter(userId=maya.user_identifier))
    assert [t["id"] for t in listed.data] == [thread_id]
    await layer.close()


async def test_a_staff_session_writes_nothing(tenant: Tenant, open_chat: Callable[..., Chat]) -> None:
    staff_metadata = {"kind": "staff", "roles": ["recruiter"], "user_id": 1}
    chat = open_chat(None, runtime_for(tenant.settings, tenant.engine, tenant.pipeline()), metadata=staff_metadata)
    layer, thread_id = HistoryDataLayer(), chat.context.session.thread_id
    await layer.update_thread(thread_id, name="Review", user_id="someone")
    await layer.create_step(step(thread_id, str(uuid.uuid4()), "The queue: Maya Patel, Daniel Okafor"))
    assert await layer.get_thread(thread_id) is None
    assert await layer.get_thread_author(thread_id) == ""
    assert (await layer.list_threads(Pagination(first=20), ThreadFilter(userId="someone"))).data == []
    await layer.close()


async def test_a_candidate_cannot_write_into_another_candidates_thread(
    tenant: Tenant, open_chat: Callable[..., Chat]
) -> None:
    runtime = runtime_for(tenant.settings, tenant.engine, tenant.pipeline())
    maya, daniel = tenant.offer(MAYA), tenant.offer(DANIEL)
    layer = HistoryDataLayer()
    maya_chat = open_chat(maya, runtime)
    thread_id = maya_chat.context.session.thread_id
    await layer.create_step(step(thread_id, "s-1", "Maya's answer"))
    open_chat(daniel, runtime)  # now Daniel's session is the current one
    await layer.create_step(step(thread_id, "s-2", "written by Daniel's session"))
    await layer.update_thread(thread_id, name="taken", user_id=daniel.user_identifier)
    thread = await layer.get_thread(thread_id)
    assert thread is not None
    assert thread["userIdentifier"] == maya.user_identifier
    assert [s["output"] for s in thread["steps"]] == ["Maya's answer"]
    await layer.close()


async def test_the_persisted_user_is_the_tokens_own_and_nothing_is_looked_up() -> None:
    layer = HistoryDataLayer()
    token_user = User(identifier="candidate:1:2:3", display_name="Maya", metadata={"session": "sid-new"})
    assert await layer.get_user("candidate:1:2:3") is None
    persisted = await layer.create_user(token_user)
    assert persisted is not None
    assert (persisted.id, persisted.metadata) == ("candidate:1:2:3", {"session": "sid-new"})
    await layer.close()


async def test_on_resume_the_recruiters_new_message_joins_the_thread_with_the_senders_name(
    tenant: Tenant, open_chat: Callable[..., Chat]
) -> None:
    maya = tenant.offer(MAYA)
    with session_scope(tenant.engine) as session:
        messages.post_message(session, maya.offer_id, "Call tomorrow?", actor=f.recruiter(), author_name="Alex Rivera")
    chat = open_chat(maya, runtime_for(tenant.settings, tenant.engine, tenant.pipeline()))
    thread_id = chat.context.session.thread_id
    thread = ThreadDict(
        id=thread_id, createdAt="", name="Offer", userId=maya.user_identifier, userIdentifier=maya.user_identifier,
        tags=[], metadata={}, steps=[], elements=[],
    )  # fmt: skip
    install_history()
    await resume.on_chat_resume(thread)
    [added] = thread["steps"]
    assert added["output"] == "**Alex Rivera**\n\nCall tomorrow?"
    assert added["name"] == "Alex Rivera"
    await asyncio.sleep(0.2)
    stored = await HistoryDataLayer().get_thread(thread_id)
    assert stored is not None
    assert [s["output"] for s in stored["steps"]] == ["**Alex Rivera**\n\nCall tomorrow?"]
    again = ThreadDict(**{**thread, "steps": []})  # type: ignore[typeddict-item]
    await resume.on_chat_resume(again)
    assert again["steps"] == []  # shown once as new; from now on it is part of the stored thread


async def test_only_a_candidates_first_conversation_is_kept_from_its_greeting(
    tenant: Tenant, open_chat: Callable[..., Chat]
) -> None:
    install_history()
    runtime = runtime_for(tenant.settings, tenant.engine, tenant.pipeline())
    maya = tenant.offer(MAYA)
    first = open_chat(maya, runtime)
    assert await start_thread_now("Offer") is True
    await HistoryDataLayer().create_step(step(first.context.session.thread_id, "greeting", "Hi Maya!"))
    open_chat(maya, runtime)  # she comes back: the chat opens a new session before resuming the kept one
    assert await start_thread_now("Offer") is False
    open_chat(maya, runtime, client_type="copilot")  # the careers widget cannot resume: it shows messages itself
    assert await start_thread_now("Offer") is True
