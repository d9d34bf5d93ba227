"""Helpers for offer-engine tests: database snapshots (to prove a refused operation changed nothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(engine: Engine) -> Snapshot:
    """Every row of every table (but Alembic's), in primary-key order."""
    tables = [t for t in inspect(engine).get_table_names() if t != "alembic_version"]
    with engine.connect() as conn:
        return {
            table: [tuple(row) for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1'))]
            for table in sorted(tables)
        }


@pytest.fixture
def db_snapshot() -> Callable[[Engine], Snapshot]:
    return snapshot


def without_guards(engine: Engine, statements: list[str]) -> None:
    """Run `statements` with the append-only triggers switched off, as someone with database access could."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_chain_head DISABLE TRIGGER USER"))
        else:
            for trigger in ("audit_events_no_update", "audit_events_no_delete", "audit_chain_head_no_delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        for statement in statements:
            conn.execute(text(statement))
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_chain_head ENABLE TRIGGER USER"))
