"""Savepoints that stay atomic on SQLite too.

pysqlite (in its default, legacy transaction mode) opens a transaction only before INSERT/UPDATE/DELETE, not
before a SAVEPOINT; a savepoint taken first in a transaction is then the outermost one, and its RELEASE
commits everything written so far, whatever the caller does next. `savepoint` opens the transaction first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """Like ``session.begin_nested()``; an error inside rolls back only the block, and nothing is committed early."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN")
    with session.begin_nested():
        yield
