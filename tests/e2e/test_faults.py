"""Faults on the running stack, bounded in time and on loopback only (BRIEF §7.2).

- The broker frozen (SIGSTOP) for a while: writes keep being accepted into the outbox, and once it
  resumes (SIGCONT) every event reaches the consumers; nothing is lost, the lag drains.
- One service's database unavailable: its RPCs answer UNAVAILABLE promptly, the other services keep
  answering, and it recovers by itself when the database is back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import grpc
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from nordclear.gen.common.v1 import identifiers_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as matching_pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as matching_grpc
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as repertoire_pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as repertoire_grpc
from nordclear.platform.domain.identifiers import iswc_check_digit
from nordclear.platform.topology import REPERTOIRE
from nordclear.runtime.credentials import demo_tokens
from nordclear.runtime.stack import EmbeddedStack
from tests.conftest import _create_database, _drop_database
from tests.support.clients import a_work, bearer
from tests.support.polling import eventually

pytestmark = pytest.mark.e2e

StartStack = Callable[..., AbstractAsyncContextManager[EmbeddedStack]]
FROZEN_S = 6.0
WORKS_WHILE_FROZEN = 20
PROMPT_S = 5.0
"""How soon an RPC must answer when its database is gone: well inside any client's deadline."""


def _gauge(metrics_port: int, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        families = text_string_to_metric_families(response.read().decode())
    return sum(sample.value for family in families if family.name == name for sample in family.samples)


def _iswc(number: int) -> str:
    digits = f"{number:09d}"
    return f"T{digits}{iswc_check_digit(digits)}"


async def test_a_frozen_broker_loses_nothing_and_the_lag_drains(start_stack: StartStack) -> None:
    async with start_stack() as stack:
        assert stack.keys is not None
        assert stack.broker.pid is not None
        tokens = demo_tokens(stack.keys)
        async with (
            grpc.aio.insecure_channel(stack.address("repertoire")) as repertoire_channel,
            grpc.aio.insecure_channel(stack.address("matching")) as matching_channel,
        ):
            repertoire = repertoire_grpc.RepertoireServiceStub(repertoire_channel)
            matching = matching_grpc.MatchingServiceStub(matching_channel)

            async def index_status() -> Any:
                return await matching.GetIndexStatus(
                    matching_pb.GetIndexStatusRequest(), metadata=bearer(tokens["ops"])
                )

            before = (await index_status()).works_indexed
            os.kill(stack.broker.pid, signal.SIGSTOP)
            try:
                started_s = time.monotonic()
                for number in range(WORKS_WHILE_FROZEN):
                    await repertoire.RegisterWork(
                        repertoire_pb.RegisterWorkRequest(
                            request_id=str(uuid.uuid4()), work=a_work(f"Frozen {number}", _iswc(900 + number))
                        ),
                        metadata=bearer(tokens["society:TONO"]),
                        timeout=PROMPT_S,
                    )
                accepted_s = time.monotonic() - started_s
                waiting = await eventually(
                    lambda: asyncio.to_thread(
                        _gauge, stack.ports.metrics["repertoire"], "nordclear_outbox_depth"
                    ),
                    lambda depth: depth >= 1,
                    what="the outbox depth gauge to show the events held back",
                    timeout_s=FROZEN_S,
                )
                await asyncio.sleep(max(0.0, FROZEN_S - (time.monotonic() - started_s)))
            finally:
                os.kill(stack.broker.pid, signal.SIGCONT)

            drained = await eventually(
                index_status,
                lambda status: status.works_indexed == before + WORKS_WHILE_FROZEN,
                what="every work registered while the broker was frozen to reach matching",
                timeout_s=60,
            )
            depth_after = await eventually(
                lambda: asyncio.to_thread(
                    _gauge, stack.ports.metrics["repertoire"], "nordclear_outbox_depth"
                ),
                lambda depth: depth == 0,
                what="the repertoire outbox to drain",
                timeout_s=30,
            )

    assert accepted_s < FROZEN_S, "writes are accepted while the broker is frozen, not held up by it"
    assert waiting >= 1, "events wait in the outbox while the broker is frozen"
    assert drained.works_indexed == before + WORKS_WHILE_FROZEN
    assert depth_after == 0


@pytest.mark.postgres
async def test_a_service_without_its_postgres_database_says_unavailable_promptly_and_recovers(
    start_stack: StartStack, postgres_server_url: str
) -> None:
    database_url = await _create_database(postgres_server_url)
    database_name = database_url.rsplit("/", 1)[-1]
    admin = create_async_engine(database_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")

    async def set_connections(allowed: bool) -> None:
        async with admin.connect() as connection:
            await connection.execute(
                text(f'ALTER DATABASE "{database_name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            )
            if not allowed:
                await connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": database_name},
                )

    try:
        async with start_stack({f"{REPERTOIRE.env_prefix}DATABASE_URL": database_url}) as stack:
            assert stack.keys is not None
            tokens = demo_tokens(stack.keys)
            metadata = bearer(tokens["society:STIM"])
            async with (
                grpc.aio.insecure_channel(stack.address("repertoire")) as repertoire_channel,
                grpc.aio.insecure_channel(stack.address("matching")) as matching_channel,
            ):
                repertoire = repertoire_grpc.RepertoireServiceStub(repertoire_channel)
                matching = matching_grpc.MatchingServiceStub(matching_channel)
                registered = await repertoire.RegisterWork(
                    repertoire_pb.RegisterWorkRequest(request_id="before", work=a_work()), metadata=metadata
                )
                get = repertoire_pb.GetWorkRequest(
                    work=identifiers_pb2.WorkRef(work_id=registered.work.work_id)
                )

                await set_connections(False)
                started_s = time.monotonic()
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await repertoire.RegisterWork(
                        repertoire_pb.RegisterWorkRequest(
                            request_id="during", work=a_work("Under vatten", "")
                        ),
                        metadata=metadata,
                        timeout=30,
                    )
                answered_s = time.monotonic() - started_s
                # The other services keep answering meanwhile (this call would raise otherwise).
                during = await matching.GetIndexStatus(
                    matching_pb.GetIndexStatusRequest(), metadata=bearer(tokens["ops"]), timeout=PROMPT_S
                )

                await set_connections(True)
                recovered = await eventually(
                    lambda: repertoire.GetWork(get, metadata=metadata),
                    lambda answer: answer.work.work_id == registered.work.work_id,
                    what="the repertoire to answer again once its database is back",
                    timeout_s=30,
                )
                # The work registered before the outage reaches matching: held in the outbox, not lost.
                indexed = await eventually(
                    lambda: matching.GetIndexStatus(
                        matching_pb.GetIndexStatusRequest(), metadata=bearer(tokens["ops"])
                    ),
                    lambda status: status.works_indexed == 1,
                    what="the work registered before the outage to reach matching",
                    timeout_s=30,
                )
    finally:
        await set_connections(True)
        await admin.dispose()
        await _drop_database(database_url)

    assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
    assert answered_s < PROMPT_S
    assert during.works_indexed in (0, 1)  # Before or after the work's event arrived: both are answers.
    assert recovered.work.title == registered.work.title
    assert indexed.works_indexed == 1
