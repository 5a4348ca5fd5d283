"""Async SQLAlchemy engines for SQLite (the embedded default) and PostgreSQL, from the same code.

SQLite allows one writer at a time. A deferred transaction that reads and then writes can fail at once
with "database is locked" when another writer got there first, instead of waiting; so every SQLite
transaction of a writing engine begins IMMEDIATE and waits (busy timeout) for the write lock. Reads go
through a second, read-only engine whose transactions begin DEFERRED: with WAL they never wait for a
writer and never make one wait, so lookups run in parallel with imports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str) -> bool:
    """True for a SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False, read_only: bool = False) -> AsyncEngine:
    """An engine for ``url``, creating a SQLite file's folder when needed.

    ``read_only`` engines are for queries: on SQLite their transactions neither take nor wait for the
    write lock (and the connection refuses writes); on PostgreSQL they are ordinary engines.
    """
    if not is_sqlite(url):
        return create_async_engine(url, echo=echo, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    _configure_sqlite(engine, begin="BEGIN" if read_only else "BEGIN IMMEDIATE", read_only=read_only)
    return engine


def _configure_sqlite(engine: AsyncEngine, *, begin: str, read_only: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that _on_begin decides how to begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)
