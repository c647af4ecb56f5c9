"""sync batches: signed batches of org units and profiles for the national cadre database, and their records

Revision ID: 0021
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_key", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("signer", sa.String(length=200), nullable=True),
        sa.Column("cert_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('dry_run', 'full')", name=op.f("ck_sync_batches_kind_allowed")),
        sa.CheckConstraint(
            "status IN ('draft', 'signed', 'sent', 'accepted', 'partly_rejected', 'rejected')",
            name=op.f("ck_sync_batches_status_allowed"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_sync_batches_unit_id_org_units")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_sync_batches_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_batches")),
        sa.UniqueConstraint("batch_key", name=op.f("uq_sync_batches_batch_key")),
    )
    op.create_index(op.f("ix_sync_batches_unit_id"), "sync_batches", ["unit_id"])
    op.create_table(
        "sync_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=80), nullable=False),
        sa.Column("record_sha256", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('pending', 'kept_out', 'accepted', 'rejected')", name=op.f("ck_sync_records_outcome_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["sync_batches.id"], name=op.f("fk_sync_records_batch_id_sync_batches"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_records")),
        sa.UniqueConstraint("batch_id", "record_key", name=op.f("uq_sync_records_batch_id")),
    )
    op.create_index(op.f("ix_sync_records_batch_id"), "sync_records", ["batch_id"])
    op.create_index(op.f("ix_sync_records_record_key"), "sync_records", ["record_key"])


def downgrade() -> None:
    op.drop_table("sync_records")
    op.drop_table("sync_batches")
