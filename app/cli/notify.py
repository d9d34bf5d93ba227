"""`offer-assistant notifications list|retry`: mail and iCIMS notes that could not be sent, or wait to be.

offer-assistant notifications list                 # dead (with the reason) and waiting after a failure
offer-assistant notifications list --dead --json   # one JSON object per line
offer-assistant notifications retry --all          # every dead one again (after fixing the mail server)
offer-assistant notifications retry 12 15          # these dead ones
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from pydantic import BaseModel

from app.cli.context import settings_of
from offer_engine import notifications
from offer_engine.actors import system_actor
from offer_engine.db import make_engine, session_scope
from offer_engine.errors import DomainError
from offer_engine.migrations import upgrade
from offer_engine.notifications import Notification, NotificationState


class NotificationRow(BaseModel):
    """One listed notification, as `--json` prints it (no address: personal data stays in the database)."""

    id: int
    kind: str
    channel: str
    state: str
    offer_id: int | None
    failures: int
    reason: str | None
    next_attempt_at: str | None

    @classmethod
    def of(cls, row: Notification) -> NotificationRow:
        return cls(
            id=row.id or 0,
            kind=row.kind,
            channel=row.channel,
            state=row.state,
            offer_id=row.offer_id,
            failures=row.failures,
            reason=row.last_error,
            next_attempt_at=row.next_attempt_at.isoformat() if row.state == NotificationState.PENDING else None,
        )


def register(cli: typer.Typer) -> None:
    app = typer.Typer(help="Notifications that could not be sent: list, retry.", no_args_is_help=True)
    app.command("list")(notifications_list)
    app.command("retry")(notifications_retry)
    cli.add_typer(app, name="notifications")


def notifications_list(
    ctx: typer.Context,
    dead: Annotated[bool, typer.Option("--dead", help="Only those that will not be tried again.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 200,
) -> None:
    """Dead notifications (with the reason) and, without --dead, those waiting after a failed try."""
    engine = make_engine(settings_of(ctx).resolved_database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        found = notifications.list_notifications(
            session, states=[NotificationState.DEAD, NotificationState.PENDING], limit=limit
        )
        rows = [NotificationRow.of(n) for n in found if n.state == NotificationState.DEAD or (not dead and n.failures)]
    engine.dispose()
    if as_json:
        for row in rows:
            typer.echo(row.model_dump_json())
        return
    if not rows:
        typer.echo("every notification was sent or is on its way")
        return
    for row in rows:
        when = f"next try {row.next_attempt_at}" if row.state == NotificationState.PENDING else "dead"
        typer.echo(
            f"notification {row.id}  {row.kind}  {row.channel}  offer {row.offer_id}  tries {row.failures}  {when}"
        )
        typer.echo(f"    {row.reason or ''}")


def notifications_retry(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(help="Dead notifications to try again.")] = None,
    all_dead: Annotated[bool, typer.Option("--all", help="Every dead notification.")] = False,
) -> None:
    """Try dead notifications again, due at once; the workers (or `serve`) send them in their next round."""
    if not ids and not all_dead:
        raise typer.BadParameter("name the notifications to retry, or --all")
    engine = make_engine(settings_of(ctx).resolved_database_url)
    upgrade(engine)
    actor = system_actor(f"cli-{getpass.getuser()}")
    try:
        with session_scope(engine) as session:
            chosen = list(ids or [])
            if all_dead:
                dead = notifications.list_notifications(session, states=[NotificationState.DEAD], limit=10_000)
                chosen += [n.id or 0 for n in dead]
            for notification_id in dict.fromkeys(chosen):
                notifications.requeue(session, notification_id, actor=actor)
    except DomainError as exc:
        typer.echo(f"not done: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(f"{len(dict.fromkeys(chosen))} notification(s) will be sent again")
