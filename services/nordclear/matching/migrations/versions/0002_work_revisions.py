"""Indexed works remember the repertoire revision they reflect, so older events never overwrite newer.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indexed_works") as batch:
        # Works indexed before revisions existed were registrations: revision 1.
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
    with op.batch_alter_table("indexed_works") as batch:
        batch.alter_column("revision", existing_type=sa.Integer, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("indexed_works") as batch:
        batch.drop_column("revision")
