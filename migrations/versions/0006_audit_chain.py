"""audit chain: each audit entry carries the previous entry's hash and its own; existing entries
are chained in id order; a unique index on prev_hash makes a forked chain impossible

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from data_access.audit_chain import backfill

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    backfill(op.get_bind())
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index("ux_audit_entries_prev_hash", ["prev_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ux_audit_entries_prev_hash")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
