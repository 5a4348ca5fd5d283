"""Keeping the repertoire read model current, and reporting on it."""

from __future__ import annotations

from datetime import datetime

from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.read_model import ChangeKind, IndexedWork, IndexStatus


async def index_work(
    uow: MatchingUnitOfWork, work: IndexedWork, event_id: str, occurred_at: datetime
) -> None:
    """Add ``work`` to the read model inside the caller's transaction (the inbox consumer commits)."""
    await uow.index.put(work)
    await uow.index.journal(work.work_id, ChangeKind.ADDED, event_id, occurred_at)


async def index_status(uow: MatchingUnitOfWork) -> IndexStatus:
    """How many works and recordings the read model holds, and how many changes it applied."""
    async with uow:
        return await uow.index.status()
