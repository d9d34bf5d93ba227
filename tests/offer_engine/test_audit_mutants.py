"""What mutation testing of offer_engine/audit.py showed untested (scripts/mutation.sh, docs/mutation.md)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy.engine import Engine

from offer_engine import audit
from offer_engine.db import session_scope
from offer_engine.errors import AuditTamperingError
from tests import factories as f
from tests.offer_engine.conftest import without_guards


def _record(engine: Engine, count: int = 1, **fields: object) -> None:
    with session_scope(engine) as session:
        for n in range(count):
            audit.record(
                session, actor=f.ai_actor(), action="ai.answered", subject_type="offer", subject_id=n, **fields
            )  # type: ignore[arg-type]


def test_the_canonical_form_has_sorted_keys_no_spaces_and_unescaped_text() -> None:
    assert audit.canonical_json({"b": 1, "a": {"d": [1, 2], "c": "José"}}) == '{"a":{"c":"José","d":[1,2]},"b":1}'


def test_sha256_of_hashes_bytes_text_as_utf8_and_structures_in_canonical_form() -> None:
    assert audit.sha256_of(b"\x00\xff") == hashlib.sha256(b"\x00\xff").hexdigest()
    assert audit.sha256_of("José") == hashlib.sha256("José".encode()).hexdigest()
    assert audit.sha256_of({"b": 1, "a": "é"}) == hashlib.sha256('{"a":"é","b":1}'.encode()).hexdigest()
    assert audit.sha256_of([2, 1]) == hashlib.sha256(b"[2,1]").hexdigest()


def test_the_first_event_is_number_one_and_points_at_the_genesis_hash(engine: Engine) -> None:
    _record(engine, 2)
    with session_scope(engine) as session:
        first, second = audit.events_for(session, "offer", 0)[0], audit.events_for(session, "offer", 1)[0]
    assert (first.seq, first.prev_hash) == (1, audit.GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert first.hash == audit.event_hash(first)


def test_icims_ids_and_details_are_recorded_as_given_or_left_empty(engine: Engine) -> None:
    _record(engine, icims={"workflow_id": 3401})
    with session_scope(engine) as session:
        event = audit.events_for(session, "offer", 0)[0]
        assert (event.icims, event.details) == ({"workflow_id": 3401}, {})
    _record(engine)
    with session_scope(engine) as session:
        assert audit.events_for(session, "offer", 0)[1].icims is None


def test_appending_refuses_when_the_head_row_is_gone_but_events_exist(engine: Engine) -> None:
    _record(engine)
    without_guards(engine, ["DELETE FROM audit_chain_head"])
    with pytest.raises(AuditTamperingError, match="head row is missing"), session_scope(engine) as session:
        audit.record(session, actor=f.ai_actor(), action="ai.answered", subject_type="offer", subject_id=9)


def test_verify_reports_a_missing_head_row_only_when_events_exist(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert audit.verify_chain(session).ok
    _record(engine, 2)
    without_guards(engine, ["DELETE FROM audit_chain_head"])
    with session_scope(engine) as session:
        report = audit.verify_chain(session)
    assert [(p.kind, p.seq) for p in report.problems] == [("head_mismatch", None)]
    assert report.last_seq == report.events_checked == 2


def test_verify_walks_the_chain_across_batches(engine: Engine) -> None:
    _record(engine, 5)
    with session_scope(engine) as session:
        report = audit.verify_chain(session, batch_size=2)
    assert report.ok, report.problems
    assert report.events_checked == report.last_seq == 5


def test_verify_catches_events_appended_behind_the_heads_back(engine: Engine) -> None:
    _record(engine, 3)
    with session_scope(engine) as session:
        second = audit.events_for(session, "offer", 1)[0]
    without_guards(engine, [f"UPDATE audit_chain_head SET last_seq = 2, last_hash = '{second.hash}'"])
    with session_scope(engine) as session:
        report = audit.verify_chain(session)
    assert [(p.kind, p.seq) for p in report.problems] == [("head_mismatch", 2)]


def test_a_chain_of_more_than_256_events_verifies(engine: Engine) -> None:
    _record(engine, 260)  # past CPython's cache of small ints: numbers must be compared by value, not identity
    with session_scope(engine) as session:
        report = audit.verify_chain(session)
    assert report.ok, report.problems[:3]
    assert report.events_checked == report.last_seq == 260


def test_verify_reports_a_first_event_renumbered_to_zero_as_a_sequence_gap(engine: Engine) -> None:
    _record(engine, 2)
    without_guards(engine, ["UPDATE audit_events SET seq = 0 WHERE seq = 1"])
    with session_scope(engine) as session:
        problems = {(p.seq, p.kind) for p in audit.verify_chain(session).problems}
    assert (0, "sequence_gap") in problems


@pytest.mark.postgres
def test_an_append_reads_the_head_afresh_after_another_session_appended(pg_engine: Engine) -> None:
    # SQLite never gets here (BEGIN IMMEDIATE holds the write lock from a transaction's first statement); on
    # PostgreSQL a session that loaded the head earlier must not append after its stale copy.
    _record(pg_engine)
    with session_scope(pg_engine) as session:
        held = session.get(audit.AuditChainHead, audit.HEAD_ID)  # this session holds the head as it was: seq 1
        assert held is not None
        _record(pg_engine)  # another session appends seq 2 and commits
        event = audit.record(session, actor=f.ai_actor(), action="ai.answered", subject_type="offer", subject_id=9)
        assert event.seq == 3
    with session_scope(pg_engine) as session:
        assert audit.verify_chain(session).ok
