"""plan authoring: plans and their approval, draft objectives, indicator revisions and change
requests, milestones, the owner's analysis per period, position KPI templates

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DIRECTIONS = "'increase', 'decrease', 'band', 'done', 'milestones'"
FREQUENCIES = "'monthly', 'quarterly', 'yearly'"
SOURCES = "'entered', 'imported', 'computed', 'feed'"


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("return_reason", sa.String(length=1000), nullable=True),
        sa.Column("copied_from_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'returned')", name=op.f("ck_plans_status_allowed")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_plans_unit_id_org_units")),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_plans_period_id_periods")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_plans_submitted_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_plans_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["copied_from_id"], ["plans.id"], name=op.f("fk_plans_copied_from_id_plans"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("unit_id", "period_id", name=op.f("uq_plans_unit_id")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_unit_id"), ["unit_id"], unique=False)

    with op.batch_alter_table("objectives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published", sa.Boolean(), server_default=sa.true(), nullable=False))

    op.create_table(
        "position_kpi_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("unit_of_measure", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(f"direction IN ({DIRECTIONS})", name=op.f("ck_position_kpi_templates_direction_allowed")),
        sa.CheckConstraint(f"frequency IN ({FREQUENCIES})", name=op.f("ck_position_kpi_templates_frequency_allowed")),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_position_kpi_templates_weight_nonnegative")),
        sa.ForeignKeyConstraint(
            ["position_id"],
            ["positions.id"],
            name=op.f("fk_position_kpi_templates_position_id_positions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_kpi_templates")),
        sa.UniqueConstraint("position_id", "code", name=op.f("uq_position_kpi_templates_position_id")),
    )

    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence_required", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("data_source", sa.String(length=10), server_default="entered", nullable=False))
        batch_op.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_indicators_data_source_allowed"), f"data_source IN ({SOURCES})")
        batch_op.create_foreign_key(
            batch_op.f("fk_indicators_template_id_position_kpi_templates"),
            "position_kpi_templates",
            ["template_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("before_json", sa.Text(), nullable=False),
        sa.Column("proposed_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name=op.f("ck_change_requests_status_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_change_requests_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_change_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_change_requests_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.create_index("ix_change_requests_indicator", ["indicator_id", "status"], unique=False)

    op.create_table(
        "indicator_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("effective_at", sa.DateTime(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("band_low", sa.Float(), nullable=True),
        sa.Column("band_high", sa.Float(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("change_request_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_revisions_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_indicator_revisions_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_requests.id"],
            name=op.f("fk_indicator_revisions_change_request_id_change_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_revisions")),
    )
    with op.batch_alter_table("indicator_revisions", schema=None) as batch_op:
        batch_op.create_index("ix_indicator_revisions_indicator_at", ["indicator_id", "effective_at"], unique=False)

    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner_person_id", sa.Integer(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("position >= 0", name=op.f("ck_milestones_position_nonnegative")),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_milestones_indicator_id_indicators"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_person_id"], ["people.id"], name=op.f("fk_milestones_owner_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["milestones.id"],
            name=op.f("fk_milestones_carried_from_id_milestones"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestones_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "indicator_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("what_happened", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("next_steps", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_indicator_analyses_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_indicator_analyses_period_id_periods")),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_indicator_analyses_author_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_analyses")),
        sa.UniqueConstraint("indicator_id", "period_id", name=op.f("uq_indicator_analyses_indicator_id")),
    )


def downgrade() -> None:
    op.drop_table("indicator_analyses")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestones_indicator_id"))
    op.drop_table("milestones")
    with op.batch_alter_table("indicator_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_revisions_indicator_at")
    op.drop_table("indicator_revisions")
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_change_requests_indicator")
    op.drop_table("change_requests")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_indicators_template_id_position_kpi_templates"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_indicators_data_source_allowed"), type_="check")
        batch_op.drop_column("template_id")
        batch_op.drop_column("data_source")
        batch_op.drop_column("evidence_required")
    op.drop_table("position_kpi_templates")
    with op.batch_alter_table("objectives", schema=None) as batch_op:
        batch_op.drop_column("published")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_unit_id"))
    op.drop_table("plans")
