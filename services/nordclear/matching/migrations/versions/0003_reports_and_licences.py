"""Reports, their lines and matches, the review queue, the licence read model, and richer indexed works.

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

_PK = sa.String(36)


def upgrade() -> None:
    with op.batch_alter_table("indexed_works") as batch:
        batch.add_column(sa.Column("alternate_titles", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("duration_ms", sa.BigInteger, nullable=False, server_default="0"))
    with op.batch_alter_table("indexed_recordings") as batch:
        batch.add_column(sa.Column("recording_id", sa.String(36), nullable=False, server_default=""))
    op.create_table(
        "indexed_society_work_ids",
        sa.Column("society_code", sa.String(3), primary_key=True),
        sa.Column("work_code", sa.String(64), primary_key=True),
        sa.Column("work_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_indexed_society_work_ids_work_id", "indexed_society_work_ids", ["work_id"])
    op.create_table(
        "licences",
        sa.Column("licence_id", sa.String(64), primary_key=True),
        sa.Column("licensee_id", sa.String(128), nullable=False),
        sa.Column("stages", sa.String(64), nullable=False),
        sa.Column("territories", sa.String(32), nullable=False),
        sa.Column("term_start", sa.Date, nullable=False),
        sa.Column("term_end", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_since", sa.Date, nullable=True),
        sa.Column("output_label", sa.String(64), nullable=False),
    )
    op.create_index("ix_licences_licensee_id", "licences", ["licensee_id"])
    op.create_table(
        "reports",
        sa.Column("report_pk", _PK, primary_key=True),
        sa.Column("licensee_id", sa.String(128), nullable=False),
        sa.Column("report_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("licence_id", sa.String(64), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("attribution_provider", sa.String(255), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("lines_total", sa.BigInteger, nullable=False),
        sa.Column("lines_flagged", sa.BigInteger, nullable=False),
        sa.Column("units_total", sa.BigInteger, nullable=False),
        sa.Column("errors_total", sa.BigInteger, nullable=False),
        sa.Column("errors", sa.Text, nullable=False),
        sa.Column("batch_count", sa.Integer, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("licensee_id", "report_id", name="uq_reports_licensee_report_id"),
    )
    op.create_index("ix_reports_licence_id", "reports", ["licence_id"])
    op.create_index("ix_reports_status", "reports", ["status"])
    op.create_index("ix_reports_received_at", "reports", ["received_at"])
    op.create_table(
        "report_line_chunks",
        sa.Column("report_pk", _PK, sa.ForeignKey("reports.report_pk"), primary_key=True),
        sa.Column("chunk_no", sa.Integer, primary_key=True),
        sa.Column("first_line", sa.BigInteger, nullable=False),
        sa.Column("last_line", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "line_flags",
        sa.Column("report_pk", _PK, sa.ForeignKey("reports.report_pk"), primary_key=True),
        sa.Column("line_number", sa.BigInteger, primary_key=True),
        sa.Column("flag", sa.String(32), primary_key=True),
    )
    op.create_table(
        "match_units",
        sa.Column("report_pk", _PK, sa.ForeignKey("reports.report_pk"), primary_key=True),
        sa.Column("line_number", sa.BigInteger, primary_key=True),
        sa.Column("influence_index", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("work_id", sa.String(36), nullable=False),
        sa.Column("recording_id", sa.String(36), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("confidence_bp", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("review_item_id", sa.String(40), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_match_units_open", "match_units", ["status", "report_pk"])
    op.create_table(
        "review_items",
        sa.Column("review_item_id", sa.String(40), primary_key=True),
        sa.Column("report_pk", _PK, sa.ForeignKey("reports.report_pk"), nullable=False),
        sa.Column("line_number", sa.BigInteger, nullable=False),
        sa.Column("influence_index", sa.Integer, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_review_items_report_pk", "review_items", ["report_pk"])
    op.create_index("ix_review_items_open", "review_items", ["status", "created_at"])
    op.create_table(
        "staged_events",
        sa.Column("report_pk", _PK, sa.ForeignKey("reports.report_pk"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("message_key", sa.String(255), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "request_log",
        sa.Column("request_id", sa.String(256), primary_key=True),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "request_log",
        "staged_events",
        "review_items",
        "match_units",
        "line_flags",
        "report_line_chunks",
        "reports",
        "licences",
        "indexed_society_work_ids",
    ):
        op.drop_table(table)
    with op.batch_alter_table("indexed_recordings") as batch:
        batch.drop_column("recording_id")
    with op.batch_alter_table("indexed_works") as batch:
        batch.drop_column("duration_ms")
        batch.drop_column("alternate_titles")
