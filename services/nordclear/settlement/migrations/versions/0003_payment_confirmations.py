"""Payment confirmations: when a payment instruction was paid, with the bank's reference and who said so.

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
    with op.batch_alter_table("payment_instructions") as batch:
        batch.add_column(sa.Column("paid_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("bank_reference", sa.String(200), nullable=True))
        batch.add_column(sa.Column("confirmed_by", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_instructions") as batch:
        batch.drop_column("confirmed_by")
        batch.drop_column("bank_reference")
        batch.drop_column("paid_on")
