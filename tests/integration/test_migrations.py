"""Every service's migrations build exactly the schema its code declares, on SQLite and PostgreSQL.

If a table is changed in ``adapters/orm.py`` without a migration (or the other way round), Alembic's
comparison finds the difference and this test names it.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect, text

from nordclear.platform.db.engine import create_engine
from nordclear.platform.db.migrations import upgrade_to_head
from nordclear.platform.topology import SERVICES
from tests.conftest import DatabaseFactory


def _differences(connection: Connection, metadata: MetaData) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


@pytest.mark.parametrize("service", [spec.name for spec in SERVICES])
async def test_migrations_match_the_declared_schema(service: str, new_database: DatabaseFactory) -> None:
    metadata: MetaData = importlib.import_module(f"nordclear.{service}.adapters.orm").metadata
    engine = create_engine(await new_database(service))
    try:
        await upgrade_to_head(engine, f"nordclear.{service}:migrations")
        await upgrade_to_head(engine, f"nordclear.{service}:migrations")  # A second start changes nothing.
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences, metadata)
            tables = await connection.run_sync(_tables)
    finally:
        await engine.dispose()
    assert differences == []
    assert {"outbox_events", "inbox_events", "alembic_version"} <= tables


def _upgrade_to(connection: Connection, script_location: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_acknowledgements_stored_whole_survive_the_move_to_chunks(
    new_database: DatabaseFactory,
) -> None:
    engine = create_engine(await new_database("repertoire"))
    ack = b"HDR...\r\nTRL...\r\n"
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "nordclear.repertoire:migrations", "0003")
            await connection.execute(
                text(
                    "INSERT INTO cwr_imports (import_id, request_id, fingerprint, file_name, society, "
                    "imported_at, response, ack_file) VALUES ('imp-1', 'req-1', 'f', 'a.V21', 'stim', "
                    ":at, :response, :ack)"
                ),
                {"at": datetime(2026, 1, 1, tzinfo=UTC), "response": b"", "ack": ack},
            )
        await upgrade_to_head(engine, "nordclear.repertoire:migrations")
        async with engine.connect() as connection:
            size = (await connection.execute(text("SELECT ack_size_bytes FROM cwr_imports"))).scalar_one()
            chunks = (
                await connection.execute(text("SELECT chunk_no, data FROM cwr_import_ack_chunks"))
            ).all()
    finally:
        await engine.dispose()
    assert size == len(ack)
    assert [(row.chunk_no, bytes(row.data)) for row in chunks] == [(0, ack)]
