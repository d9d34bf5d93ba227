"""End to end over real HTTP: iCIMS (the sandbox) moves a candidate to the offer stage and signs a webhook to the
real route under uvicorn → the worker drafts → the queue → approvals by the policy's roles → the outbox writes
the letter and fields back → the sandbox holds them. Then a counter-offer goes round again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.config import PROJECT_ROOT, Settings
from app.review import runtime, service
from app.review.runtime import ReviewRuntime, chat_link_minter
from app.webhooks import WEBHOOK_PATH, router, webhook_secret
from app.workers import WorkerConfig, Workers, WorkerThread
from icims.sandbox import ServerThread
from offer_engine import approval_inbox, counters, offers
from offer_engine.actors import Role, candidate_actor
from offer_engine.db import session_scope
from offer_engine.flows import EngineSetup
from offer_engine.letter_store import latest_letter
from offer_engine.policy import load_policy
from offer_engine.review_queue import ItemKind
from offer_engine.staff import StaffUser
from offer_engine.terms import CounterItem, Term
from offer_engine.versions import require_current_version
from offer_engine.webhook_events import WebhookEvent
from tests.factories import fixture_data
from tests.support.icims_sandbox import SandboxHandle, running_sandbox
from tests.support.staff_factories import FAST_HASHER, make_staff

assert PROJECT_ROOT  # the demo configuration's files are read from the project
TODAY = date(2026, 11, 20)  # the demo fixture's offers expire in December 2026
PARKED = "C20010"  # "Second Interview": the workflows start here and are moved to the offer stage


@dataclass
class Stack:
    rt: ReviewRuntime
    icims: SandboxHandle
    webhook_url: str
    staff: dict[str, StaffUser]

    @property
    def engine(self) -> Engine:
        return self.rt.engine

    def id(self, name: str) -> int:
        return self.staff[name].id or 0


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def stack(settings: Settings, engine: Engine) -> Iterator[Stack]:
    data = fixture_data()
    for workflow_id in ("3401", "3402"):
        data["applicantworkflows"][workflow_id]["status"] = {"id": PARKED, "value": data["statuses"][PARKED]}
    api = FastAPI()
    server = ServerThread(api).start()
    url = f"{server.base_url}{WEBHOOK_PATH}"
    hook = settings.icims.webhook
    events = {"url": url, "auth": "hmac", "hmac_user": hook.hmac_user, "hmac_secret": webhook_secret(settings)}
    with running_sandbox(data, events=events) as icims:
        setup = EngineSetup(
            customer_id=icims.customer_id,
            company_name=settings.company_name,
            mapping=settings.tenant,
            policy=load_policy(settings.policy_file),
        )
        workers = Workers(
            engine,
            setup,
            fetch_client=icims.client(max_retries=2),
            delivery_client=icims.client(max_retries=0),
            worker_id="it",
            config=WorkerConfig(interval_seconds=0.2),
            today=lambda: TODAY,
            mint_link=chat_link_minter(settings),
        )
        thread = WorkerThread(workers).start()
        api.include_router(router(settings, engine, on_stored=thread.wake))
        rt = runtime.configure(
            settings,
            engine,
            setup=setup,
            mint_link=chat_link_minter(settings),
            wake_worker=thread.wake,
            hasher=FAST_HASHER,
        )
        people = {
            "alex": (Role.RECRUITER, 1401),
            "grace": (Role.HIRING_MANAGER, 1301),
            "marcus": (Role.HIRING_MANAGER, 1302),
            "carl": (Role.COMPENSATION, None),
        }
        staff = {n: make_staff(engine, r, username=n, icims_person_id=p) for n, (r, p) in people.items()}
        try:
            yield Stack(rt=rt, icims=icims, webhook_url=url, staff=staff)
        finally:
            assert thread.stop(60)
            server.stop()
            runtime._current = None


def queue_item(stack: Stack, who: str, workflow_id: int, kind: ItemKind) -> Any:
    return next(
        (i for i in service.queue(stack.rt, stack.id(who)) if i.workflow_id == workflow_id and i.kind is kind), None
    )


def approve_all(stack: Stack, offer_id: int, approvers: dict[str, str]) -> list[str]:
    """Each active step decided by the named user for its role, until the request closes; returns the roles."""
    decided = []
    while True:
        with session_scope(stack.engine) as session:
            request = approval_inbox.requests_for(session, offer_id)[-1]
            active = [s for s in approval_inbox.steps_of(session, request.id or 0) if s.state == "active"]
        if not active:
            return decided
        step = active[0]
        for n in range(step.required_approvals):
            name = approvers[step.approver_role] if n == 0 else f"{approvers[step.approver_role]}-{n}"
            if name not in stack.staff:
                stack.staff[name] = make_staff(stack.engine, Role(step.approver_role), username=name)
            service.decide(stack.rt, stack.id(name), step.id or 0, approve=True, comment="ok")
        decided.append(step.approver_role)


def synced(stack: Stack, offer_id: int) -> bool:
    return all(j.state == "delivered" for j in service.jobs_of(stack.rt, stack.id("alex"), offer_id))


def test_a_webhook_becomes_a_draft_that_is_approved_released_and_written_to_icims(stack: Stack) -> None:
    stack.icims.move(3401, "C20001")
    [delivery] = stack.icims.wait_for_deliveries(1)
    assert delivery.status_code == 200
    assert delivery.payload["newStatus"] == "20001"
    item = wait_for(lambda: queue_item(stack, "alex", 3401, ItemKind.DRAFT), "the draft in the recruiter's queue")
    offer_id = item.offer_id
    wait_for(lambda: queue_item(stack, "grace", 3401, ItemKind.DRAFT), "the draft for Grace, who manages job 2301")
    assert queue_item(stack, "marcus", 3401, ItemKind.DRAFT) is None
    wait_for(lambda: synced(stack, offer_id), "the draft's upload to iCIMS")
    workflow = stack.icims.profile("applicantworkflows", 3401)
    assert workflow["field31020"] == "Generated"

    service.submit(stack.rt, stack.id("alex"), offer_id)
    roles = approve_all(stack, offer_id, {"hiring_manager": "grace", "compensation": "carl", "recruiter": "alex"})
    assert roles
    assert roles[0] == "hiring_manager"
    wait_for(lambda: synced(stack, offer_id), "the approved letter's writes")
    with session_scope(stack.engine) as session:
        offer = offers.get_offer(session, offer_id)
        letter = latest_letter(session, require_current_version(session, offer).id or 0)
        assert offer.state == "approved"
        assert letter is not None
    workflow = stack.icims.profile("applicantworkflows", 3401)
    assert (workflow["field31020"], workflow["field31021"]) == ("Approved", 1)
    stored = stack.icims.sandbox.file("applicantworkflows", 3401, "field31022")
    assert stored is not None
    assert stored.content == letter.pdf

    released = service.release_offer(stack.rt, stack.id("alex"), offer_id)
    wait_for(lambda: synced(stack, offer_id), "the chat link's write")
    workflow = stack.icims.profile("applicantworkflows", 3401)
    assert same_link(workflow["field31023"], released.url)  # minted at delivery: same grant, its own token
    assert workflow["field31020"] == "Released"
    kinds = [w.kind for w in stack.icims.writes()]
    assert kinds.count("file") == 2
    assert kinds.count("entry") == 1
    over_http = stack.icims.client().get_profile("applicantworkflows", 3401, fields=["field31020", "field31023"])
    assert over_http == {**over_http, "field31020": "Released", "field31023": workflow["field31023"]}
    assert stack.icims.client().download_file("applicantworkflows", 3401, "field31022").content == letter.pdf
    assert workflow["status"]["id"] == "C20002"  # "Offer - Extended" (tenant.offer_extended_status)
    # iCIMS notifies that move too (our own write): it means nothing for the offer and is ignored
    events = wait_for(lambda: stored_events(stack, 2), "iCIMS's notice of the 'extended' status")
    assert [(e.state, e.duplicates) for e in events] == [("processed", 0), ("ignored", 0)]


def stored_events(stack: Stack, count: int) -> list[WebhookEvent]:
    with session_scope(stack.engine) as session:
        events = list(session.exec(select(WebhookEvent).order_by(col(WebhookEvent.id))))
    settled = [e for e in events if e.state in ("processed", "ignored")]
    return events if len(events) == count and len(settled) == count else []


def test_a_counter_partially_accepted_voids_the_chain_and_the_new_version_is_approved_and_synced(stack: Stack) -> None:
    stack.icims.move(3402, "C20001")
    offer_id = wait_for(lambda: queue_item(stack, "alex", 3402, ItemKind.DRAFT), "the draft").offer_id
    wait_for(lambda: queue_item(stack, "marcus", 3402, ItemKind.DRAFT), "the draft for Marcus, who manages job 2302")
    service.submit(stack.rt, stack.id("alex"), offer_id)
    with session_scope(stack.engine) as session:
        first = approval_inbox.steps_of(session, approval_inbox.requests_for(session, offer_id)[0].id or 0)[0]
    service.decide(stack.rt, stack.id("marcus"), first.id or 0, approve=True)  # the hiring manager said yes to v1
    with session_scope(stack.engine) as session:
        offer = offers.get_offer(session, offer_id)
        counter = counters.submit_counter(
            session,
            offer,
            [
                CounterItem(term=Term.BASE_SALARY, requested=Decimal(165000), currency="USD"),
                CounterItem(term=Term.SIGN_ON_BONUS, requested=Decimal(30000), currency="USD"),
            ],
            actor=candidate_actor(offer.person_id or 0),
            source_message_text="Could you do 165k and a 30k sign-on?",
        )
    assert queue_item(stack, "alex", 3402, ItemKind.COUNTER) is not None
    result = service.resolve_counter(
        stack.rt, stack.id("alex"), counter.id or 0, "custom", granted={Term.BASE_SALARY: Decimal(160000)}, today=TODAY
    )
    assert result.letter is not None
    assert result.letter.version_number == 2
    with session_scope(stack.engine) as session:
        [voided] = approval_inbox.requests_for(session, offer_id)
        assert voided.state == "voided"
        assert voided.version_number == 1
        assert {s.state for s in approval_inbox.steps_of(session, voided.id or 0)} == {"approved", "voided"}
    request = service.submit(stack.rt, stack.id("alex"), offer_id)
    assert request.version_number == 2
    roles = approve_all(stack, offer_id, {"hiring_manager": "marcus", "compensation": "carl", "recruiter": "alex"})
    assert roles[:2] == ["hiring_manager", "compensation"]
    wait_for(
        lambda: synced(stack, offer_id) and stack.icims.profile("applicantworkflows", 3402).get("field31021") == 2,
        "version 2 in iCIMS",
    )
    with session_scope(stack.engine) as session:
        offer = offers.get_offer(session, offer_id)
        letter = latest_letter(session, require_current_version(session, offer).id or 0)
    assert offer.state == "approved"
    assert letter is not None
    workflow = stack.icims.profile("applicantworkflows", 3402)
    assert workflow["field31020"] == "Approved"
    stored = stack.icims.sandbox.file("applicantworkflows", 3402, "field31022")
    assert stored is not None
    assert stored.content == letter.pdf


def test_duplicate_deliveries_draft_once_and_a_wrongly_signed_one_is_refused(stack: Stack) -> None:
    stack.icims.configure_events(copies=3)
    stack.icims.move(3401, "C20001")
    deliveries = stack.icims.wait_for_deliveries(3)
    assert [d.status_code for d in deliveries] == [200, 200, 200]
    offer_id = wait_for(lambda: queue_item(stack, "alex", 3401, ItemKind.DRAFT), "the draft").offer_id
    wait_for(lambda: synced(stack, offer_id), "the draft's upload")
    assert [w.kind for w in stack.icims.writes()].count("file") == 1
    stack.icims.configure_events(copies=1, hmac_secret="not-the-configured-secret-at-all")
    stack.icims.move(3402, "C20001")
    refused = stack.icims.wait_for_deliveries(4)[-1]
    assert refused.status_code == 401
    assert "userMessage" in (refused.response_body or "")
    with session_scope(stack.engine) as session:
        events = list(session.exec(select(WebhookEvent)))
    assert [(e.system_id, e.duplicates) for e in events] == [("3401", 2)]


def same_link(written: str, shown: str | None) -> bool:
    """Two portal links granting the same thing (workflow, offer, generation, expiry), whatever their token ids."""
    assert shown is not None

    def grant(url: str) -> tuple[object, ...]:
        claims = jwt.decode(url.split("token=", 1)[1], options={"verify_signature": False})
        return claims["wf"], claims["off"], claims["gen"], claims["exp"], url.split("?", 1)[0]

    return grant(written) == grant(shown)
