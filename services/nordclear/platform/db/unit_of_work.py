"""The unit of work: one database transaction, and the events it causes, committed together.

Service layers change state through a unit of work and ``record`` the domain events that change causes.
At commit the service's translator turns each into a protobuf envelope for its topic, and they become
outbox rows in the same transaction: either the change and its events are stored, or neither is; the
relay publishes them afterwards. Each service subclasses this to add its repositories.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.platform.db.messaging_tables import MessagingTables

Published = tuple[str, envelope_pb2.EventEnvelope]
"""An event as it goes to Kafka: its topic and its envelope."""

EventTranslator = Callable[[object], Sequence[Published]]
"""Turns one domain event into what is published for it (a service's adapter provides it)."""


def _no_translator(event: object) -> Sequence[Published]:
    raise TypeError(f"this unit of work cannot publish {type(event).__name__}: no event translator given")


class UnitOfWork:
    """One transaction: ``async with uow: …; await uow.commit()``; leaving without commit rolls back."""

    session: AsyncSession

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        tables: MessagingTables,
        on_commit: Callable[[], None] = lambda: None,
        translate: EventTranslator = _no_translator,
        on_committed: Callable[[Sequence[object]], None] = lambda events: None,
    ) -> None:
        self._session_factory = session_factory
        self._tables = tables
        self._on_commit = on_commit
        self._translate = translate
        self._on_committed = on_committed
        self._pending: list[Published] = []
        self._recorded: list[object] = []

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        self._pending = []
        self._recorded = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.session.rollback()
        await self.session.close()

    def record(self, event: object) -> None:
        """Queue a domain event; it is translated now and written to the outbox by ``commit``."""
        for topic, envelope in self._translate(event):
            self.emit(topic, envelope)
        self._recorded.append(event)

    def emit(self, topic: str, envelope: envelope_pb2.EventEnvelope) -> None:
        """Queue ``envelope`` for ``topic``; it is written to the outbox by ``commit``, not before."""
        if not envelope.event_id or not envelope.aggregate_id:
            # A programmer error: every envelope comes from messaging.envelope.new_envelope.
            raise ValueError("an event needs an event_id and an aggregate_id")
        self._pending.append((topic, envelope))

    async def commit(self) -> None:
        """Write the queued events to the outbox and commit them with the state change."""
        if self._pending:
            now = datetime.now(UTC)
            await self.session.execute(
                insert(self._tables.outbox),
                [
                    {
                        "event_id": envelope.event_id,
                        "event_type": envelope.event_type,
                        "topic": topic,
                        "message_key": envelope.aggregate_id,
                        "payload": envelope.SerializeToString(deterministic=True),
                        "created_at": now,
                    }
                    for topic, envelope in self._pending
                ],
            )
        await self.session.commit()
        had_events = bool(self._pending)
        recorded, self._recorded = self._recorded, []
        self._pending = []
        if had_events:
            self._on_commit()
        if recorded:
            # In-process views (a search index) follow committed changes only, never rolled-back ones.
            self._on_committed(recorded)

    @property
    def tables(self) -> MessagingTables:
        """The service's messaging tables (the inbox consumer records handled events through these)."""
        return self._tables
