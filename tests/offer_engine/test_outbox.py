"""The outbox against the real sandbox (over HTTP) with injected faults: nothing lost, nothing written twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from app.config import Settings
from icims.client import ICIMSClient
from icims.mapping import TenantMapping
from offer_engine import letter_store, outbox, writebacks
from offer_engine.catalogue import build_catalogue
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.delivery import DeliveryRound, RetryPolicy, deliver_due
from offer_engine.errors import IllegalTransitionError
from offer_engine.offers import OfferState
from offer_engine.outbox import JobState
from tests import factories as f
from tests.support.icims_sandbox import SandboxHandle, running_sandbox

FAST = RetryPolicy(base_seconds=5, max_seconds=60, lease_seconds=30)
EXPECTED = Counter({("file", ("field31022",)): 1, ("patch", ("field31020", "field31021")): 1, ("entry", ("notes",)): 1})


@pytest.fixture
def icims() -> Iterator[SandboxHandle]:
    with running_sandbox() as handle:
        yield handle


@pytest.fixture
def mapping(settings: Settings) -> TenantMapping:
    return settings.tenant


def _client(icims: SandboxHandle, **overrides: object) -> ICIMSClient:
    return icims.client(max_retries=0, timeout_seconds=overrides.pop("timeout_seconds", 5.0), **overrides)


def _approved_letter_jobs(engine: Engine, mapping: TenantMapping, workflow_id: int = 3401) -> tuple[bytes, list[int]]:
    with session_scope(engine) as session:
        offer = f.make_offer(session, workflow_id=workflow_id, state=OfferState.APPROVED)
        letter = letter_store.latest_letter(session, f.current(session, offer).id or 0)
        assert letter is not None
        assert letter.pdf is not None
        plan = writebacks.enqueue_letter_approved(
            session, offer=offer, letter=letter, mapping=mapping, actor=f.system()
        )
        assert plan.skipped == []
        return letter.pdf, [job.id or 0 for job in plan.jobs]


def _drain(
    engine: Engine, client: ICIMSClient, *, start: datetime | None = None, rounds: int = 40
) -> list[DeliveryRound]:
    """Run delivery rounds from `start` (default: now, as jobs are stamped with the real time when queued), moving
    the clock on, until three rounds in a row find nothing to do."""
    results: list[DeliveryRound] = []
    now, idle = start or utcnow(), 0
    for _ in range(rounds):
        result = deliver_due(engine, client, worker_id="worker-1", now=now, policy=FAST)
        results.append(result)
        idle = idle + 1 if result.attempted == 0 else 0
        if idle == 3:
            return results
        now += timedelta(minutes=2)
    raise AssertionError("the outbox did not settle")


def _writes(icims: SandboxHandle) -> Counter[tuple[str, tuple[str, ...]]]:
    return Counter((w.kind, w.fields) for w in icims.writes())


def _states(engine: Engine, job_ids: list[int]) -> list[str]:
    with session_scope(engine) as session:
        return [outbox.get_job(session, job_id).state for job_id in job_ids]


def test_an_approved_letter_is_written_to_icims_once(
    engine: Engine, icims: SandboxHandle, mapping: TenantMapping
) -> None:
    pdf, jobs = _approved_letter_jobs(engine, mapping)
    _drain(engine, _client(icims))
    assert _states(engine, jobs) == ["delivered"] * 3
    assert _writes(icims) == EXPECTED
    workflow = icims.profile("applicantworkflows", 3401)
    assert (workflow["field31020"], workflow["field31021"]) == ("Approved", 1)
    assert "offer-assistant ref" in workflow["notes"][-1]["note"]
    assert _client(icims).download_file("applicantworkflows", 3401, "field31022").content == pdf


def test_enqueuing_twice_makes_no_new_jobs(engine: Engine, mapping: TenantMapping) -> None:
    _, jobs = _approved_letter_jobs(engine, mapping)
    with session_scope(engine) as session:
        letter = letter_store.get_letter(session, outbox.get_job(session, jobs[0]).letter_id or 0)
        offer = f.offers.get_offer(session, letter.offer_id)
        again = writebacks.enqueue_letter_approved(
            session, offer=offer, letter=letter, mapping=mapping, actor=f.system()
        )
        assert [j.id for j in again.jobs] == jobs
        assert len(outbox.list_jobs(session)) == 3


@pytest.mark.parametrize(
    "faults",
    [
        {"fail_next": 4},  # 503s
        {"fail_next": 3, "error_status": 500},
        {"throttle_next": 6, "throttle_retry_after": 30},  # a 429 burst
        {"hang_next": 2, "hang_seconds": 2.0},  # client time-outs
        {"error_rate": 0.3, "seed": 7},
    ],
    ids=["503", "500", "429-burst", "timeouts", "random-5xx"],
)
def test_faults_lose_nothing_and_write_nothing_twice(
    engine: Engine, icims: SandboxHandle, mapping: TenantMapping, faults: dict[str, object]
) -> None:
    _, jobs = _approved_letter_jobs(engine, mapping)
    icims.set_faults(**faults)
    rounds = _drain(engine, _client(icims, timeout_seconds=0.5))
    icims.clear_faults()
    assert _states(engine, jobs) == ["delivered"] * 3
    assert _writes(icims) == EXPECTED
    assert sum(len(r.retrying) for r in rounds) > 0, "the faults were felt"


def test_a_rate_limit_waits_for_the_reset_and_does_not_count_as_a_failure(
    engine: Engine, icims: SandboxHandle, mapping: TenantMapping
) -> None:
    _, jobs = _approved_letter_jobs(engine, mapping)
    t0 = utcnow()
    client = _client(icims)
    icims.set_faults(throttle_next=1, throttle_retry_after=120, methods=["PATCH"])  # the upload, not the token
    first = deliver_due(engine, client, worker_id="w", now=t0, policy=FAST)
    assert first.retrying == [jobs[0]]
    with session_scope(engine) as session:
        job = outbox.get_job(session, jobs[0])
        assert (job.failures, job.next_attempt_at) == (0, t0 + timedelta(seconds=120))
        assert "RateLimited" in (job.last_error or "")
    # the rest of the letter's jobs wait behind the upload; nothing is due before the reset
    assert deliver_due(engine, client, worker_id="w", now=t0 + timedelta(seconds=119)).attempted == 0
    _drain(engine, client, start=t0 + timedelta(seconds=120))
    assert _writes(icims) == EXPECTED


def test_repeated_failures_dead_letter_the_job_which_can_be_retried(
    engine: Engine, icims: SandboxHandle, mapping: TenantMapping
) -> None:
    _, jobs = _approved_letter_jobs(engine, mapping)
    icims.set_faults(outage=True)
    rounds = _drain(engine, _client(icims))
    assert _states(engine, jobs) == ["dead", "pending", "pending"]  # later jobs wait behind the dead upload
    assert sum(len(r.retrying) for r in rounds) == outbox.DEFAULT_MAX_FAILURES - 1
    with session_scope(engine) as session:
        dead = outbox.list_jobs(session, states=[JobState.DEAD])
        assert [j.id for j in dead] == [jobs[0]]
        assert "ServerError" in (dead[0].last_error or "") or "503" in (dead[0].last_error or "")
    assert _writes(icims) == Counter()
    icims.clear_faults()
    with session_scope(engine) as session:
        outbox.requeue(session, jobs[0], actor=f.admin())
    with pytest.raises(IllegalTransitionError), session_scope(engine) as session:
        outbox.requeue(session, jobs[1], actor=f.admin())
    _drain(engine, _client(icims), start=utcnow() + timedelta(days=1))
    assert _states(engine, jobs) == ["delivered"] * 3
    assert _writes(icims) == EXPECTED


def test_a_note_written_before_the_worker_died_is_recognised_and_not_added_again(
    engine: Engine, icims: SandboxHandle, mapping: TenantMapping
) -> None:
    """The read-back for notes (issue 14, item 8): the note carries the job's marker, and a retried job that finds
    it in iCIMS records the delivery without adding a second note."""
    _, jobs = _approved_letter_jobs(engine, mapping)
    client = _client(icims)
    t0 = utcnow()
    first = deliver_due(
        engine, client, worker_id="w", now=t0, policy=FAST, stopping=lambda: sum(_writes(icims).values()) >= 2
    )
    assert first.delivered == jobs[:2]
    with session_scope(engine) as session:  # worker A claims the note, writes it, and dies before recording it
        (claimed,) = outbox.claim_due(session, worker_id="worker-a", now=t0, limit=1, lease_seconds=30)
    assert claimed.id == jobs[2]
    client.add_note("applicantworkflows", 3401, claimed.payload["text"])
    later = deliver_due(engine, client, worker_id="worker-b", now=t0 + timedelta(seconds=31), policy=FAST)
    assert later.already_present == [jobs[2]]
    assert _states(engine, jobs) == ["delivered"] * 3
    notes = client.get_profile("applicantworkflows", 3401, fields=["notes"]).get("notes") or []
    assert sum(claimed.payload["marker"] in str(row) for row in notes) == 1
    assert _writes(icims) == EXPECTED


def test_a_refused_write_is_dead_lettered_at_once_with_its_reason(
    engine: Engine, mapping: TenantMapping, settings: Settings
) -> None:
    with running_sandbox(required_fields={"applicantworkflows": ["field39999"]}) as icims:
        _, jobs = _approved_letter_jobs(engine, mapping)
        _drain(engine, _client(icims))
        assert _states(engine, jobs) == ["delivered", "dead", "pending"]
        with session_scope(engine) as session:
            job = outbox.get_job(session, jobs[1])
            assert job.failures == 1
            assert "RequiredField" in (job.last_error or "")


def test_a_job_whose_worker_died_after_writing_is_not_written_again(
    engine: Engine, icims: SandboxHandle, mapping: TenantMapping
) -> None:
    pdf, jobs = _approved_letter_jobs(engine, mapping)
    client = _client(icims)
    t0 = utcnow()
    with session_scope(engine) as session:  # worker A claims the upload, writes it, and dies before recording it
        (claimed,) = outbox.claim_due(session, worker_id="worker-a", now=t0, limit=1, lease_seconds=30)
    client.upload_file("applicantworkflows", 3401, "field31022", filename="x.pdf", content=pdf)
    assert deliver_due(engine, client, worker_id="worker-b", now=t0 + timedelta(seconds=10)).attempted == 0
    later = deliver_due(engine, client, worker_id="worker-b", now=t0 + timedelta(seconds=31), policy=FAST)
    assert later.already_present == [jobs[0]]
    with session_scope(engine) as session:  # worker A comes back: its claim is gone
        assert outbox.mark_delivered(session, claimed, actor=f.system()) is False
    _drain(engine, client, start=t0 + timedelta(minutes=1))
    assert _writes(icims) == EXPECTED


@pytest.mark.postgres
def test_two_workers_on_postgres_never_deliver_the_same_job(
    pg_engine: Engine, icims: SandboxHandle, mapping: TenantMapping
) -> None:
    all_jobs: list[int] = []
    for workflow_id in (3401, 3402, 3403, 3404, 3405, 3407):
        all_jobs += _approved_letter_jobs(pg_engine, mapping, workflow_id)[1]
    icims.set_faults(error_rate=0.2, seed=3)
    delivered: list[int] = []
    lock = threading.Lock()
    quick = RetryPolicy(base_seconds=0.01, max_seconds=0.05, lease_seconds=60, batch=3)  # one real clock for both

    def work(name: str) -> None:
        client = _client(icims)
        for _ in range(200):
            result = deliver_due(pg_engine, client, worker_id=name, policy=quick)
            with lock:
                delivered.extend(result.delivered)
                if len(delivered) >= len(all_jobs):
                    return
            time.sleep(0.02)

    threads = [threading.Thread(target=work, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(delivered) == sorted(all_jobs)
    assert _states(pg_engine, all_jobs) == ["delivered"] * len(all_jobs)
    writes = Counter((w.profile_id, w.kind) for w in icims.writes())
    assert set(writes.values()) == {1}
    assert len(writes) == len(all_jobs)


def test_a_chat_link_is_written_to_the_mapped_field(
    engine: Engine, icims: SandboxHandle, mapping: TenantMapping
) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, workflow_id=3402, state=OfferState.SENT)
        url = "https://offers.example/c/abc123"
        plan = writebacks.enqueue_chat_link(
            session, offer=offer, url=url, link_id="gen-1", mapping=mapping, actor=f.system()
        )
        again = writebacks.enqueue_chat_link(
            session, offer=offer, url=url, link_id="gen-1", mapping=mapping, actor=f.system()
        )
        assert [j.id for j in again.jobs] == [j.id for j in plan.jobs]
    _drain(engine, _client(icims))
    assert icims.profile("applicantworkflows", 3402)[mapping.chat_link_field or ""] == url
    assert _writes(icims) == Counter({("patch", (mapping.chat_link_field,)): 1})


def test_unmapped_fields_are_skipped_and_said_so(engine: Engine, mapping: TenantMapping) -> None:
    bare = mapping.model_copy(update={"letter_file_field": None, "version_field": None, "chat_link_field": None})
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.APPROVED)
        letter = letter_store.latest_letter(session, f.current(session, offer).id or 0)
        assert letter is not None
        plan = writebacks.enqueue_letter_approved(session, offer=offer, letter=letter, mapping=bare, actor=f.system())
        assert [j.kind for j in plan.jobs] == ["patch_fields", "add_note"]
        assert plan.jobs[0].payload == {"fields": {mapping.draft_status_field: "Approved"}}
        assert len(plan.skipped) == 2
        link = writebacks.enqueue_chat_link(session, offer=offer, url="u", link_id="1", mapping=bare, actor=f.system())
        assert link.jobs == []
        assert link.skipped


def test_approved_terms_marked_write_back_land_in_their_workflow_fields(
    engine: Engine, icims: SandboxHandle, mapping: TenantMapping
) -> None:
    terms = {name: [str(r) for r in refs] for name, refs in mapping.terms.items()}
    terms["base_salary"] = {"source": "applicantworkflow.field31001", "write_back": True}  # type: ignore[assignment]
    terms["start_date"] = {"source": "applicantworkflow.field31006", "write_back": True}  # type: ignore[assignment]
    terms["department"] = {"source": "job.department", "write_back": True}  # type: ignore[assignment]
    data = mapping.model_dump(exclude={"terms", "term_configs", "band_min", "band_max", "band_currency"})
    writing = TenantMapping.model_validate({**data, "terms": terms})
    with session_scope(engine) as session:
        offer = f.make_offer(session, workflow_id=3401, state=OfferState.APPROVED)
        version = f.current(session, offer)
        approved = version.offer_terms.model_copy(
            update={"base_salary": Decimal(203500), "start_date": date(2027, 3, 1)}
        )
        fields = writebacks.approved_term_fields(approved, build_catalogue(writing), writing)
        assert fields == {"field31001": {"amount": 203500.0, "currency": "USD"}, "field31006": "2027-03-01"}
        letter = letter_store.latest_letter(session, version.id or 0)
        assert letter is not None
        writebacks.enqueue_letter_approved(
            session, offer=offer, letter=letter, mapping=writing, actor=f.system(), approved_fields=fields
        )
    _drain(engine, _client(icims))
    workflow = icims.profile("applicantworkflows", 3401)
    assert workflow["field31001"]["amount"] == 203500.0  # iCIMS, the record, says what was approved
    assert workflow["field31006"] == "2027-03-01"
    assert "department" not in workflow  # a job field is never written from an offer
