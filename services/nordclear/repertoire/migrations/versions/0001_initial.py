"""Initial schema: works, their creators, request ids, and the messaging tables.

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
        "works",
        sa.Column("work_id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("iswc", sa.String(11), nullable=True, unique=True),
        sa.Column("society", sa.String(16), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "work_creators",
        sa.Column("work_id", sa.String(36), sa.ForeignKey("works.work_id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("last_name", sa.String(45), nullable=False),
        sa.Column("first_name", sa.String(30), nullable=False),
        sa.Column("role", sa.String(2), nullable=False),
        sa.Column("ipi_name_number", sa.String(11), nullable=True),
    )
    op.create_table(
        "work_requests",
        sa.Column("request_id", sa.String(128), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("work_id", sa.String(36), sa.ForeignKey("works.work_id"), nullable=False),
    )
    create_messaging_tables_v1(op)


def downgrade() -> None:
    op.drop_table("work_requests")
    op.drop_table("work_creators")
    op.drop_table("works")
    op.drop_table("inbox_events")
    op.drop_table("outbox_events")
