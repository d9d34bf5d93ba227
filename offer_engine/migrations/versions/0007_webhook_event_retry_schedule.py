"""webhook events: the next attempt time and the kind of the last failure (issue 17)

A failed event waits until ``next_attempt_at`` (honoured by every worker) and is never exhausted by transient
failures; events that failed before this revision are made due at once, so that those which had run out of tries
under the old three-attempt rule are drafted now.

Revision ID: 0007_event_retry_schedule
Revises: 0006_rate_limits
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import offer_engine.columns

revision = "0007_event_retry_schedule"
down_revision = "0006_rate_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(
            sa.Column("next_attempt_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_webhook_events_next_attempt_at"), ["next_attempt_at"], unique=False)
    op.execute("UPDATE webhook_events SET next_attempt_at = processed_at WHERE state = 'failed'")


def downgrade() -> None:
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_events_next_attempt_at"))
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("failure_kind")
