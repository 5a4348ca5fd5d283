"""Keeping the repertoire read model current, and reporting on it."""

from __future__ import annotations

from datetime import datetime

from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.read_model import ChangeKind, IndexedRecording, IndexedWork, IndexStatus


async def index_work(
    uow: MatchingUnitOfWork, work: IndexedWork, event_id: str, occurred_at: datetime
) -> None:
    """Put ``work`` into the read model inside the caller's transaction (the inbox consumer commits).

    Events of one work arrive in order on one partition, but a replayed older revision can still come
    after a newer one (an outbox republished from the start): it is ignored.
    """
    held = await uow.index.revision_of(work.work_id)
    if held is not None and held >= work.revision:
        return
    await uow.index.put(work)
    kind = ChangeKind.ADDED if held is None else ChangeKind.UPDATED
    await uow.index.journal(work.work_id, kind, event_id, occurred_at)


async def remove_work(
    uow: MatchingUnitOfWork, work_id: str, revision: int, event_id: str, occurred_at: datetime
) -> None:
    """Take a deleted work out of the read model: deleted works are never matched."""
    held = await uow.index.revision_of(work_id)
    if held is None or held >= revision:
        return
    await uow.index.remove(work_id)
    await uow.index.journal(work_id, ChangeKind.REMOVED, event_id, occurred_at)


async def index_recording(
    uow: MatchingUnitOfWork,
    recording: IndexedRecording,
    work_ids: list[str],
    event_id: str,
    occurred_at: datetime,
) -> None:
    """Link a recording's ISRC to the first of its works that the read model holds.

    A recording linked to several works (a medley) is matched to the first; matching by ISRC alone cannot
    split it, and the review queue is where such lines are resolved. The repertoire keys recording events
    by their first work, so that work's registration has always been applied before; a link to works no
    longer indexed (all deleted) has nothing to attach to and is not kept.
    """
    for work_id in work_ids:
        if await uow.index.revision_of(work_id) is not None:
            await uow.index.put_recording(recording, work_id)
            await uow.index.journal(work_id, ChangeKind.UPDATED, event_id, occurred_at)
            return


async def index_status(uow: MatchingUnitOfWork) -> IndexStatus:
    """How many works and recordings the read model holds, and how many changes it applied."""
    async with uow:
        return await uow.index.status()
