"""Fixtures of the integration tier: one service in-process, served on a free port, with a channel to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import grpc
import pytest

from nordclear.platform.service_runtime import ServiceRuntime
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import ServiceSpec
from tests.conftest import DatabaseFactory, Keys
from tests.support.services import running_service, service_environment

Serve = Callable[..., AbstractAsyncContextManager[grpc.aio.Channel]]


@pytest.fixture
def serve(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> Serve:
    """``async with serve(SPEC, build) as channel``: the service on the test's database, broker and keys.

    Pass ``database_url`` to start a service on a database an earlier one used (a restart).
    """

    @asynccontextmanager
    async def run(
        spec: ServiceSpec,
        build: Callable[[ServiceSettings], ServiceRuntime],
        database_url: str | None = None,
    ) -> AsyncIterator[grpc.aio.Channel]:
        env = service_environment(
            spec,
            database_url=database_url or await new_database(spec.name),
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_namespace=kafka_namespace,
            public_key_file=keys.public_key_file,
        )
        async with (
            running_service(spec, build, env) as runtime,
            grpc.aio.insecure_channel(f"127.0.0.1:{runtime.bound_port}") as channel,
        ):
            yield channel

    return run
