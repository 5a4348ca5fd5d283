"""The licensing service's unit of work: the platform's, plus the licensing repositories and rights view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nordclear.licensing.adapters import orm
from nordclear.licensing.adapters.repository import (
    ApplicationRepository,
    LicenceRepository,
    LicenseeRepository,
    RequestLog,
    SigningKeyRepository,
    TariffRepository,
    WorkKeyIndex,
)
from nordclear.licensing.adapters.rights_view import LicensingRights
from nordclear.licensing.domain.rights import RightsView
from nordclear.platform.db.unit_of_work import EventTranslator, Published, UnitOfWork
from nordclear.platform.errors import Aborted

RightsFactory = Callable[[AsyncSession], RightsView]
"""Builds the rights view on a unit of work's session (tests may substitute an in-memory one)."""


def _reads_only(event: object) -> Sequence[Published]:
    raise TypeError(f"this unit of work is for reads; it cannot publish {type(event).__name__}")


def stored_rights(session: AsyncSession) -> RightsView:
    """The rights read model in this service's own database."""
    return LicensingRights(session, orm.rights)


class LicensingUnitOfWork(UnitOfWork):
    """One transaction over the licensing tables, publishing through the outbox."""

    licensees: LicenseeRepository
    applications: ApplicationRepository
    licences: LicenceRepository
    tariffs: TariffRepository
    signing_keys: SigningKeyRepository
    requests: RequestLog
    work_keys: WorkKeyIndex
    rights: RightsView

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        on_commit: Callable[[], None] = lambda: None,
        translate: EventTranslator = _reads_only,
        rights: RightsFactory = stored_rights,
        on_committed: Callable[[Sequence[object]], None] = lambda events: None,
    ) -> None:
        super().__init__(session_factory, orm.messaging, on_commit, translate, on_committed)
        self._rights = rights

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await super().__aexit__(exc_type, exc, traceback)
        if isinstance(exc, IntegrityError):
            # Two approvals of one application, or two uses of one request id, raced and the first won;
            # nothing of this one was stored, and a retry answers from what the first stored.
            raise Aborted(
                "a concurrent request changed the same data first; retry to see its result"
            ) from exc

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.licensees = LicenseeRepository(self.session)
        self.applications = ApplicationRepository(self.session)
        self.licences = LicenceRepository(self.session)
        self.tariffs = TariffRepository(self.session)
        self.signing_keys = SigningKeyRepository(self.session)
        self.requests = RequestLog(self.session)
        self.work_keys = WorkKeyIndex(self.session)
        self.rights = self._rights(self.session)
        return self
