"""`offer-assistant`: the command line. Each command group lives in its own module and registers itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli import analytics, bench, candidates, chat, database, events, index, notify, offers, sandbox, staff
from app.cli.context import CliState
from app.config import ConfigError, load_settings
from app.security.storage import secure_data_dir

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="iCIMS Offer Assistant")

for module in (analytics, bench, candidates, chat, database, events, index, notify, offers, sandbox, staff):
    module.register(cli)


@cli.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="TOML settings file (default ./offer-assistant.toml, else the demo)."),
    ] = None,
) -> None:
    try:
        ctx.obj = CliState(settings=load_settings(config))
    except ConfigError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from exc
    secure_data_dir(ctx.obj.settings.data_dir)  # 0700 / 0600 whatever the umask the command was started with


def main() -> None:
    cli()
