"""How licensing sees the repertoire: consents, shares and mandates as they stood on a day.

Licensing keeps its own read model of the repertoire, fed by repertoire events (BRIEF §6). This module
names only what pricing, issue and coverage need from it, so the domain and service layer can be
tested with an in-memory stand-in and the adapter that implements it can change freely.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage, ConsentEntry
from nordclear.repertoire.domain.coverage import Coverage
from nordclear.repertoire.domain.work import Work


@dataclass(frozen=True, slots=True)
class WorkRights:
    """A work as the read model holds it, with its consent entries in recorded order."""

    work: Work
    consents: tuple[ConsentEntry, ...]


class RepertoireFigures(Protocol):
    """Totals over the works licensable for one stage in one territory on one day."""

    @property
    def licensable_work_count(self) -> int:
        """How many works are licensable."""
        ...

    @property
    def bp_by_society(self) -> Mapping[str, int]:
        """Society CISAC code → sum over licensable works of the bp of the stage's rights it administers."""
        ...


class RightsView(Protocol):
    """The repertoire as licensing needs it; implemented by the shared rights read model."""

    async def coverage(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> Coverage | None:
        """Whether one work is licensable, and who administers its shares; None for an unknown work."""
        ...

    async def work_rights(self, work_id: str) -> WorkRights | None:
        """A work and its consent entries (what ``coverage`` answers from); None for an unknown work."""
        ...

    async def recording_work_ids(self, recording_id_or_isrc: str) -> tuple[str, ...]:
        """The works a recording (by internal id or ISRC) is linked to; empty when unknown."""
        ...

    def licensable(self, stage: AiStage, territory: Territory, on: date) -> AsyncIterator[Coverage]:
        """Every licensable work, in work-id order (the presumption rule's repertoire)."""
        ...

    async def summary(self, stage: AiStage, territory: Territory, on: date) -> RepertoireFigures:
        """Totals over the licensable works."""
        ...

    def licensable_in(
        self, stages: Sequence[AiStage], territories: Sequence[Territory], on: date
    ) -> AsyncIterator[Coverage]:
        """Every licensable (work, stage, territory) of a licence's scope, in work-id order."""
        ...
