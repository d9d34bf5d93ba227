"""What every command receives: the loaded settings."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from app.config import Settings


@dataclass
class CliState:
    settings: Settings


def settings_of(ctx: typer.Context) -> Settings:
    state: CliState = ctx.ensure_object(CliState)
    return state.settings
