from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine

from offer_engine.db import make_engine
from offer_engine.migrations import current_revision, upgrade
from offer_engine.schema import metadata


def test_migrations_reach_head_and_match_models(engine: Engine) -> None:
    assert current_revision(engine) is not None
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata())
    assert diffs == [], f"models and migrations disagree; add a revision: {diffs}"


def test_upgrade_is_idempotent(engine: Engine) -> None:
    before = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == before


def test_sqlite_file_uses_wal(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'nested' / 'x.db'}")
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (tmp_path / "nested" / "x.db").exists()


def test_a_second_engine_on_the_same_file_keeps_the_locks_of_open_connections(tmp_path: Path) -> None:
    """POSIX drops every lock a process holds on a file when it closes any descriptor of it: a second engine (the
    app and the review mode each make one) must not open the database file itself, or another process may switch
    it out of WAL under a live connection (what showed up as "disk I/O error" in the served app)."""
    database = tmp_path / "x.db"
    first = make_engine(f"sqlite:///{database}")
    with first.connect() as live:
        live.execute(text("SELECT 1")).all()
        make_engine(f"sqlite:///{database}")
        other_process = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sqlite3; print(sqlite3.connect({str(database)!r}, timeout=0)"
                ".execute('PRAGMA journal_mode=DELETE').fetchone()[0])",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert "database is locked" in other_process.stderr, other_process.stdout
