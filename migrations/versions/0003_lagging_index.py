"""index indicator rollups by period and status (lagging lists)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_rollups", schema=None) as batch_op:
        batch_op.create_index("ix_indicator_rollups_period_status", ["period_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("indicator_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_rollups_period_status")
