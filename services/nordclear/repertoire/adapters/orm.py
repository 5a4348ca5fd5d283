"""The repertoire service's tables. Only this service reads or writes them (BRIEF §6).

A work's current state is one row in ``works`` with its full document (the ``nordclear.repertoire.v1.Work``
message, serialised); every revision ever written stays in ``work_revisions``, so the history is never
updated in place. The identifier tables exist for lookups and uniqueness; they are rewritten with each
revision. The consent register is append-only by construction: entries are inserted, never changed.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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
)

from nordclear.platform.db.messaging_tables import define_messaging_tables

metadata = MetaData()

AUTO_INCREMENT_BIGINT = BigInteger().with_variant(Integer(), "sqlite")
"""SQLite only auto-increments a column declared exactly INTEGER."""

works = Table(
    "works",
    metadata,
    Column("work_id", String(36), primary_key=True),
    Column("title", String(60), nullable=False),
    # Unique: an ISWC identifies one work. NULLs do not collide, so works without one are fine.
    Column("iswc", String(11), nullable=True, unique=True),
    Column("society", String(16), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("document", LargeBinary, nullable=False),
)

work_revisions = Table(
    "work_revisions",
    metadata,
    Column("work_id", String(36), ForeignKey("works.work_id"), primary_key=True),
    Column("revision", Integer, primary_key=True),
    Column("document", LargeBinary, nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

work_society_ids = Table(
    "work_society_ids",
    metadata,
    Column("society_code", String(3), primary_key=True),
    Column("work_code", String(20), primary_key=True),
    Column("work_id", String(36), ForeignKey("works.work_id"), nullable=False, index=True),
)

work_party_ipis = Table(
    "work_party_ipis",
    metadata,
    Column("ipi_name_number", String(11), primary_key=True),
    Column("work_id", String(36), ForeignKey("works.work_id"), primary_key=True),
)

recordings = Table(
    "recordings",
    metadata,
    Column("recording_id", String(36), primary_key=True),
    Column("isrc", String(12), nullable=True, unique=True),
    Column("revision", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("document", LargeBinary, nullable=False),
)

recording_works = Table(
    "recording_works",
    metadata,
    Column("recording_id", String(36), ForeignKey("recordings.recording_id"), primary_key=True),
    Column("work_id", String(36), ForeignKey("works.work_id"), primary_key=True),
    Index("ix_recording_works_work_id", "work_id"),
)

consent_entries = Table(
    "consent_entries",
    metadata,
    Column("sequence_no", AUTO_INCREMENT_BIGINT, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), nullable=False, unique=True),
    # "work:<work_id>" or "performer:<scheme>:<id>:<attribute>": one key to read a subject's history.
    Column("subject_key", String(96), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_until", Date, nullable=True),
    Column("society", String(16), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # The (principal-scoped) request that recorded it: one request may record several stages at once.
    Column("request_id", String(256), nullable=False, index=True),
    Column("document", LargeBinary, nullable=False),
    Index("ix_consent_entries_subject", "subject_key", "stage", "sequence_no"),
)

request_log = Table(
    "request_log",
    metadata,
    # The client-chosen request id (scoped to its principal) and a digest of what it asked, so a retry
    # returns the same answer and a reused id with other content is refused instead of acting twice.
    Column("request_id", String(256), primary_key=True),
    Column("operation", String(32), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("result_id", String(64), nullable=False),
)

cwr_imports = Table(
    "cwr_imports",
    metadata,
    # One row per imported CWR file: what came of it, and the acknowledgement file that answered it.
    Column("import_id", String(32), primary_key=True),
    Column("request_id", String(256), nullable=False, unique=True),
    Column("fingerprint", String(64), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("society", String(16), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    # The ImportCwrResponse message (without the ACK bytes), so a retry answers exactly as the first time.
    Column("response", LargeBinary, nullable=False),
    Column("ack_size_bytes", BigInteger, nullable=False, server_default="0"),
)

cwr_import_ack_chunks = Table(
    "cwr_import_ack_chunks",
    metadata,
    # The acknowledgement file in pieces, stored and sent a piece at a time however large the import.
    Column("import_id", String(32), ForeignKey("cwr_imports.import_id"), primary_key=True),
    Column("chunk_no", Integer, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

messaging = define_messaging_tables(metadata)
