"""an indicator's delegated reporter: the person the owner or the unit head lets enter its values

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        batch.add_column(sa.Column("reporter_person_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_indicators_reporter_person_id_people"), "people", ["reporter_person_id"], ["id"]
        )
        batch.create_index(op.f("ix_indicators_reporter_person_id"), ["reporter_person_id"])


def downgrade() -> None:
    with op.batch_alter_table("indicators") as batch:
        batch.drop_index(op.f("ix_indicators_reporter_person_id"))
        batch.drop_constraint(op.f("fk_indicators_reporter_person_id_people"), type_="foreignkey")
        batch.drop_column("reporter_person_id")
