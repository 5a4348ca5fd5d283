"""Settlement schema: read models, the rights view, runs and their results, the ledger, FX rates.

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

# SQLite only auto-increments a column declared exactly INTEGER.
AUTO_INCREMENT_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_TABLES = (
    "licences",
    "tariffs",
    "fees_due",
    "usage_reports",
    "usage_lines",
    "settlement_runs",
    "ledger_transfers",
    "statement_lines",
    "suspense_items",
    "obligations",
    "net_positions",
    "payment_instructions",
    "fx_rates",
    "request_log",
)


def upgrade() -> None:
    create_rights_tables_v1(op)
    op.create_table(
        "licences",
        sa.Column("licence_id", sa.String(64), primary_key=True),
        sa.Column("licensee_id", sa.String(128), nullable=False),
        sa.Column("hub_code", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_changed_on", sa.Date, nullable=True),
        sa.Column("document", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "tariffs",
        sa.Column("tariff_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(32), primary_key=True),
        sa.Column("document", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "fees_due",
        sa.Column("fee_id", sa.String(128), primary_key=True),
        sa.Column("licence_id", sa.String(64), nullable=False, index=True),
        sa.Column("due_on", sa.Date, nullable=False, index=True),
        sa.Column("document", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "usage_reports",
        sa.Column("licensee_id", sa.String(128), primary_key=True),
        sa.Column("report_id", sa.String(128), primary_key=True),
        sa.Column("licence_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("matching_completed", sa.Boolean, nullable=False),
        sa.Column("lines_total", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "usage_lines",
        sa.Column("licensee_id", sa.String(128), primary_key=True),
        sa.Column("report_id", sa.String(128), primary_key=True),
        sa.Column("line_number", sa.BigInteger, primary_key=True),
        sa.Column("licence_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
        sa.Index("ix_usage_lines_licence_kind", "licence_id", "kind"),
        sa.Index("ix_usage_lines_period_end", "period_end"),
    )
    op.create_table(
        "settlement_runs",
        sa.Column("run_id", sa.String(128), primary_key=True),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("settlement_currency_code", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "ledger_transfers",
        sa.Column("seq", AUTO_INCREMENT_BIGINT, primary_key=True, autoincrement=True),
        sa.Column("transfer_id", sa.String(200), nullable=False, unique=True),
        sa.Column("debit_account_id", sa.String(200), nullable=False, index=True),
        sa.Column("credit_account_id", sa.String(200), nullable=False, index=True),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("run_id", sa.String(128), nullable=False, index=True),
        sa.Column("reverses_transfer_id", sa.String(200), nullable=True, unique=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "statement_lines",
        sa.Column("run_id", sa.String(128), primary_key=True),
        sa.Column("society_code", sa.String(3), primary_key=True),
        sa.Column("line_seq", sa.BigInteger, primary_key=True),
        sa.Column("hub_code", sa.String(3), nullable=False),
        sa.Column("licence_id", sa.String(64), nullable=False),
        sa.Column("licensee_id", sa.String(128), nullable=False),
        sa.Column("report_id", sa.String(128), nullable=False),
        sa.Column("work_id", sa.String(36), nullable=False),
        sa.Column("iswc", sa.String(11), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("party_key", sa.String(64), nullable=False),
        sa.Column("party_name", sa.String(200), nullable=False),
        sa.Column("ipi_name_number", sa.String(11), nullable=False),
        sa.Column("right_code", sa.String(2), nullable=False),
        sa.Column("share_bp", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("territory", sa.String(2), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("settlement_amount_minor", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "suspense_items",
        sa.Column("suspense_id", sa.String(160), primary_key=True),
        sa.Column("run_id", sa.String(128), nullable=False, index=True),
        sa.Column("hub_code", sa.String(3), nullable=False),
        sa.Column("licence_id", sa.String(64), nullable=False),
        sa.Column("work_id", sa.String(36), nullable=False),
        sa.Column("party_key", sa.String(64), nullable=False),
        sa.Column("right_code", sa.String(2), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("territory", sa.String(2), nullable=False),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_to", sa.String(3), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.Column("release_transfer_id", sa.String(200), nullable=True),
    )
    op.create_table(
        "obligations",
        sa.Column("obligation_id", sa.String(160), primary_key=True),
        sa.Column("run_id", sa.String(128), nullable=False, index=True),
        sa.Column("debtor_code", sa.String(3), nullable=False),
        sa.Column("creditor_code", sa.String(3), nullable=False),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("settlement_currency_code", sa.String(3), nullable=False),
        sa.Column("settlement_amount_minor", sa.BigInteger, nullable=False),
        sa.Column("financial_year_end", sa.Date, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False, index=True),
        sa.Column("paid_on", sa.Date, nullable=True),
    )
    op.create_table(
        "net_positions",
        sa.Column("run_id", sa.String(128), primary_key=True),
        sa.Column("society_code", sa.String(3), primary_key=True),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("receivable_minor", sa.BigInteger, nullable=False),
        sa.Column("payable_minor", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "payment_instructions",
        sa.Column("instruction_id", sa.String(160), primary_key=True),
        sa.Column("run_id", sa.String(128), nullable=False, index=True),
        sa.Column("payer_code", sa.String(3), nullable=False),
        sa.Column("payee_code", sa.String(3), nullable=False),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
    )
    op.create_table(
        "fx_rates",
        sa.Column("rate_date", sa.Date, primary_key=True),
        sa.Column("base_currency_code", sa.String(3), primary_key=True),
        sa.Column("quote_currency_code", sa.String(3), primary_key=True),
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("rate_ppb", sa.BigInteger, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "request_log",
        sa.Column("request_id", sa.String(256), primary_key=True),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
    for name in ("rights_consents", "rights_recordings", "rights_works"):
        op.drop_table(name)
