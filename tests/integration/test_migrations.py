"""Every service's migrations build exactly the schema its code declares, on SQLite and PostgreSQL.

If a table is changed in ``adapters/orm.py`` without a migration (or the other way round), Alembic's
comparison finds the difference and this test names it.
"""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect

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
