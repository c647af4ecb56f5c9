"""work management: richer notifications (actor, detail, dedupe key), staged spreadsheet imports,
tasks indexed by their assigner ("assigned by me", "waiting for my acceptance")

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=80), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_notifications_actor_user_id_users"), "users", ["actor_user_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.create_unique_constraint(batch_op.f("uq_notifications_user_id"), ["user_id", "dedupe_key"])
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("imported_rows", sa.Integer(), nullable=False),
        sa.Column("rows_json", sa.Text(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('checking', 'checked', 'importing', 'imported', 'failed')",
                           name=op.f("ck_import_jobs_status_allowed")),
        sa.CheckConstraint("imported_rows <= total_rows",
                           name=op.f("ck_import_jobs_counts_bounded")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_import_jobs_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_jobs_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_assigner_user_id"), ["assigner_user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_assigner_user_id"))
    op.drop_table("import_jobs")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_notifications_user_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_notifications_actor_user_id_users"), type_="foreignkey")
        batch_op.drop_column("dedupe_key")
        batch_op.drop_column("detail")
        batch_op.drop_column("actor_user_id")
