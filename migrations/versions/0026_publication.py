"""publication ladder: an indicator's visibility (unit, parent, city, public) with its effective date, and
the requests to publish to the public that the level above approves

Revision ID: 0026
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0021"
branch_labels = None
depends_on = None

_LEVELS = "'unit', 'parent', 'city', 'public'"


def upgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        batch.add_column(sa.Column("visibility", sa.String(length=10), server_default="city", nullable=False))
        batch.add_column(sa.Column("visibility_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("visibility_before", sa.String(length=10), server_default="city", nullable=False))
        batch.create_check_constraint(op.f("ck_indicators_visibility_allowed"), f"visibility IN ({_LEVELS})")
        batch.create_check_constraint(
            op.f("ck_indicators_visibility_before_allowed"), f"visibility_before IN ({_LEVELS})"
        )
        batch.create_index("ix_indicators_visibility_unit", ["visibility", "unit_id"])
        batch.create_index("ix_indicators_visibility_from", ["visibility_from"])
    op.create_table(
        "publication_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'withdrawn')",
            name=op.f("ck_publication_requests_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_publication_requests_indicator_id_indicators"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_publication_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_publication_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_requests")),
    )
    op.create_index(
        op.f("ix_publication_requests_indicator_id"), "publication_requests", ["indicator_id"], unique=False
    )
    op.create_index("ix_publication_requests_status", "publication_requests", ["status", "indicator_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_publication_requests_status", table_name="publication_requests")
    op.drop_index(op.f("ix_publication_requests_indicator_id"), table_name="publication_requests")
    op.drop_table("publication_requests")
    with op.batch_alter_table("indicators") as batch:
        batch.drop_index("ix_indicators_visibility_from")
        batch.drop_index("ix_indicators_visibility_unit")
        batch.drop_constraint(op.f("ck_indicators_visibility_before_allowed"), type_="check")
        batch.drop_constraint(op.f("ck_indicators_visibility_allowed"), type_="check")
        batch.drop_column("visibility_before")
        batch.drop_column("visibility_from")
        batch.drop_column("visibility")
