"""candidate requests: hand-offs and accept/decline intents queued from the chat

Revision ID: 0004_candidate_requests
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import offer_engine.columns

revision = "0004_candidate_requests"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidate_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("assistant_reply", sa.Text(), nullable=True),
        sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source_message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("submitted_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("claimed_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("resolved_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["offer_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("candidate_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_requests_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index("ix_candidate_requests_queue", ["state", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("candidate_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_requests_queue")
        batch_op.drop_index(batch_op.f("ix_candidate_requests_offer_id"))
    op.drop_table("candidate_requests")
