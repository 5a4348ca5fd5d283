"""The repertoire's unit of work: the platform's, plus the repertoire's repositories."""

from __future__ import annotations

from typing import Self

from nordclear.platform.db.unit_of_work import UnitOfWork
from nordclear.repertoire.adapters.repository import (
    ConsentRegister,
    CwrImportLog,
    RecordingRepository,
    RequestLog,
    WorkRepository,
)


class RepertoireUnitOfWork(UnitOfWork):
    """One transaction over works, recordings and request ids, publishing through the outbox."""

    works: WorkRepository
    recordings: RecordingRepository
    consents: ConsentRegister
    imports: CwrImportLog
    requests: RequestLog

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.works = WorkRepository(self.session)
        self.recordings = RecordingRepository(self.session)
        self.consents = ConsentRegister(self.session)
        self.imports = CwrImportLog(self.session)
        self.requests = RequestLog(self.session)
        return self
