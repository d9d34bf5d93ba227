"""Fixtures for the candidate chat: the demo tenant drafted through a real sandbox, the real benefits index,
databases (SQLite and PostgreSQL), and a Chainlit context that records what the handlers send.

The index is built once per test session (the bundled MiniLM runs on CPU); offers are drafted through the real
offer engine from the sandbox over loopback HTTP.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app import wiring
from app.config import Settings, load_settings

# Before anything imports Chainlit: its config, translations and session files go to a scratch folder.
os.environ.setdefault("CHAINLIT_APP_ROOT", tempfile.mkdtemp(prefix="chainlit-tests-"))

from app.chat.contacts import IcimsContactBook
from app.chat.identity import CandidateIdentity, Channel
from app.pipeline import AnswerPipeline
from icims.client import ICIMSClient
from offer_engine import access
from offer_engine.actors import system_actor
from offer_engine.db import make_engine, session_scope
from offer_engine.flows import draft_from_icims
from offer_engine.migrations import upgrade
from offer_engine.offers import find_open_offer
from retrieval import BenefitsIndex, close_client
from tests.support.icims_sandbox import DEMO_FIXTURE, SandboxHandle, running_sandbox

OFFER_READY = (3401, 3402, 3403, 3404, 3405)  # the demo workflows at "Offer - Ready" with complete terms
TODAY = date.today()


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo configuration (Corvid Systems on the sandbox fixture) with a private data directory."""
    data = tmp_path_factory.mktemp("chat-data")
    return load_settings(data_dir=data, public_url="http://testserver")


@pytest.fixture(scope="session")
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox(DEMO_FIXTURE) as handle:
        yield handle


@pytest.fixture(scope="session")
def icims_client(icims: SandboxHandle) -> ICIMSClient:
    return icims.client()


@pytest.fixture(scope="session")
def demo_index(demo_settings: Settings) -> Iterator[BenefitsIndex]:
    index = wiring.benefits_index(demo_settings)
    index.build()
    yield index
    close_client(index.config)


def draft(engine: Engine, settings: Settings, client: ICIMSClient, workflow_id: int) -> int:
    """Draft the workflow's offer from the sandbox through the offer engine; returns the offer id."""
    with session_scope(engine) as session:
        outcome = draft_from_icims(
            session, client, wiring.engine_setup(settings), workflow_id, actor=system_actor("test"), today=TODAY
        )
        return outcome.offer.id or 0


def identity_of(engine: Engine, settings: Settings, workflow_id: int, channel: Channel = "portal") -> CandidateIdentity:
    """The identity sign-in would grant for the workflow's current link generation."""
    with session_scope(engine) as session:
        offer = find_open_offer(session, settings.icims.customer_id, workflow_id)
        assert offer is not None
        assert offer.id is not None
        generation = access.current_generation(session, settings.icims.customer_id, workflow_id)
        context = offer.attributes.get("letter_context") or {}
        return CandidateIdentity(
            customer_id=offer.customer_id,
            workflow_id=workflow_id,
            offer_id=offer.id,
            person_id=offer.person_id,
            generation=generation,
            channel=channel,
            display_name=context.get("candidate_name", ""),
            language=context.get("language"),
        )


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory, demo_settings: Settings, icims_client: ICIMSClient) -> Engine:
    """A SQLite database with every offer-ready demo workflow drafted (shared, for read-mostly tests)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('chat-db') / 'demo.db'}")
    upgrade(engine)
    for workflow_id in OFFER_READY:
        draft(engine, demo_settings, icims_client, workflow_id)
    return engine


def make_pipeline(
    settings: Settings, engine: Engine, index: BenefitsIndex | None, client: ICIMSClient
) -> AnswerPipeline:
    contacts = IcimsContactBook(lambda: client, settings.tenant)
    return AnswerPipeline(settings=settings, db=engine, index=index, contacts=contacts)


@pytest.fixture(scope="session")
def demo_pipeline(
    demo_settings: Settings, demo_db: Engine, demo_index: BenefitsIndex, icims_client: ICIMSClient
) -> AnswerPipeline:
    return make_pipeline(demo_settings, demo_db, demo_index, icims_client)


@dataclass
class Tenant:
    """A database (SQLite or PostgreSQL, per the `engine` fixture) with demo offers drafted on demand."""

    settings: Settings
    engine: Engine
    client: ICIMSClient
    index: BenefitsIndex
    drafted: dict[int, int] = field(default_factory=dict)

    def offer(self, workflow_id: int) -> CandidateIdentity:
        if workflow_id not in self.drafted:
            self.drafted[workflow_id] = draft(self.engine, self.settings, self.client, workflow_id)
        return identity_of(self.engine, self.settings, workflow_id)

    def pipeline(self) -> AnswerPipeline:
        return make_pipeline(self.settings, self.engine, self.index, self.client)

    def approve(self, workflow_id: int, *, release: bool = True) -> None:
        """Approve the workflow's drafted offer (a chain without steps) and, unless told not to, release it."""
        from offer_engine import approvals, offers
        from tests import factories

        identity = self.offer(workflow_id)
        recruiter = factories.recruiter()
        with session_scope(self.engine) as session:
            offer = offers.get_offer(session, identity.offer_id)
            approvals.start_chain(session, offer, [], actor=recruiter)
            if release:
                offers.mark_sent(session, offers.get_offer(session, identity.offer_id), actor=recruiter)


@pytest.fixture
def tenant(
    engine: Engine, demo_settings: Settings, icims: SandboxHandle, icims_client: ICIMSClient, demo_index: BenefitsIndex
) -> Iterator[Tenant]:
    drafted = Tenant(demo_settings, engine, icims_client, demo_index)
    statuses = {wid: icims.profile("applicantworkflows", wid)["status"]["id"] for wid in OFFER_READY}
    yield drafted
    # The sandbox is shared by the session: a test that released and synced an offer moved its workflow on
    # ("Offer - Extended"); the next test drafts it again from where the fixture had it.
    for workflow_id, status in statuses.items():
        if icims.profile("applicantworkflows", workflow_id)["status"]["id"] != status:
            icims.move(workflow_id, status)


# -- Chainlit ------------------------------------------------------------------------------------------------------


@dataclass
class Recorded:
    """What the handlers sent to the browser, in order."""

    events: list[tuple[str, Any]] = field(default_factory=list)

    def messages(self) -> list[dict[str, Any]]:
        """The final state of every assistant message (sent or updated), in order of first appearance."""
        latest: dict[str, dict[str, Any]] = {}
        for kind, data in self.events:
            if kind in ("send", "update") and isinstance(data, dict) and data.get("type") == "assistant_message":
                latest[data["id"]] = data
        return list(latest.values())

    def texts(self) -> list[str]:
        return [m["output"] for m in self.messages()]

    def last(self) -> str:
        texts = self.texts()
        return texts[-1] if texts else ""

    def actions(self) -> list[dict[str, Any]]:
        return [data for kind, data in self.events if kind == "action"]

    def removed_actions(self) -> set[str]:
        return {data["id"] for kind, data in self.events if kind == "remove_action"}

    def elements(self) -> list[dict[str, Any]]:
        return [data for kind, data in self.events if kind == "element"]

    def streamed(self) -> str:
        """The text as it was streamed: each stream's first chunk (stream_start) and the tokens after it."""
        parts = [data["output"] if kind == "stream_start" else data for kind, data in self.events]
        return "".join(p for (kind, _), p in zip(self.events, parts, strict=True) if kind in ("stream_start", "token"))


@dataclass
class Chat:
    """One candidate's chat session: call the real handlers as Chainlit would."""

    identity: CandidateIdentity | None
    recorded: Recorded
    context: Any

    def _activate(self) -> None:
        from chainlit.context import context_var

        context_var.set(self.context)

    async def start(self) -> None:
        from app.chat import handlers

        self._activate()
        await handlers.on_chat_start()

    async def say(self, text: str) -> str:
        import chainlit as cl

        from app.chat import handlers

        self._activate()
        before = len(self.recorded.messages())
        await handlers.on_message(cl.Message(content=text, type="user_message"))
        new = self.recorded.messages()[before:]
        return new[-1]["output"] if new else ""

    async def click(self, action: dict[str, Any], payload: dict[str, Any] | None = None) -> str:
        import chainlit as cl

        from app.chat import handlers

        callbacks: dict[str, Callable[..., Any]] = {
            "counter_yes": handlers.on_counter_confirmed,
            "counter_no": handlers.on_counter_cancelled,
            "handoff_yes": handlers.on_handoff_confirmed,
            "handoff_no": handlers.on_handoff_declined,
            "starter": handlers.on_starter,
        }
        self._activate()
        before = len(self.recorded.messages())
        clicked = cl.Action(name=action["name"], payload=payload if payload is not None else action["payload"])
        await callbacks[action["name"]](clicked)
        new = self.recorded.messages()[before:]
        return new[-1]["output"] if new else ""


@pytest.fixture
def chainlit_ready(demo_settings: Settings) -> None:
    """Chainlit's environment and config for the demo settings (the handlers read the secret at call time)."""
    from app.chat.bootstrap import prepare_chainlit

    prepare_chainlit(demo_settings)


@pytest.fixture
async def open_chat(chainlit_ready: None) -> AsyncIterator[Callable[..., Chat]]:
    """`open_chat(identity, runtime)`: a recording Chainlit context for the identity, wired to the runtime."""
    from chainlit.context import ChainlitContext, context_var
    from chainlit.emitter import BaseChainlitEmitter
    from chainlit.session import HTTPSession
    from chainlit.user import User

    from app.chat.runtime import ChatRuntime, configure

    class RecordingEmitter(BaseChainlitEmitter):
        def __init__(self, session: HTTPSession, recorded: Recorded) -> None:
            super().__init__(session)
            self.recorded = recorded

        async def send_step(self, step_dict: Any) -> None:
            self.recorded.events.append(("send", dict(step_dict)))

        async def update_step(self, step_dict: Any) -> None:
            self.recorded.events.append(("update", dict(step_dict)))

        async def stream_start(self, step_dict: Any) -> None:
            self.recorded.events.append(("stream_start", dict(step_dict)))

        async def send_token(self, id: str, token: str, is_sequence: bool = False, is_input: bool = False) -> None:
            self.recorded.events.append(("token", token))

        async def send_element(self, element_dict: Any) -> None:
            self.recorded.events.append(("element", dict(element_dict)))

        async def emit(self, event: str, data: Any) -> None:
            self.recorded.events.append((event, data))

    sessions: list[HTTPSession] = []
    tokens: list[Any] = []

    def make(
        identity: CandidateIdentity | None,
        runtime: ChatRuntime,
        metadata: dict[str, Any] | None = None,
        client_type: str = "webapp",
    ) -> Chat:
        configure(runtime)
        user = User(
            identifier=identity.user_identifier if identity else "someone",
            display_name=identity.display_name if identity else None,
            metadata=metadata if metadata is not None else (identity.to_metadata() if identity else {}),
        )
        session = HTTPSession(id=str(uuid.uuid4()), thread_id=str(uuid.uuid4()), user=user, client_type=client_type)
        recorded = Recorded()
        context = ChainlitContext(session, emitter=RecordingEmitter(session, recorded))
        tokens.append(context_var.set(context))
        sessions.append(session)
        return Chat(identity, recorded, context)

    yield make
    from chainlit.user_session import user_sessions

    for session in sessions:
        user_sessions.pop(session.id, None)
        await session.delete()


def runtime_for(settings: Settings, engine: Engine, pipeline: AnswerPipeline) -> Any:
    from app.chat.runtime import ChatRuntime

    return ChatRuntime(settings=settings, db=engine, pipeline=pipeline)


@pytest.fixture
def fixture_path() -> Path:
    return DEMO_FIXTURE
