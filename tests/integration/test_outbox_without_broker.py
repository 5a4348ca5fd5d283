"""The outbox decouples writes from the broker: with Kafka down a service still takes writes, and the
events go out once a broker is reachable."""

from __future__ import annotations

import uuid
from datetime import datetime

import grpc
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.broker import EmbeddedBroker
from nordclear.platform.service_runtime import ServiceRuntime
from nordclear.platform.topology import REPERTOIRE, KafkaNames
from nordclear.repertoire import bootstrap
from tests.conftest import DatabaseFactory, Keys, free_port
from tests.support.clients import a_work, bearer
from tests.support.polling import eventually
from tests.support.services import running_service, service_environment

TITLES = ["Första", "Andra", "Tredje"]


async def _published_at(runtime: ServiceRuntime) -> list[datetime | None]:
    outbox = runtime.tables.outbox
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(select(outbox.c.published_at).order_by(outbox.c.sequence_no))
        return [row.published_at for row in rows]


async def test_writes_are_accepted_while_the_broker_is_down_and_published_when_it_is_back(
    new_database: DatabaseFactory, keys: Keys, kafka_namespace: str
) -> None:
    broker = EmbeddedBroker(free_port())  # Not started yet: nothing listens on its port.
    env = service_environment(
        REPERTOIRE,
        database_url=await new_database("repertoire"),
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
    )
    token = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    try:
        async with (
            running_service(REPERTOIRE, bootstrap.build, env) as runtime,
            grpc.aio.insecure_channel(f"127.0.0.1:{runtime.bound_port}") as channel,
        ):
            stub = pb_grpc.RepertoireServiceStub(channel)
            work_ids = []
            for title in TITLES:
                response = await stub.RegisterWork(
                    pb.RegisterWorkRequest(request_id=str(uuid.uuid4()), work=a_work(title, "")),
                    metadata=bearer(token),
                )
                work_ids.append(response.work.work_id)
            assert await _published_at(runtime) == [None, None, None]

            broker.start()
            await broker.wait_ready()
            await eventually(
                lambda: _published_at(runtime),
                lambda rows: all(rows),
                timeout_s=60,
                what="the outbox to drain",
            )

        consumer = AIOKafkaConsumer(
            KafkaNames(kafka_namespace).events_topic(REPERTOIRE),
            bootstrap_servers=broker.bootstrap_servers,
            auto_offset_reset="earliest",
            group_id=f"reader-{uuid.uuid4().hex[:8]}",
        )
        await consumer.start()
        try:
            received: list[envelope_pb2.EventEnvelope] = []
            while len(received) < len(TITLES):
                batches = await consumer.getmany(timeout_ms=10_000)
                assert batches, "the published events are on the topic"
                for records in batches.values():
                    received += [envelope_pb2.EventEnvelope.FromString(r.value) for r in records]
        finally:
            await consumer.stop()
    finally:
        broker.stop()

    assert sorted(e.aggregate_id for e in received) == sorted(work_ids)
    assert {e.work_registered.title for e in received} == set(TITLES)
