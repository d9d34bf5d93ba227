"""Events that ended without a draft are visible — `/ready` degraded with their count (over real HTTP), the
`events` CLI — and start again with one command."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import typer
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from app.cli import events as events_commands
from app.cli.context import CliState
from app.config import Settings
from app.health import ReadinessChecks, health_router
from icims.errors import NotFound, Unavailable
from icims.sandbox import ServerThread
from offer_engine import webhook_events
from offer_engine.actors import system_actor
from offer_engine.db import make_engine, session_scope
from offer_engine.migrations import upgrade
from offer_engine.webhook_events import EventRetry, EventState, FailureKind

Run = Callable[..., Result]
ACTOR = system_actor("test")


def _store(engine: Engine, workflow_id: int) -> int:
    payload = {"customerId": "6120", "eventType": "WorkFlowStatusChangeEvent", "systemId": str(workflow_id)}
    with session_scope(engine) as session:
        return webhook_events.store_event(session, payload | {"newStatus": "20001"}, actor=ACTOR).event.id or 0


def _end(engine: Engine, event_id: int, error: Exception) -> None:
    with session_scope(engine) as session:
        event = webhook_events.get_event(session, event_id)
        webhook_events.set_state(session, event, EventState.PROCESSING, actor=ACTOR)
        webhook_events.record_failure(session, event, error, retry=EventRetry(), actor=ACTOR)


def test_ready_is_degraded_with_the_count_of_events_that_ended_without_a_draft(engine: Engine) -> None:
    app = FastAPI()
    app.include_router(health_router(ReadinessChecks.of(database=engine, events=engine)))
    with ServerThread(app) as server:
        ready = httpx.get(f"{server.base_url}/ready", timeout=10).json()
        assert ready["status"] == "ready"
        assert ready["checks"]["webhook_events"]["status"] == "ok"
        for workflow_id in (9001, 9002):
            _end(engine, _store(engine, workflow_id), webhook_events_error("workflow not found"))
        _end(engine, _store(engine, 9003), Unavailable("no answer"))  # transient: waiting, not counted
        answer = httpx.get(f"{server.base_url}/ready", timeout=10)
    assert answer.status_code == 200  # degraded keeps the app in the load balancer
    check = answer.json()["checks"]["webhook_events"]
    assert answer.json()["status"] == "degraded"
    assert (check["status"], check["count"], check["required"]) == ("failed", 2, False)
    assert "2 iCIMS event(s) ended without a draft" in check["error"]


def webhook_events_error(message: str) -> Exception:
    return NotFound(message, status=404, code=2)


def _runner(settings: Settings) -> Run:
    cli = typer.Typer()

    @cli.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(settings=settings)

    events_commands.register(cli)
    return lambda *args: CliRunner().invoke(cli, list(args))


def test_the_cli_lists_events_that_ended_without_a_draft_and_retries_them_in_one_command(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    run = _runner(settings)
    assert "no event ended without a draft" in run("events", "list").output
    dead = [_store(engine, w) for w in (9101, 9102)]
    for event_id in dead:
        _end(engine, event_id, webhook_events_error("applicant workflow not found"))
    waiting = _store(engine, 9103)
    _end(engine, waiting, Unavailable("no answer"))
    listed = run("events", "list")
    assert listed.exit_code == 0, listed.output
    assert "2 ended without a draft" in listed.output
    assert "workflow 9101" in listed.output
    assert "applicant workflow not found" in listed.output
    rows = [json.loads(line) for line in run("events", "list", "--dead", "--json").output.splitlines()]
    assert [(r["id"], r["state"], r["failure_kind"]) for r in rows] == [
        (event_id, "dead", FailureKind.PERMANENT.value) for event_id in sorted(dead, reverse=True)
    ]
    retried = run("events", "retry", "--all")
    assert retried.exit_code == 0, retried.output
    assert sorted(json.loads(retried.output)["retried"]) == sorted(dead)
    with session_scope(engine) as session:
        assert webhook_events.count_dead(session) == 0
        states = {e.id: e.state for e in webhook_events.list_events(session)}
    assert states == {dead[0]: "received", dead[1]: "received", waiting: "failed"}
    assert run("events", "retry", str(waiting)).exit_code == 0  # a waiting event can be made due at once too
    refused = run("events", "retry", str(waiting))
    assert refused.exit_code == 1
    assert "not done" in refused.output
    assert run("events", "retry").exit_code != 0  # names nothing
    engine.dispose()
