"""Imports every table module so that SQLModel.metadata is complete (for migrations and tests)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlmodel import SQLModel


def metadata() -> MetaData:
    """The full metadata of the product's tables."""
    # Each domain module that defines tables is imported here.
    return SQLModel.metadata
