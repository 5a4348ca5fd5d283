"""Reading and writing the repertoire read model through SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.matching.adapters.orm import (
    index_changes,
    indexed_recordings,
    indexed_society_work_ids,
    indexed_works,
)
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
        await self._session.execute(
            delete(indexed_society_work_ids).where(indexed_society_work_ids.c.work_id == work.work_id)
        )
        await self._session.execute(delete(indexed_works).where(indexed_works.c.work_id == work.work_id))
        await self._session.execute(
            insert(indexed_works).values(
                work_id=work.work_id,
                title=work.title,
                iswc=work.iswc,
                creator_names="\n".join(work.creator_names),
                revision=work.revision,
                alternate_titles="\n".join(work.alternate_titles),
                duration_ms=work.duration_ms,
            )
        )
        if work.society_work_ids:
            # A society code and work code name one work; a newer work claiming it takes it over.
            await self._session.execute(
                delete(indexed_society_work_ids).where(
                    tuple_(indexed_society_work_ids.c.society_code, indexed_society_work_ids.c.work_code).in_(
                        list(work.society_work_ids)
                    )
                )
            )
            await self._session.execute(
                insert(indexed_society_work_ids),
                [
                    {"society_code": code, "work_code": work_code, "work_id": work.work_id}
                    for code, work_code in dict.fromkeys(work.society_work_ids)
                ],
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
                        "recording_id": recording.recording_id,
                    }
                    for recording in {r.isrc: r for r in work.recordings}.values()
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
                recording_id=recording.recording_id,
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
        await self._session.execute(
            delete(indexed_society_work_ids).where(indexed_society_work_ids.c.work_id == work_id)
        )
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

    async def last_change_no(self) -> int:
        """The number of the newest journalled change (0 when none)."""
        return int(
            await self._session.scalar(select(func.coalesce(func.max(index_changes.c.change_no), 0))) or 0
        )

    async def changes_after(self, change_no: int, limit: int) -> list[tuple[int, str]]:
        """(change number, work id) of journalled changes after ``change_no``, oldest first."""
        rows = await self._session.execute(
            select(index_changes.c.change_no, index_changes.c.work_id)
            .where(index_changes.c.change_no > change_no)
            .order_by(index_changes.c.change_no)
            .limit(limit)
        )
        return [(row.change_no, row.work_id) for row in rows]

    async def works(
        self, work_ids: list[str] | None = None, after: str = "", limit: int = 5_000
    ) -> list[IndexedWork]:
        """Indexed works with their recordings and society ids: the given ones, or a page in id order."""
        query = select(indexed_works)
        if work_ids is not None:
            query = query.where(indexed_works.c.work_id.in_(work_ids))
        else:
            query = (
                query.where(indexed_works.c.work_id > after).order_by(indexed_works.c.work_id).limit(limit)
            )
        rows = list(await self._session.execute(query))
        if not rows:
            return []
        ids = [row.work_id for row in rows]
        recordings: dict[str, list[IndexedRecording]] = {}
        for row in await self._session.execute(
            select(indexed_recordings).where(indexed_recordings.c.work_id.in_(ids))
        ):
            recordings.setdefault(row.work_id, []).append(
                IndexedRecording(row.isrc, row.title, row.main_artist, row.duration_ms, row.recording_id)
            )
        society_ids: dict[str, list[tuple[str, str]]] = {}
        for row in await self._session.execute(
            select(indexed_society_work_ids).where(indexed_society_work_ids.c.work_id.in_(ids))
        ):
            society_ids.setdefault(row.work_id, []).append((row.society_code, row.work_code))
        return [
            IndexedWork(
                work_id=row.work_id,
                title=row.title,
                iswc=row.iswc,
                creator_names=tuple(name for name in row.creator_names.split("\n") if name),
                recordings=tuple(recordings.get(row.work_id, ())),
                revision=row.revision,
                alternate_titles=tuple(title for title in row.alternate_titles.split("\n") if title),
                society_work_ids=tuple(society_ids.get(row.work_id, ())),
                duration_ms=row.duration_ms,
            )
            for row in rows
        ]

    async def is_empty(self) -> bool:
        """Whether no work was ever indexed (the moment to bootstrap from the repertoire snapshot)."""
        return await self._session.scalar(select(func.count()).select_from(index_changes)) == 0
