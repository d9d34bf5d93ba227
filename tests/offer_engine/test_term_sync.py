"""Approved terms written to iCIMS through the outbox, against the sandbox over HTTP: read first, written once,
read back; a retried or orphaned delivery never writes twice and never loses the read-back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from icims.errors import BadRequest
from icims.mapping import TenantMapping
from offer_engine import offers, outbox, term_sync, versions
from offer_engine.catalogue import build_catalogue
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.delivery import RetryPolicy, deliver_due
from offer_engine.errors import NotFoundError, PermissionDeniedError
from offer_engine.offers import Offer
from offer_engine.outbox import JobState, SyncJob
from offer_engine.versions import VersionReason
from tests import factories as f
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

FAST = RetryPolicy(base_seconds=5, max_seconds=60, lease_seconds=30)
WORKFLOW = 3401
AS_IN_ICIMS = {"start_date": date(2028, 1, 31), "relocation": Decimal(10000)}  # the rest matches the factory's


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


def approved_terms_job(engine: Engine, mapping: TenantMapping, base: int, *, group: str = "approval-1") -> SyncJob:
    """Version 1 as drafted from the demo workflow, version 2 with `base`, and the job writing version 2's terms."""
    with session_scope(engine) as session:
        offer = f.make_offer(session, workflow_id=WORKFLOW, terms=f.make_terms(**AS_IN_ICIMS))
        return _terms_job(session, offer, mapping, base, group)


def _terms_job(session: Session, offer: Offer, mapping: TenantMapping, base: int, group: str) -> SyncJob:
    current = versions.require_current_version(session, offer)
    terms = current.offer_terms.model_copy(update={"base_salary": Decimal(base)})
    version = versions.add_version(
        session,
        offer,
        terms,
        actor=f.recruiter(),
        reason_kind=VersionReason.COUNTER_OFFER,
        reason="counter granted",
    )
    job = term_sync.enqueue_term_writes(
        session,
        offer=offer,
        version=version,
        catalogue=build_catalogue(mapping),
        mapping=mapping,
        group=group,
        letter_id=None,
        actor=f.system(),
    )
    assert job is not None
    return job


def base_writes(icims: SandboxHandle) -> int:
    return sum(1 for w in icims.writes() if w.kind == "patch" and "field31001" in w.fields)


def job(engine: Engine, job_id: int | None) -> SyncJob:
    with session_scope(engine) as session:
        return outbox.get_job(session, job_id or 0)


def test_only_changed_terms_are_written_and_the_read_back_is_recorded(
    engine: Engine, settings: Settings, icims: SandboxHandle
) -> None:
    queued = approved_terms_job(engine, settings.tenant, 203500)
    assert [w["field"] for w in queued.payload["writes"]][:1]  # every write-back term of the version
    client = icims.client(max_retries=0)
    result = deliver_due(engine, client, worker_id="w", policy=FAST)
    assert result.delivered == [queued.id]
    writes = [w for w in icims.writes() if w.kind == "patch"]
    assert [w.detail["values"] for w in writes] == [{"field31001": {"amount": 203500.0, "currency": "USD"}}]
    done = job(engine, queued.id)
    assert done.payload["verified"]["field31001"] == {"term": "base_salary", "holds": "203500"}
    assert done.payload["verified"]["field31010"] == {"term": "pto_days", "holds": "20"}


def test_a_timed_out_write_is_retried_and_lands_once(engine: Engine, settings: Settings, icims: SandboxHandle) -> None:
    queued = approved_terms_job(engine, settings.tenant, 203500)
    icims.set_faults(hang_next=1, hang_seconds=1.5, methods=["PATCH"])  # the client gives up on the write
    client = icims.client(max_retries=0, timeout_seconds=0.5)
    first = deliver_due(engine, client, worker_id="w", policy=FAST)
    assert first.retrying == [queued.id]
    icims.clear_faults()
    again = deliver_due(engine, client, worker_id="w", now=utcnow() + timedelta(minutes=5), policy=FAST)
    assert again.delivered == [queued.id]
    assert base_writes(icims) == 1
    assert job(engine, queued.id).payload["verified"]["field31001"]["holds"] == "203500"


def test_a_worker_killed_after_the_write_loses_neither_the_write_nor_the_read_back(
    engine: Engine, settings: Settings, icims: SandboxHandle
) -> None:
    queued = approved_terms_job(engine, settings.tenant, 203500)
    client = icims.client(max_retries=0)
    with session_scope(engine) as session:
        [claimed] = outbox.claim_due(session, worker_id="killed", lease_seconds=30)
    term_sync.write_and_verify(client, claimed)  # the write lands; the worker dies before recording it
    assert job(engine, queued.id).state == JobState.IN_FLIGHT.value
    after_lease = utcnow() + timedelta(minutes=2)
    result = deliver_due(engine, client, worker_id="second", now=after_lease, policy=FAST)
    assert result.delivered == [queued.id]
    assert base_writes(icims) == 1
    done = job(engine, queued.id)
    assert done.attempts == 2
    assert done.payload["verified"]["field31001"]["holds"] == "203500"


def test_a_field_empty_at_the_draft_is_filled_without_a_conflict(
    engine: Engine, settings: Settings, icims: SandboxHandle
) -> None:
    icims.edit("applicantworkflows", WORKFLOW, {"field31001": None})  # the salary came from another source
    with session_scope(engine) as session:
        offer = f.make_offer(session, workflow_id=WORKFLOW, terms=f.make_terms(**AS_IN_ICIMS))
        offer.attributes = {"sources": {"base_salary": "job.field30099"}}
        session.add(offer)
        queued = _terms_job(session, offer, settings.tenant, 203500, "approval-1")
    assert deliver_due(engine, icims.client(max_retries=0), worker_id="w", policy=FAST).delivered == [queued.id]
    assert icims.profile("applicantworkflows", WORKFLOW)["field31001"] == {"amount": 203500.0, "currency": "USD"}


def test_a_field_a_person_emptied_is_a_conflict(engine: Engine, settings: Settings, icims: SandboxHandle) -> None:
    queued = approved_terms_job(engine, settings.tenant, 203500)
    icims.edit("applicantworkflows", WORKFLOW, {"field31001": None})
    assert deliver_due(engine, icims.client(max_retries=0), worker_id="w", policy=FAST).held == [queued.id]
    [conflict] = term_sync.conflicts_of(job(engine, queued.id))
    assert (conflict.icims, conflict.approved, conflict.drafted) == (None, "203500", "185000")


def test_a_newer_approval_supersedes_a_held_terms_write(
    engine: Engine, settings: Settings, icims: SandboxHandle
) -> None:
    icims.edit("applicantworkflows", WORKFLOW, {"field31001": {"amount": 190000, "currency": "USD"}})
    first = approved_terms_job(engine, settings.tenant, 200000)
    client = icims.client(max_retries=0)
    assert deliver_due(engine, client, worker_id="w", policy=FAST).held == [first.id]
    with session_scope(engine) as session:
        offer = offers.get_offer(session, first.offer_id or 0)
        second = _terms_job(session, offer, settings.tenant, 195000, "approval-2")
    assert job(engine, first.id).state == JobState.CANCELLED.value
    assert deliver_due(engine, client, worker_id="w", policy=FAST).held == [second.id]
    assert base_writes(icims) == 0


def test_only_a_recruiter_decides_and_an_unknown_field_is_refused(
    engine: Engine, settings: Settings, icims: SandboxHandle
) -> None:
    icims.edit("applicantworkflows", WORKFLOW, {"field31001": {"amount": 190000, "currency": "USD"}})
    held = approved_terms_job(engine, settings.tenant, 200000)
    deliver_due(engine, icims.client(max_retries=0), worker_id="w", policy=FAST)
    with session_scope(engine) as session, pytest.raises(PermissionDeniedError, match="needs role recruiter"):
        term_sync.resolve_conflict(
            session, held.id or 0, "field31001", term_sync.Choice.WRITE_APPROVED, actor=f.hiring_manager()
        )
    with session_scope(engine) as session, pytest.raises(NotFoundError, match="no open conflict"):
        term_sync.resolve_conflict(
            session, held.id or 0, "field31004", term_sync.Choice.WRITE_APPROVED, actor=f.recruiter()
        )
    assert job(engine, held.id).state == JobState.HELD.value


def test_the_sandbox_refuses_a_missing_field_and_ignores_a_read_only_one_as_the_integration_user(
    icims: SandboxHandle,
) -> None:
    icims.restrict_fields(
        missing={"applicantworkflows": ["field39999"]}, read_only={"applicantworkflows": ["field31003"]}
    )
    client = icims.client(max_retries=0)
    with pytest.raises(BadRequest, match="field39999"):
        client.update_profile("applicantworkflows", WORKFLOW, {"field39999": 1, "field31010": 25})
    assert icims.profile("applicantworkflows", WORKFLOW)["field31010"] == 20  # all or nothing
    url = f"{icims.base_url}/customers/{icims.customer_id}/applicantworkflows/{WORKFLOW}"
    answer = httpx.patch(url, json={"field31003": 12}, headers={"Authorization": icims.authorization()}, timeout=10)
    assert answer.status_code == 204
    assert answer.headers["x-warning"].startswith("5:field31003:")
    assert icims.profile("applicantworkflows", WORKFLOW)["field31003"] == 10
    icims.edit("applicantworkflows", WORKFLOW, {"field31003": 11})  # a person in iCIMS may change it
    assert icims.profile("applicantworkflows", WORKFLOW)["field31003"] == 11


@pytest.mark.parametrize("key", ["offer_approved_status", "offer_extended_status"])
def test_a_status_we_set_cannot_also_mean_offer_ready(settings: Settings, key: str) -> None:
    data = settings.tenant.model_dump()
    with pytest.raises(ValidationError, match="'C20001' is listed both as offer-ready and as offer-"):
        TenantMapping.model_validate({**data, key: "C20001"})
