"""Licensees, applications, quotes, licences, tariffs, signing keys, request ids, and the rights view.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nordclear.platform.rights import create_rights_tables_v1

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "licensees",
        sa.Column("licensee_id", sa.String(64), primary_key=True),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "applications",
        sa.Column("application_id", sa.String(64), primary_key=True),
        sa.Column("licensee_id", sa.String(64), nullable=False, index=True),
        sa.Column("hub_society", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_applications_submitted", "applications", ["submitted_at", "application_id"])
    op.create_table(
        "quotes",
        sa.Column("quote_id", sa.String(64), primary_key=True),
        sa.Column("application_id", sa.String(64), nullable=False, index=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "licences",
        sa.Column("licence_id", sa.String(32), primary_key=True),
        sa.Column("application_id", sa.String(64), nullable=False, unique=True),
        sa.Column("licensee_id", sa.String(64), nullable=False, index=True),
        sa.Column("hub_society", sa.String(16), nullable=False),
        sa.Column("societies", sa.String(64), nullable=False),
        sa.Column("stages", sa.String(64), nullable=False),
        sa.Column("territories", sa.String(32), nullable=False),
        sa.Column("model_key", sa.String(420), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("term_end", sa.Date, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_licences_issued", "licences", ["issued_at", "licence_id"])
    op.create_table(
        "tariffs",
        sa.Column("tariff_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(32), primary_key=True),
        sa.Column("society", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("public_key_pem", sa.String(512), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "licence_numbers",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("next_number", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "request_log",
        sa.Column("request_id", sa.String(256), primary_key=True),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result_id", sa.String(64), nullable=False),
    )
    create_rights_tables_v1(op)


def downgrade() -> None:
    for table in (
        "rights_consents",
        "rights_recordings",
        "rights_works",
        "request_log",
        "licence_numbers",
        "signing_keys",
        "tariffs",
        "licences",
        "quotes",
        "applications",
        "licensees",
    ):
        op.drop_table(table)
