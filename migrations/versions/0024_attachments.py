"""attachments: evidence files (photos, PDFs) on tasks, their check-ins and indicator values

Revision ID: 0024
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("measurement_id", sa.Integer(), nullable=True),
        sa.Column("content_key", sa.String(length=64), nullable=False),
        sa.Column("thumb_key", sa.String(length=80), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mime", sa.String(length=60), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("(task_id IS NULL) <> (measurement_id IS NULL)", name=op.f("ck_attachments_one_owner")),
        sa.CheckConstraint("checkin_id IS NULL OR task_id IS NOT NULL", name=op.f("ck_attachments_checkin_on_task")),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_attachments_size_positive")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_attachments_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["checkin_id"], ["task_checkins.id"], name=op.f("fk_attachments_checkin_id_task_checkins"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["measurement_id"],
            ["measurements.id"],
            name=op.f("fk_attachments_measurement_id_measurements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_attachments_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_task_id"), "attachments", ["task_id"])
    op.create_index(op.f("ix_attachments_checkin_id"), "attachments", ["checkin_id"])
    op.create_index(op.f("ix_attachments_measurement_id"), "attachments", ["measurement_id"])


def downgrade() -> None:
    op.drop_table("attachments")
