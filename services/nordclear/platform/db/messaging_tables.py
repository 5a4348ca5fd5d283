"""The outbox and inbox tables that every service's schema contains.

outbox_events: events written in the same transaction as the state change that caused them, published
by the relay in ``sequence_no`` order and then marked with ``published_at``. Rows are kept after
publishing: they are the service's own event history and let a fresh broker be refilled.

inbox_events: one row per (consumer group, event id) handled. It is written in the same transaction as
the event's effect, so a redelivered event finds its row and changes nothing: exactly-once effect on an
at-least-once broker.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.operations import Operations
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)


def _outbox_columns() -> list[Column[object]]:
    return [
        # BigInteger().with_variant: SQLite only auto-increments a column declared exactly INTEGER.
        Column(
            "sequence_no",
            BigInteger().with_variant(Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(128), nullable=False),
        Column("topic", String(255), nullable=False),
        Column("message_key", String(255), nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
    ]


def _inbox_columns() -> list[Column[object]]:
    return [
        Column("consumer_group", String(255), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(128), nullable=False),
        Column("topic", String(255), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("kafka_offset", BigInteger, nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False),
    ]


@dataclass(frozen=True, slots=True)
class MessagingTables:
    """The two messaging tables of one service's schema."""

    outbox: Table
    inbox: Table


def define_messaging_tables(metadata: MetaData) -> MessagingTables:
    """Add ``outbox_events`` and ``inbox_events`` to a service's metadata."""
    outbox = Table("outbox_events", metadata, *_outbox_columns())
    Index("ix_outbox_events_unpublished", outbox.c.published_at, outbox.c.sequence_no)
    inbox = Table("inbox_events", metadata, *_inbox_columns())
    return MessagingTables(outbox=outbox, inbox=inbox)


def create_messaging_tables_v1(op: Operations) -> None:
    """Create both tables as of schema version 1; called by each service's first migration.

    Versioned by name because a migration must keep doing what it did when it was written: a later
    change to these tables gets a ``…_v2`` helper and a new migration in every service.
    """
    op.create_table("outbox_events", *_outbox_columns())
    op.create_index("ix_outbox_events_unpublished", "outbox_events", ["published_at", "sequence_no"])
    op.create_table("inbox_events", *_inbox_columns())
