"""Reading and writing works through SQLAlchemy Core, inside the caller's unit of work."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.repertoire.adapters.orm import work_creators, work_requests, works
from nordclear.repertoire.domain.model import Creator, Work, WriterRole


class WorkRepository:
    """Works of the repertoire."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, work: Work) -> None:
        """Store a new work with its creators."""
        await self._session.execute(
            insert(works).values(
                work_id=work.work_id,
                title=work.title,
                iswc=work.iswc,
                society=work.society,
                registered_at=work.registered_at,
            )
        )
        if work.creators:
            await self._session.execute(
                insert(work_creators),
                [
                    {
                        "work_id": work.work_id,
                        "position": position,
                        "last_name": creator.last_name,
                        "first_name": creator.first_name,
                        "role": creator.role.value,
                        "ipi_name_number": creator.ipi_name_number,
                    }
                    for position, creator in enumerate(work.creators)
                ],
            )

    async def get(self, work_id: str) -> Work | None:
        """The work with ``work_id``, or None."""
        row = (await self._session.execute(select(works).where(works.c.work_id == work_id))).one_or_none()
        if row is None:
            return None
        creator_rows = (
            await self._session.execute(
                select(work_creators)
                .where(work_creators.c.work_id == work_id)
                .order_by(work_creators.c.position)
            )
        ).all()
        creators = tuple(
            Creator(
                last_name=c.last_name,
                first_name=c.first_name,
                role=WriterRole(c.role),
                ipi_name_number=c.ipi_name_number,
            )
            for c in creator_rows
        )
        return Work(
            work_id=row.work_id,
            title=row.title,
            iswc=row.iswc,
            creators=creators,
            society=row.society,
            registered_at=row.registered_at,
        )

    async def work_id_for_iswc(self, iswc: str) -> str | None:
        """The id of the work carrying ``iswc``, or None."""
        return await self._session.scalar(select(works.c.work_id).where(works.c.iswc == iswc))


class RequestLog:
    """Request ids already answered, for idempotent retries."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, request_id: str) -> tuple[str, str] | None:
        """(fingerprint, work id) of an earlier request with this id, or None."""
        row = (
            await self._session.execute(select(work_requests).where(work_requests.c.request_id == request_id))
        ).one_or_none()
        return None if row is None else (row.fingerprint, row.work_id)

    async def add(self, request_id: str, fingerprint: str, work_id: str) -> None:
        """Remember that ``request_id`` registered ``work_id``."""
        await self._session.execute(
            insert(work_requests).values(request_id=request_id, fingerprint=fingerprint, work_id=work_id)
        )
