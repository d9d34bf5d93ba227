"""`offer-assistant analytics [--json] [--since DATE]`: offer speed, negotiation and outcome figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

import typer

from app.cli.context import settings_of
from app.review.views import analytics_markdown
from offer_engine import analytics
from offer_engine.db import make_engine, session_scope
from offer_engine.migrations import upgrade


def register(cli: typer.Typer) -> None:
    cli.command("analytics")(analytics_command)


def analytics_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="Only offers created on or after this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Webhook → draft and → approval times, approval cycle per step, counter rate, rounds to close, acceptance."""
    try:
        start = datetime.combine(date.fromisoformat(since), time.min, tzinfo=UTC) if since else None
    except ValueError as exc:
        typer.echo(f"--since must be a date like 2026-01-31: {exc}", err=True)
        raise typer.Exit(2) from exc
    engine = make_engine(settings_of(ctx).resolved_database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        report = analytics.compute(session, since=start)
    typer.echo(report.model_dump_json(indent=2) if as_json else analytics_markdown(report))
