"""The matching service's tables. Only this service reads or writes them (BRIEF §6)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text

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
)

indexed_recordings = Table(
    "indexed_recordings",
    metadata,
    Column("isrc", String(12), primary_key=True),
    Column("work_id", String(36), ForeignKey("indexed_works.work_id"), nullable=False, index=True),
    Column("title", String(255), nullable=False),
    Column("main_artist", String(255), nullable=False),
    Column("duration_ms", Integer, nullable=False),
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

messaging = define_messaging_tables(metadata)
