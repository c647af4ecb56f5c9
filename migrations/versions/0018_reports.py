"""reports: the report jobs the background queue makes (with their file), the notice that one is ready, and
an index of tasks by indicator (a report lists each lagging indicator's follow-ups)

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_code", sa.String(length=10), nullable=False),
        sa.Column("format", sa.String(length=4), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_report_jobs_status_allowed")
        ),
        sa.CheckConstraint("template IN ('unit_period')", name=op.f("ck_report_jobs_template_allowed")),
        sa.CheckConstraint("format IN ('pdf', 'xlsx')", name=op.f("ck_report_jobs_format_allowed")),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name=op.f("ck_report_jobs_progress_range")),
        sa.CheckConstraint("language IN ('vi', 'en', 'fr')", name=op.f("ck_report_jobs_language_allowed")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_report_jobs_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_report_jobs_unit_id_org_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_jobs")),
    )
    op.create_index("ix_report_jobs_user", "report_jobs", ["user_id", "id"], unique=False)
    # The report lists each lagging indicator's follow-up tasks: without it, a scan of every task.
    op.create_index("ix_tasks_indicator_due", "tasks", ["indicator_id", "due_date"], unique=False)
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("report_job_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_notifications_report_job_id_report_jobs"),
            "report_jobs",
            ["report_job_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("fk_notifications_report_job_id_report_jobs"), type_="foreignkey")
        batch.drop_column("report_job_id")
    op.drop_index("ix_tasks_indicator_due", table_name="tasks")
    op.drop_index("ix_report_jobs_user", table_name="report_jobs")
    op.drop_table("report_jobs")
