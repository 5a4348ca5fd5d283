"""Work identifiers (ISWC, society work ids) → work ids, so coverage can be asked by any of them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_keys",
        sa.Column("key_kind", sa.String(16), primary_key=True),
        sa.Column("key_value", sa.String(128), primary_key=True),
        sa.Column("work_id", sa.String(36), primary_key=True),
    )
    op.create_index("ix_work_keys_work", "work_keys", ["work_id"])


def downgrade() -> None:
    op.drop_table("work_keys")
