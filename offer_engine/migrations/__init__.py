"""Schema migrations (Alembic), run programmatically: `offer-assistant db upgrade`.

Adding a table or column: change the SQLModel class, then
`alembic -c offer_engine/migrations/alembic.ini revision --autogenerate -m "what changed"` against a
scratch SQLite database, review the generated file, and commit it. `tests/offer_engine/test_migrations.py`
fails when the models and the migrations disagree.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(engine: Engine) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of `engine`'s database to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
