"""Initial schema: the repertoire read model, its change journal, and the messaging tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nordclear.platform.db.messaging_tables import create_messaging_tables_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indexed_works",
        sa.Column("work_id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("iswc", sa.String(11), nullable=True),
        sa.Column("creator_names", sa.Text, nullable=False),
    )
    op.create_index("ix_indexed_works_iswc", "indexed_works", ["iswc"])
    op.create_table(
        "indexed_recordings",
        sa.Column("isrc", sa.String(12), primary_key=True),
        sa.Column("work_id", sa.String(36), sa.ForeignKey("indexed_works.work_id"), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("main_artist", sa.String(255), nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
    )
    op.create_index("ix_indexed_recordings_work_id", "indexed_recordings", ["work_id"])
    op.create_table(
        "index_changes",
        sa.Column(
            "change_no",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("work_id", sa.String(36), nullable=False),
        sa.Column("change_kind", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    create_messaging_tables_v1(op)


def downgrade() -> None:
    op.drop_table("index_changes")
    op.drop_table("indexed_recordings")
    op.drop_table("indexed_works")
    op.drop_table("inbox_events")
    op.drop_table("outbox_events")
