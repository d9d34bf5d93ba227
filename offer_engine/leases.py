"""Leased claims on outbox rows, shared by the sync outbox (writes to iCIMS) and the notification outbox (mail).

A worker takes a due row by giving it a fresh claim token and a lease; only the holder of that claim may settle it,
and a row whose worker died mid-delivery is due again once its lease has expired. Claims take rows with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional UPDATE everywhere, so two workers never take one row.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, select

from offer_engine.db import is_postgres

IN_FLIGHT = "in_flight"  # the state both outboxes give a claimed row


def claim(
    session: Session,
    model: Any,
    claimable: ColumnElement[bool],
    *,
    now: datetime,
    limit: int,
    lease_seconds: float,
    **also: Any,
) -> list[int]:
    """The ids of up to `limit` rows of `model` that were `claimable` and are now claimed, oldest first (`also`: more
    columns set with the claim, e.g. the worker's id). The caller commits before delivering them."""
    statement = select(model.id).where(claimable).order_by(col(model.id)).limit(limit)
    if is_postgres(session.get_bind().engine):
        statement = statement.with_for_update(skip_locked=True, of=model)
    claimed = []
    for row_id in list(session.exec(statement)):
        result = session.execute(
            update(model)
            .where(col(model.id) == row_id, claimable)
            .values(
                state=IN_FLIGHT,
                claim_token=uuid.uuid4().hex,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                attempts=model.attempts + 1,
                **also,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(int(row_id))
    return claimed


def update_if_owned(session: Session, model: Any, row: Any, values: dict[str, Any]) -> bool:
    """Apply `values` to `row` only if it is still in flight under its claim (a reclaimed row is not ours)."""
    result = session.execute(
        update(model)
        .where(col(model.id) == row.id, col(model.state) == IN_FLIGHT, col(model.claim_token) == row.claim_token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
