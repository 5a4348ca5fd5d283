"""The matching service's unit of work: the platform's, plus the read-model repository."""

from __future__ import annotations

from typing import Self

from nordclear.matching.adapters.repository import RepertoireIndex
from nordclear.platform.db.unit_of_work import UnitOfWork


class MatchingUnitOfWork(UnitOfWork):
    """One transaction over the matching service's tables."""

    index: RepertoireIndex

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.index = RepertoireIndex(self.session)
        return self
