"""The rights read model's tables, added to a consuming service's own schema.

rights_works: the latest state of each work as its last event carried it (the serialised
``WorkRegistered``), with the revision that guards against applying an older event after a newer one.
rights_recordings: recordings and the works they embody, to resolve a recording to its works.
rights_consents: the work consent register, one row per entry, never updated (BRIEF §3.4).
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.operations import Operations
from sqlalchemy import BigInteger, Boolean, Column, DateTime, LargeBinary, MetaData, String, Table, Text


def _work_columns() -> list[Column[object]]:
    return [
        Column("work_id", String(36), primary_key=True),
        Column("revision", BigInteger, nullable=False),
        Column("deleted", Boolean, nullable=False),
        # None only for a work deleted before this view saw it registered.
        Column("document", LargeBinary, nullable=True),
    ]


def _recording_columns() -> list[Column[object]]:
    return [
        Column("recording_id", String(36), primary_key=True),
        Column("isrc", String(12), nullable=True, index=True),
        Column("revision", BigInteger, nullable=False),
        # Work ids joined by spaces: always read whole, never queried by part.
        Column("work_ids", Text, nullable=False),
    ]


def _consent_columns() -> list[Column[object]]:
    return [
        Column("consent_id", String(64), primary_key=True),
        Column("work_id", String(36), nullable=False, index=True),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
        # The entry as a serialised ``repertoire.v1.Consent``, read back with the repertoire's own codec.
        Column("document", LargeBinary, nullable=False),
    ]


@dataclass(frozen=True, slots=True)
class RightsTables:
    """The three tables, as bound to one service's metadata."""

    works: Table
    recordings: Table
    consents: Table


def define_rights_tables(metadata: MetaData) -> RightsTables:
    """Add the rights tables to a service's metadata (its ``adapters/orm.py``)."""
    return RightsTables(
        works=Table("rights_works", metadata, *_work_columns()),
        recordings=Table("rights_recordings", metadata, *_recording_columns()),
        consents=Table("rights_consents", metadata, *_consent_columns()),
    )


def create_rights_tables_v1(op: Operations) -> None:
    """Create the rights tables from a service's Alembic migration (same columns as the metadata)."""
    op.create_table("rights_works", *_work_columns())
    op.create_table("rights_recordings", *_recording_columns())
    op.create_table("rights_consents", *_consent_columns())
