"""The matching service's tables. Only this service reads or writes them (BRIEF §6)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from nordclear.platform.db.messaging_tables import define_messaging_tables

metadata = MetaData()

indexed_works = Table(
    "indexed_works",
    metadata,
    Column("work_id", String(36), primary_key=True),
    Column("title", String(60), nullable=False),
    Column("iswc", String(11), nullable=True, index=True),
    # Creator names joined by newlines: read together with the title when matching, never queried alone.
    Column("creator_names", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    # Alternate titles and performing artists joined by newlines, like creator_names.
    Column("alternate_titles", Text, nullable=False, server_default=""),
    Column("duration_ms", BigInteger, nullable=False, server_default="0"),
)

indexed_society_work_ids = Table(
    "indexed_society_work_ids",
    metadata,
    Column("society_code", String(3), primary_key=True),
    Column("work_code", String(64), primary_key=True),
    Column("work_id", String(36), nullable=False, index=True),
)

indexed_recordings = Table(
    "indexed_recordings",
    metadata,
    Column("isrc", String(12), primary_key=True),
    Column("work_id", String(36), ForeignKey("indexed_works.work_id"), nullable=False, index=True),
    Column("title", String(255), nullable=False),
    Column("main_artist", String(255), nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("recording_id", String(36), nullable=False, server_default=""),
)

index_changes = Table(
    "index_changes",
    metadata,
    # The journal of applied repertoire changes; unmatched lines are re-tried from it.
    Column("change_no", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("work_id", String(36), nullable=False),
    Column("change_kind", String(16), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

licences = Table(
    "licences",
    metadata,
    # The licence read model, from the licensing service's lifecycle events.
    Column("licence_id", String(64), primary_key=True),
    Column("licensee_id", String(128), nullable=False, index=True),
    Column("stages", String(64), nullable=False),  # comma-separated stage names
    Column("territories", String(32), nullable=False),  # comma-separated ISO codes
    Column("term_start", Date, nullable=False),
    Column("term_end", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_since", Date, nullable=True),
    Column("output_label", String(64), nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("report_pk", String(36), primary_key=True),
    Column("licensee_id", String(128), nullable=False),
    Column("report_id", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("licence_id", String(64), nullable=False, index=True),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("attribution_provider", String(255), nullable=False),
    Column("format", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("content_sha256", String(64), nullable=False),
    Column("lines_total", BigInteger, nullable=False),
    Column("lines_flagged", BigInteger, nullable=False),
    Column("units_total", BigInteger, nullable=False),
    Column("errors_total", BigInteger, nullable=False),
    # Up to 1000 violations as JSON: shown with the report, never queried.
    Column("errors", Text, nullable=False),
    Column("batch_count", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("status_changed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("licensee_id", "report_id", name="uq_reports_licensee_report_id"),
)
Index("ix_reports_received_at", reports.c.received_at)

report_line_chunks = Table(
    "report_line_chunks",
    metadata,
    # Lines as received, a serialised ReportLineBatch per chunk: a million-line report is a thousand
    # rows, and a page of lines is one or two of them.
    Column("report_pk", String(36), ForeignKey("reports.report_pk"), primary_key=True),
    Column("chunk_no", Integer, primary_key=True),
    Column("first_line", BigInteger, nullable=False),
    Column("last_line", BigInteger, nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

line_flags = Table(
    "line_flags",
    metadata,
    Column("report_pk", String(36), ForeignKey("reports.report_pk"), primary_key=True),
    Column("line_number", BigInteger, primary_key=True),
    Column("flag", String(32), primary_key=True),
)

match_units = Table(
    "match_units",
    metadata,
    Column("report_pk", String(36), ForeignKey("reports.report_pk"), primary_key=True),
    Column("line_number", BigInteger, primary_key=True),
    Column("influence_index", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("work_id", String(36), nullable=False),
    Column("recording_id", String(36), nullable=False),
    Column("method", String(16), nullable=False),
    Column("confidence_bp", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("review_item_id", String(40), nullable=False),
    Column("matched_at", DateTime(timezone=True), nullable=True),
    # Serialised UsageReference: what a re-try matches again.
    Column("reference", LargeBinary, nullable=False),
)
Index("ix_match_units_open", match_units.c.status, match_units.c.report_pk)

review_items = Table(
    "review_items",
    metadata,
    Column("review_item_id", String(40), primary_key=True),
    Column("report_pk", String(36), ForeignKey("reports.report_pk"), nullable=False, index=True),
    Column("line_number", BigInteger, nullable=False),
    Column("influence_index", Integer, nullable=False),
    Column("status", String(24), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    # Serialised ReviewItem (reference, candidates, resolution): read whole, never queried inside.
    Column("document", LargeBinary, nullable=False),
)
Index("ix_review_items_open", review_items.c.status, review_items.c.created_at)

staged_events = Table(
    "staged_events",
    metadata,
    # Events of a report still being received: moved to the outbox when the report is accepted, deleted
    # when it is rejected or the stream breaks off, so settlement never sees part of a report.
    Column("report_pk", String(36), ForeignKey("reports.report_pk"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(128), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("message_key", String(255), nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

request_log = Table(
    "request_log",
    metadata,
    Column("request_id", String(256), primary_key=True),
    Column("operation", String(32), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("result", LargeBinary, nullable=False),
)

messaging = define_messaging_tables(metadata)
