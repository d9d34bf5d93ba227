from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from offer_engine import audit
from offer_engine.db import session_scope
from tests import factories as f
from tests.offer_engine.conftest import snapshot, without_guards


def _record_events(engine: Engine, count: int) -> None:
    with session_scope(engine) as session:
        for n in range(count):
            audit.record(
                session,
                actor=f.ai_actor(),
                action="ai.answered",
                subject_type="offer",
                subject_id=n,
                icims={"workflow_id": 3401},
                model="embedded",
                prompt_version="answer@2/en",
                input_hash=audit.sha256_of(f"question {n}"),
                output_hash=audit.sha256_of(f"answer {n}"),
                details={"amount": Decimal("185000.50"), "n": n, "nested": {"k": [1, 2]}},
            )


def _verify(engine: Engine) -> audit.VerifyReport:
    with session_scope(engine) as session:
        return audit.verify_chain(session)


def test_a_clean_chain_verifies(engine: Engine) -> None:
    _record_events(engine, 5)
    with session_scope(engine) as session:
        f.make_offer(session)  # services write their own events into the same chain
    report = _verify(engine)
    assert report.ok, report.problems
    assert report.events_checked == report.last_seq
    assert report.events_checked >= 7
    with session_scope(engine) as session:
        event = audit.events_for(session, "offer", 3)[0]
        assert event.model == "embedded"
        assert event.prompt_version == "answer@2/en"
        assert event.details["amount"] == "185000.50"
        assert event.actor_kind == "ai"


def test_the_database_refuses_to_edit_or_delete_events(engine: Engine) -> None:
    _record_events(engine, 2)
    before = snapshot(engine)
    for statement in (
        "UPDATE audit_events SET action = 'x'",
        "DELETE FROM audit_events",
        "DELETE FROM audit_chain_head",
    ):
        with pytest.raises(DatabaseError), engine.begin() as conn:
            conn.execute(text(statement))
    assert snapshot(engine) == before


def test_verify_catches_an_edited_event(engine: Engine) -> None:
    _record_events(engine, 5)
    without_guards(engine, ['UPDATE audit_events SET details = \'{"amount": "999999"}\' WHERE seq = 3'])
    report = _verify(engine)
    assert not report.ok
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "hash_mismatch")]


def test_verify_catches_an_edit_that_also_recomputes_the_hash(engine: Engine) -> None:
    _record_events(engine, 5)
    with session_scope(engine) as session:
        forged = audit.events_for(session, "offer", 1)[0]
        forged.action = "ai.forged"
        new_hash = audit.event_hash(forged)
        session.expunge(forged)
    without_guards(engine, [f"UPDATE audit_events SET action = 'ai.forged', hash = '{new_hash}' WHERE seq = 2"])
    problems = [(p.seq, p.kind) for p in _verify(engine).problems]
    assert (3, "broken_link") in problems  # the successor still points at the original hash


def test_verify_catches_an_edit_that_recomputes_the_hash_and_repoints_the_successor(engine: Engine) -> None:
    """The forger goes one step further: the successor's prev_hash is re-pointed at the new hash too. Only because
    each hash covers its predecessor's does the successor's own hash stop matching (issue 14, item 8)."""
    _record_events(engine, 5)
    with session_scope(engine) as session:
        forged = audit.events_for(session, "offer", 1)[0]
        forged.action = "ai.forged"
        new_hash = audit.event_hash(forged)
        session.expunge(forged)
    without_guards(
        engine,
        [
            f"UPDATE audit_events SET action = 'ai.forged', hash = '{new_hash}' WHERE seq = 2",
            f"UPDATE audit_events SET prev_hash = '{new_hash}' WHERE seq = 3",
        ],
    )
    problems = [(p.seq, p.kind) for p in _verify(engine).problems]
    assert (3, "hash_mismatch") in problems
    assert (3, "broken_link") not in problems  # the link itself was mended: the hash is what gives it away


def test_an_events_hash_covers_its_predecessors_hash(engine: Engine) -> None:
    _record_events(engine, 2)
    with session_scope(engine) as session:
        event = audit.events_for(session, "offer", 1)[0]
        original = audit.event_hash(event)
        event.prev_hash = "0" * 64
        assert audit.event_hash(event) != original
        session.expunge(event)


def test_verify_catches_a_deleted_event(engine: Engine) -> None:
    _record_events(engine, 5)
    without_guards(engine, ["DELETE FROM audit_events WHERE seq = 3"])
    kinds = {(p.seq, p.kind) for p in _verify(engine).problems}
    assert (4, "sequence_gap") in kinds
    assert (4, "broken_link") in kinds


def test_verify_catches_deleted_trailing_events(engine: Engine) -> None:
    _record_events(engine, 5)
    without_guards(engine, ["DELETE FROM audit_events WHERE seq >= 4"])
    report = _verify(engine)
    assert [p.kind for p in report.problems] == ["head_mismatch"]


def test_verify_catches_reordered_events(engine: Engine) -> None:
    _record_events(engine, 5)
    without_guards(
        engine,
        [
            "UPDATE audit_events SET seq = -1 WHERE seq = 2",
            "UPDATE audit_events SET seq = 2 WHERE seq = 3",
            "UPDATE audit_events SET seq = 3 WHERE seq = -1",
        ],
    )
    report = _verify(engine)
    flagged = {p.seq for p in report.problems}
    assert {2, 3} <= flagged
    assert any(p.kind == "out_of_order" for p in report.problems)


def test_concurrent_appends_keep_one_unbroken_chain(engine: Engine) -> None:
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            for n in range(5):
                with session_scope(engine) as session:
                    audit.record(
                        session,
                        actor=f.system(),
                        action="test.append",
                        subject_type="worker",
                        subject_id=f"{worker}-{n}",
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = _verify(engine)
    assert report.ok, report.problems
    assert report.events_checked == 20
