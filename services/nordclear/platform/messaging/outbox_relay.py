"""The outbox relay: publishes a service's outbox rows to Kafka, in order, at least once.

Rows are read in ``sequence_no`` order, sent (the producer keeps per-partition order, and the key is the
aggregate id, so one aggregate's events arrive in the order they were committed), and only after the
broker acknowledged them marked ``published_at``. A crash between the two publishes the rows again on
restart; consumers' inboxes make that harmless.

On PostgreSQL several replicas of a service share one outbox; a session advisory lock makes exactly one
of them the publisher at a time, because two publishers would interleave and break per-key order.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from nordclear.platform import metrics
from nordclear.platform.db.engine import is_sqlite
from nordclear.platform.db.messaging_tables import MessagingTables
from nordclear.platform.logging import get_logger

log = get_logger(__name__)

BATCH_SIZE = 500
DEPTH_INTERVAL_S = 1.0
"""How often the outbox depth and age gauges are refreshed (at least; the poll interval if longer)."""


class OutboxRelay:
    """Publishes unpublished outbox rows until stopped; ``wake`` makes it look at once."""

    def __init__(
        self,
        *,
        service: str,
        engine: AsyncEngine,
        tables: MessagingTables,
        producer: AIOKafkaProducer,
        poll_interval_ms: int,
    ) -> None:
        self._service = service
        self._engine = engine
        self._outbox = tables.outbox
        self._producer = producer
        self._poll_interval_s = poll_interval_ms / 1000
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._lock_connection: AsyncConnection | None = None
        self._lock_key = zlib.crc32(f"nordclear-outbox-{service}".encode())

    def wake(self) -> None:
        """Called after a commit that wrote events, so they go out without waiting for the next poll."""
        self._wakeup.set()

    async def run(self) -> None:
        """Publish until ``stop``; a broker or database outage is logged and retried, never fatal."""
        # Depth is measured on its own clock: a send stuck on a frozen broker must not freeze the gauge
        # that tells operations the outbox is growing.
        watcher = asyncio.create_task(self._watch_depth(), name=f"{self._service}-outbox-depth")
        try:
            while not self._stopping.is_set():
                try:
                    published = await self.publish_batch()
                except Exception:  # The relay must outlive outages of either side; it retries the batch.
                    log.exception("outbox publish failed; retrying", service=self._service)
                    published = 0
                    await self._release_lock()
                if published == 0:
                    await self._sleep()
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            await self._release_lock()

    async def stop(self) -> None:
        """Ask ``run`` to finish after its current batch."""
        self._stopping.set()
        self._wakeup.set()

    async def flush(self, timeout_ms: int) -> int:
        """Publish everything pending (at graceful stop); returns how many rows went out."""
        total = 0
        async with asyncio.timeout(timeout_ms / 1000):
            while (published := await self.publish_batch()) > 0:
                total += published
        await self._release_lock()
        return total

    async def mark_all_unpublished(self) -> None:
        """Queue the whole history again; used when the broker is known to have lost its topics."""
        async with self._engine.begin() as connection:
            await connection.execute(update(self._outbox).values(published_at=None))

    async def publish_batch(self) -> int:
        """Publish the oldest unpublished rows; returns how many were published (0 when idle)."""
        if not await self._is_publisher():
            return 0
        outbox = self._outbox
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(outbox.c.sequence_no, outbox.c.topic, outbox.c.message_key, outbox.c.payload)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.sequence_no)
                    .limit(BATCH_SIZE)
                )
            ).all()
            await connection.rollback()
        if not rows:
            return 0
        deliveries = [
            await self._producer.send(row.topic, value=row.payload, key=row.message_key.encode())
            for row in rows
        ]
        await asyncio.gather(*deliveries)
        async with self._engine.begin() as connection:
            await connection.execute(
                update(outbox)
                .where(outbox.c.sequence_no.in_([row.sequence_no for row in rows]))
                .values(published_at=datetime.now(UTC))
            )
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        return len(rows)

    async def _sleep(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll_interval_s)
        self._wakeup.clear()

    async def _watch_depth(self) -> None:
        while not self._stopping.is_set():
            await self._record_depth()
            await asyncio.sleep(max(self._poll_interval_s, DEPTH_INTERVAL_S))

    async def _record_depth(self) -> None:
        outbox = self._outbox
        try:
            async with self._engine.connect() as connection:
                depth, oldest = (
                    await connection.execute(
                        select(func.count(), func.min(outbox.c.created_at)).where(
                            outbox.c.published_at.is_(None)
                        )
                    )
                ).one()
                await connection.rollback()
        except Exception:  # Metrics must not take the relay down; the publish path logs the outage.
            return
        metrics.OUTBOX_DEPTH.labels(self._service).set(depth)
        age_s = 0.0
        if oldest is not None:
            oldest_utc = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            age_s = (datetime.now(UTC) - oldest_utc).total_seconds()
        metrics.OUTBOX_OLDEST_AGE.labels(self._service).set(age_s)

    async def _is_publisher(self) -> bool:
        if is_sqlite(str(self._engine.url)):
            return True  # One process owns a SQLite file.
        if self._lock_connection is not None:
            return True
        connection = await self._engine.connect()
        acquired = bool(await connection.scalar(select(func.pg_try_advisory_lock(self._lock_key))))
        await connection.commit()
        if not acquired:
            await connection.close()
            return False
        self._lock_connection = connection
        return True

    async def _release_lock(self) -> None:
        if self._lock_connection is not None:
            connection, self._lock_connection = self._lock_connection, None
            try:
                # Unlock explicitly: closing only returns the connection to the pool, session intact.
                await connection.execute(select(func.pg_advisory_unlock(self._lock_key)))
                await connection.commit()
            except Exception:  # A dead connection has already lost the lock with its session.
                log.warning("outbox lock connection was already broken", service=self._service)
            finally:
                await connection.close()
