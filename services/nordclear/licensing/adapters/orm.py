"""The licensing service's tables. Only this service reads or writes them (BRIEF §6).

Aggregates are stored as their serialised contract message (``body``) beside the columns lists filter
and sort on, so a read is one row and one decode, and the stored form is the published one.

licensees, applications, quotes, licences: the aggregates. Licences keep their signed document and
signature exactly as issued; their status history grows inside ``body``.
tariffs: every published tariff version, never updated (tariffs are data, BRIEF §4).
signing_keys: every public key that ever signed a licence, so documents stay verifiable after a key
is replaced.
licence_numbers: the next licence number per year (``NC-2026-000001``), taken under a row lock.
request_log: client-chosen request ids and what they did (idempotency).
work_keys: ISWCs and society work ids → work ids, fed by the same events, so coverage can be asked by them.
rights_*: the repertoire's works, recordings and consents, fed by its events (coverage and pricing).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

from nordclear.platform.db.messaging_tables import define_messaging_tables
from nordclear.platform.rights import define_rights_tables

metadata = MetaData()
messaging = define_messaging_tables(metadata)
rights = define_rights_tables(metadata)

licensees = Table(
    "licensees",
    metadata,
    Column("licensee_id", String(64), primary_key=True),
    Column("legal_name", String(200), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("body", LargeBinary, nullable=False),
)

applications = Table(
    "applications",
    metadata,
    Column("application_id", String(64), primary_key=True),
    Column("licensee_id", String(64), nullable=False, index=True),
    Column("hub_society", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("body", LargeBinary, nullable=False),
)
Index("ix_applications_submitted", applications.c.submitted_at, applications.c.application_id)

quotes = Table(
    "quotes",
    metadata,
    Column("quote_id", String(64), primary_key=True),
    Column("application_id", String(64), nullable=False, index=True),
    Column("body", LargeBinary, nullable=False),
)

licences = Table(
    "licences",
    metadata,
    Column("licence_id", String(32), primary_key=True),
    Column("application_id", String(64), nullable=False, unique=True),
    Column("licensee_id", String(64), nullable=False, index=True),
    Column("hub_society", String(16), nullable=False),
    # Space-separated, with a leading and trailing space, so a filter is one LIKE ' STIM '.
    Column("societies", String(64), nullable=False),
    Column("stages", String(64), nullable=False),
    Column("territories", String(32), nullable=False),
    Column("model_key", String(420), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("term_end", Date, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("document", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("key_id", String(64), nullable=False),
)
Index("ix_licences_issued", licences.c.issued_at, licences.c.licence_id)

tariffs = Table(
    "tariffs",
    metadata,
    Column("tariff_id", String(64), primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("society", String(16), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("body", LargeBinary, nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("public_key_pem", String(512), nullable=False),
    Column("first_used_at", DateTime(timezone=True), nullable=False),
)

licence_numbers = Table(
    "licence_numbers",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("next_number", BigInteger, nullable=False),
)

work_keys = Table(
    "work_keys",
    metadata,
    # The identifiers a licensee may name a work by, from the repertoire's work events: "iswc" with the
    # stored ISWC, "society_work_id" with "<CISAC code>:<work code>". The rights view has none of them.
    Column("key_kind", String(16), primary_key=True),
    Column("key_value", String(128), primary_key=True),
    Column("work_id", String(36), primary_key=True),
)
Index("ix_work_keys_work", work_keys.c.work_id)

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
