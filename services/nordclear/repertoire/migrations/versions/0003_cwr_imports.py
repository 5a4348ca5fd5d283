"""CWR imports: each imported file's outcome and the acknowledgement file that answered it.

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
        "cwr_imports",
        sa.Column("import_id", sa.String(32), primary_key=True),
        sa.Column("request_id", sa.String(256), nullable=False, unique=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("society", sa.String(16), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response", sa.LargeBinary, nullable=False),
        sa.Column("ack_file", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cwr_imports")
