"""The inbox consumer: applies each event's effect exactly once, on an at-least-once broker.

For every message: decode the envelope; in one transaction, skip it if its event id is already in the
inbox, else apply the handler's effect and insert the inbox row; commit. Kafka offsets are committed only
after that (periodically, at rebalance and at stop), so a crash in between redelivers messages whose
effects are already stored, and the inbox turns them into no-ops.

A message that cannot be handled (not an envelope, an event the handler rejects, or a bug that fails it
three times) is parked on the group's dead-letter topic with the reason and the consumer moves on: one bad
message never blocks its partition and is never dropped. Only an unreachable database or dead-letter
topic stops progress, because then nothing could be handled safely anyway.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from google.protobuf.message import DecodeError
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, OperationalError

from nordclear.gen.events.v1 import dead_letter_pb2, envelope_pb2
from nordclear.platform import metrics
from nordclear.platform.db.unit_of_work import UnitOfWork
from nordclear.platform.errors import NordclearError, Unavailable
from nordclear.platform.logging import get_logger

log = get_logger(__name__)

UowT = TypeVar("UowT", bound=UnitOfWork)
Handler = Callable[[envelope_pb2.EventEnvelope, UowT], Awaitable[None]]

ATTEMPTS_BEFORE_DEAD_LETTER = 3
TRANSIENT_RETRY_DELAY_MS = 1_000


class PoisonMessage(Exception):
    """The message can never be handled; the reason goes to the dead-letter topic."""


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka is untyped
    def __init__(self, owner: InboxConsumer[Any]) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._owner.commit_offsets()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


class InboxConsumer(Generic[UowT]):
    """One consumer group reading ``topics`` and applying ``handler`` through ``uow_factory``."""

    def __init__(
        self,
        *,
        group_id: str,
        topics: list[str],
        bootstrap_servers: str,
        uow_factory: Callable[[], UowT],
        handler: Handler[UowT],
        handled_event_types: frozenset[str],
        dead_letter_producer: AIOKafkaProducer,
        offset_commit_interval_ms: int,
        dead_letter_topic: str,
    ) -> None:
        self.group_id = group_id
        self._dead_letter_topic = dead_letter_topic
        self._topics = topics
        self._uow_factory = uow_factory
        self._handler = handler
        self._handled_event_types = handled_event_types
        self._dead_letters = dead_letter_producer
        self._commit_interval_s = offset_commit_interval_ms / 1000
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            client_id=group_id,
            enable_auto_commit=False,
            # A new group must see events published before it first joined: the read model needs them all.
            auto_offset_reset="earliest",
        )
        self._processed: dict[TopicPartition, int] = {}
        self._positions: dict[TopicPartition, int] = {}
        self._stopping = asyncio.Event()
        self._running = False
        self._behind: int | None = None
        self._last_commit_s = time.monotonic()

    async def start(self) -> None:
        """Join the group; ``run`` then consumes."""
        self._consumer.subscribe(self._topics, listener=_CommitOnRevoke(self))
        await self._consumer.start()

    async def run(self) -> None:
        """Consume until ``stop``; commits the offsets of handled messages before returning."""
        self._running = True
        try:
            while not self._stopping.is_set():
                batches = await self._consumer.getmany(timeout_ms=500, max_records=500)
                for records in batches.values():
                    for record in records:
                        await self._handle(record)
                        partition = TopicPartition(record.topic, record.partition)
                        self._processed[partition] = self._positions[partition] = record.offset + 1
                await self._record_lag()
                if time.monotonic() - self._last_commit_s >= self._commit_interval_s:
                    await self.commit_offsets()
        finally:
            await self.commit_offsets()
            await self._consumer.stop()

    async def stop(self) -> None:
        """Ask ``run`` to return after the message it is handling."""
        self._stopping.set()

    async def close_if_never_run(self) -> None:
        """Close the Kafka client of a consumer stopped before ``run`` began (e.g. while joining).

        ``run`` closes it otherwise; a service stopped during its first seconds would leak connections.
        """
        if not self._running:
            await self._consumer.stop()

    async def commit_offsets(self) -> None:
        """Commit the next offset of every partition handled since the last commit."""
        if self._processed:
            offsets, self._processed = self._processed, {}
            await self._consumer.commit(offsets)
        self._last_commit_s = time.monotonic()

    async def _handle(self, record: ConsumerRecord[bytes, bytes]) -> None:
        started_s = time.perf_counter()
        try:
            envelope = _decode(record)
        except PoisonMessage as poison:
            await self._dead_letter(
                record, str(poison), envelope=None, error_type="PoisonMessage", attempts=1
            )
            return
        if envelope.event_type not in self._handled_event_types:
            # Another consumer's business (topics carry every event of their producer): skip, not park.
            metrics.EVENTS_HANDLED.labels(self.group_id, envelope.event_type, "ignored").inc()
            return
        if envelope.WhichOneof("payload") is None:
            reason = (
                f"event {envelope.event_id} of type {envelope.event_type} has no payload this consumer knows"
            )
            await self._dead_letter(record, reason, envelope=envelope, error_type="PoisonMessage", attempts=1)
            return
        with structlog.contextvars.bound_contextvars(
            event_id=envelope.event_id, event_type=envelope.event_type, consumer_group=self.group_id
        ):
            outcome = await self._apply_with_retries(record, envelope)
            if outcome != "dead_lettered":  # _dead_letter counted it already.
                metrics.EVENTS_HANDLED.labels(self.group_id, envelope.event_type, outcome).inc()
            log.info(
                "event handled",
                outcome=outcome,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                duration_ms=round((time.perf_counter() - started_s) * 1000, 3),
            )

    async def _apply_with_retries(
        self, record: ConsumerRecord[bytes, bytes], envelope: envelope_pb2.EventEnvelope
    ) -> str:
        failures = 0
        while True:
            try:
                return await self._apply_once(record, envelope)
            except (Unavailable, OperationalError, DBAPIError) as error:
                # The database is down: every message would fail the same way, so wait rather than park.
                log.warning("event store unavailable; retrying", error=str(error))
                await asyncio.sleep(TRANSIENT_RETRY_DELAY_MS / 1000)
            except NordclearError as error:
                await self._dead_letter(
                    record,
                    f"rejected: {error}",
                    envelope=envelope,
                    error_type=type(error).__name__,
                    attempts=1,
                )
                return "dead_lettered"
            except Exception as error:  # A bug; retried a few times in case it is a race, then parked.
                failures += 1
                log.exception("event handler failed", attempt=failures)
                if failures >= ATTEMPTS_BEFORE_DEAD_LETTER:
                    reason = f"handler failed {failures} times: {type(error).__name__}: {error}"
                    await self._dead_letter(
                        record, reason, envelope=envelope, error_type=type(error).__name__, attempts=failures
                    )
                    return "dead_lettered"

    async def _apply_once(
        self, record: ConsumerRecord[bytes, bytes], envelope: envelope_pb2.EventEnvelope
    ) -> str:
        async with self._uow_factory() as uow:
            inbox = uow.tables.inbox
            seen = await uow.session.scalar(
                select(inbox.c.event_id).where(
                    inbox.c.consumer_group == self.group_id, inbox.c.event_id == envelope.event_id
                )
            )
            if seen is not None:
                return "duplicate"
            await self._handler(envelope, uow)
            await uow.session.execute(
                insert(inbox).values(
                    consumer_group=self.group_id,
                    event_id=envelope.event_id,
                    event_type=envelope.event_type,
                    topic=record.topic,
                    partition=record.partition,
                    kafka_offset=record.offset,
                    handled_at=datetime.now(UTC),
                )
            )
            await uow.commit()
        return "applied"

    async def _dead_letter(
        self,
        record: ConsumerRecord[bytes, bytes],
        reason: str,
        *,
        envelope: envelope_pb2.EventEnvelope | None,
        error_type: str,
        attempts: int,
    ) -> None:
        letter = dead_letter_pb2.DeadLetter(
            original_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key or b"",
            value=record.value or b"",
            reason=reason,
            consumer_group=self.group_id,
            event_id=envelope.event_id if envelope else "",
            event_type=envelope.event_type if envelope else "",
            error_type=error_type,
            attempts=attempts,
            headers=[dead_letter_pb2.DeadLetterHeader(key=k, value=v) for k, v in record.headers or ()],
        )
        letter.failed_at.FromDatetime(datetime.now(UTC))
        while True:
            try:
                await self._dead_letters.send_and_wait(
                    self._dead_letter_topic, value=letter.SerializeToString(), key=record.key
                )
                break
            except Exception:  # Parking must succeed before the offset moves past the message.
                log.exception("dead-letter publish failed; retrying")
                await asyncio.sleep(TRANSIENT_RETRY_DELAY_MS / 1000)
        metrics.DEAD_LETTERS.labels(self.group_id).inc()
        event_type = envelope.event_type if envelope else "undecodable"
        metrics.EVENTS_HANDLED.labels(self.group_id, event_type, "dead_lettered").inc()
        log.warning("event dead-lettered", reason=reason, topic=record.topic, offset=record.offset)

    @property
    def behind(self) -> int | None:
        """Messages on its topics this consumer had yet to handle at its last fetch; None before it knew.

        None until it has joined, been given its partitions and fetched from each of them once, and
        whenever it is not running: a caller wanting current read models treats None as "not yet".
        """
        return self._behind if self._running else None

    async def _record_lag(self) -> None:
        assignment = self._consumer.assignment()
        ends = {partition: self._consumer.highwater(partition) for partition in assignment}
        unknown = [partition for partition, end in ends.items() if end is None]
        if unknown:
            # A partition nothing was fetched from (empty, say) has no highwater yet: ask for its end.
            ends.update(await self._consumer.end_offsets(unknown))
        total = 0
        for partition, end in ends.items():
            if end is None:
                continue
            position = self._positions.get(partition)
            if position is None:
                position = await self._consumer.position(partition)
            lag = max(0, end - position)
            total += lag
            metrics.CONSUMER_LAG.labels(self.group_id, partition.topic, str(partition.partition)).set(lag)
        known = bool(assignment) and all(end is not None for end in ends.values())
        self._behind = total if known else None


def _decode(record: ConsumerRecord[bytes, bytes]) -> envelope_pb2.EventEnvelope:
    if record.value is None:
        raise PoisonMessage("message has no value (tombstone); expected an EventEnvelope")
    try:
        envelope = envelope_pb2.EventEnvelope.FromString(record.value)
    except DecodeError as error:
        raise PoisonMessage(f"value is not a nordclear.events.v1.EventEnvelope: {error}") from None
    if not envelope.event_id:
        raise PoisonMessage("envelope has no event_id, so it cannot be deduplicated")
    return envelope
