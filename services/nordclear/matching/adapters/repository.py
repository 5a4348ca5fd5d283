"""Reading and writing the repertoire read model through SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.matching.adapters.orm import index_changes, indexed_recordings, indexed_works
from nordclear.matching.domain.read_model import ChangeKind, IndexedRecording, IndexedWork, IndexStatus


class RepertoireIndex:
    """The local copy of works and recordings."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, work: IndexedWork) -> None:
        """Insert or replace ``work`` and its recordings."""
        await self._session.execute(
            delete(indexed_recordings).where(indexed_recordings.c.work_id == work.work_id)
        )
        await self._session.execute(delete(indexed_works).where(indexed_works.c.work_id == work.work_id))
        await self._session.execute(
            insert(indexed_works).values(
                work_id=work.work_id,
                title=work.title,
                iswc=work.iswc,
                creator_names="\n".join(work.creator_names),
                revision=work.revision,
            )
        )
        if work.recordings:
            await self._session.execute(
                insert(indexed_recordings),
                [
                    {
                        "isrc": recording.isrc,
                        "work_id": work.work_id,
                        "title": recording.title,
                        "main_artist": recording.main_artist,
                        "duration_ms": recording.duration_ms,
                    }
                    for recording in work.recordings
                ],
            )

    async def put_recording(self, recording: IndexedRecording, work_id: str) -> None:
        """Insert or replace the recording with ``recording.isrc``, linked to ``work_id``."""
        await self._session.execute(
            delete(indexed_recordings).where(indexed_recordings.c.isrc == recording.isrc)
        )
        await self._session.execute(
            insert(indexed_recordings).values(
                isrc=recording.isrc,
                work_id=work_id,
                title=recording.title,
                main_artist=recording.main_artist,
                duration_ms=recording.duration_ms,
            )
        )

    async def revision_of(self, work_id: str) -> int | None:
        """The revision of the indexed copy of a work, or None when it is not indexed."""
        return await self._session.scalar(
            select(indexed_works.c.revision).where(indexed_works.c.work_id == work_id)
        )

    async def remove(self, work_id: str) -> None:
        """Drop a work and its recordings from the index."""
        await self._session.execute(delete(indexed_recordings).where(indexed_recordings.c.work_id == work_id))
        await self._session.execute(delete(indexed_works).where(indexed_works.c.work_id == work_id))

    async def journal(self, work_id: str, kind: ChangeKind, event_id: str, changed_at: datetime) -> None:
        """Append one applied change (dated by when it happened in the repertoire) to the journal."""
        await self._session.execute(
            insert(index_changes).values(
                work_id=work_id, change_kind=kind.value, event_id=event_id, changed_at=changed_at
            )
        )

    async def status(self) -> IndexStatus:
        """Counts and the time of the last change, read in one statement.

        One statement sees one snapshot: separate queries under READ COMMITTED could count a change
        whose work a moment earlier they did not yet see.
        """
        row = (
            await self._session.execute(
                select(
                    select(func.count()).select_from(indexed_works).scalar_subquery(),
                    select(func.count()).select_from(indexed_recordings).scalar_subquery(),
                    select(func.count()).select_from(index_changes).scalar_subquery(),
                    select(func.max(index_changes.c.changed_at)).scalar_subquery(),
                )
            )
        ).one()
        works, recordings, changes, last_change_at = row
        return IndexStatus(
            works_indexed=works,
            recordings_indexed=recordings,
            changes_applied=changes,
            last_change_at=last_change_at,
        )
