"""The settlement service's tables. Only this service reads or writes them (BRIEF §6).

Read models (from events): ``licences``, ``tariffs``, ``fees_due``, ``usage_lines`` (the highest
revision of each report line), ``usage_reports``, and the shared rights view (``rights_*``).

Results of runs: ``settlement_runs`` and, per run, ``statement_lines``, ``suspense_items``,
``obligations``, ``net_positions`` and ``payment_instructions``: written once, in the transaction that
posts the run's transfers, and never updated (suspense items excepted: their release is recorded on
them, with the transfer that moved the money).

The ledger: ``ledger_transfers`` is append-only; ``seq`` is the posting order; balances are sums over
it. ``fx_rates`` are input data, immutable once loaded. ``request_log`` makes client-keyed writes
idempotent.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from nordclear.platform.db.messaging_tables import define_messaging_tables
from nordclear.platform.rights import define_rights_tables

metadata = MetaData()
messaging = define_messaging_tables(metadata)
rights = define_rights_tables(metadata)

AUTO_INCREMENT_BIGINT = BigInteger().with_variant(Integer(), "sqlite")
"""SQLite only auto-increments a column declared exactly INTEGER."""

licences = Table(
    "licences",
    metadata,
    Column("licence_id", String(64), primary_key=True),
    Column("licensee_id", String(128), nullable=False),
    Column("hub_code", String(3), nullable=False),
    # active, suspended, revoked, expired: kept for listing; settlement settles what was reported.
    Column("status", String(16), nullable=False),
    Column("status_changed_on", Date, nullable=True),
    # The LicenceIssued event as received.
    Column("document", LargeBinary, nullable=False),
)

tariffs = Table(
    "tariffs",
    metadata,
    Column("tariff_id", String(64), primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("document", LargeBinary, nullable=False),
)

fees_due = Table(
    "fees_due",
    metadata,
    Column("fee_id", String(128), primary_key=True),
    Column("licence_id", String(64), nullable=False, index=True),
    Column("due_on", Date, nullable=False, index=True),
    Column("document", LargeBinary, nullable=False),
)

usage_reports = Table(
    "usage_reports",
    metadata,
    Column("licensee_id", String(128), primary_key=True),
    Column("report_id", String(128), primary_key=True),
    Column("licence_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("matching_completed", Boolean, nullable=False),
    Column("lines_total", BigInteger, nullable=False),
)

usage_lines = Table(
    "usage_lines",
    metadata,
    Column("licensee_id", String(128), primary_key=True),
    Column("report_id", String(128), primary_key=True),
    Column("line_number", BigInteger, primary_key=True),
    Column("licence_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("period_end", Date, nullable=False),
    # The MatchedUsageLine as received (its highest revision).
    Column("document", LargeBinary, nullable=False),
    Index("ix_usage_lines_period_end", "period_end"),
    Index("ix_usage_lines_licence_kind", "licence_id", "kind"),
)

settlement_runs = Table(
    "settlement_runs",
    metadata,
    Column("run_id", String(128), primary_key=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("settlement_currency_code", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    # The SettlementRun message, as GetRun answers it.
    Column("document", LargeBinary, nullable=False),
)

ledger_transfers = Table(
    "ledger_transfers",
    metadata,
    Column("seq", AUTO_INCREMENT_BIGINT, primary_key=True, autoincrement=True),
    Column("transfer_id", String(200), nullable=False, unique=True),
    Column("debit_account_id", String(200), nullable=False, index=True),
    Column("credit_account_id", String(200), nullable=False, index=True),
    Column("currency_code", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("run_id", String(128), nullable=False, index=True),
    # Unique: a transfer is reversed at most once. NULLs (non-reversals) do not collide.
    Column("reverses_transfer_id", String(200), nullable=True, unique=True),
    Column("code", String(64), nullable=False),
    Column("description", Text, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
)

statement_lines = Table(
    "statement_lines",
    metadata,
    Column("run_id", String(128), primary_key=True),
    Column("society_code", String(3), primary_key=True),
    Column("line_seq", BigInteger, primary_key=True),
    Column("hub_code", String(3), nullable=False),
    Column("licence_id", String(64), nullable=False),
    Column("licensee_id", String(128), nullable=False),
    Column("report_id", String(128), nullable=False),
    Column("work_id", String(36), nullable=False),
    Column("iswc", String(11), nullable=False),
    Column("title", String(200), nullable=False),
    Column("party_key", String(64), nullable=False),
    Column("party_name", String(200), nullable=False),
    Column("ipi_name_number", String(11), nullable=False),
    Column("right_code", String(2), nullable=False),
    Column("share_bp", Integer, nullable=False),
    Column("stage", String(16), nullable=False),
    Column("territory", String(2), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("currency_code", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("settlement_amount_minor", BigInteger, nullable=False),
)

suspense_items = Table(
    "suspense_items",
    metadata,
    Column("suspense_id", String(160), primary_key=True),
    Column("run_id", String(128), nullable=False, index=True),
    Column("hub_code", String(3), nullable=False),
    Column("licence_id", String(64), nullable=False),
    Column("work_id", String(36), nullable=False),
    Column("party_key", String(64), nullable=False),
    Column("right_code", String(2), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("territory", String(2), nullable=False),
    Column("currency_code", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("held_at", DateTime(timezone=True), nullable=False),
    Column("released_to", String(3), nullable=True),
    Column("released_by", String(200), nullable=True),
    Column("released_at", DateTime(timezone=True), nullable=True),
    Column("release_reason", Text, nullable=True),
    Column("release_transfer_id", String(200), nullable=True),
)

obligations = Table(
    "obligations",
    metadata,
    Column("obligation_id", String(160), primary_key=True),
    Column("run_id", String(128), nullable=False, index=True),
    Column("debtor_code", String(3), nullable=False),
    Column("creditor_code", String(3), nullable=False),
    Column("currency_code", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("settlement_currency_code", String(3), nullable=False),
    Column("settlement_amount_minor", BigInteger, nullable=False),
    Column("financial_year_end", Date, nullable=False),
    Column("deadline", Date, nullable=False, index=True),
    Column("paid_on", Date, nullable=True),
)

net_positions = Table(
    "net_positions",
    metadata,
    Column("run_id", String(128), primary_key=True),
    Column("society_code", String(3), primary_key=True),
    Column("currency_code", String(3), nullable=False),
    Column("receivable_minor", BigInteger, nullable=False),
    Column("payable_minor", BigInteger, nullable=False),
)

payment_instructions = Table(
    "payment_instructions",
    metadata,
    Column("instruction_id", String(160), primary_key=True),
    Column("run_id", String(128), nullable=False, index=True),
    Column("payer_code", String(3), nullable=False),
    Column("payee_code", String(3), nullable=False),
    Column("currency_code", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("reference", String(200), nullable=False),
    # The payment as ops confirmed it (migration 0003); NULL while unpaid.
    Column("paid_on", Date, nullable=True),
    Column("bank_reference", String(200), nullable=True),
    Column("confirmed_by", String(200), nullable=True),
)

fx_rates = Table(
    "fx_rates",
    metadata,
    Column("rate_date", Date, primary_key=True),
    Column("base_currency_code", String(3), primary_key=True),
    Column("quote_currency_code", String(3), primary_key=True),
    Column("source", String(200), primary_key=True),
    Column("rate_ppb", BigInteger, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

request_log = Table(
    "request_log",
    metadata,
    # The client-chosen request id (scoped to its principal), a digest of what it asked, and the answer,
    # so a retry gets the first answer and a reused id with other content is refused.
    Column("request_id", String(256), primary_key=True),
    Column("operation", String(32), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("response", LargeBinary, nullable=False),
)
