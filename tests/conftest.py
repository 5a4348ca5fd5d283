"""Fixtures shared by every test tier: databases, the Kafka broker, signing keys and free ports.

Databases: every database test runs on SQLite, and on PostgreSQL when ``NORDCLEAR_TEST_POSTGRES_URL``
names a server (CI sets it) or a Docker engine can start one (testcontainers). Each test gets a fresh,
empty PostgreSQL database that is dropped afterwards.

Kafka: ``NORDCLEAR_TEST_KAFKA_BOOTSTRAP`` if set, else Apache Kafka from testcontainers where Docker
runs, else the embedded Tansu broker. Every test uses its own topic namespace, so tests sharing one
broker never read each other's events.

Nothing is skipped silently: a tier that cannot run says why, and with
``NORDCLEAR_REQUIRE_POSTGRES_TESTS=1`` (CI) a missing PostgreSQL fails instead of skipping.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from nordclear.platform.auth import Principal, generate_signing_key, load_private_key, mint_token
from tests.support.docker import docker_available

TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, taken from the folder it lives in."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for tier in TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- PostgreSQL ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server whose user may create databases."""
    configured = os.environ.get("NORDCLEAR_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:15", driver="asyncpg") as container:
            yield container.get_connection_url()
        return
    reason = "no PostgreSQL: set NORDCLEAR_TEST_POSTGRES_URL or provide a Docker engine"
    if os.environ.get("NORDCLEAR_REQUIRE_POSTGRES_TESTS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


async def _create_database(server_url: str) -> str:
    import asyncpg

    name = f"nordclear_test_{uuid.uuid4().hex[:12]}"
    url = make_url(server_url)
    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def _drop_database(database_url: str) -> None:
    import asyncpg

    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    finally:
        await connection.close()


DatabaseFactory = Callable[[str], Awaitable[str]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DatabaseFactory]:
    """Makes fresh, empty databases by name: SQLite files, then (second parameter) PostgreSQL databases."""
    created: list[str] = []

    async def make(name: str) -> str:
        if request.param == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / (name + '.sqlite3')}"
        server_url: str = request.getfixturevalue("postgres_server_url")
        url = await _create_database(server_url)
        created.append(url)
        return url

    yield make
    for url in created:
        await _drop_database(url)


@pytest.fixture
async def database_url(new_database: DatabaseFactory) -> str:
    """One fresh, empty database (SQLite, then PostgreSQL)."""
    return await new_database("test")


# --- Kafka -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kafka_bootstrap_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Kafka-protocol broker for the whole run: configured, testcontainers, or embedded Tansu."""
    configured = os.environ.get("NORDCLEAR_TEST_KAFKA_BOOTSTRAP")
    if configured:
        yield configured
        return
    if docker_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as container:
            yield container.get_bootstrap_server()
        return
    import asyncio

    from nordclear.platform.broker import EmbeddedBroker

    broker = EmbeddedBroker(free_port(), log_file=tmp_path_factory.mktemp("broker") / "tansu.log")
    broker.start()
    try:
        asyncio.run(broker.wait_ready())
        yield broker.bootstrap_servers
    finally:
        broker.stop()


@pytest.fixture
def kafka_namespace() -> str:
    """A topic namespace of this test's own."""
    return f"test-{uuid.uuid4().hex[:10]}."


# --- Tokens ----------------------------------------------------------------------------------------


class Keys:
    """A signing key pair in a temporary folder, and a way to mint tokens with it."""

    def __init__(self, folder: Path) -> None:
        self.private_key_file = folder / "token-signing.pem"
        self.public_key_file = folder / "token-signing.pub.pem"
        generate_signing_key(self.private_key_file, self.public_key_file)

    def token(self, principal: Principal, ttl: timedelta = timedelta(hours=1)) -> str:
        """A valid token for ``principal``."""
        return mint_token(load_private_key(self.private_key_file), principal, ttl)


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    """A fresh token-signing key pair."""
    folder = tmp_path / "keys"
    folder.mkdir()
    return Keys(folder)
