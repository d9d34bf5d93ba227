"""chat history: the candidates' chat threads, steps and elements (Chainlit's data layer on our database)

Revision ID: 0009_chat_history
Revises: 0008_web_sessions
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import offer_engine.columns

revision = "0009_chat_history"
down_revision = "0008_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_threads",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("workflow_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chat_threads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_threads_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_threads_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_threads_updated_at"), ["updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_chat_threads_workflow_id"), ["workflow_id"], unique=False)

    op.create_table(
        "chat_elements",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("thread_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("for_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("display", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("mime", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("size", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("props", sa.JSON(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["chat_threads.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chat_elements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_elements_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "chat_steps",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("thread_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["chat_threads.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chat_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_steps_thread_id"), ["thread_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chat_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_steps_thread_id"))

    op.drop_table("chat_steps")
    with op.batch_alter_table("chat_elements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_elements_thread_id"))

    op.drop_table("chat_elements")
    with op.batch_alter_table("chat_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_threads_workflow_id"))
        batch_op.drop_index(batch_op.f("ix_chat_threads_updated_at"))
        batch_op.drop_index(batch_op.f("ix_chat_threads_owner"))
        batch_op.drop_index(batch_op.f("ix_chat_threads_offer_id"))

    op.drop_table("chat_threads")
