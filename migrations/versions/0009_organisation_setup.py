"""an agency sets itself up: unit validity and successions, placements, fuller person records,
position versions, delegated unit administrators, communes, forced password change, import kinds

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_KINDS = "'city', 'department', 'ward', 'division', 'party_board'"
NEW_KINDS = "'city', 'department', 'ward', 'commune', 'division', 'party_board'"
OLD_ROLES = "'admin', 'leader', 'manager', 'staff', 'screen'"
NEW_ROLES = "'admin', 'leader', 'manager', 'staff', 'screen', 'unit_admin'"


def upgrade() -> None:
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
        batch_op.drop_constraint(op.f("ck_org_units_kind_allowed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_org_units_kind_allowed"), f"kind IN ({NEW_KINDS})")
        batch_op.create_check_constraint(
            op.f("ck_org_units_validity_ordered"), "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to"
        )
    op.create_table(
        "unit_successions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("change_kind", sa.String(length=10), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint(
            "change_kind IN ('merge', 'split', 'rename', 'move')",
            name=op.f("ck_unit_successions_change_kind_allowed"),
        ),
        sa.CheckConstraint("predecessor_id <> successor_id", name=op.f("ck_unit_successions_not_itself")),
        sa.ForeignKeyConstraint(
            ["predecessor_id"],
            ["org_units.id"],
            name=op.f("fk_unit_successions_predecessor_id_org_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"],
            ["org_units.id"],
            name=op.f("fk_unit_successions_successor_id_org_units"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_unit_successions_recorded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_successions")),
        sa.UniqueConstraint("predecessor_id", "successor_id", name=op.f("uq_unit_successions_predecessor_id")),
    )
    with op.batch_alter_table("unit_successions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_successions_predecessor_id"), ["predecessor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_successions_successor_id"), ["successor_id"], unique=False)

    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("rank_code", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))

    op.create_table(
        "person_placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from <= valid_to", name=op.f("ck_person_placements_validity_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_placements_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_person_placements_unit_id_org_units")),
        sa.ForeignKeyConstraint(
            ["position_id"], ["positions.id"], name=op.f("fk_person_placements_position_id_positions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_placements")),
    )
    with op.batch_alter_table("person_placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_placements_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_person_placements_unit_from", ["unit_id", "valid_from"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(op.f("ck_users_role_allowed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role_allowed"), f"role IN ({NEW_ROLES})")

    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), server_default="values", nullable=False))
        batch_op.create_check_constraint(op.f("ck_import_jobs_kind_allowed"), "kind IN ('values', 'people', 'units', 'plan')")


def downgrade() -> None:
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_import_jobs_kind_allowed"), type_="check")
        batch_op.drop_column("kind")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role_allowed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role_allowed"), f"role IN ({OLD_ROLES})")
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("person_placements", schema=None) as batch_op:
        batch_op.drop_index("ix_person_placements_unit_from")
        batch_op.drop_index(batch_op.f("ix_person_placements_person_id"))
    op.drop_table("person_placements")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("start_date")
        batch_op.drop_column("rank_code")
        batch_op.drop_column("birth_date")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("active")
    with op.batch_alter_table("unit_successions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_successions_successor_id"))
        batch_op.drop_index(batch_op.f("ix_unit_successions_predecessor_id"))
    op.drop_table("unit_successions")
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_org_units_validity_ordered"), type_="check")
        batch_op.drop_constraint(op.f("ck_org_units_kind_allowed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_org_units_kind_allowed"), f"kind IN ({OLD_KINDS})")
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
