"""iCIMS stays the system of record: over real HTTP to the sandbox, with the real worker, on SQLite and PostgreSQL.

Approved terms, the 'extended' status, the letter and a note land in the workflow and are read back; a field a
person changed in iCIMS since the draft is never overwritten: the write is held and the recruiter chooses in
review mode; a field iCIMS does not have or will not change ends that write dead, with the reason, and nothing
else waits for it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import chainlit as cl
from sqlmodel import select

from app.review import handlers, service
from app.review.auth import chainlit_user
from offer_engine import approval_inbox, counters, offers, outbox
from offer_engine.actors import Role, candidate_actor
from offer_engine.audit import AuditEvent
from offer_engine.db import session_scope
from offer_engine.outbox import JobKind, SyncJob
from offer_engine.terms import CounterItem, Term
from tests.app.review.conftest import Recorder, ReviewWorld, chainlit_context
from tests.support.staff_factories import make_staff

WORKFLOW = 3401  # Maya Patel on job 2301 (Grace manages it); base salary $185,000 in the fixture
APPROVERS = {"hiring_manager": "grace", "compensation": "carl", "recruiter": "alex"}


def staff_session(world: ReviewWorld, name: str) -> Recorder:
    recorder = Recorder()
    chainlit_context(chainlit_user(world.user(name)), recorder)
    return recorder


def countered(world: ReviewWorld, base: int, *more: CounterItem) -> int:
    """A draft of WORKFLOW whose candidate asked for `base` (and `more`), granted in full in version 2."""
    offer_id = world.draft(WORKFLOW)
    with session_scope(world.engine) as session:
        offer = offers.get_offer(session, offer_id)
        items = [CounterItem(term=Term.BASE_SALARY, requested=Decimal(base), currency="USD"), *more]
        counter = counters.submit_counter(session, offer, items, actor=candidate_actor(offer.person_id or 0))
    service.resolve_counter(world.rt, world.user("alex").id or 0, counter.id or 0, "accept_all")
    return offer_id


def approve(world: ReviewWorld, offer_id: int) -> None:
    service.submit(world.rt, world.user("alex").id or 0, offer_id)
    while True:
        with session_scope(world.engine) as session:
            request = approval_inbox.requests_for(session, offer_id)[-1]
            active = [s for s in approval_inbox.steps_of(session, request.id or 0) if s.state == "active"]
        if not active:
            return
        step = active[0]
        for n in range(step.required_approvals):
            name = APPROVERS[step.approver_role] + (f"-{n}" if n else "")
            if name not in world.staff:
                world.staff[name] = make_staff(world.engine, Role(step.approver_role), username=name)
            service.decide(world.rt, world.user(name).id or 0, step.id or 0, approve=True, comment="ok")


def jobs(world: ReviewWorld, offer_id: int, kind: JobKind | None = None) -> list[SyncJob]:
    with session_scope(world.engine) as session:
        found = [j for j in outbox.list_jobs(session, limit=1000) if j.offer_id == offer_id]
    return [j for j in found if kind is None or j.kind == kind.value]


def audited(world: ReviewWorld, action: str) -> list[AuditEvent]:
    with session_scope(world.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def workflow(world: ReviewWorld) -> dict[str, Any]:
    return world.icims.profile("applicantworkflows", WORKFLOW)


def field_writes(world: ReviewWorld, name: str) -> int:
    return sum(1 for w in world.icims.writes() if w.kind == "patch" and name in w.fields)


async def open_offer(world: ReviewWorld, who: str, offer_id: int) -> Recorder:
    recorder = staff_session(world, who)
    await handlers.on_open(cl.Action(name="review_open", payload={"offer_id": offer_id}))
    return recorder


async def test_approved_and_released_terms_are_written_read_back_and_recorded(world: ReviewWorld) -> None:
    offer_id = countered(
        world,
        203500,
        CounterItem(term=Term.SIGN_ON_BONUS, requested=Decimal(20000), currency="USD"),
        CounterItem(term=Term.START_DATE, requested=date(2028, 3, 1)),
        CounterItem(term=Term.WORK_ARRANGEMENT, requested="remote"),
    )
    approve(world, offer_id)
    world.deliver()
    held = workflow(world)
    assert held["field31001"]["amount"] == 203500  # the approved base salary, not the drafted $185,000
    assert held["field31001"]["currency"] == "USD"
    assert held["field31004"] == {"amount": 20000, "currency": "USD"}  # money goes as a currency object
    assert held["field31006"] == "2028-03-01"  # dates as yyyy-mm-dd
    assert held["field31007"]["id"] == "C31072"  # a list value by its node id (iCIMS stores it with its label)
    assert held["field31007"]["value"] == "Remote"
    assert held["field31010"] == 20  # unchanged terms are not written again
    assert field_writes(world, "field31010") == 0
    assert held["field31020"] == "Approved"
    assert world.icims.sandbox.file("applicantworkflows", WORKFLOW, "field31022") is not None  # the letter
    [terms_job] = jobs(world, offer_id, JobKind.WRITE_TERMS)
    assert terms_job.state == "delivered"
    assert terms_job.payload["verified"]["field31001"] == {"term": "base_salary", "holds": "203500"}
    [verified] = audited(world, "sync.verified")
    assert verified.details["fields"]["field31001"]["holds"] == "203500"

    service.release_offer(world.rt, world.user("alex").id or 0, offer_id)
    world.deliver()
    held = workflow(world)
    assert held["status"]["id"] == "C20002"  # "Offer - Extended", from tenant.offer_extended_status
    assert held["field31020"] == "Released"
    assert {j.state for j in jobs(world, offer_id)} == {"delivered"}
    assert any("approved in the Offer Assistant" in str(row) for row in held.get("notes", []))
    before = field_writes(world, "field31001")
    world.deliver()  # another round writes nothing again
    assert field_writes(world, "field31001") == before == 1

    recorder = await open_offer(world, "alex", offer_id)
    text = recorder.texts()[-1]
    assert "iCIMS was read back" in text
    assert "Base salary: $203,500.00" in text


async def test_a_field_changed_in_icims_since_the_draft_is_held_for_the_recruiter(world: ReviewWorld) -> None:
    offer_id = countered(world, 200000)
    world.icims.edit("applicantworkflows", WORKFLOW, {"field31001": {"amount": 190000, "currency": "USD"}})
    approve(world, offer_id)
    world.deliver()
    [terms_job] = jobs(world, offer_id, JobKind.WRITE_TERMS)
    assert terms_job.state == "held"
    assert workflow(world)["field31001"]["amount"] == 190000  # nothing overwritten
    assert field_writes(world, "field31001") == 0
    assert workflow(world)["field31020"] == "Approved"  # the other writes went ahead
    assert {j.state for j in jobs(world, offer_id) if j.kind != JobKind.WRITE_TERMS.value} == {"delivered"}

    [queued] = [i for i in service.queue(world.rt, world.user("alex").id or 0) if i.ref_id == terms_job.id]
    assert queued.summary == "iCIMS was changed since the draft: choose which value iCIMS keeps"
    assert service.offer_of(world.rt, world.user("alex").id or 0, queued.kind.value, queued.ref_id) == offer_id
    recorder = await open_offer(world, "alex", offer_id)
    text = recorder.texts()[-1]
    assert "iCIMS was changed since this offer was drafted" in text
    assert "**Base salary**: iCIMS now says **$190,000.00**; the approved offer says **$200,000.00**" in text
    assert "when the offer was drafted it said $185,000.00" in text
    section = text[text.index("iCIMS was changed") :]
    assert "base_salary" not in section
    assert "field31001" not in section
    choices = [a for a in recorder.actions() if a["name"] == "review_conflict"]
    assert [a["label"] for a in choices] == [
        "Base salary: keep iCIMS's $190,000.00",
        "Base salary: write the approved $200,000.00",
    ]

    grace = await open_offer(world, "grace", offer_id)  # a hiring manager sees the conflict, not the choice
    assert "iCIMS now says" in grace.texts()[-1]
    assert not [a for a in grace.actions() if a["name"] == "review_conflict"]
    write = cl.Action(name="review_conflict", payload=choices[1]["payload"])
    await handlers.on_conflict(write)  # a crafted click by the hiring manager is refused on the server
    assert "needs role recruiter" in grace.texts()[-1]
    assert jobs(world, offer_id, JobKind.WRITE_TERMS)[0].state == "held"

    alex = staff_session(world, "alex")
    alex_session_offer(offer_id)
    await handlers.on_conflict(write)
    assert "the approved value is being written to iCIMS" in alex.texts()[0]
    world.deliver()
    assert workflow(world)["field31001"]["amount"] == 200000
    assert jobs(world, offer_id, JobKind.WRITE_TERMS)[0].state == "delivered"
    [choice] = audited(world, "sync.conflict_resolved")
    assert choice.actor_id == "alex"
    assert choice.details["choice"] == "write"
    assert choice.details["icims"] == "190000"


async def test_keeping_icims_value_ends_the_write_without_touching_the_field(world: ReviewWorld) -> None:
    offer_id = countered(world, 200000)
    world.icims.edit("applicantworkflows", WORKFLOW, {"field31001": {"amount": 190000, "currency": "USD"}})
    approve(world, offer_id)
    world.deliver()
    [terms_job] = jobs(world, offer_id, JobKind.WRITE_TERMS)
    staff_session(world, "alex")
    keep = {"job_id": terms_job.id, "field": "field31001", "choice": "keep"}
    await handlers.on_conflict(cl.Action(name="review_conflict", payload=keep))
    world.deliver()
    assert workflow(world)["field31001"]["amount"] == 190000
    [done] = jobs(world, offer_id, JobKind.WRITE_TERMS)
    assert done.state == "delivered"
    assert done.payload["verified"]["field31001"]["holds"] == "190000"
    assert field_writes(world, "field31001") == 0
    again = staff_session(world, "alex")
    await handlers.on_conflict(cl.Action(name="review_conflict", payload=keep))  # decided already
    assert again.texts()[-1].startswith("Not done:")
    bad = staff_session(world, "alex")
    await handlers.on_conflict(cl.Action(name="review_conflict", payload={**keep, "field": "Field31001; drop"}))
    assert bad.texts()[-1] == "That button is out of date: open the item again."


async def test_a_missing_or_read_only_field_is_dead_lettered_with_the_reason_and_nothing_else_waits(
    world: ReviewWorld,
) -> None:
    world.icims.restrict_fields(
        missing={"applicantworkflows": ["field31004"]}, read_only={"applicantworkflows": ["field31003"]}
    )
    offer_id = countered(
        world,
        203500,
        CounterItem(term=Term.SIGN_ON_BONUS, requested=Decimal(25000), currency="USD"),
        CounterItem(term=Term.BONUS_TARGET_PERCENT, requested=Decimal(12)),
    )
    approve(world, offer_id)
    world.deliver()
    [dead] = jobs(world, offer_id, JobKind.WRITE_TERMS)
    assert dead.state == "dead"
    reasons = {r["field"]: r["why"] for r in dead.payload["refused"]}
    assert reasons == {"field31004": "missing", "field31003": "not_kept"}
    assert "field31004" in (dead.last_error or "")
    held = workflow(world)
    assert held["field31001"]["amount"] == 203500  # the fields iCIMS takes were written
    assert held["field31003"] == 10  # read-only: iCIMS answered 204 with a warning and kept its value
    assert held["field31020"] == "Approved"
    service.release_offer(world.rt, world.user("alex").id or 0, offer_id)
    world.deliver()
    assert workflow(world)["status"]["id"] == "C20002"  # the dead write holds nothing back
    assert {j.state for j in jobs(world, offer_id) if j.kind != JobKind.WRITE_TERMS.value} == {"delivered"}
    [refused] = audited(world, "sync.terms_refused")
    assert {r["field"] for r in refused.details["refused"]} == {"field31004", "field31003"}

    recorder = await open_offer(world, "alex", offer_id)
    text = recorder.texts()[-1]
    assert "#### Not written to iCIMS" in text
    assert "**Sign-on bonus** (approved: $25,000.00): iCIMS refused it" in text
    assert "(approved: 12%): iCIMS did not keep it: the integration user may not change this field" in text
    assert "field3100" not in text[text.index("Not written to iCIMS") :]


def alex_session_offer(offer_id: int) -> None:
    cl.user_session.set("review_offer", offer_id)  # type: ignore[no-untyped-call]
