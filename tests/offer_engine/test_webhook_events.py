from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from offer_engine import audit, webhook_events
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.errors import IllegalTransitionError
from offer_engine.webhook_events import EventState
from tests import factories as f

EVENT = {
    "customerId": "6120",
    "eventType": "WorkFlowStatusChangeEvent",
    "systemId": "3401",
    "jobId": "2301",
    "personId": "1201",
    "userId": "1401",
    "oldStatus": "20010",
    "newStatus": "20001",
    "links": [{"rel": "applicantWorkflow", "url": "https://api.icims.com/customers/6120/applicantworkflows/3401"}],
}


def test_events_are_stored_with_a_headers_subset_and_audited(engine: Engine) -> None:
    headers = {"Content-Type": "application/json", "Authorization": "Basic c2VjcmV0", "User-Agent": "Apache"}
    with session_scope(engine) as session:
        stored = webhook_events.store_event(session, EVENT, headers=headers, actor=f.system())
    with session_scope(engine) as session:
        event = webhook_events.get_event(session, stored.event.id or 0)
        assert (event.event_type, event.system_id, event.state) == ("WorkFlowStatusChangeEvent", "3401", "received")
        assert event.payload == EVENT
        assert event.headers == {"content-type": "application/json", "user-agent": "Apache"}  # no credentials
        assert audit.events_for(session, "webhook_event", event.id or 0)[0].action == "webhook.received"


def test_a_repeated_notification_is_recognised_as_a_duplicate(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = webhook_events.store_event(session, EVENT, actor=f.system())
    reordered = dict(reversed(list(EVENT.items())))
    with session_scope(engine) as session:
        again = webhook_events.store_event(session, reordered, actor=f.system())
        other = webhook_events.store_event(session, {**EVENT, "newStatus": "20003"}, actor=f.system())
        given = webhook_events.store_event(session, EVENT, dedup_key="from-icims-webhooks", actor=f.system())
    assert again.duplicate
    assert again.event.id == first.event.id
    assert again.event.duplicates == 1
    assert not other.duplicate
    assert not given.duplicate
    with session_scope(engine) as session:
        assert len(webhook_events.list_events(session)) == 3


def test_event_states_follow_their_machine(engine: Engine) -> None:
    with session_scope(engine) as session:
        event = webhook_events.store_event(session, EVENT, actor=f.system()).event
        with pytest.raises(IllegalTransitionError):
            webhook_events.set_state(session, event, EventState.PROCESSED, actor=f.system())
        webhook_events.set_state(session, event, EventState.PROCESSING, actor=f.system())
        with pytest.raises(ValueError):  # a failed event must say when it is tried again
            webhook_events.set_state(session, event, EventState.FAILED, actor=f.system(), error="iCIMS down")
        due = utcnow() + timedelta(seconds=5)
        webhook_events.set_state(
            session, event, EventState.FAILED, actor=f.system(), error="iCIMS down", next_attempt_at=due
        )
        assert event.next_attempt_at == due
        webhook_events.set_state(session, event, EventState.PROCESSING, actor=f.system())  # a failed event is retried
        webhook_events.set_state(session, event, EventState.PROCESSED, actor=f.system(), outcome="offer 1 drafted")
        assert (event.attempts, event.error, event.outcome) == (2, None, "offer 1 drafted")
        with pytest.raises(IllegalTransitionError):
            webhook_events.set_state(session, event, EventState.PROCESSING, actor=f.system())
