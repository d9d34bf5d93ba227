"""Shared fixtures: settings on a temporary data dir, and databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.config import Settings, load_settings
from offer_engine.db import make_engine
from offer_engine.migrations import upgrade

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

POSTGRES_URL = os.environ.get("OFFER_ASSISTANT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The embedded demo settings with a private data directory."""
    return load_settings(data_dir=tmp_path / "data")


def _postgres_engine(schema: str) -> Engine:
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is part of every dev and CI machine: say so loudly
        pytest.fail(
            f"PostgreSQL is not answering at {POSTGRES_URL} ({exc.__class__.__name__}: {exc}). "
            "Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            pytrace=False,
        )
    finally:
        admin.dispose()
    return make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


def _drop_schema(schema: str) -> None:
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: every test using it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    eng = _postgres_engine(schema)
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        _drop_schema(schema)


@pytest.fixture
def pg_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated PostgreSQL database only (for SKIP LOCKED races and the like)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    eng = _postgres_engine(schema)
    try:
        upgrade(eng)
        yield eng
    finally:
        eng.dispose()
        _drop_schema(schema)
