"""letter signatures: the candidates' signatures of released letters and the one-time signing challenges

Also: triggers that keep a signature row and both letters it names (the released one and the signed copy)
from being changed or deleted.

Revision ID: 0011_letter_signatures
Revises: 0010_notifications
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import offer_engine.columns

revision = "0011_letter_signatures"
down_revision = "0010_notifications"
branch_labels = None
depends_on = None

_SIGNED = (
    "EXISTS (SELECT 1 FROM letter_signatures s WHERE s.released_letter_id = OLD.id OR s.signed_letter_id = OLD.id)"
)


def upgrade() -> None:
    op.create_table(
        "letter_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("released_letter_id", sa.Integer(), nullable=False),
        sa.Column("signed_letter_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("typed_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("candidate_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signed_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("link_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("ip_address", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("released_pdf_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("signed_pdf_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"]),
        sa.ForeignKeyConstraint(["released_letter_id"], ["letters.id"]),
        sa.ForeignKeyConstraint(["signed_letter_id"], ["letters.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["offer_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("released_letter_id"),
        sa.UniqueConstraint("signed_letter_id"),
    )
    with op.batch_alter_table("letter_signatures", schema=None) as batch_op:
        batch_op.create_index("ix_letter_signatures_offer", ["offer_id"], unique=False)

    op.create_table(
        "signature_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("session_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("letter_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issued_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", offer_engine.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"]),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    with op.batch_alter_table("signature_challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signature_challenges_offer_id"), ["offer_id"], unique=False)
    _create_guards()


def _create_guards() -> None:
    signature_message = "a signature is permanent"
    letter_message = "a signed letter cannot be changed: a new version needs a new letter and a new signature"
    if op.get_bind().dialect.name == "postgresql":
        # offer_engine_refuse_change() comes from 0002 (it raises its first argument)
        op.execute(
            "CREATE TRIGGER letter_signatures_no_change BEFORE UPDATE OR DELETE ON letter_signatures "
            f"FOR EACH ROW EXECUTE FUNCTION offer_engine_refuse_change('{signature_message}')"
        )
        op.execute(
            f"""
            CREATE FUNCTION offer_engine_refuse_signed_letter_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {_SIGNED} THEN
                    RAISE EXCEPTION '{letter_message}' USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                RETURN NEW;
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER letters_signed_no_change BEFORE UPDATE OR DELETE ON letters "
            "FOR EACH ROW EXECUTE FUNCTION offer_engine_refuse_signed_letter_change()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER letter_signatures_no_{event.lower()} BEFORE {event} ON letter_signatures "
            f"BEGIN SELECT RAISE(ABORT, '{signature_message}'); END"
        )
        op.execute(
            f"CREATE TRIGGER letters_signed_no_{event.lower()} BEFORE {event} ON letters WHEN {_SIGNED} "
            f"BEGIN SELECT RAISE(ABORT, '{letter_message}'); END"
        )


def _drop_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS letters_signed_no_change ON letters")
        op.execute("DROP FUNCTION IF EXISTS offer_engine_refuse_signed_letter_change()")
        op.execute("DROP TRIGGER IF EXISTS letter_signatures_no_change ON letter_signatures")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS letters_signed_no_{event}")
        op.execute(f"DROP TRIGGER IF EXISTS letter_signatures_no_{event}")


def downgrade() -> None:
    _drop_guards()
    with op.batch_alter_table("signature_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_challenges_offer_id"))
    op.drop_table("signature_challenges")
    with op.batch_alter_table("letter_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_letter_signatures_offer")
    op.drop_table("letter_signatures")
