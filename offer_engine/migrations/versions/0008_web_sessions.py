"""web sessions: browser sessions we issued, checked on every request

Revision ID: 0008_web_sessions
Revises: 0007_event_retry_schedule
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import offer_engine.columns

revision = "0008_web_sessions"
down_revision = "0007_event_retry_schedule"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("idle_seconds", sa.Integer(), nullable=True),
        sa.Column("revoked_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_expires_at"))

    op.drop_table("web_sessions")
