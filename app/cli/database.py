"""`offer-assistant db …`: schema management."""

from __future__ import annotations

import typer

from app.cli.context import settings_of
from offer_engine.db import make_engine
from offer_engine.migrations import current_revision, upgrade


def register(cli: typer.Typer) -> None:
    db = typer.Typer(help="Database schema.", no_args_is_help=True)

    @db.command("upgrade")
    def _upgrade(ctx: typer.Context) -> None:
        """Create or migrate the schema to the latest revision."""
        engine = make_engine(settings_of(ctx).resolved_database_url)
        upgrade(engine)
        typer.echo(f"schema at revision {current_revision(engine)}")

    @db.command("revision")
    def _revision(ctx: typer.Context) -> None:
        """Print the schema revision of the database."""
        typer.echo(current_revision(make_engine(settings_of(ctx).resolved_database_url)) or "none")

    cli.add_typer(db, name="db")
