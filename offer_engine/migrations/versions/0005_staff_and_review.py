"""staff and review tables: staff users, sign-in throttle, requisition owners, messages to candidates

Revision ID: 0005_staff_and_review
Revises: 0004_candidate_requests
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import offer_engine.columns

revision = "0005_staff_and_review"
down_revision = "0004_candidate_requests"
branch_labels = None
depends_on = None

_TS = offer_engine.columns.UTCDateTime(timezone=True)
_STR = AutoString


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", _STR(length=64), nullable=False),
        sa.Column("display_name", _STR(), nullable=False),
        sa.Column("email", _STR(), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("icims_person_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", _STR(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("last_login_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_users_email"), ["email"], unique=False)

    op.create_table(
        "staff_login_throttle",
        sa.Column("name", _STR(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
        sa.Column("last_failure_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )

    op.create_table(
        "job_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("hiring_manager_person_id", sa.Integer(), nullable=True),
        sa.Column("recruiter_person_id", sa.Integer(), nullable=True),
        sa.Column("refreshed_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "job_id", name="uq_job_owners_job"),
    )
    with op.batch_alter_table("job_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_owners_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_job_owners_hiring_manager_person_id"), ["hiring_manager_person_id"], unique=False
        )

    op.create_table(
        "candidate_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("author_id", _STR(), nullable=False),
        sa.Column("author_name", _STR(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("template_ref", _STR(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("seen_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("candidate_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_messages_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidate_messages_workflow_id"), ["workflow_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("candidate_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_messages_workflow_id"))
        batch_op.drop_index(batch_op.f("ix_candidate_messages_offer_id"))
    op.drop_table("candidate_messages")
    with op.batch_alter_table("job_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_owners_hiring_manager_person_id"))
        batch_op.drop_index(batch_op.f("ix_job_owners_job_id"))
    op.drop_table("job_owners")
    op.drop_table("staff_login_throttle")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_users_email"))
    op.drop_table("staff_users")
