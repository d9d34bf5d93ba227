"""Review actions through the service: roles and requisitions checked on the server, counter → new version."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.links import Audience, LinkClaims, verify_token
from app.review import service
from offer_engine import approval_inbox, candidate_requests, counters, messages, offers
from offer_engine.actors import candidate_actor
from offer_engine.candidate_requests import RequestKind
from offer_engine.db import session_scope
from offer_engine.errors import PermissionDeniedError
from offer_engine.review_queue import ItemKind
from offer_engine.terms import CounterItem, Term
from tests.app.review.conftest import TODAY, ReviewWorld


def steps(world: ReviewWorld, offer_id: int) -> list[tuple[int, str, str]]:
    with session_scope(world.engine) as session:
        request = approval_inbox.requests_for(session, offer_id)[-1]
        return [(s.id or 0, s.approver_role, s.state) for s in approval_inbox.steps_of(session, request.id or 0)]


def counter(world: ReviewWorld, offer_id: int, **items: object) -> int:
    with session_scope(world.engine) as session:
        offer = offers.get_offer(session, offer_id)
        row = counters.submit_counter(
            session,
            offer,
            [CounterItem(term=Term(t), requested=v, currency="USD") for t, v in items.items()],
            actor=candidate_actor(offer.person_id or 0),
            source_message_text="Could you do better?",
        )
        return row.id or 0


def test_a_recruiter_cannot_approve_a_step_reserved_to_compensation(world: ReviewWorld) -> None:
    offer_id = world.draft(3402)  # above the band midpoint: hiring manager, then compensation
    alex, marcus, carl = (world.user(n).id or 0 for n in ("alex", "marcus", "carl"))
    service.submit(world.rt, alex, offer_id)
    manager_step = steps(world, offer_id)[0][0]
    service.decide(world.rt, marcus, manager_step, approve=True)
    comp_step = steps(world, offer_id)[1]
    assert comp_step[1:] == ("compensation", "active")
    with pytest.raises(PermissionDeniedError):
        service.decide(world.rt, alex, comp_step[0], approve=True)
    assert steps(world, offer_id)[1][2] == "active"
    service.decide(world.rt, carl, comp_step[0], approve=True)
    with session_scope(world.engine) as session:
        assert offers.get_offer(session, offer_id).state == "approved"


def test_a_hiring_manager_sees_and_decides_only_their_own_requisitions(world: ReviewWorld) -> None:
    grace_offer, marcus_offer = world.draft(3401), world.draft(3402)
    grace, marcus, alex = (world.user(n).id or 0 for n in ("grace", "marcus", "alex"))
    assert {i.offer_id for i in service.queue(world.rt, grace)} == {grace_offer}
    assert {i.offer_id for i in service.queue(world.rt, alex)} >= {grace_offer, marcus_offer}
    with pytest.raises(PermissionDeniedError):
        service.offer_detail(world.rt, grace, marcus_offer)
    service.submit(world.rt, alex, grace_offer)
    step_id = steps(world, grace_offer)[0][0]
    with pytest.raises(PermissionDeniedError):  # the right role, the wrong requisition
        service.decide(world.rt, marcus, step_id, approve=True)
    with pytest.raises(PermissionDeniedError):
        service.offer_of(world.rt, marcus, "approval", step_id)
    service.decide(world.rt, grace, step_id, approve=True)
    with pytest.raises(PermissionDeniedError):
        service.offer_analytics(world.rt, grace)


def test_a_partial_accept_makes_a_new_version_voids_approvals_and_suggests_a_reply(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    alex = world.user("alex").id or 0
    service.submit(world.rt, alex, offer_id)
    counter_id = counter(world, offer_id, base_salary=Decimal(200000), sign_on_bonus=Decimal(40000))
    detail = service.offer_detail(world.rt, alex, offer_id)
    assert detail.counter is not None
    assert detail.counter.analysis is not None
    assert detail.counter.suggested_reply.startswith("Hi Maya")
    assert [item.term for item in detail.counter.items] == ["base_salary", "sign_on_bonus"]
    assert any(i.kind is ItemKind.COUNTER for i in service.queue(world.rt, alex))
    result = service.resolve_counter(
        world.rt, alex, counter_id, "custom", granted={Term.BASE_SALARY: Decimal(195000)}, today=TODAY
    )
    assert result.counter.resolution == "partially"
    assert result.letter is not None
    assert result.letter.version_number == 2
    assert result.letter.compliance_passed
    with session_scope(world.engine) as session:
        requests = approval_inbox.requests_for(session, offer_id)
        assert [r.state for r in requests] == ["voided"]
    detail = service.offer_detail(world.rt, alex, offer_id)
    assert detail.version is not None
    assert detail.version.diff == {"base_salary": {"from": "185000", "to": "195000"}}
    assert "compensation" in [s.approver_role for s in detail.preview]  # 195k is above the band midpoint
    service.submit(world.rt, alex, offer_id)
    assert [role for _, role, _ in steps(world, offer_id)] == [s.approver_role for s in detail.preview]


def test_replies_reach_the_candidates_pending_messages(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    alex, carl = world.user("alex").id or 0, world.user("carl").id or 0
    counter(world, offer_id, sign_on_bonus=Decimal(30000))
    suggested = service.reply(world.rt, alex, offer_id)
    written = service.reply(world.rt, alex, offer_id, "Thanks Maya, back to you tomorrow.")
    with pytest.raises(PermissionDeniedError):
        service.reply(world.rt, carl, offer_id, "compensation does not write to candidates")
    with session_scope(world.engine) as session:
        pending = messages.pending_messages_for(session, 3401, customer_id=world.icims.customer_id)
    assert [m.id for m in pending] == [suggested.id, written.id]
    assert suggested.template_ref == "counter_reply@2/en"


def test_release_writes_a_working_link_and_rotation_replaces_it(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    alex, grace = world.user("alex").id or 0, world.user("grace").id or 0
    service.submit(world.rt, alex, offer_id)
    service.decide(world.rt, grace, steps(world, offer_id)[0][0], approve=True)
    with pytest.raises(PermissionDeniedError):
        service.release_offer(world.rt, grace, offer_id)
    released = service.release_offer(world.rt, alex, offer_id)
    world.deliver()
    field = world.rt.settings.tenant.chat_link_field or ""
    key = world.rt.settings.secret("security.link_signing_key")

    def written() -> LinkClaims:  # minted when delivered: the same grant as the link shown, its own token id
        url = world.icims.profile("applicantworkflows", 3401)[field]
        return verify_token(key, url.split("token=")[1], audience=Audience.PORTAL)

    shown = verify_token(key, (released.url or "").split("token=")[1], audience=Audience.PORTAL)
    claims = written()
    assert (claims.workflow_id, claims.offer_id, claims.generation, claims.exp) == (
        shown.workflow_id, shown.offer_id, shown.generation, shown.exp,
    )  # fmt: skip
    assert (claims.workflow_id, claims.offer_id, claims.generation) == (3401, offer_id, 0)
    assert released.expires_at is not None
    assert claims.exp == int(released.expires_at.timestamp())
    rotated = service.rotate_link(world.rt, alex, offer_id)
    world.deliver()
    assert rotated.url != released.url
    assert written().generation == 1


def test_confirming_an_acceptance_intent_records_the_answer(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    alex, grace = world.user("alex").id or 0, world.user("grace").id or 0
    service.submit(world.rt, alex, offer_id)
    service.decide(world.rt, grace, steps(world, offer_id)[0][0], approve=True)
    service.release_offer(world.rt, alex, offer_id)
    with session_scope(world.engine) as session:
        offer = offers.get_offer(session, offer_id)
        intent = candidate_requests.submit_request(
            session, offer, RequestKind.ACCEPT_INTENT, actor=candidate_actor(offer.person_id or 0), message="I accept!"
        )
    service.handle_request(world.rt, alex, intent.id or 0, "confirm_accept", "called Maya, confirmed")
    world.deliver()
    with session_scope(world.engine) as session:
        assert offers.get_offer(session, offer_id).state == "accepted"
    assert (
        world.icims.profile("applicantworkflows", 3401)["status"]["id"]
        == world.rt.settings.tenant.offer_accepted_status
    )


def test_opening_one_of_several_open_counter_offers_shows_that_one(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    alex = world.user("alex").id or 0
    first = counter(world, offer_id, base_salary=Decimal(200000))
    second = counter(world, offer_id, sign_on_bonus=Decimal(18000))
    default = service.offer_detail(world.rt, alex, offer_id)
    assert default.counter is not None
    assert default.counter.counter.id == first  # most urgent first when no counter is named
    focused = service.offer_detail(world.rt, alex, offer_id, counter_id=second)
    assert focused.counter is not None
    assert focused.counter.counter.id == second
    assert [item.term for item in focused.counter.items] == ["sign_on_bonus"]


def test_recruiters_see_events_that_ended_without_a_draft_and_start_them_again(world: ReviewWorld) -> None:
    world.icims.move(3401, "C20010")  # moved back before the offer-ready notification was processed
    with pytest.raises(AssertionError):
        world.draft(3401)  # no offer: the event ended without a draft
    alex, marcus = (world.user(n).id or 0 for n in ("alex", "marcus"))
    (stuck,) = service.events_without_draft(world.rt, alex)
    assert stuck.system_id == "3401"
    assert "not one of the offer-ready statuses" in (stuck.error or "")
    assert service.events_without_draft(world.rt, marcus) == []  # a hiring manager: not shown (no offer to scope by)
    with pytest.raises(PermissionDeniedError):
        service.retry_events_without_draft(world.rt, marcus)
    world.icims.move(3401, "C20001")
    assert service.retry_events_without_draft(world.rt, alex) == 1
    world.workers.run_once()
    assert service.events_without_draft(world.rt, alex) == []
    with session_scope(world.engine) as session:
        assert offers.find_open_offer(session, world.icims.customer_id, 3401) is not None
