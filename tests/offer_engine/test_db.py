from __future__ import annotations

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
