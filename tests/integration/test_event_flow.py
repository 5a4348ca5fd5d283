"""An event from one service's outbox, through Kafka, into another service's inbox — on SQLite and PostgreSQL.

The repertoire registers a work over real gRPC; its outbox relay publishes WorkRegistered to a real
broker; the matching service's inbox consumer applies it to its read model exactly once, even when the
broker delivers it again, and parks an undecodable message on the dead-letter topic without stopping.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from nordclear.gen.events.v1 import dead_letter_pb2, envelope_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as matching_pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as matching_grpc
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as repertoire_pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as repertoire_grpc
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.matching import bootstrap as matching_bootstrap
from nordclear.platform import metrics
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.service_runtime import ServiceRuntime
from nordclear.platform.topology import MATCHING, REPERTOIRE, KafkaNames
from nordclear.repertoire import bootstrap as repertoire_bootstrap
from tests.conftest import DatabaseFactory, Keys
from tests.support.clients import a_work, bearer
from tests.support.polling import eventually
from tests.support.services import running_service, service_environment


@dataclass
class Pair:
    """Repertoire and matching running in-process, with clients and tokens."""

    repertoire: ServiceRuntime
    matching: ServiceRuntime
    repertoire_stub: repertoire_grpc.RepertoireServiceAsyncStub
    matching_stub: matching_grpc.MatchingServiceAsyncStub
    society_token: str
    ops_token: str
    names: KafkaNames
    bootstrap_servers: str

    async def index_status(self) -> matching_pb.GetIndexStatusResponse:
        response: matching_pb.GetIndexStatusResponse = await self.matching_stub.GetIndexStatus(
            matching_pb.GetIndexStatusRequest(), metadata=bearer(self.ops_token)
        )
        return response


@pytest.fixture
async def pair(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[Pair]:
    def environment(spec_name: str, database_url: str) -> dict[str, str]:
        spec = {"repertoire": REPERTOIRE, "matching": MATCHING}[spec_name]
        return service_environment(
            spec,
            database_url=database_url,
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_namespace=kafka_namespace,
            public_key_file=keys.public_key_file,
        )

    repertoire_env = environment("repertoire", await new_database("repertoire"))
    matching_env = environment("matching", await new_database("matching"))
    async with (
        running_service(REPERTOIRE, repertoire_bootstrap.build, repertoire_env) as repertoire,
        running_service(MATCHING, matching_bootstrap.build, matching_env) as matching,
        grpc.aio.insecure_channel(f"127.0.0.1:{repertoire.bound_port}") as repertoire_channel,
        grpc.aio.insecure_channel(f"127.0.0.1:{matching.bound_port}") as matching_channel,
    ):
        yield Pair(
            repertoire=repertoire,
            matching=matching,
            repertoire_stub=repertoire_grpc.RepertoireServiceStub(repertoire_channel),
            matching_stub=matching_grpc.MatchingServiceStub(matching_channel),
            society_token=keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM")),
            ops_token=keys.token(principal_for(PrincipalKind.OPS)),
            names=KafkaNames(kafka_namespace),
            bootstrap_servers=kafka_bootstrap_servers,
        )


async def _register(pair: Pair, title: str, iswc: str) -> repertoire_pb.RegisterWorkResponse:
    response: repertoire_pb.RegisterWorkResponse = await pair.repertoire_stub.RegisterWork(
        repertoire_pb.RegisterWorkRequest(request_id=str(uuid.uuid4()), work=a_work(title, iswc)),
        metadata=bearer(pair.society_token),
    )
    return response


async def _outbox_rows(runtime: ServiceRuntime) -> list[tuple[str, bytes, object]]:
    outbox = runtime.tables.outbox
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            select(outbox.c.message_key, outbox.c.payload, outbox.c.published_at).order_by(
                outbox.c.sequence_no
            )
        )
        return [(row.message_key, row.payload, row.published_at) for row in rows]


async def _inbox_count(runtime: ServiceRuntime) -> int:
    async with runtime.engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(runtime.tables.inbox))
        return int(count or 0)


async def test_registered_work_reaches_the_matching_read_model(pair: Pair) -> None:
    registered = await _register(pair, "Vem kan segla förutan vind", "T0700000049")

    status = await eventually(
        pair.index_status, lambda s: s.changes_applied == 1, what="the work in matching"
    )

    assert status.works_indexed == 1
    rows = await _outbox_rows(pair.repertoire)
    assert len(rows) == 1
    key, payload, published_at = rows[0]
    assert key == registered.work.work_id
    assert published_at is not None, "the relay marks a row published once the broker acknowledged it"
    envelope = envelope_pb2.EventEnvelope.FromString(payload)
    assert envelope.event_type == "nordclear.events.v1.WorkRegistered"
    assert envelope.work_registered.title == "Vem kan segla förutan vind"
    assert envelope.work_registered.creators[0].ipi_name_number == "00014107338"
    assert await _inbox_count(pair.matching) == 1


async def test_a_redelivered_event_changes_nothing(pair: Pair) -> None:
    await _register(pair, "Calle Schewens vals", "T0700000049")
    await eventually(pair.index_status, lambda s: s.changes_applied == 1, what="the first delivery")
    group = pair.names.consumer_group(MATCHING, REPERTOIRE)
    duplicates = metrics.EVENTS_HANDLED.labels(group, "nordclear.events.v1.WorkRegistered", "duplicate")
    duplicates_before = duplicates._value.get()

    # The broker delivers the very same record twice more (as after a crash before the offset commit).
    key, payload, _ = (await _outbox_rows(pair.repertoire))[0]
    producer = AIOKafkaProducer(bootstrap_servers=pair.bootstrap_servers)
    await producer.start()
    try:
        for _ in range(2):
            await producer.send_and_wait(pair.names.events_topic(REPERTOIRE), value=payload, key=key.encode())
    finally:
        await producer.stop()
    await eventually(
        lambda: _async_value(duplicates._value.get()),
        lambda seen: seen >= duplicates_before + 2,
        what="both copies to be consumed",
    )

    status = await pair.index_status()
    assert status.changes_applied == 1
    assert status.works_indexed == 1
    assert await _inbox_count(pair.matching) == 1


async def test_a_poison_message_is_dead_lettered_and_does_not_block_its_partition(pair: Pair) -> None:
    topic = pair.names.events_topic(REPERTOIRE)
    producer = AIOKafkaProducer(bootstrap_servers=pair.bootstrap_servers)
    await producer.start()
    try:
        # Same key as the work registered next, so both land on one partition, poison first.
        await producer.send_and_wait(topic, value=b"\xff\x00 not protobuf", key=b"same-key")
    finally:
        await producer.stop()

    await _register(pair, "Visa från Utanmyra", "T0700000049")
    await eventually(
        pair.index_status, lambda s: s.changes_applied == 1, what="the valid event after the poison"
    )

    group = pair.names.consumer_group(MATCHING, REPERTOIRE)
    consumer = AIOKafkaConsumer(
        pair.names.dead_letter_topic(group),
        bootstrap_servers=pair.bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=f"test-reader-{uuid.uuid4().hex[:8]}",
    )
    await consumer.start()
    try:
        record = await consumer.getone()
    finally:
        await consumer.stop()
    letter = dead_letter_pb2.DeadLetter.FromString(record.value)
    assert letter.original_topic == topic
    assert letter.value == b"\xff\x00 not protobuf"
    assert letter.consumer_group == group
    assert "not a nordclear.events.v1.EventEnvelope" in letter.reason
    assert letter.error_type == "PoisonMessage"


async def _async_value(value: float) -> float:
    return value


async def test_updates_and_deletions_reach_the_read_model_in_order(pair: Pair) -> None:
    registered = (await _register(pair, "Balladen om briggen Blue Bird", "T0700000049")).work
    changed = work_pb2.Work()
    changed.CopyFrom(registered)
    changed.title = "Balladen om briggen Blue Bird av Hull"
    for name in ("revision", "created_at", "updated_at"):
        changed.ClearField(name)
    await pair.repertoire_stub.UpdateWork(
        repertoire_pb.UpdateWorkRequest(request_id="update-1", work=changed),
        metadata=bearer(pair.society_token),
    )
    await eventually(pair.index_status, lambda s: s.changes_applied == 2, what="the update in matching")

    await pair.repertoire_stub.DeleteWork(
        repertoire_pb.DeleteWorkRequest(
            request_id="delete-1", work_id=registered.work_id, reason="duplicate"
        ),
        metadata=bearer(pair.society_token),
    )
    status = await eventually(pair.index_status, lambda s: s.changes_applied == 3, what="the deletion")

    assert status.works_indexed == 0
    event_types = [
        envelope_pb2.EventEnvelope.FromString(payload).event_type
        for _, payload, _ in await _outbox_rows(pair.repertoire)
    ]
    assert event_types == [
        "nordclear.events.v1.WorkRegistered",
        "nordclear.events.v1.WorkUpdated",
        "nordclear.events.v1.WorkDeleted",
    ]


async def test_a_linked_recording_reaches_the_read_model_and_survives_a_work_update(pair: Pair) -> None:
    registered = (await _register(pair, "Dansen på Sunnanö", "T0700000049")).work
    recording = work_pb2.Recording(
        isrc="SE-ABC-26-00042", title="Dansen på Sunnanö", main_artist="Evert Taube"
    )
    recording.work_ids.append(registered.work_id)
    await pair.repertoire_stub.RegisterRecording(
        repertoire_pb.RegisterRecordingRequest(request_id="rec-1", recording=recording),
        metadata=bearer(pair.society_token),
    )
    await eventually(pair.index_status, lambda s: s.recordings_indexed == 1, what="the recording in matching")

    changed = work_pb2.Work()
    changed.CopyFrom(registered)
    changed.title = "Dansen på Sunnanö (vals)"
    for name in ("revision", "created_at", "updated_at"):
        changed.ClearField(name)
    await pair.repertoire_stub.UpdateWork(
        repertoire_pb.UpdateWorkRequest(request_id="update-1", work=changed),
        metadata=bearer(pair.society_token),
    )
    status = await eventually(pair.index_status, lambda s: s.changes_applied == 3, what="the work update")

    assert status.recordings_indexed == 1
    assert status.works_indexed == 1
