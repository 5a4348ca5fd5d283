"""The settlement service's unit of work: the platform's, plus its repository and the rights view."""

from __future__ import annotations

from typing import Self

from nordclear.platform.db.unit_of_work import UnitOfWork
from nordclear.platform.rights import RightsStore, RightsTables
from nordclear.settlement.adapters import orm
from nordclear.settlement.adapters.repository import SettlementRepository


class SettlementUnitOfWork(UnitOfWork):
    """One transaction over the settlement service's tables."""

    repo: SettlementRepository
    rights: RightsStore
    rights_tables: RightsTables = orm.rights

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.repo = SettlementRepository(self.session)
        self.rights = RightsStore(self.session, orm.rights)
        return self
