"""Conversation history over Chainlit's own HTTP routes and socket, on a real server (SQLite and PostgreSQL):
a candidate lists, opens and resumes only their own threads; anybody else's is 404 and never listed, for another
candidate and for staff alike; a returning candidate's link reopens their conversation."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import httpx
import pytest
import socketio

from app.chat.history_routes import ELEMENT_CONTENT_PATH
from offer_engine import chat_history, offers
from offer_engine.chat_history import ChatElement, ThreadOwner
from offer_engine.db import session_scope
from tests import factories as f
from tests.app.chat.conftest import Tenant
from tests.app.chat.test_hardening_probes import Served, _serve, open_socket
from tests.app.chat.test_web import _link, _path

MAYA, DANIEL = 3401, 3402


@pytest.fixture
def served(tenant: Tenant, chainlit_ready: None) -> Iterator[Served]:
    yield from _serve(tenant)


def owner(tenant: Tenant, workflow_id: int) -> ThreadOwner:
    identity = tenant.offer(workflow_id)
    return ThreadOwner(
        identifier=identity.user_identifier,
        customer_id=identity.customer_id,
        workflow_id=identity.workflow_id,
        offer_id=identity.offer_id,
    )


def seed_thread(tenant: Tenant, workflow_id: int, text: str) -> str:
    """A stored conversation of the candidate: one message and one attached passage."""
    thread_id, step_id = str(uuid.uuid4()), str(uuid.uuid4())
    who = owner(tenant, workflow_id)
    body = {"id": step_id, "threadId": thread_id, "type": "user_message", "name": "Candidate", "output": text}
    with session_scope(tenant.engine) as session:
        assert chat_history.save_step(session, who, thread_id, step_id, body)
        passage = ChatElement(
            id=f"e-{thread_id}", thread_id=thread_id, for_id=step_id, kind="text", name="passage", mime="text/plain",
            content=f"passage for {text}".encode(),
        )  # fmt: skip
        assert chat_history.save_element(session, who, passage)
    return thread_id


def cookie_for(served: Served, workflow_id: int) -> str:
    response = served.get(_path(_link(served.tenant, workflow_id)))
    assert response.status_code == 303, response.text
    return response.cookies["access_token"]


def listed(served: Served, cookie: str) -> list[str]:
    response = served.post(
        "/project/threads",
        json={"pagination": {"first": 20}, "filter": {}},
        cookies={"access_token": cookie},
        headers={"Origin": served.base},
    )
    assert response.status_code == 200, response.text
    return [t["id"] for t in response.json()["data"]]


def opened(served: Served, cookie: str, path: str) -> httpx.Response:
    return served.get(path, cookies={"access_token": cookie})


def test_a_candidate_lists_and_opens_only_their_own_threads(tenant: Tenant, served: Served) -> None:
    mine, theirs = seed_thread(tenant, MAYA, "Maya's question"), seed_thread(tenant, DANIEL, "Daniel's question")
    maya = cookie_for(served, MAYA)
    assert listed(served, maya) == [mine]
    thread = opened(served, maya, f"/project/thread/{mine}")
    assert thread.status_code == 200
    assert [s["output"] for s in thread.json()["steps"]] == ["Maya's question"]
    element = opened(served, maya, ELEMENT_CONTENT_PATH.format(thread_id=mine, element_id=f"e-{mine}"))
    assert (element.status_code, element.text) == (200, "passage for Maya's question")
    for path in (
        f"/project/thread/{theirs}",
        f"/project/thread/{theirs}/element/e-{theirs}",
        ELEMENT_CONTENT_PATH.format(thread_id=theirs, element_id=f"e-{theirs}"),
        ELEMENT_CONTENT_PATH.format(thread_id=mine, element_id=f"e-{theirs}"),  # someone's element under my thread
        f"/project/thread/{uuid.uuid4()}",
    ):
        response = opened(served, maya, path)
        assert response.status_code == 404, path
        assert "Daniel" not in response.text


def test_staff_see_no_candidate_thread_through_chainlits_routes(tenant: Tenant, served: Served) -> None:
    mine = seed_thread(tenant, MAYA, "Maya's question")
    staff = served.staff_cookie()
    assert listed(served, staff) == []
    assert opened(served, staff, f"/project/thread/{mine}").status_code == 404
    assert opened(served, staff, f"/project/thread/{mine}/element/e-{mine}").status_code == 404
    content = ELEMENT_CONTENT_PATH.format(thread_id=mine, element_id=f"e-{mine}")
    assert opened(served, staff, content).status_code == 404
    assert served.get(content).status_code == 404  # nobody signed in


def test_another_persons_thread_cannot_be_resumed_over_the_socket(tenant: Tenant, served: Served) -> None:
    mine, theirs = seed_thread(tenant, MAYA, "Maya's question"), seed_thread(tenant, DANIEL, "Daniel's question")
    maya, staff = cookie_for(served, MAYA), served.staff_cookie()
    for cookie, thread_id in ((maya, theirs), (staff, mine)):
        with pytest.raises(socketio.exceptions.ConnectionError):
            open_socket(served, cookie, served.base, thread_id=thread_id)
    own = open_socket(served, maya, served.base, thread_id=mine)
    own.disconnect()


def test_a_returning_candidate_is_taken_back_to_their_conversation(tenant: Tenant, served: Served) -> None:
    first = served.get(_path(_link(tenant, MAYA)))
    assert first.headers["location"] == "/"  # nothing to come back to yet
    mine = seed_thread(tenant, MAYA, "Maya's question")
    again = served.get(_path(_link(tenant, MAYA)))
    assert again.headers["location"] == f"/thread/{mine}"


def test_a_closed_offers_conversation_is_neither_listed_nor_opened(tenant: Tenant, served: Served) -> None:
    mine = seed_thread(tenant, MAYA, "Maya's question")
    maya = cookie_for(served, MAYA)
    with session_scope(tenant.engine) as session:
        offers.withdraw(
            session, offers.get_offer(session, tenant.offer(MAYA).offer_id), actor=f.recruiter(), reason="t"
        )
    assert listed(served, maya) == []
    assert opened(served, maya, f"/project/thread/{mine}").status_code in (401, 404)


def test_importing_the_web_app_leaves_chainlit_unloaded_until_it_is_configured() -> None:
    """Chainlit reads its config and app root when first imported: the history routes must not import it early."""
    check = "import sys, app.web; print('chainlit' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"
