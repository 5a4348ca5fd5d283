"""The rights read model as licensing reads it: the shared store, plus one-pass scans for quotes and issue.

Coverage of one work, recordings and per-stage listings come from the shared ``RightsStore``. Pricing a
licence under the presumption rule and listing its societies need every licensable work for every
stage and territory of the licence (up to fifteen combinations); asking the store fifteen times would
decode every work fifteen times, so ``licensable_in`` reads each page of works and their consents once
and answers every combination from it, with the repertoire's own ``licensable_shares``. A stage without
consent in force is skipped before any share is looked at, since no territory can make it licensable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.gen.events.v1 import repertoire_events_pb2 as events
from nordclear.licensing.domain.rights import RepertoireFigures, WorkRights
from nordclear.platform.domain.territories import Territory
from nordclear.platform.rights import RightsStore, RightsTables
from nordclear.platform.rights.translate import consent_from_stored, work_from_event
from nordclear.repertoire.domain.consent import AiStage, ConsentEntry, WorkSubject, consent_state
from nordclear.repertoire.domain.coverage import Coverage, licensable_shares

PAGE_SIZE: Final = 500


class LicensingRights:
    """The rights read model on one session."""

    def __init__(self, session: AsyncSession, tables: RightsTables) -> None:
        self._session = session
        self._tables = tables
        self._store = RightsStore(session, tables)

    async def coverage(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> Coverage | None:
        """The coverage of one work; None when the work is unknown."""
        return await self._store.coverage(work_id, stage, territory, on)

    async def recording_work_ids(self, recording_id_or_isrc: str) -> tuple[str, ...]:
        """The works a recording embodies; empty when unknown."""
        return await self._store.recording_work_ids(recording_id_or_isrc)

    def licensable(self, stage: AiStage, territory: Territory, on: date) -> AsyncIterator[Coverage]:
        """Every licensable work for one stage and territory, in work-id order."""
        return self._store.licensable(stage, territory, on)

    async def summary(self, stage: AiStage, territory: Territory, on: date) -> RepertoireFigures:
        """Totals over the licensable works of one stage and territory."""
        return await self._store.summary(stage, territory, on)

    async def licensable_in(
        self, stages: Sequence[AiStage], territories: Sequence[Territory], on: date
    ) -> AsyncIterator[Coverage]:
        """Every licensable (work, stage, territory), reading each work and its consents once."""
        works = self._tables.works
        after = ""
        while True:
            rows = (
                await self._session.execute(
                    select(works.c.work_id, works.c.document)
                    .where(works.c.work_id > after, works.c.deleted.is_(False), works.c.document.is_not(None))
                    .order_by(works.c.work_id)
                    .limit(PAGE_SIZE)
                )
            ).all()
            if not rows:
                return
            consents = await self._consents_of([row.work_id for row in rows])
            for row in rows:
                entries = consents.get(row.work_id, [])
                if not entries:
                    continue  # opt-in: a work without any consent entry is licensable for nothing
                work = work_from_event(events.WorkRegistered.FromString(row.document))
                subject = WorkSubject(work.work_id)
                for stage in stages:
                    if not consent_state(entries, subject, stage, on).granted:
                        continue
                    for territory in territories:
                        coverage = licensable_shares(work, entries, stage, territory, on)
                        if coverage.licensable:
                            yield coverage
            after = rows[-1].work_id

    async def work_rights(self, work_id: str) -> WorkRights | None:
        """A work with its consent entries, as ``coverage`` reads them; None when the work is unknown."""
        works = self._tables.works
        row = (
            await self._session.execute(
                select(works.c.deleted, works.c.document).where(works.c.work_id == work_id)
            )
        ).first()
        if row is None or row.document is None:
            return None
        work = work_from_event(events.WorkRegistered.FromString(row.document))
        if row.deleted:
            work = dataclasses.replace(work, deleted=True)
        consents = await self._consents_of([work_id])
        return WorkRights(work, tuple(consents.get(work_id, ())))

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
