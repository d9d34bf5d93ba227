"""`offer-assistant sandbox`: the local iCIMS sandbox server (filled in by the iCIMS work)."""

from __future__ import annotations

import typer


def register(cli: typer.Typer) -> None:
    del cli
