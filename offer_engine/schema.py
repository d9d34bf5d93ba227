"""Imports every table module so that SQLModel.metadata is complete (for migrations and tests)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlmodel import SQLModel

# Each domain module that defines tables is imported here (the imports register the tables).
from offer_engine import (  # noqa: F401
    access,
    approvals,
    audit,
    candidate_requests,
    chat_history,
    counters,
    letter_store,
    messages,
    notifications,
    offers,
    outbox,
    ratelimits,
    requisitions,
    signatures,
    staff,
    versions,
    web_sessions,
    webhook_events,
)


def metadata() -> MetaData:
    """The full metadata of the product's tables."""
    return SQLModel.metadata
