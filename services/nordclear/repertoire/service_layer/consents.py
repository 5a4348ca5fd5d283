"""AI consent use cases: record and revoke (append-only), read history and state, answer licensability.

A society records consent for the works it administers (the work's submitting society); clearing-house
ops may record for any. One request may cover several stages; each becomes its own register entry, all
in one transaction, and the request id makes the whole request idempotent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from nordclear.platform.domain.societies import Society
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument, PermissionDenied
from nordclear.repertoire.adapters.repository import ConsentQuery
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.domain.consent import (
    Actor,
    AiStage,
    ConsentAction,
    ConsentEntry,
    ConsentState,
    ConsentSubject,
    Evidence,
    WorkSubject,
    append_consent,
    consent_state,
)
from nordclear.repertoire.domain.coverage import Coverage, licensable_shares
from nordclear.repertoire.domain.events import ConsentChanged
from nordclear.repertoire.domain.work import Work
from nordclear.repertoire.errors import WorkDeleted, WorkNotFound
from nordclear.repertoire.service_layer.services import Caller, WorkKey, earlier_result, resolve_work_id


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """What a record or revoke request asks, in domain terms."""

    subject: ConsentSubject
    stages: tuple[AiStage, ...]
    action: ConsentAction
    effective_from: date
    effective_until: date | None
    evidence: Evidence | None
    note: str


@dataclass(frozen=True, slots=True)
class Recorded:
    """The entries a request added, and whether this answered a retry."""

    entries: list[ConsentEntry]
    replayed: bool


async def change_consent(
    uow: RepertoireUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    change: ConsentChange,
    caller: Caller,
    actor: Actor,
    now: datetime,
) -> Recorded:
    """Append one entry per stage to the register; every rule is checked before anything is stored."""
    if not change.stages:
        raise InvalidArgument("stages", [], "name at least one AI stage")
    if len(set(change.stages)) != len(change.stages):
        raise InvalidArgument("stages", [s.value for s in change.stages], "each stage at most once")
    operation = f"{change.action.value}_consent"
    async with uow:
        if await earlier_result(uow, request_id, operation, fingerprint) is not None:
            return Recorded(await uow.consents.recorded_by_request(request_id), replayed=True)
        society = await _society_for(uow, change.subject, caller)
        entries = []
        for stage in change.stages:
            history = await uow.consents.history(change.subject, stage)
            entry = ConsentEntry(
                entry_id=str(uuid.uuid4()),
                subject=change.subject,
                stage=stage,
                action=change.action,
                effective_from=change.effective_from,
                effective_until=change.effective_until,
                recorded_by=actor,
                recorded_at=now,
                society=society,
                evidence=change.evidence,
                note=change.note,
            )
            stored = append_consent(history, entry)[-1]
            await uow.consents.append(stored, request_id)
            uow.record(ConsentChanged(entry=stored, request_id=request_id))
            entries.append(stored)
        await uow.requests.add(request_id, operation, fingerprint, entries[0].entry_id)
        await uow.commit()
        return Recorded(entries, replayed=False)


async def _society_for(uow: RepertoireUnitOfWork, subject: ConsentSubject, caller: Caller) -> Society:
    """The society through which the consent is recorded, checking the caller may record it."""
    if isinstance(subject, WorkSubject):
        work = await _live_work(uow, subject.work_id)
        if not caller.may_write_for(work.submitting_society):
            raise PermissionDenied(
                f"{caller.description} may not record consent for works administered by "
                f"{work.submitting_society.name}"
            )
        return work.submitting_society
    if caller.society is None:
        rule = "performer consent is recorded by the performer's society, with that society's token"
        raise InvalidArgument("subject.performer_attribute", "clearing-house ops", rule)
    return caller.society


async def _live_work(uow: RepertoireUnitOfWork, work_id: str) -> Work:
    work = await uow.works.get(work_id)
    if work is None:
        raise WorkNotFound(f"subject.work {work_id!r}: no such work")
    if work.deleted:
        raise WorkDeleted(f"subject.work {work_id}: the work was deleted; consent cannot change")
    return work


async def subject_of_work(uow: RepertoireUnitOfWork, key: WorkKey) -> WorkSubject:
    """The consent subject for a work named by any identifier (stored by its work id)."""
    async with uow:
        return WorkSubject(await resolve_work_id(uow, key))


async def history(
    uow: RepertoireUnitOfWork, subject: ConsentSubject, stage: AiStage | None
) -> list[ConsentEntry]:
    """A subject's register entries in recorded order."""
    async with uow:
        return await uow.consents.history(subject, stage)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """One page of the register: its entries, where the next page starts (None: last), how many in all."""

    entries: list[ConsentEntry]
    next_after: int | None
    total: int


async def history_page(
    uow: RepertoireUnitOfWork, query: ConsentQuery, *, after: int, limit: int
) -> HistoryPage:
    """Register entries matching ``query`` in recorded order, a page at a time (the audit view)."""
    async with uow:
        entries, next_after, total = await uow.consents.page(query, after_sequence_no=after, limit=limit)
    return HistoryPage(entries, next_after, total)


async def states(uow: RepertoireUnitOfWork, subject: ConsentSubject, on: date) -> list[ConsentState]:
    """The consent state of every stage for ``subject`` on ``on``."""
    async with uow:
        entries = await uow.consents.history(subject)
    return [consent_state(entries, subject, stage, on) for stage in AiStage]


async def licensability(
    uow: RepertoireUnitOfWork, key: WorkKey, stage: AiStage, territory: Territory, on: date
) -> tuple[Work, Coverage]:
    """Whether the work is licensable for ``stage`` in ``territory`` on ``on``, and who gets each share."""
    async with uow:
        work_id = await resolve_work_id(uow, key)
        work = await uow.works.get(work_id)
        if work is None:
            raise WorkNotFound(f"work {work_id!r}: no such work")
        entries = await uow.consents.history(WorkSubject(work_id), stage)
    return work, licensable_shares(work, entries, stage, territory, on)
