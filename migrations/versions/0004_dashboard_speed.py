"""store each indicator rollup's weighted gap, indexed by period, for the lagging lists

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


LAGGING = sa.text("status IN ('off_track', 'at_risk')")


def upgrade() -> None:
    with op.batch_alter_table("indicator_rollups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gap", sa.Float(), nullable=True))
    # Existing rows get the same value rollups.py computes for new ones.
    op.execute("UPDATE indicator_rollups SET gap = weight * (expected - COALESCE(progress, 0))")
    op.create_index("ix_indicator_rollups_lagging_gap", "indicator_rollups", ["period_id", "gap"], unique=False,
                    sqlite_where=LAGGING, postgresql_where=LAGGING)


def downgrade() -> None:
    op.drop_index("ix_indicator_rollups_lagging_gap", table_name="indicator_rollups")
    with op.batch_alter_table("indicator_rollups", schema=None) as batch_op:
        batch_op.drop_column("gap")
