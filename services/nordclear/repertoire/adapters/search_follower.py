"""Keeps a replica's search index in step with every replica's writes, from the repertoire's own events.

With several replicas on one PostgreSQL database, a replica's after-commit hook sees only its own writes.
The follower reads the repertoire's events topic, all partitions, with no consumer group (each replica
needs every event; none of them owns a share): it first notes where every partition ends, then rebuilds
the index from the database, then applies every event from the noted positions on. A write committed
before the rebuild read it is in the rebuilt index; a write committed after is published after its
commit, so at or beyond the noted positions. Applying an event twice puts the same state twice.

The embedded default (SQLite, one process, the database's only writer) needs no follower.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.platform.logging import get_logger
from nordclear.platform.rights.translate import work_from_event
from nordclear.repertoire.adapters.search_view import SearchView

log = get_logger(__name__)

RETRY_DELAY_S = 2.0


class SearchFollower:
    """Follows the repertoire's events topic into ``view`` until stopped."""

    def __init__(
        self,
        view: SearchView,
        *,
        topic: str,
        bootstrap_servers: str,
        rebuild: Callable[[], Awaitable[None]],
    ) -> None:
        self._view = view
        self._topic = topic
        self._bootstrap_servers = bootstrap_servers
        self._rebuild = rebuild
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Position, rebuild, follow; a broker outage is waited out, never fatal."""
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap_servers, enable_auto_commit=False, group_id=None
            )
            try:
                await consumer.start()
                await self._position_at_end(consumer)
                await self._rebuild()
                await self._follow(consumer)
            except KafkaError as error:
                log.warning("search follower waiting for kafka", error=str(error))
                await asyncio.sleep(RETRY_DELAY_S)
            finally:
                await consumer.stop()

    async def stop(self) -> None:
        """Ask ``run`` to return."""
        self._stopping.set()

    async def _position_at_end(self, consumer: AIOKafkaConsumer) -> None:
        await consumer.topics()  # Fetches metadata, so the topic's partitions are known.
        numbers = consumer.partitions_for_topic(self._topic) or set()
        if not numbers:
            raise KafkaError(f"topic {self._topic} has no partitions yet")
        partitions = [TopicPartition(self._topic, number) for number in sorted(numbers)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for partition in partitions:
            await consumer.position(partition)  # Resolve the end now, before the rebuild reads.

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batches.values():
                for record in records:
                    self._apply(record.value)

    def _apply(self, value: bytes | None) -> None:
        try:
            envelope = envelope_pb2.EventEnvelope.FromString(value or b"")
            kind = envelope.WhichOneof("payload")
            if kind == "work_deleted":
                self._view.remove(envelope.work_deleted.work_id)
            elif kind in ("work_registered", "work_updated"):
                state = envelope.work_registered if kind == "work_registered" else envelope.work_updated
                self._view.put(work_from_event(state))
        except Exception:  # One bad event must not stop the index following the rest.
            log.exception("search follower skipped an event it could not apply")
