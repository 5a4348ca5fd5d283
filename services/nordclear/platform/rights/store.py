"""The rights read model over one database session: applying repertoire events and answering coverage.

Applying is idempotent and order-tolerant: a work or recording event older than the stored revision
changes nothing, and a consent entry is stored once by its id. Answers are the repertoire's own
``licensable_shares`` over the stored state, so a coverage answer here and in the repertoire agree.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date
from typing import Final, Protocol

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.gen.events.v1 import repertoire_events_pb2 as events
from nordclear.gen.events.v1.envelope_pb2 import EventEnvelope
from nordclear.platform.domain.territories import Territory
from nordclear.platform.rights.tables import RightsTables
from nordclear.platform.rights.translate import consent_document, consent_from_stored, work_from_event
from nordclear.repertoire.domain.consent import AiStage, ConsentEntry
from nordclear.repertoire.domain.coverage import Coverage, licensable_shares
from nordclear.repertoire.domain.work import Work

RIGHTS_EVENT_TYPES: Final = frozenset(
    {
        "nordclear.events.v1.WorkRegistered",
        "nordclear.events.v1.WorkUpdated",
        "nordclear.events.v1.WorkDeleted",
        "nordclear.events.v1.RecordingRegistered",
        "nordclear.events.v1.ConsentRecorded",
        "nordclear.events.v1.ConsentRevoked",
    }
)
"""The repertoire events the rights view consumes; others on the topic are not its business."""

_PAGE_SIZE: Final = 500
"""Works read per query when answering for many works: bounded memory, few round trips."""


@dataclass(frozen=True, slots=True)
class RepertoireSummary:
    """The licensable repertoire for one stage, territory and day, as a quote or a split needs it."""

    licensable_work_count: int
    bp_by_society: Mapping[str, int]
    """Per administering society (CISAC code): the basis points of the stage's rights it administers,
    summed over every licensable work."""
    unmandated_bp: int
    """The basis points no society administers, summed the same way (their money goes to suspense)."""


class RightsSource(Protocol):
    """What licensing and settlement ask of the repertoire's rights (a fake implements it in tests)."""

    async def apply(self, envelope: EventEnvelope) -> None:
        """Apply one repertoire event; events of other types are ignored."""

    async def coverage(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> Coverage | None:
        """The coverage of one work; None when the work is unknown."""

    async def coverage_many(
        self, work_ids: Iterable[str], stage: AiStage, territory: Territory, on: date
    ) -> dict[str, Coverage]:
        """The coverage of each known work among ``work_ids`` (unknown ids are absent)."""

    async def recording_work_ids(self, recording_id_or_isrc: str) -> tuple[str, ...]:
        """The works a recording embodies, by recording id or ISRC; empty when unknown."""

    def licensable(self, stage: AiStage, territory: Territory, on: date) -> AsyncIterator[Coverage]:
        """Every licensable work's coverage, in work-id order (the presumption rule's repertoire)."""

    async def summary(self, stage: AiStage, territory: Territory, on: date) -> RepertoireSummary:
        """Counts and society shares of the licensable repertoire."""


class RightsStore:
    """The rights read model in the tables of the consuming service, through its session."""

    def __init__(self, session: AsyncSession, tables: RightsTables) -> None:
        self._session = session
        self._tables = tables

    # --- applying events ---------------------------------------------------------------------------

    async def apply(self, envelope: EventEnvelope) -> None:
        """Apply one repertoire event (inside the consumer's transaction)."""
        kind = envelope.WhichOneof("payload")
        if kind == "work_registered":
            await self._store_work(envelope.work_registered)
        elif kind == "work_updated":
            await self._store_work(envelope.work_updated)
        elif kind == "work_deleted":
            await self._delete_work(envelope.work_deleted)
        elif kind == "recording_registered":
            await self._store_recording(envelope.recording_registered)
        elif kind in ("consent_recorded", "consent_revoked"):
            entry = envelope.consent_recorded if kind == "consent_recorded" else envelope.consent_revoked
            await self._store_consent(entry, envelope)

    async def _stored_revision(self, work_id: str) -> int | None:
        works = self._tables.works
        found = await self._session.scalar(select(works.c.revision).where(works.c.work_id == work_id))
        return None if found is None else int(found)

    async def _store_work(self, state: events.WorkRegistered | events.WorkUpdated) -> None:
        work_from_event(state)  # Refuses a malformed event before anything is stored.
        stored = await self._stored_revision(state.work_id)
        if stored is not None and stored >= state.revision:
            return
        works = self._tables.works
        values = {"revision": state.revision, "deleted": False, "document": state.SerializeToString()}
        if stored is None:
            await self._session.execute(insert(works).values(work_id=state.work_id, **values))
        else:
            await self._session.execute(
                update(works).where(works.c.work_id == state.work_id).values(**values)
            )

    async def _delete_work(self, deleted: events.WorkDeleted) -> None:
        stored = await self._stored_revision(deleted.work_id)
        if stored is not None and stored >= deleted.revision:
            return
        works = self._tables.works
        # The last state is kept, so coverage can still say the work is deleted rather than unknown.
        if stored is None:
            await self._session.execute(
                insert(works).values(
                    work_id=deleted.work_id, revision=deleted.revision, deleted=True, document=None
                )
            )
        else:
            await self._session.execute(
                update(works)
                .where(works.c.work_id == deleted.work_id)
                .values(revision=deleted.revision, deleted=True)
            )

    async def _store_recording(self, recording: events.RecordingRegistered) -> None:
        recordings = self._tables.recordings
        stored = await self._session.scalar(
            select(recordings.c.revision).where(recordings.c.recording_id == recording.recording_id)
        )
        if stored is not None and int(stored) >= recording.revision:
            return
        await self._session.execute(
            delete(recordings).where(recordings.c.recording_id == recording.recording_id)
        )
        await self._session.execute(
            insert(recordings).values(
                recording_id=recording.recording_id,
                isrc=recording.isrc or None,
                revision=recording.revision,
                work_ids=" ".join(recording.work_ids),
            )
        )

    async def _store_consent(
        self, entry: events.ConsentRecorded | events.ConsentRevoked, envelope: EventEnvelope
    ) -> None:
        if entry.WhichOneof("subject") != "work_id":
            return  # Performer attributes are never implied by a work consent (BRIEF §3.4).
        consents = self._tables.consents
        known = await self._session.scalar(
            select(consents.c.consent_id).where(consents.c.consent_id == entry.consent_id)
        )
        if known is not None:
            return
        document = consent_document(entry, envelope.occurred_at.seconds, envelope.occurred_at.nanos)
        consent_from_stored(document)  # Refuses a malformed entry before anything is stored.
        await self._session.execute(
            insert(consents).values(
                consent_id=entry.consent_id,
                work_id=entry.work_id,
                recorded_at=envelope.occurred_at.ToDatetime(tzinfo=UTC),
                document=document,
            )
        )

    # --- answering ---------------------------------------------------------------------------------

    async def coverage(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> Coverage | None:
        """The coverage of one work; None when the work is unknown."""
        return (await self.coverage_many([work_id], stage, territory, on)).get(work_id)

    async def coverage_many(
        self, work_ids: Iterable[str], stage: AiStage, territory: Territory, on: date
    ) -> dict[str, Coverage]:
        """The coverage of each known work among ``work_ids`` (unknown ids are absent)."""
        wanted = sorted(set(work_ids))
        answers: dict[str, Coverage] = {}
        for start in range(0, len(wanted), _PAGE_SIZE):
            page = wanted[start : start + _PAGE_SIZE]
            works = await self._works_where(self._tables.works.c.work_id.in_(page))
            answers.update(await self._cover(works, stage, territory, on))
        return answers

    async def recording_work_ids(self, recording_id_or_isrc: str) -> tuple[str, ...]:
        """The works a recording embodies, by recording id or ISRC; empty when unknown."""
        recordings = self._tables.recordings
        found = await self._session.scalar(
            select(recordings.c.work_ids).where(
                (recordings.c.recording_id == recording_id_or_isrc)
                | (recordings.c.isrc == recording_id_or_isrc)
            )
        )
        return tuple(str(found).split()) if found else ()

    async def licensable(self, stage: AiStage, territory: Territory, on: date) -> AsyncIterator[Coverage]:
        """Every licensable work's coverage, in work-id order, read a page at a time."""
        works_table = self._tables.works
        after = ""
        while True:
            works = await self._works_where(
                works_table.c.work_id > after, order=True, limit=_PAGE_SIZE, include_deleted=False
            )
            if not works:
                return
            covered = await self._cover(works, stage, territory, on)
            for work in works:
                coverage = covered[work.work_id]
                if coverage.licensable:
                    yield coverage
            after = works[-1].work_id

    async def summary(self, stage: AiStage, territory: Territory, on: date) -> RepertoireSummary:
        """Counts and society shares of the licensable repertoire."""
        count = 0
        unmandated_bp = 0
        bp_by_society: dict[str, int] = {}
        async for coverage in self.licensable(stage, territory, on):
            count += 1
            for right in coverage.rights:
                unmandated_bp += right.unmandated_bp
                for society_code, share_bp in right.bp_by_society().items():
                    bp_by_society[society_code] = bp_by_society.get(society_code, 0) + share_bp
        return RepertoireSummary(count, dict(sorted(bp_by_society.items())), unmandated_bp)

    async def _works_where(
        self,
        condition: ColumnElement[bool],
        *,
        order: bool = False,
        limit: int | None = None,
        include_deleted: bool = True,
    ) -> list[Work]:
        works = self._tables.works
        query = select(works.c.work_id, works.c.deleted, works.c.document).where(condition)
        if not include_deleted:
            query = query.where(works.c.deleted.is_(False))
        if order:
            query = query.order_by(works.c.work_id)
        if limit is not None:
            query = query.limit(limit)
        rows = (await self._session.execute(query)).all()
        # A work deleted before this view saw it has no state to answer from: it is unknown here.
        return [_work_of(row.deleted, row.document) for row in rows if row.document is not None]

    async def _cover(
        self, works: Sequence[Work], stage: AiStage, territory: Territory, on: date
    ) -> dict[str, Coverage]:
        consents = await self._consents_of([work.work_id for work in works])
        return {
            work.work_id: licensable_shares(work, consents.get(work.work_id, ()), stage, territory, on)
            for work in works
        }

    async def _consents_of(self, work_ids: Sequence[str]) -> dict[str, list[ConsentEntry]]:
        consents = self._tables.consents
        rows = await self._session.execute(
            select(consents.c.work_id, consents.c.document)
            .where(consents.c.work_id.in_(work_ids))
            .order_by(consents.c.recorded_at, consents.c.consent_id)
        )
        found: dict[str, list[ConsentEntry]] = {}
        for row in rows:
            found.setdefault(row.work_id, []).append(consent_from_stored(row.document))
        return found


def _work_of(deleted: bool, document: bytes) -> Work:
    work = work_from_event(events.WorkRegistered.FromString(document))
    return replace(work, deleted=True) if deleted else work
