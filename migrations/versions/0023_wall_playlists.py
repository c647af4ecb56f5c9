"""wall playlists: named playlists for the meeting-room wall, and where each one's walls stand

Revision ID: 0023
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "playlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("slides", sa.String(length=1000), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=5), nullable=False),
        sa.Column("period_code", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("theme IN ('dark', 'light')", name=op.f("ck_playlists_theme_allowed")),
        sa.CheckConstraint("interval_s >= 5 AND interval_s <= 600", name=op.f("ck_playlists_interval_range")),
        sa.ForeignKeyConstraint(["unit_id"], ["org_units.id"], name=op.f("fk_playlists_unit_id_org_units")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_playlists_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_playlists")),
        sa.UniqueConstraint("name", name=op.f("uq_playlists_name")),
    )
    op.create_index(op.f("ix_playlists_unit_id"), "playlists", ["unit_id"])
    op.create_table(
        "wall_states",
        sa.Column("playlist_id", sa.Integer(), nullable=False),
        sa.Column("anchor_index", sa.Integer(), nullable=False),
        sa.Column("anchor_at", sa.DateTime(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("remaining_s", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["playlist_id"], ["playlists.id"], name=op.f("fk_wall_states_playlist_id_playlists"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("playlist_id", name=op.f("pk_wall_states")),
    )


def downgrade() -> None:
    op.drop_table("wall_states")
    op.drop_index(op.f("ix_playlists_unit_id"), table_name="playlists")
    op.drop_table("playlists")
