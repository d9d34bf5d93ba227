"""Database engines and sessions: SQLite by default (WAL), PostgreSQL at scale."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite files get WAL, a busy timeout and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_sqlite_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def private_sqlite_file(path: Path) -> None:
    """The database file (and its WAL and shared-memory files, which SQLite creates with the database file's mode)
    readable by this user only, whatever the umask: created 0600 before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Never open an existing database file ourselves: closing any descriptor of it drops every POSIX lock this
    # process holds on it, including those of SQLite's open connections ("disk I/O error", corruption risk).
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600))
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            companion.chmod(0o600)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's legacy transaction handling opens transactions lazily and not before SAVEPOINT, so a
    # savepoint could commit early. Take transactions over: the driver autocommits, SQLAlchemy says BEGIN.
    # BEGIN IMMEDIATE takes the write lock at the start: a deferred transaction that read and then writes
    # after another connection committed fails at once ("database is locked"); an immediate one waits its
    # turn (busy_timeout). At scale PostgreSQL replaces SQLite and locks rows instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


Row = TypeVar("Row")


def add_once(session: Session, row: Row, existing: Callable[[], Row | None]) -> tuple[Row, bool]:
    """Insert `row` unless a unique key says it is already there: (the stored row, whether it is new). A concurrent
    insert of the same key loses inside a savepoint, so the caller's transaction goes on with the winner's row."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raced = existing()
        if raced is None:
            raise
        return raced, False
    return row, True
