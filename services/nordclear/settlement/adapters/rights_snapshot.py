"""The rights view read once per run: each work and its consents decoded once, coverage computed in memory.

A run asks for the same works under many (stage, territory, day) combinations: the training set under
every territory, the fall-backs under every pot. Asking ``RightsStore.coverage_many`` for each would
read and decode every work again per combination; here each work is read and decoded once (with the
shared view's own codecs), and every answer is the repertoire's own ``licensable_shares`` over it, so
the answers are exactly those the view gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.gen.events.v1 import repertoire_events_pb2 as events
from nordclear.platform.domain.territories import Territory
from nordclear.platform.rights import RightsTables
from nordclear.platform.rights.translate import consent_from_stored, work_from_event
from nordclear.repertoire.domain.consent import AiStage, ConsentEntry
from nordclear.repertoire.domain.coverage import Coverage, licensable_shares
from nordclear.repertoire.domain.work import Work

PAGE_WORKS = 2_000


class RightsSnapshot:
    """Works and consents of the rights view, loaded on demand and kept for the run."""

    def __init__(self, session: AsyncSession, tables: RightsTables) -> None:
        self._session = session
        self._tables = tables
        self._works: dict[str, tuple[Work, tuple[ConsentEntry, ...]] | None] = {}
        self._all_loaded = False

    async def load(self, work_ids: Iterable[str]) -> None:
        """Read the works not read yet (unknown ids are remembered as unknown)."""
        wanted = sorted({work_id for work_id in work_ids if work_id not in self._works})
        for start in range(0, len(wanted), PAGE_WORKS):
            page = wanted[start : start + PAGE_WORKS]
            await self._read(self._tables.works.c.work_id.in_(page))
            for work_id in page:
                self._works.setdefault(work_id, None)

    async def load_all(self) -> None:
        """Read every work of the view (the presumption rule's repertoire)."""
        if self._all_loaded:
            return
        after = ""
        while True:
            found = await self._read(self._tables.works.c.work_id > after, limit=PAGE_WORKS)
            if not found:
                break
            after = found[-1]
        self._all_loaded = True

    def coverage(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> Coverage | None:
        """The coverage of a loaded work; None when it is unknown."""
        loaded = self._works.get(work_id)
        if loaded is None:
            return None
        work, consents = loaded
        return licensable_shares(work, consents, stage, territory, on)

    def licensable(self, stage: AiStage, territory: Territory, on: date) -> list[Coverage]:
        """Every licensable work's coverage, in work-id order (after ``load_all``)."""
        answers = []
        for work_id in sorted(self._works):
            coverage = self.coverage(work_id, stage, territory, on)
            if coverage is not None and coverage.licensable:
                answers.append(coverage)
        return answers

    async def _read(self, condition: ColumnElement[bool], limit: int | None = None) -> list[str]:
        works = self._tables.works
        query = (
            select(works.c.work_id, works.c.deleted, works.c.document)
            .where(condition)
            .order_by(works.c.work_id)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = (await self._session.execute(query)).all()
        ids = [row.work_id for row in rows]
        consents = await self._consents_of(ids)
        for row in rows:
            if row.document is None:
                # Deleted before the view saw it registered: no state to answer from, so unknown.
                self._works[row.work_id] = None
                continue
            work = work_from_event(events.WorkRegistered.FromString(row.document))
            self._works[row.work_id] = (
                replace(work, deleted=True) if row.deleted else work,
                consents.get(row.work_id, ()),
            )
        return ids

    async def _consents_of(self, work_ids: list[str]) -> dict[str, tuple[ConsentEntry, ...]]:
        table = self._tables.consents
        found: dict[str, list[ConsentEntry]] = {}
        if not work_ids:
            return {}
        rows = await self._session.execute(
            select(table.c.work_id, table.c.document)
            .where(table.c.work_id.in_(work_ids))
            .order_by(table.c.recorded_at, table.c.consent_id)
        )
        for row in rows:
            found.setdefault(row.work_id, []).append(consent_from_stored(row.document))
        return {work_id: tuple(entries) for work_id, entries in found.items()}
