"""The answer pipeline: grounding from the candidate's own offer, jurisdiction-filtered retrieval, audit, streaming."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from app.chat.grounding import load_grounding
from app.config import Settings
from app.pipeline import AnswerPipeline
from offer_engine.audit import events_for, verify_chain
from offer_engine.db import session_scope
from retrieval import BenefitsIndex
from tests.app.chat.conftest import Tenant

MAYA, DANIEL, OLIVER = 3401, 3402, 3404


def test_passages_are_filtered_to_the_offers_jurisdiction(demo_pipeline: AnswerPipeline) -> None:
    allowed = {"US-CA": {"ALL", "US", "US-CA"}, "US-NY": {"ALL", "US", "US-NY"}, "GB": {"ALL", "GB"}}
    for jurisdiction, visible in allowed.items():
        passages = demo_pipeline.retrieve("How much paid parental or maternity leave do I get?", jurisdiction)
        assert passages
        for passage in passages:
            assert set((passage.jurisdiction or "ALL").split(",")) <= visible, (jurisdiction, passage.doc_id)


def test_a_uk_candidate_is_never_answered_from_us_documents(tenant: Tenant) -> None:
    oliver = tenant.offer(OLIVER)
    result = tenant.pipeline().answer(oliver, "How much maternity pay does Corvid give?")
    assert "26 weeks" in result.answer.text
    assert "16 weeks" not in result.answer.text
    assert all(not c.ref.startswith("us/") for c in result.answer.citations)


def test_the_grounding_holds_only_the_candidates_own_offer_and_no_internal_data(tenant: Tenant) -> None:
    maya = tenant.offer(MAYA)
    tenant.offer(DANIEL)
    with session_scope(tenant.engine) as session:
        grounding = load_grounding(session, maya)
    dumped = grounding.model_dump_json()
    assert grounding.terms.base_salary == 185000
    assert grounding.fact_refs["base_salary"] == "applicantworkflow.field31001"
    for internal in ("165000", "210000", "job_band", "band", "compliance", "150000", "Daniel"):
        assert internal not in dumped


def test_every_answer_is_in_the_audit_trail_of_the_offer(tenant: Tenant) -> None:
    maya = tenant.offer(MAYA)
    result = tenant.pipeline().answer(maya, "What is my base salary?")
    with session_scope(tenant.engine) as session:
        events = [e for e in events_for(session, "offer", maya.offer_id) if e.action == "ai.answer"]
        assert len(events) == 1
        [event] = events
        assert (event.actor_kind, event.model) == ("ai", result.answer.model)
        assert "offer_fact@" in (event.prompt_version or "")
        assert event.input_hash
        assert event.output_hash
        assert event.details["intent"] == "offer_term_question"
        assert event.details["channel"] == "portal"
        assert verify_chain(session).ok


def test_without_an_index_offer_facts_are_still_answered_and_benefits_are_handed_off(tenant: Tenant) -> None:
    maya = tenant.offer(MAYA)
    pipeline = AnswerPipeline(settings=tenant.settings, db=tenant.engine, index=None)
    assert "185,000" in pipeline.answer(maya, "What is my base salary?").answer.text
    benefits = pipeline.answer(maya, "How long is parental leave?").answer
    assert benefits.handoff is True
    assert "weeks" not in benefits.text


async def test_streaming_yields_the_answer_in_pieces_then_the_result(tenant: Tenant, demo_index: BenefitsIndex) -> None:
    maya = tenant.offer(MAYA)
    pieces = [piece async for piece in tenant.pipeline().astream(maya, "How does my equity vest?")]
    *chunks, last = pieces
    assert len(chunks) > 1
    assert last.result is not None
    assert last.text == ""
    assert "".join(chunk.text for chunk in chunks) == last.result.answer.text


async def test_answering_runs_on_the_pipelines_own_threads_and_leaves_asyncios_free(
    demo_settings: Settings, demo_db: Engine
) -> None:
    """Chainlit writes element files through asyncio's default executor: answers queued there delayed them."""
    import asyncio
    import threading

    pipeline = AnswerPipeline(settings=demo_settings, db=demo_db, index=None, threads=1)
    release = threading.Event()
    answering = asyncio.ensure_future(pipeline.offload(lambda: (release.wait(30), threading.current_thread().name)))
    try:
        # The pipeline's only thread is busy; the default executor still serves at once.
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "written"), timeout=10) == "written"
        queued = asyncio.ensure_future(pipeline.offload(threading.get_ident))
        await asyncio.sleep(0.2)
        assert not queued.done()  # bounded: a second answer waits for the thread instead of adding one
    finally:
        release.set()
    _, thread_name = await asyncio.wait_for(answering, timeout=30)
    assert thread_name.startswith("answer")
    assert await asyncio.wait_for(queued, timeout=30) != threading.get_ident()  # never the event loop's thread


def test_where_is_my_letter_is_answered_from_whether_it_was_released(tenant: Tenant) -> None:
    maya = tenant.offer(MAYA)
    before = tenant.pipeline().answer(maya, "Where can I find my offer letter?").answer.text
    assert "released" in before
    assert "attached" not in before
    tenant.approve(MAYA)
    after = tenant.pipeline().answer(maya, "Where can I find my offer letter?").answer.text
    assert "attached to this conversation" in after
