"""Repertoire use cases. Each takes a unit of work and plain values, never transport types."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from nordclear.platform.domain.identifiers import normalise_iswc
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.domain.model import Work, WorkRegistered, WorkRegistration
from nordclear.repertoire.errors import DuplicateIswc, RequestIdReused, WorkNotFound


@dataclass(frozen=True, slots=True)
class Registered:
    """The outcome of a registration: the work, and whether this answered a retry."""

    work: Work
    replayed: bool


async def register_work(
    uow: RepertoireUnitOfWork, request_id: str, registration: WorkRegistration
) -> Registered:
    """Register a work once per request id; a retry with the same content returns the same work."""
    async with uow:
        earlier = await uow.requests.find(request_id)
        if earlier is not None:
            fingerprint, work_id = earlier
            if fingerprint != registration.fingerprint():
                raise RequestIdReused(f"request_id {request_id!r} was already used for a different work")
            return Registered(await _existing(uow, work_id), replayed=True)
        if registration.iswc is not None:
            holder = await uow.works.work_id_for_iswc(registration.iswc)
            if holder is not None:
                raise DuplicateIswc(f"work.iswc {registration.iswc} is already registered as work {holder}")
        work = Work(
            work_id=str(uuid.uuid4()),
            title=registration.title,
            iswc=registration.iswc,
            creators=registration.creators,
            society=registration.society,
            registered_at=datetime.now(UTC),
        )
        await uow.works.add(work)
        await uow.requests.add(request_id, registration.fingerprint(), work.work_id)
        uow.record(WorkRegistered(work=work, request_id=request_id))
        await uow.commit()
        return Registered(work, replayed=False)


async def get_work(uow: RepertoireUnitOfWork, work_id: str) -> Work:
    """The work with ``work_id``."""
    async with uow:
        return await _existing(uow, work_id)


async def get_work_by_iswc(uow: RepertoireUnitOfWork, iswc: str) -> Work:
    """The work carrying ``iswc`` (in any accepted form)."""
    normal = normalise_iswc(iswc, "work.iswc")
    async with uow:
        work_id = await uow.works.work_id_for_iswc(normal)
        if work_id is None:
            raise WorkNotFound(f"work.iswc {normal}: no work carries this ISWC")
        return await _existing(uow, work_id)


async def _existing(uow: RepertoireUnitOfWork, work_id: str) -> Work:
    work = await uow.works.get(work_id)
    if work is None:
        raise WorkNotFound(f"work_id {work_id!r}: no such work")
    return work
