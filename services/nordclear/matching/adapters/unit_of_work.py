"""The matching service's unit of work: the platform's, plus the matching service's repositories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from nordclear.matching.adapters.report_repository import LicenceRepository, ReportRepository, RequestLog
from nordclear.matching.adapters.repository import RepertoireIndex
from nordclear.platform.db.unit_of_work import UnitOfWork


class MatchingUnitOfWork(UnitOfWork):
    """One transaction over the matching service's tables."""

    index: RepertoireIndex
    licences: LicenceRepository
    reports: ReportRepository
    requests: RequestLog
    released_events: bool = False
    """Set when held events were moved into the outbox, so that commit wakes the relay."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.index = RepertoireIndex(self.session)
        self.licences = LicenceRepository(self.session)
        self.reports = ReportRepository(self.session)
        self.requests = RequestLog(self.session)
        self.released_events = False
        return self

    async def stage(self, report_pk: str, events: Sequence[tuple[int, object]]) -> None:
        """Hold (sequence, domain event) pairs of a report until it is accepted (or discarded)."""
        staged = [
            (seq, topic, envelope) for seq, event in events for topic, envelope in self._translate(event)
        ]
        await self.reports.stage_events(report_pk, staged)

    async def commit(self) -> None:
        """Commit; wake the outbox relay also when held events were released into the outbox."""
        released, self.released_events = self.released_events, False
        await super().commit()
        if released:
            self._on_commit()
