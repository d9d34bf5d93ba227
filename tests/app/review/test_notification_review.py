"""Review mode and notifications: mail that could not be sent is shown with its reason and a retry, and each
staff user sets their own preference (no internal keys on screen)."""

from __future__ import annotations

import chainlit as cl

from app.review import handlers, service
from app.review.auth import chainlit_user
from offer_engine import notifications, staff
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.notifications import NotificationState, Preference
from tests.app.review.conftest import Recorder, ReviewWorld, chainlit_context


def staff_session(world: ReviewWorld, name: str) -> Recorder:
    recorder = Recorder()
    chainlit_context(chainlit_user(world.user(name)), recorder)
    return recorder


def a_dead_notification(world: ReviewWorld) -> int:
    """The draft's mail to a recruiter, refused by the mail server until it ran out of tries."""
    with session_scope(world.engine) as session:
        alex = staff.get_user(session, world.user("alex").id or 0)
        alex.email = "alex@corvid.example"
        session.add(alex)
    world.draft(3401)
    moment = utcnow()
    with session_scope(world.engine) as session:
        [row] = [n for n in notifications.claim_due(session, now=moment) if n.channel == "email" and n.staff_user_id]
        notifications.mark_failed(
            session,
            row,
            error="the mail server answered 554 to RCPT TO: relay denied",
            retry_in_seconds=None,
            actor=world.user("ada").actor(),
            now=moment,
        )
        return row.id or 0


def test_a_dead_notification_is_listed_for_recruiters_and_retried(world: ReviewWorld) -> None:
    dead_id = a_dead_notification(world)
    alex, grace = world.user("alex").id or 0, world.user("grace").id or 0
    rows, _names = service.dead_notifications(world.rt, alex)
    assert [r.id for r in rows] == [dead_id]
    assert service.dead_notifications(world.rt, grace) == ([], {})  # hiring managers: only their own requisitions
    assert service.retry_dead_notifications(world.rt, alex) == 1
    with session_scope(world.engine) as session:
        assert notifications.get(session, dead_id).state == NotificationState.PENDING


async def test_the_queue_shows_why_a_mail_was_not_sent_without_internal_keys(world: ReviewWorld) -> None:
    a_dead_notification(world)
    recorder = staff_session(world, "alex")
    await handlers.start_review(chainlit_user(world.user("alex")))
    [warning] = [t for t in recorder.texts() if "could not be sent" in t]
    assert "relay denied" in warning
    assert "New draft to review" in warning
    assert "draft_waiting" not in warning
    assert "user:" not in warning
    retry = [a for a in recorder.actions() if a["name"] == "review_retry_notifications"]
    assert len(retry) == 1


async def test_a_staff_user_sets_their_own_preference(world: ReviewWorld) -> None:
    recorder = staff_session(world, "carl")
    carl = world.user("carl")
    await handlers.on_review_message(cl.Message(content="notifications"), chainlit_user(carl))
    assert "Immediately" in recorder.texts()[-1]
    modes = sorted(a["payload"]["mode"] for a in recorder.actions() if a["name"] == "review_set_notifications")
    assert modes == ["digest", "off"]
    assert service.set_notification_preference(world.rt, carl.id or 0, Preference.DIGEST) is Preference.DIGEST
    with session_scope(world.engine) as session:
        assert notifications.preference_of(session, carl.id or 0) is Preference.DIGEST
