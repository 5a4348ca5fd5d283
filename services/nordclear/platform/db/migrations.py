"""Alembic migrations per service, run at start before the server accepts calls.

Each service keeps its own ``migrations/`` folder (env.py + versions/) inside its package. The runner
hands Alembic an open connection, so the same code migrates SQLite and PostgreSQL, sync or async.
"""

from __future__ import annotations

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import AsyncEngine


def _upgrade_to_head(connection: Connection, script_location: str) -> None:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade_to_head(engine: AsyncEngine, script_location: str) -> None:
    """Apply every pending migration of the service whose scripts live at ``script_location``.

    ``script_location`` is a package resource spec such as ``nordclear.repertoire:migrations``.
    """
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_to_head, script_location)


def run_migrations_in_env(target_metadata: MetaData) -> None:
    """Body of every service's ``env.py``: migrate on the connection the runner passed in."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations run only through nordclear.platform.db.migrations.upgrade_to_head")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table, PostgreSQL ignores it.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
