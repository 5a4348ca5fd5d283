"""CWR acknowledgement files stored in chunks, so neither storing nor sending one needs it whole in memory.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cwr_import_ack_chunks",
        sa.Column("import_id", sa.String(32), sa.ForeignKey("cwr_imports.import_id"), primary_key=True),
        sa.Column("chunk_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.add_column(
        "cwr_imports", sa.Column("ack_size_bytes", sa.BigInteger, nullable=False, server_default="0")
    )
    # Files imported before this revision keep their acknowledgement, as one chunk.
    op.execute(
        "INSERT INTO cwr_import_ack_chunks (import_id, chunk_no, data) "
        "SELECT import_id, 0, ack_file FROM cwr_imports"
    )
    op.execute("UPDATE cwr_imports SET ack_size_bytes = length(ack_file)")
    # A plain DROP COLUMN (SQLite >= 3.35): a batch copy of the table would trip the new foreign key.
    op.drop_column("cwr_imports", "ack_file")


def downgrade() -> None:
    with op.batch_alter_table("cwr_imports") as batch:
        batch.add_column(sa.Column("ack_file", sa.LargeBinary, nullable=False, server_default=""))
    op.drop_column("cwr_imports", "ack_size_bytes")
    op.drop_table("cwr_import_ack_chunks")
