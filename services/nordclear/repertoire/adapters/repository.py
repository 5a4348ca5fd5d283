"""Reading and writing works, recordings and request ids through SQLAlchemy Core.

Each work revision is stored as its ``nordclear.repertoire.v1.Work`` document (see ``work_proto``); the
current one in ``works``, every one in ``work_revisions``. The identifier tables (society work ids, IPIs)
are derived from the document on every write, so lookups never need to decode documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.protoconv import society_from_proto
from nordclear.repertoire.adapters import consent_proto, work_proto
from nordclear.repertoire.adapters.orm import (
    consent_entries,
    cwr_import_ack_chunks,
    cwr_imports,
    recording_works,
    recordings,
    request_log,
    work_party_ipis,
    work_revisions,
    work_society_ids,
    works,
)
from nordclear.repertoire.domain.consent import AiStage, ConsentEntry, ConsentSubject
from nordclear.repertoire.domain.work import Recording, Work


def encode_work(work: Work) -> bytes:
    """The stored document of ``work``."""
    return work_proto.work_to_proto(work).SerializeToString(deterministic=True)


def decode_work(document: bytes) -> Work:
    """The work a stored document holds."""
    message = work_pb2.Work.FromString(document)
    society = society_by_name(society_from_proto(message.submitting_society, "work.submitting_society") or "")
    work = work_proto.work_from_proto(message, work_id=message.work_id, submitting_society=society)
    return dataclasses.replace(
        work,
        revision=message.revision,
        created_at=message.created_at.ToDatetime(tzinfo=UTC),
        updated_at=message.updated_at.ToDatetime(tzinfo=UTC),
        deleted=message.deleted,
    )


def encode_recording(recording: Recording) -> bytes:
    """The stored document of ``recording``."""
    return work_proto.recording_to_proto(recording).SerializeToString(deterministic=True)


def decode_recording(document: bytes) -> Recording:
    """The recording a stored document holds."""
    message = work_pb2.Recording.FromString(document)
    society = work_proto.member_society(message.submitting_society, "recording.submitting_society")
    recording = work_proto.recording_from_proto(
        message, recording_id=message.recording_id, field="recording", submitting_society=society
    )
    return dataclasses.replace(recording, revision=message.revision)


class WorkRepository:
    """Works of the repertoire, current and past revisions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, work: Work, recorded_by: str) -> None:
        """Store a new work (revision 1)."""
        assert work.created_at is not None, "the service layer dates works"
        document = encode_work(work)
        await self._session.execute(
            insert(works).values(
                work_id=work.work_id,
                title=work.title,
                iswc=work.iswc,
                society=work.submitting_society.name,
                registered_at=work.created_at,
                revision=work.revision,
                updated_at=work.updated_at,
                deleted=work.deleted,
                document=document,
            )
        )
        await self._after_write(work, document, recorded_by)

    async def replace(self, work: Work, recorded_by: str) -> None:
        """Store a new revision of an existing work; the earlier revisions stay as they were."""
        document = encode_work(work)
        await self._session.execute(
            update(works)
            .where(works.c.work_id == work.work_id)
            .values(
                title=work.title,
                iswc=work.iswc,
                revision=work.revision,
                updated_at=work.updated_at,
                deleted=work.deleted,
                document=document,
            )
        )
        await self._session.execute(
            delete(work_society_ids).where(work_society_ids.c.work_id == work.work_id)
        )
        await self._session.execute(delete(work_party_ipis).where(work_party_ipis.c.work_id == work.work_id))
        await self._after_write(work, document, recorded_by)

    async def _after_write(self, work: Work, document: bytes, recorded_by: str) -> None:
        await self._session.execute(
            insert(work_revisions).values(
                work_id=work.work_id,
                revision=work.revision,
                document=document,
                recorded_by=recorded_by,
                recorded_at=work.updated_at,
            )
        )
        society_ids = [
            {"society_code": ref.society_code, "work_code": ref.work_code, "work_id": work.work_id}
            for ref in work.society_work_ids
        ]
        if society_ids:
            await self._session.execute(insert(work_society_ids), society_ids)
        ipis = sorted({party.ipi_name_number for party in work.parties if party.ipi_name_number})
        if ipis:
            await self._session.execute(
                insert(work_party_ipis), [{"ipi_name_number": ipi, "work_id": work.work_id} for ipi in ipis]
            )

    async def get(self, work_id: str) -> Work | None:
        """The current revision of the work with ``work_id``, or None."""
        document = await self._session.scalar(select(works.c.document).where(works.c.work_id == work_id))
        return None if document is None else decode_work(document)

    async def revisions(self, work_id: str) -> list[Work]:
        """Every revision of a work, oldest first."""
        rows = await self._session.scalars(
            select(work_revisions.c.document)
            .where(work_revisions.c.work_id == work_id)
            .order_by(work_revisions.c.revision)
        )
        return [decode_work(document) for document in rows]

    async def work_id_for_iswc(self, iswc: str) -> str | None:
        """The id of the work carrying ``iswc``, or None."""
        return await self._session.scalar(select(works.c.work_id).where(works.c.iswc == iswc))

    async def work_id_for_society_id(self, society_code: str, work_code: str) -> str | None:
        """The id of the work a society knows by ``work_code``, or None."""
        return await self._session.scalar(
            select(work_society_ids.c.work_id).where(
                work_society_ids.c.society_code == society_code, work_society_ids.c.work_code == work_code
            )
        )

    async def work_ids_for_ipi(self, ipi_name_number: str) -> list[str]:
        """Ids of the works in which a party with this IPI name number appears."""
        rows = await self._session.scalars(
            select(work_party_ipis.c.work_id)
            .where(work_party_ipis.c.ipi_name_number == ipi_name_number)
            .order_by(work_party_ipis.c.work_id)
        )
        return list(rows)

    async def page(
        self,
        *,
        society: str | None,
        after_work_id: str,
        limit: int,
        include_deleted: bool,
        changed_since: datetime | None = None,
    ) -> list[Work]:
        """Works ordered by id after ``after_work_id`` (keyset paging: stable under concurrent writes)."""
        query = select(works.c.document).where(works.c.work_id > after_work_id).order_by(works.c.work_id)
        if changed_since is not None:
            query = query.where(works.c.updated_at >= changed_since)
        if society is not None:
            query = query.where(works.c.society == society)
        if not include_deleted:
            query = query.where(works.c.deleted.is_(False))
        rows = await self._session.scalars(query.limit(limit))
        return [decode_work(document) for document in rows]


class RecordingRepository:
    """Recordings and their links to works."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def put(self, recording: Recording) -> None:
        """Insert or replace ``recording`` and its links."""
        document = encode_recording(recording)
        values = {
            "isrc": recording.isrc,
            "revision": recording.revision,
            "updated_at": datetime.now(UTC),
            "document": document,
        }
        existing = await self._session.scalar(
            select(recordings.c.recording_id).where(recordings.c.recording_id == recording.recording_id)
        )
        if existing is None:
            await self._session.execute(
                insert(recordings).values(recording_id=recording.recording_id, **values)
            )
        else:
            await self._session.execute(
                update(recordings).where(recordings.c.recording_id == recording.recording_id).values(**values)
            )
        await self._session.execute(
            delete(recording_works).where(recording_works.c.recording_id == recording.recording_id)
        )
        if recording.work_ids:
            await self._session.execute(
                insert(recording_works),
                [
                    {"recording_id": recording.recording_id, "work_id": work_id}
                    for work_id in recording.work_ids
                ],
            )

    async def get(self, recording_id: str) -> Recording | None:
        """The recording with ``recording_id``, or None."""
        document = await self._session.scalar(
            select(recordings.c.document).where(recordings.c.recording_id == recording_id)
        )
        return None if document is None else decode_recording(document)

    async def recording_id_for_isrc(self, isrc: str) -> str | None:
        """The id of the recording carrying ``isrc``, or None."""
        return await self._session.scalar(select(recordings.c.recording_id).where(recordings.c.isrc == isrc))

    async def for_work(self, work_id: str) -> list[Recording]:
        """The recordings linked to a work, in id order."""
        rows = await self._session.scalars(
            select(recordings.c.document)
            .join(recording_works, recording_works.c.recording_id == recordings.c.recording_id)
            .where(recording_works.c.work_id == work_id)
            .order_by(recordings.c.recording_id)
        )
        return [decode_recording(document) for document in rows]


class RequestLog:
    """Request ids already answered, for idempotent retries."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, request_id: str) -> tuple[str, str, str] | None:
        """(operation, fingerprint, result id) of an earlier request with this id, or None."""
        row = (
            await self._session.execute(select(request_log).where(request_log.c.request_id == request_id))
        ).one_or_none()
        return None if row is None else (row.operation, row.fingerprint, row.result_id)

    async def add(self, request_id: str, operation: str, fingerprint: str, result_id: str) -> None:
        """Remember that ``request_id`` did ``operation`` with result ``result_id``."""
        await self._session.execute(
            insert(request_log).values(
                request_id=request_id, operation=operation, fingerprint=fingerprint, result_id=result_id
            )
        )


class ConsentRegister:
    """The append-only AI consent register: entries are inserted, never changed or deleted."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, entry: ConsentEntry, request_id: str) -> None:
        """Add ``entry`` at the end of the register."""
        await self._session.execute(
            insert(consent_entries).values(
                entry_id=entry.entry_id,
                subject_key=consent_proto.subject_key(entry.subject),
                stage=entry.stage.value,
                action=entry.action.value,
                effective_from=entry.effective_from,
                effective_until=entry.effective_until,
                society=entry.society.name,
                recorded_at=entry.recorded_at,
                request_id=request_id,
                document=consent_proto.consent_to_proto(entry).SerializeToString(deterministic=True),
            )
        )

    async def history(self, subject: ConsentSubject, stage: AiStage | None = None) -> list[ConsentEntry]:
        """A subject's entries (for one stage, or all) in the order they were recorded."""
        query = select(consent_entries.c.document).where(
            consent_entries.c.subject_key == consent_proto.subject_key(subject)
        )
        if stage is not None:
            query = query.where(consent_entries.c.stage == stage.value)
        rows = await self._session.scalars(query.order_by(consent_entries.c.sequence_no))
        return [consent_proto.consent_from_document(document) for document in rows]

    async def page(
        self, query: ConsentQuery, *, after_sequence_no: int, limit: int
    ) -> tuple[list[ConsentEntry], int | None, int]:
        """Entries matching ``query`` in recorded order after a position: (entries, next position, total).

        The next position is None on the last page. Keyset paging on the register's sequence, so pages
        stay stable while entries are appended; one query for the page, one for the total.
        """
        conditions = _consent_conditions(query)
        rows = (
            await self._session.execute(
                select(consent_entries.c.sequence_no, consent_entries.c.document)
                .where(*conditions, consent_entries.c.sequence_no > after_sequence_no)
                .order_by(consent_entries.c.sequence_no)
                .limit(limit + 1)
            )
        ).all()
        total = await self._session.scalar(
            select(func.count()).select_from(consent_entries).where(*conditions)
        )
        shown = rows[:limit]
        next_position = shown[-1].sequence_no if len(rows) > limit else None
        return (
            [consent_proto.consent_from_document(row.document) for row in shown],
            next_position,
            int(total or 0),
        )

    async def recorded_by_request(self, request_id: str) -> list[ConsentEntry]:
        """The entries one request recorded, in order."""
        rows = await self._session.scalars(
            select(consent_entries.c.document)
            .where(consent_entries.c.request_id == request_id)
            .order_by(consent_entries.c.sequence_no)
        )
        return [consent_proto.consent_from_document(document) for document in rows]


@dataclass(frozen=True, slots=True)
class ConsentQuery:
    """Which register entries to read; every field narrows, none is required."""

    subject: ConsentSubject | None = None
    stage: AiStage | None = None
    society: str | None = None
    recorded_since: datetime | None = None


def _consent_conditions(query: ConsentQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.subject is not None:
        conditions.append(consent_entries.c.subject_key == consent_proto.subject_key(query.subject))
    if query.stage is not None:
        conditions.append(consent_entries.c.stage == query.stage.value)
    if query.society is not None:
        conditions.append(consent_entries.c.society == query.society)
    if query.recorded_since is not None:
        conditions.append(consent_entries.c.recorded_at >= query.recorded_since)
    return conditions


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One imported file as remembered: who imported it, how it was answered, how long its ACK is."""

    import_id: str
    fingerprint: str
    society: str
    file_name: str
    response: bytes
    ack_size_bytes: int


class CwrImportLog:
    """Imported CWR files: their answers and acknowledgement files (stored in chunks)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        import_id: str,
        request_id: str,
        fingerprint: str,
        file_name: str,
        society: str,
        imported_at: datetime,
        response: bytes,
        ack_chunks: Iterable[bytes],
    ) -> None:
        """Remember one import and its ACK file, a chunk per row."""
        await self._session.execute(
            insert(cwr_imports).values(
                import_id=import_id,
                request_id=request_id,
                fingerprint=fingerprint,
                file_name=file_name,
                society=society,
                imported_at=imported_at,
                response=response,
            )
        )
        size_bytes = 0
        for chunk_no, chunk in enumerate(ack_chunks):
            await self._session.execute(
                insert(cwr_import_ack_chunks).values(import_id=import_id, chunk_no=chunk_no, data=chunk)
            )
            size_bytes += len(chunk)
        await self._session.execute(
            update(cwr_imports).where(cwr_imports.c.import_id == import_id).values(ack_size_bytes=size_bytes)
        )

    async def by_request(self, request_id: str) -> ImportRecord | None:
        """The import made by ``request_id``, or None."""
        return await self._record(cwr_imports.c.request_id == request_id)

    async def by_id(self, import_id: str) -> ImportRecord | None:
        """The import ``import_id``, or None."""
        return await self._record(cwr_imports.c.import_id == import_id)

    async def _record(self, condition: ColumnElement[bool]) -> ImportRecord | None:
        row = (
            await self._session.execute(
                select(
                    cwr_imports.c.import_id,
                    cwr_imports.c.fingerprint,
                    cwr_imports.c.society,
                    cwr_imports.c.file_name,
                    cwr_imports.c.response,
                    cwr_imports.c.ack_size_bytes,
                ).where(condition)
            )
        ).one_or_none()
        if row is None:
            return None
        return ImportRecord(
            row.import_id, row.fingerprint, row.society, row.file_name, row.response, row.ack_size_bytes
        )

    async def ack_chunks(self, import_id: str) -> AsyncIterator[bytes]:
        """The ACK file of an import, a stored chunk at a time, in order."""
        chunks = cwr_import_ack_chunks
        result = await self._session.stream(
            select(chunks.c.data).where(chunks.c.import_id == import_id).order_by(chunks.c.chunk_no)
        )
        async for (data,) in result:
            yield data
