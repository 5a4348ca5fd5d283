"""The repertoire service's tables. Only this service reads or writes them (BRIEF §6)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table

from nordclear.platform.db.messaging_tables import define_messaging_tables

metadata = MetaData()

works = Table(
    "works",
    metadata,
    Column("work_id", String(36), primary_key=True),
    Column("title", String(60), nullable=False),
    # Unique: an ISWC identifies one work. NULLs do not collide, so works without one are fine.
    Column("iswc", String(11), nullable=True, unique=True),
    Column("society", String(16), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)

work_creators = Table(
    "work_creators",
    metadata,
    Column("work_id", String(36), ForeignKey("works.work_id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("last_name", String(45), nullable=False),
    Column("first_name", String(30), nullable=False),
    Column("role", String(2), nullable=False),
    Column("ipi_name_number", String(11), nullable=True),
)

work_requests = Table(
    "work_requests",
    metadata,
    # The client-chosen request id and a digest of what it asked, so a retry returns the same work and a
    # reused id with other content is refused instead of registering a second work.
    Column("request_id", String(128), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("work_id", String(36), ForeignKey("works.work_id"), nullable=False),
)

messaging = define_messaging_tables(metadata)
