"""Review-mode fixtures: a sandbox iCIMS, the real worker, staff users, and a Chainlit context per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.config import PROJECT_ROOT, Settings

os.environ.setdefault("CHAINLIT_APP_ROOT", str(PROJECT_ROOT))  # before anything imports Chainlit

from app.review import runtime
from app.review.runtime import ReviewRuntime, chat_link_minter
from app.workers import WorkerConfig, Workers
from offer_engine import webhook_events
from offer_engine.actors import Role, system_actor
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.flows import EngineSetup
from offer_engine.offers import find_open_offer
from offer_engine.policy import load_policy
from offer_engine.staff import StaffUser
from tests.support.icims_sandbox import SandboxHandle, running_sandbox
from tests.support.staff_factories import FAST_HASHER, make_staff

TODAY = date(2026, 11, 20)  # the demo fixture's offers expire in December 2026
JOBS = {3401: 2301, 3402: 2302, 3403: 2303, 3404: 2304, 3405: 2305}


@dataclass
class ReviewWorld:
    """The demo tenant on a sandbox, drafted through the real webhook worker, with the review runtime set."""

    rt: ReviewRuntime
    icims: SandboxHandle
    workers: Workers
    staff: dict[str, StaffUser] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        return self.rt.engine

    def draft(self, workflow_id: int) -> int:
        payload = {
            "customerId": str(self.icims.customer_id),
            "eventType": "WorkFlowStatusChangeEvent",
            "systemId": str(workflow_id),
            "jobId": str(JOBS[workflow_id]),
            "oldStatus": "20010",
            "newStatus": "20001",
        }
        with session_scope(self.engine) as session:
            webhook_events.store_event(session, payload, actor=system_actor("test"))
        self.workers.run_once()
        with session_scope(self.engine) as session:
            offer = find_open_offer(session, self.icims.customer_id, workflow_id)
            assert offer is not None
            assert offer.id is not None
            return offer.id

    def deliver(self) -> None:
        for minutes in (1, 2, 3):
            self.workers.run_once(now=utcnow() + timedelta(minutes=minutes))

    def user(self, name: str) -> StaffUser:
        return self.staff[name]


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def world(settings: Settings, engine: Engine, icims: SandboxHandle) -> Iterator[ReviewWorld]:
    setup = EngineSetup(
        customer_id=icims.customer_id,
        company_name=settings.company_name,
        mapping=settings.tenant,
        policy=load_policy(settings.policy_file),
    )
    workers = Workers(
        engine,
        setup,
        fetch_client=icims.client(max_retries=0),
        delivery_client=icims.client(max_retries=0),
        worker_id="review-test",
        config=WorkerConfig(),
        today=lambda: TODAY,
        mint_link=chat_link_minter(settings),  # chat links are minted when the outbox delivers them
    )
    rt = runtime.configure(settings, engine, setup=setup, mint_link=chat_link_minter(settings), hasher=FAST_HASHER)
    rt.wake_worker = None  # tests deliver explicitly with world.deliver()
    people = {
        "alex": (Role.RECRUITER, 1401),
        "grace": (Role.HIRING_MANAGER, 1301),  # hiring manager of jobs 2301, 2305, 2308
        "marcus": (Role.HIRING_MANAGER, 1302),  # hiring manager of jobs 2302, 2306
        "carl": (Role.COMPENSATION, None),
        "ada": (Role.ADMIN, None),
    }
    found = {
        name: make_staff(engine, role, username=name, icims_person_id=person) for name, (role, person) in people.items()
    }
    yield ReviewWorld(rt=rt, icims=icims, workers=workers, staff=found)
    runtime._current = None


# -- Chainlit ----------------------------------------------------------------------------------------------


@dataclass
class Recorder:
    events: list[tuple[str, Any]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        latest: dict[str, str] = {}
        for kind, data in self.events:
            if kind in ("send", "update") and isinstance(data, dict) and data.get("type") == "assistant_message":
                latest[data["id"]] = data["output"]
        return list(latest.values())

    def actions(self) -> list[dict[str, Any]]:
        return [data for kind, data in self.events if kind == "action"]

    def elements(self) -> list[dict[str, Any]]:
        return [data for kind, data in self.events if kind == "element"]


def chainlit_context(user: Any, recorder: Recorder) -> Any:
    from chainlit.context import ChainlitContext, context_var
    from chainlit.emitter import BaseChainlitEmitter
    from chainlit.session import HTTPSession

    class RecordingEmitter(BaseChainlitEmitter):
        async def send_step(self, step_dict: Any) -> None:
            recorder.events.append(("send", step_dict))

        async def update_step(self, step_dict: Any) -> None:
            recorder.events.append(("update", step_dict))

        async def send_element(self, element_dict: Any) -> None:
            recorder.events.append(("element", element_dict))

        async def emit(self, event: str, data: Any) -> None:
            recorder.events.append((event, data))

        async def task_end(self) -> None:
            recorder.events.append(("task_end", None))

        async def send_ask_user(self, step_dict: Any, spec: Any, raise_on_timeout: bool = False) -> Any:
            recorder.events.append(("ask", step_dict))
            if not recorder.replies:
                return None
            return {"output": recorder.replies.pop(0), "id": str(uuid.uuid4())}

    session = HTTPSession(id=str(uuid.uuid4()), thread_id=str(uuid.uuid4()), user=user, client_type="webapp")
    context = ChainlitContext(session, emitter=RecordingEmitter(session))
    context_var.set(context)
    return context
