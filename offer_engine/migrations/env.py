"""Alembic environment: uses the engine handed over by offer_engine.migrations, else alembic.ini's URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Engine

from offer_engine.db import make_engine
from offer_engine.schema import metadata

config = context.config
engine: Engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url") or "")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
