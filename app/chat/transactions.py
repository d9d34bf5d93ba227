"""Short write transactions that survive SQLite's snapshot conflicts under concurrent chat sessions.

In WAL mode a transaction that has read (a snapshot) and then writes after another connection committed gets
"database is locked" at once: waiting cannot help, so SQLite's busy timeout does not apply. The whole unit is
run again on a fresh snapshot. PostgreSQL never takes this path.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from offer_engine.db import session_scope

T = TypeVar("T")
ATTEMPTS = 20


def in_transaction(engine: Engine, work: Callable[[Session], T], *, attempts: int = ATTEMPTS) -> T:
    """`work(session)` in one committed transaction, retried while SQLite reports a snapshot conflict."""
    for attempt in range(1, attempts + 1):
        try:
            with session_scope(engine) as session:
                return work(session)
        except OperationalError as exc:
            if engine.dialect.name != "sqlite" or "database is locked" not in str(exc) or attempt == attempts:
                raise
            time.sleep(random.uniform(0.005, 0.02) * attempt)
    raise AssertionError("unreachable")
