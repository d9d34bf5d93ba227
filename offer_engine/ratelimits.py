"""Token buckets in the database, so that several app processes sharing PostgreSQL share one limit per key.

A bucket is one row: the tokens left and when they were last counted (epoch seconds, so the refill arithmetic is
the same SQL on SQLite and PostgreSQL). Taking a token is a single conditional UPDATE (atomic on both backends:
a row lock on PostgreSQL, the write lock on SQLite); a missing bucket is created full with INSERT … ON CONFLICT DO
NOTHING. Nothing is written when a request is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from offer_engine.db import is_postgres

MAX_KEY_LENGTH = 200


class RateLimitBucket(SQLModel, table=True):
    __tablename__ = "rate_limit_buckets"

    key: str = Field(primary_key=True, max_length=MAX_KEY_LENGTH)
    tokens: float
    updated_at: float = Field(index=True)  # epoch seconds


@dataclass(frozen=True)
class BucketState:
    allowed: bool
    tokens: float  # left after this request
    retry_after_seconds: float  # 0 when allowed


def bucket_key(key: str) -> str:
    """`key` itself, or a digest of it when it is too long to store."""
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def take(
    session: Session, key: str, *, capacity: float, refill_per_second: float, now: float, cost: float = 1.0
) -> BucketState:
    """Take `cost` tokens from the bucket `key` (full at `capacity`, refilled at `refill_per_second`)."""
    if cost > capacity or cost <= 0 or refill_per_second <= 0:
        raise ValueError("need 0 < cost <= capacity and a positive refill rate")
    stored = bucket_key(key)
    for _ in range(3):  # a race with a concurrent first request or refill: look again
        left = _take_existing(session, stored, capacity, refill_per_second, now, cost)
        if left is not None:
            return BucketState(True, left, 0.0)
        if _create_full(session, stored, capacity - cost, now):
            return BucketState(True, capacity - cost, 0.0)
        bucket = session.exec(select(RateLimitBucket).where(RateLimitBucket.key == stored)).one_or_none()
        if bucket is None:
            continue
        session.refresh(bucket)
        level = min(capacity, bucket.tokens + max(0.0, now - bucket.updated_at) * refill_per_second)
        if level < cost:
            return BucketState(False, level, (cost - level) / refill_per_second)
    raise RuntimeError(f"rate limit bucket {stored!r} kept changing under concurrent updates")


def _take_existing(session: Session, key: str, capacity: float, rate: float, now: float, cost: float) -> float | None:
    moment = literal(now, Float)
    refilled = case(
        (moment > RateLimitBucket.updated_at, RateLimitBucket.tokens + (moment - RateLimitBucket.updated_at) * rate),
        else_=RateLimitBucket.tokens,
    )
    level = case((refilled > capacity, literal(capacity, Float)), else_=refilled)
    statement = (
        update(RateLimitBucket)
        .where(col(RateLimitBucket.key) == key, level >= cost)
        .values(
            tokens=level - cost,
            updated_at=case((moment > RateLimitBucket.updated_at, moment), else_=RateLimitBucket.updated_at),
        )
        .returning(col(RateLimitBucket.tokens))
        .execution_options(synchronize_session=False)
    )
    row = session.execute(statement).first()
    return None if row is None else float(row[0])


def _create_full(session: Session, key: str, tokens: float, now: float) -> bool:
    dialect: Any = postgresql if is_postgres(session.get_bind().engine) else sqlite
    statement = (
        dialect.insert(RateLimitBucket)
        .values(key=key, tokens=tokens, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(RateLimitBucket.key))
    )
    return session.execute(statement).first() is not None  # rowcount is not reliable for ON CONFLICT


def prune(session: Session, *, idle_before: float) -> int:
    """Delete buckets untouched since `idle_before` (they would be full again anyway); returns how many."""
    result = session.execute(delete(RateLimitBucket).where(col(RateLimitBucket.updated_at) < idle_before))
    return int(result.rowcount)  # type: ignore[attr-defined]
