"""`offer-assistant events list|retry`: incoming iCIMS events that ended without a draft, or wait after a failure.

offer-assistant events list                 # ended without a draft (dead) and waiting after a failure
offer-assistant events list --dead --json   # one JSON object per line
offer-assistant events retry --all          # start every dead event again (after fixing the cause)
offer-assistant events retry 12 15          # these events, dead or waiting, due at once
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from pydantic import BaseModel

from app.cli.context import settings_of
from offer_engine import webhook_events
from offer_engine.actors import system_actor
from offer_engine.db import make_engine, session_scope
from offer_engine.errors import DomainError
from offer_engine.migrations import upgrade
from offer_engine.webhook_events import WebhookEvent


class EventRow(BaseModel):
    """One listed event, as `--json` prints it."""

    id: int
    state: str
    workflow_id: str | None
    new_status: str | None
    attempts: int
    failure_kind: str | None
    error: str | None
    received_at: str
    ended_at: str | None
    next_attempt_at: str | None

    @classmethod
    def of(cls, event: WebhookEvent) -> EventRow:
        return cls(
            id=event.id or 0,
            state=event.state,
            workflow_id=event.system_id,
            new_status=str(event.payload.get("newStatus")) if event.payload.get("newStatus") is not None else None,
            attempts=event.attempts,
            failure_kind=event.failure_kind,
            error=event.error,
            received_at=event.received_at.isoformat(),
            ended_at=event.processed_at.isoformat() if event.processed_at else None,
            next_attempt_at=event.next_attempt_at.isoformat() if event.next_attempt_at else None,
        )


def register(cli: typer.Typer) -> None:
    events_app = typer.Typer(
        help="Incoming iCIMS events that ended without a draft: list, retry.", no_args_is_help=True
    )
    events_app.command("list")(events_list)
    events_app.command("retry")(events_retry)
    cli.add_typer(events_app, name="events")


def events_list(
    ctx: typer.Context,
    dead: Annotated[bool, typer.Option("--dead", help="Only events that ended without a draft.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 200,
) -> None:
    """Events that ended without a draft (dead: retry them) and those waiting after a transient failure."""
    engine = make_engine(settings_of(ctx).resolved_database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        rows = [EventRow.of(e) for e in webhook_events.list_unfinished(session, include_waiting=not dead, limit=limit)]
    engine.dispose()
    if as_json:
        for row in rows:
            typer.echo(row.model_dump_json())
        return
    if not rows:
        typer.echo("no event ended without a draft; none is waiting after a failure")
        return
    for row in rows:
        when = f"next attempt {row.next_attempt_at}" if row.state == "failed" else f"ended {row.ended_at}"
        typer.echo(
            f"event {row.id}  {row.state:<6}  workflow {row.workflow_id}  status {row.new_status}  "
            f"attempts {row.attempts}  {when}\n    {row.failure_kind or ''}: {row.error or ''}"
        )
    dead_count = sum(1 for r in rows if r.state == "dead")
    if dead_count:
        typer.echo(f"{dead_count} ended without a draft: fix the cause, then `offer-assistant events retry --all`")


def events_retry(
    ctx: typer.Context,
    event_ids: Annotated[list[int] | None, typer.Argument(help="Events to start again (dead or waiting).")] = None,
    all_dead: Annotated[bool, typer.Option("--all", help="Every event that ended without a draft.")] = False,
) -> None:
    """Start events again, due at once; the workers (or `serve`) draft them in their next round."""
    if not event_ids and not all_dead:
        raise typer.BadParameter("name the events to retry, or --all")
    engine = make_engine(settings_of(ctx).resolved_database_url)
    upgrade(engine)
    actor = system_actor(f"cli-{getpass.getuser()}")
    retried: list[int] = []
    try:
        with session_scope(engine) as session:
            chosen = list(event_ids or [])
            if all_dead:
                chosen += [
                    e.id or 0 for e in webhook_events.list_unfinished(session, include_waiting=False, limit=10_000)
                ]
            for event_id in dict.fromkeys(chosen):
                webhook_events.retry(session, event_id, actor=actor)
                retried.append(event_id)
    except DomainError as exc:
        typer.echo(f"not done: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(json.dumps({"retried": retried}))
