"""Candidate requests: hand-offs and accept/decline intents queued for recruiters (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from offer_engine import candidate_requests as requests
from offer_engine.actors import candidate_actor
from offer_engine.audit import events_for
from offer_engine.candidate_requests import RequestKind, RequestState
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.errors import (
    ClaimConflictError,
    IllegalTransitionError,
    InvalidInputError,
    PermissionDeniedError,
)
from offer_engine.offers import OfferState
from tests import factories as f


def _offer(engine: Engine, state: OfferState = OfferState.SENT) -> int:
    with session_scope(engine) as session:
        return f.make_offer(session, state=state).id or 0


def _submit(engine: Engine, offer_id: int, kind: RequestKind, message: str = "Who pays for the visa?", **kw: object):
    with session_scope(engine) as session:
        offer = session.get(requests.Offer, offer_id)
        assert offer is not None
        actor = kw.pop("actor", None) or f.candidate(offer)
        return requests.submit_request(session, offer, kind, actor=actor, message=message, **kw)  # type: ignore[arg-type]


def test_a_handoff_is_queued_against_the_current_version_and_audited(engine: Engine) -> None:
    offer_id = _offer(engine)
    made = _submit(engine, offer_id, RequestKind.HANDOFF, channel="portal", source_message_id="m-1")
    with session_scope(engine) as session:
        stored = requests.get_request(session, made.id or 0)
        assert (stored.kind, stored.state, stored.version_number) == ("handoff", "open", 1)
        assert stored.message == "Who pays for the visa?"
        assert stored.due_at > stored.created_at
        assert [e.action for e in events_for(session, "candidate_request", stored.id or 0)] == [
            "candidate_request.submitted"
        ]
        assert [r.id for r in requests.queue(session)] == [stored.id]


def test_an_open_intent_is_not_queued_twice(engine: Engine) -> None:
    offer_id = _offer(engine)
    first = _submit(engine, offer_id, RequestKind.ACCEPT_INTENT, message="I accept!")
    again = _submit(engine, offer_id, RequestKind.ACCEPT_INTENT, message="Yes, I accept the offer")
    other = _submit(engine, offer_id, RequestKind.DECLINE_INTENT, message="Actually I decline")
    assert again.id == first.id
    assert other.id != first.id
    with session_scope(engine) as session:
        assert len(requests.requests_for(session, offer_id)) == 2


def test_a_candidate_cannot_make_requests_about_someone_elses_offer(engine: Engine) -> None:
    mine, theirs = _offer(engine), _offer(engine)
    with session_scope(engine) as session:
        my_offer = session.get(requests.Offer, mine)
        assert my_offer is not None
        me = f.candidate(my_offer)
    with pytest.raises(PermissionDeniedError):
        _submit(engine, theirs, RequestKind.HANDOFF, actor=me)
    with session_scope(engine) as session:
        assert requests.requests_for(session, theirs) == []


@pytest.mark.parametrize("message", ["", "   ", "x" * (requests.MAX_MESSAGE_CHARS + 1)])
def test_an_empty_or_huge_message_is_refused(engine: Engine, message: str) -> None:
    offer_id = _offer(engine)
    with pytest.raises(InvalidInputError):
        _submit(engine, offer_id, RequestKind.HANDOFF, message=message)


def test_a_closed_offer_takes_no_requests(engine: Engine) -> None:
    offer_id = _offer(engine, OfferState.WITHDRAWN)
    with pytest.raises(IllegalTransitionError):
        _submit(engine, offer_id, RequestKind.DECLINE_INTENT)


def test_claim_release_and_resolve(engine: Engine) -> None:
    offer_id = _offer(engine)
    made = _submit(engine, offer_id, RequestKind.HANDOFF)
    rita, rob = f.recruiter("rita"), f.recruiter("rob")
    with session_scope(engine) as session:
        claimed = requests.claim(session, made.id or 0, actor=rita)
        assert (claimed.state, claimed.claimed_by) == (RequestState.CLAIMED.value, "rita")
    with session_scope(engine) as session, pytest.raises(ClaimConflictError):
        requests.claim(session, made.id or 0, actor=rob)
    with session_scope(engine) as session, pytest.raises(PermissionDeniedError):
        requests.resolve(session, made.id or 0, actor=rob, note="answered")
    with session_scope(engine) as session, pytest.raises(InvalidInputError):
        requests.resolve(session, made.id or 0, actor=rita, note="  ")
    with session_scope(engine) as session:
        requests.release(session, made.id or 0, actor=rita)
        requests.claim(session, made.id or 0, actor=rob)
        done = requests.resolve(session, made.id or 0, actor=rob, note="Answered by phone: the visa is covered.")
        assert (done.state, done.resolved_by) == ("resolved", "rob")
        assert requests.queue(session) == []
        actions = [e.action for e in events_for(session, "candidate_request", made.id or 0)]
    assert actions == [
        "candidate_request.submitted",
        "candidate_request.claimed",
        "candidate_request.released",
        "candidate_request.claimed",
        "candidate_request.resolved",
    ]


def test_only_recruiters_claim(engine: Engine) -> None:
    offer_id = _offer(engine)
    made = _submit(engine, offer_id, RequestKind.HANDOFF)
    with session_scope(engine) as session, pytest.raises(PermissionDeniedError):
        requests.claim(session, made.id or 0, actor=candidate_actor(1))


def test_the_queue_is_ordered_by_due_time_and_filtered_by_kind(engine: Engine) -> None:
    first, second = _offer(engine), _offer(engine)
    now = utcnow()
    late = _submit(engine, first, RequestKind.HANDOFF, sla_hours=48, now=now)
    soon = _submit(engine, second, RequestKind.DECLINE_INTENT, sla_hours=4, now=now + timedelta(minutes=1))
    with session_scope(engine) as session:
        assert [r.id for r in requests.queue(session)] == [soon.id, late.id]
        assert [r.id for r in requests.queue(session, kinds=[RequestKind.HANDOFF])] == [late.id]
