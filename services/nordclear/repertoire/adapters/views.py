"""Read-side views: answers built straight from stored documents, without the domain round trip.

A lookup needs no rules applied and no events recorded, so decoding a stored ``Work`` document into the
domain model only to encode it again would be wasted work on the hottest path of the service. These
views read the documents as the contract's messages (the documents are those messages, serialised).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.protoconv import society_to_proto
from nordclear.repertoire.adapters.orm import recording_works, recordings, works
from nordclear.repertoire.domain.events import RecordingChanged, WorkChanged


async def work_with_recordings(session: AsyncSession, work_id: str) -> work_pb2.Work | None:
    """The stored ``Work`` message of a work with its recordings, or None; one query each."""
    document = await session.scalar(select(works.c.document).where(works.c.work_id == work_id))
    if document is None:
        return None
    message = work_pb2.Work.FromString(document)
    linked = await session.scalars(
        select(recordings.c.document)
        .join(recording_works, recording_works.c.recording_id == recordings.c.recording_id)
        .where(recording_works.c.work_id == work_id)
        .order_by(recordings.c.recording_id)
    )
    message.recordings.extend(work_pb2.Recording.FromString(recording) for recording in linked)
    return message


async def work_summaries(session: AsyncSession, work_ids: Sequence[str]) -> dict[str, work_pb2.Work]:
    """Summary ``Work`` messages (id, ISWC, title, society, revision, deleted) from the indexed columns.

    No document is decoded: the summary view of a batch lookup or a search costs one narrow query.
    """
    if not work_ids:
        return {}
    rows = await session.execute(
        select(
            works.c.work_id, works.c.iswc, works.c.title, works.c.society, works.c.revision, works.c.deleted
        ).where(works.c.work_id.in_(set(work_ids)))
    )
    return {
        row.work_id: work_pb2.Work(
            work_id=row.work_id,
            iswc=row.iswc or "",
            title=row.title,
            submitting_society=society_to_proto(row.society),
            revision=row.revision,
            deleted=row.deleted,
        )
        for row in rows
    }


async def work_messages(session: AsyncSession, work_ids: Sequence[str]) -> dict[str, work_pb2.Work]:
    """The stored ``Work`` messages (without recordings) of the given works that exist, in one query."""
    if not work_ids:
        return {}
    rows = await session.execute(
        select(works.c.work_id, works.c.document).where(works.c.work_id.in_(set(work_ids)))
    )
    return {row.work_id: work_pb2.Work.FromString(row.document) for row in rows}


class WorkCache:
    """Recently read works as their stored messages, dropped as soon as this process changes them.

    Only correct where this process is the only writer of the database, which is what SQLite guarantees
    here (one process owns the file); with PostgreSQL and several replicas another replica's write could
    not drop the entry, so the cache is then switched off (``max_entries`` 0).
    """

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[str, work_pb2.Work] = OrderedDict()
        self._epoch = 0
        """Counts invalidations: a read that began before one may have read the old state."""

    @property
    def epoch(self) -> int:
        """Take before reading the database; pass to ``put`` with what was read."""
        return self._epoch

    def get(self, work_id: str) -> work_pb2.Work | None:
        """A copy of the cached message (callers may change theirs), or None."""
        cached = self._entries.get(work_id)
        if cached is None:
            return None
        self._entries.move_to_end(work_id)
        copy = work_pb2.Work()
        copy.CopyFrom(cached)
        return copy

    def put(self, work_id: str, message: work_pb2.Work, read_at_epoch: int) -> None:
        """Remember ``message`` unless a change was committed since it was read (it may be stale)."""
        if self._max_entries <= 0 or read_at_epoch != self._epoch:
            return
        stored = work_pb2.Work()
        stored.CopyFrom(message)
        self._entries[work_id] = stored
        self._entries.move_to_end(work_id)
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def apply(self, events: Sequence[object]) -> None:
        """Drop the works committed changes touched (the unit of work's after-commit hook)."""
        for event in events:
            if isinstance(event, WorkChanged):
                self._epoch += 1
                self._entries.pop(event.work.work_id, None)
            elif isinstance(event, RecordingChanged):
                self._epoch += 1
                for work_id in event.recording.work_ids:
                    self._entries.pop(work_id, None)
