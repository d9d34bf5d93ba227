"""`offer-assistant notifications list|retry`: dead notifications with the reason, started again."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from app.cli import notify as notify_cli
from app.cli.context import CliState
from app.config import Settings
from offer_engine import notifications
from offer_engine.columns import utcnow
from offer_engine.db import make_engine, session_scope
from offer_engine.migrations import upgrade
from offer_engine.notifications import NotificationKind, NotificationState
from offer_engine.offers import OfferState
from tests import factories as f


def _cli(settings: Settings) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = CliState(settings=settings)

    notify_cli.register(app)
    return app


def _a_dead_mail(settings: Settings) -> int:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        row = notifications.notify_candidate(
            session, NotificationKind.LETTER_RELEASED, offer, event_key="cli-test", actor=f.system()
        )
        assert row is not None
        [claimed] = notifications.claim_due(session, now=utcnow())
        notifications.mark_failed(
            session,
            claimed,
            error="the mail server answered 554: no",
            retry_in_seconds=None,
            actor=f.system(),
            now=utcnow(),
        )
        row_id = row.id or 0
    engine.dispose()
    return row_id


def test_dead_notifications_are_listed_with_the_reason_and_retried(settings: Settings) -> None:
    dead_id = _a_dead_mail(settings)
    runner = CliRunner()
    listed = runner.invoke(_cli(settings), ["notifications", "list", "--dead", "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = [json.loads(line) for line in listed.output.splitlines()]
    assert row["id"] == dead_id
    assert row["reason"] == "the mail server answered 554: no"
    retried = runner.invoke(_cli(settings), ["notifications", "retry", "--all"])
    assert retried.exit_code == 0, retried.output
    engine = make_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        assert notifications.get(session, dead_id).state == NotificationState.PENDING
    engine.dispose()


def test_retrying_one_that_is_not_dead_says_so(settings: Settings) -> None:
    dead_id = _a_dead_mail(settings)
    runner = CliRunner()
    assert runner.invoke(_cli(settings), ["notifications", "retry", str(dead_id)]).exit_code == 0
    again = runner.invoke(_cli(settings), ["notifications", "retry", str(dead_id)])
    assert again.exit_code == 1
    assert "only dead ones" in again.output
