"""Repertoire use cases. Each takes a unit of work and plain domain values, never transport types.

Every write is idempotent on a client-chosen request id: the id is scoped to the calling principal by
the caller of these functions, and stored with a fingerprint of the request, so a retry returns the
first answer and a reused id with other content is refused. Every write is validated whole by the
domain rules before anything is stored, and publishes its event in the same transaction.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from nordclear.platform.domain.identifiers import normalise_ipi_name_number, normalise_isrc, normalise_iswc
from nordclear.platform.domain.societies import Society, normalise_cisac_code
from nordclear.platform.errors import (
    FailedPrecondition,
    InvalidArgument,
    NordclearError,
    NotFound,
    PermissionDenied,
)
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.domain.events import WorkChanged
from nordclear.repertoire.domain.rules import validated_work
from nordclear.repertoire.domain.work import Recording, Work
from nordclear.repertoire.errors import (
    AmbiguousRecording,
    DuplicateIswc,
    DuplicateSocietyWorkId,
    RecordingNotFound,
    RequestIdReused,
    StaleRevision,
    WorkDeleted,
    WorkNotFound,
)

SNAPSHOT_PAGE = 500


def new_work_id() -> str:
    """``W`` and 19 base32 characters: 95 random bits, and short enough for CWR's 20-character fields."""
    return "W" + base64.b32encode(secrets.token_bytes(12)).decode()[:19]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, as the use cases need it."""

    description: str
    """For the audit trail, e.g. ``society:STIM``."""
    society: Society | None
    """The society the caller acts for; None for clearing-house ops, who act for any society."""

    def may_write_for(self, society: Society) -> bool:
        """Whether the caller may change data submitted by ``society``."""
        return self.society is None or self.society == society


@dataclass(frozen=True, slots=True)
class Written:
    """The outcome of a write: the work as stored, and whether this answered a retry."""

    work: Work
    replayed: bool


class WorkKeyKind(StrEnum):
    """Which identifier a work is looked up by."""

    WORK_ID = "work_id"
    ISWC = "iswc"
    ISRC = "isrc"
    SOCIETY_WORK_ID = "society_work_id"


@dataclass(frozen=True, slots=True)
class WorkKey:
    """A reference to one work by one identifier (``society_code`` only for society work ids)."""

    kind: WorkKeyKind
    value: str
    society_code: str = ""


# --- writes ------------------------------------------------------------------------------------


async def register_work(
    uow: RepertoireUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    draft: Work,
    caller: Caller,
    now: datetime,
) -> Written:
    """Register ``draft`` as a new work (revision 1) for its submitting society."""
    async with uow:
        written = await register_work_in(
            uow, request_id=request_id, fingerprint=fingerprint, draft=draft, caller=caller, now=now
        )
        await uow.commit()
        return written


async def register_work_in(
    uow: RepertoireUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    draft: Work,
    caller: Caller,
    now: datetime,
) -> Written:
    """``register_work`` inside the caller's open unit of work, which commits (batch imports use it).

    Every check runs before anything is written or recorded, so a refusal leaves the unit of work as it
    was and the caller may go on with the next item.
    """
    replay = await _replay(uow, request_id, "register_work", fingerprint)
    if replay is not None:
        return replay
    _authorise(caller, draft.submitting_society)
    work = validated_work(
        dataclasses.replace(
            draft, work_id=new_work_id(), revision=1, created_at=now, updated_at=now, deleted=False
        )
    )
    await _check_unique(uow, work)
    await uow.works.add(work, caller.description)
    await uow.requests.add(request_id, "register_work", fingerprint, work.work_id)
    uow.record(WorkChanged(work=work, previous_revision=0, request_id=request_id))
    return Written(work, replayed=False)


async def update_work(
    uow: RepertoireUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    draft: Work,
    expected_revision: int | None,
    caller: Caller,
    now: datetime,
) -> Written:
    """Replace a work's state with ``draft`` as its next revision (all fields, not a patch)."""
    async with uow:
        written = await update_work_in(
            uow,
            request_id=request_id,
            fingerprint=fingerprint,
            draft=draft,
            expected_revision=expected_revision,
            caller=caller,
            now=now,
        )
        await uow.commit()
        return written


async def update_work_in(
    uow: RepertoireUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    draft: Work,
    expected_revision: int | None,
    caller: Caller,
    now: datetime,
) -> Written:
    """``update_work`` inside the caller's open unit of work; checks all run before any write."""
    replay = await _replay(uow, request_id, "update_work", fingerprint)
    if replay is not None:
        return replay
    current = await _changeable(uow, draft.work_id, caller, expected_revision)
    if draft.submitting_society != current.submitting_society:
        raise PermissionDenied(
            f"work.submitting_society: a work stays with {current.submitting_society.name}; "
            f"it cannot move to {draft.submitting_society.name}"
        )
    work = validated_work(
        dataclasses.replace(
            draft, revision=current.revision + 1, created_at=current.created_at, updated_at=now, deleted=False
        )
    )
    await _check_unique(uow, work)
    linked = tuple(await uow.recordings.for_work(work.work_id))
    await uow.works.replace(work, caller.description)
    await uow.requests.add(request_id, "update_work", fingerprint, work.work_id)
    uow.record(
        WorkChanged(work=work, previous_revision=current.revision, request_id=request_id, recordings=linked)
    )
    return Written(work, replayed=False)


async def delete_work(
    uow: RepertoireUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    work_id: str,
    reason: str,
    caller: Caller,
    now: datetime,
) -> Written:
    """Mark a work deleted: kept for the audit trail, no longer licensable or matched."""
    async with uow:
        replay = await _replay(uow, request_id, "delete_work", fingerprint)
        if replay is not None:
            return replay
        current = await _changeable(uow, work_id, caller, expected_revision=None)
        work = dataclasses.replace(current, revision=current.revision + 1, updated_at=now, deleted=True)
        await uow.works.replace(work, caller.description)
        await uow.requests.add(request_id, "delete_work", fingerprint, work.work_id)
        uow.record(
            WorkChanged(work=work, previous_revision=current.revision, request_id=request_id, reason=reason)
        )
        await uow.commit()
        return Written(work, replayed=False)


async def earlier_result(
    uow: RepertoireUnitOfWork, request_id: str, operation: str, fingerprint: str
) -> str | None:
    """The result id of an earlier request with this id, or None when it is new.

    The same id with another operation or other content is refused: request ids are idempotency keys.
    """
    earlier = await uow.requests.find(request_id)
    if earlier is None:
        return None
    earlier_operation, earlier_fingerprint, result_id = earlier
    if earlier_operation != operation or earlier_fingerprint != fingerprint:
        shown_id = request_id.rsplit("/", 1)[-1]
        raise RequestIdReused(f"request_id {shown_id!r} was already used for a different request")
    return result_id


async def _replay(
    uow: RepertoireUnitOfWork, request_id: str, operation: str, fingerprint: str
) -> Written | None:
    work_id = await earlier_result(uow, request_id, operation, fingerprint)
    return None if work_id is None else Written(await _existing(uow, work_id), replayed=True)


def _authorise(caller: Caller, society: Society) -> None:
    if not caller.may_write_for(society):
        raise PermissionDenied(f"{caller.description} may not change works submitted by {society.name}")


async def _changeable(
    uow: RepertoireUnitOfWork, work_id: str, caller: Caller, expected_revision: int | None
) -> Work:
    current = await _existing(uow, work_id)
    _authorise(caller, current.submitting_society)
    if current.deleted:
        raise WorkDeleted(f"work {work_id} was deleted at revision {current.revision}; it cannot change")
    if expected_revision is not None and expected_revision != current.revision:
        raise StaleRevision(
            f"work {work_id} is at revision {current.revision}, not {expected_revision}; re-read it and retry"
        )
    return current


async def _check_unique(uow: RepertoireUnitOfWork, work: Work) -> None:
    if work.iswc is not None:
        holder = await uow.works.work_id_for_iswc(work.iswc)
        if holder is not None and holder != work.work_id:
            raise DuplicateIswc(f"work.iswc {work.iswc} is already registered as work {holder}")
    for index, ref in enumerate(work.society_work_ids):
        holder = await uow.works.work_id_for_society_id(ref.society_code, ref.work_code)
        if holder is not None and holder != work.work_id:
            raise DuplicateSocietyWorkId(
                f"work.society_work_ids[{index}]: {ref.society_code}/{ref.work_code} is already work {holder}"
            )


# --- reads -------------------------------------------------------------------------------------


async def list_works(
    uow: RepertoireUnitOfWork,
    *,
    society: Society | None,
    after_work_id: str,
    limit: int,
    include_deleted: bool,
    changed_since: datetime | None,
) -> list[Work]:
    """A page of works in id order."""
    async with uow:
        return await uow.works.page(
            society=society.name if society else None,
            after_work_id=after_work_id,
            limit=limit,
            include_deleted=include_deleted,
            changed_since=changed_since,
        )


async def stream_works(
    uow_factory: Callable[[], RepertoireUnitOfWork],
    *,
    include_deleted: bool,
    society: str | None = None,
    changed_since: datetime | None = None,
) -> AsyncIterator[tuple[Work, list[Recording]]]:
    """Every work (of ``society``, changed since ...) with its recordings, a page per transaction.

    Paging by transaction keeps every transaction short however many works there are.
    """
    after = ""
    while True:
        async with uow_factory() as uow:
            page = await uow.works.page(
                society=society,
                after_work_id=after,
                limit=SNAPSHOT_PAGE,
                include_deleted=include_deleted,
                changed_since=changed_since,
            )
            batch = [(work, await uow.recordings.for_work(work.work_id)) for work in page]
        for item in batch:
            yield item
        if len(page) < SNAPSHOT_PAGE:
            return
        after = page[-1].work_id


async def resolve_work_id(uow: RepertoireUnitOfWork, key: WorkKey) -> str:
    """The work id ``key`` names, inside the caller's transaction; WorkNotFound if none."""
    work_id: str | None
    if key.kind is WorkKeyKind.WORK_ID:
        work_id = key.value
    elif key.kind is WorkKeyKind.ISWC:
        work_id = await uow.works.work_id_for_iswc(normalise_iswc(key.value, "work.iswc"))
    elif key.kind is WorkKeyKind.SOCIETY_WORK_ID:
        code = normalise_cisac_code(key.society_code, "work.society_work_id.society_code")
        work_id = await uow.works.work_id_for_society_id(code, key.value)
    else:
        work_id = await _work_id_for_isrc(uow, normalise_isrc(key.value, "work.isrc"))
    if work_id is None:
        raise WorkNotFound(f"work.{key.kind.value} {key.value!r}: no such work")
    return work_id


async def work_ids_for_ipi(uow: RepertoireUnitOfWork, ipi_name_number: str) -> list[str]:
    """Ids of the works in which a party with this IPI name number appears."""
    async with uow:
        return await uow.works.work_ids_for_ipi(normalise_ipi_name_number(ipi_name_number, "ipi_name_number"))


async def _work_id_for_isrc(uow: RepertoireUnitOfWork, isrc: str) -> str | None:
    recording_id = await uow.recordings.recording_id_for_isrc(isrc)
    if recording_id is None:
        return None
    recording = await uow.recordings.get(recording_id)
    if recording is None:
        raise RecordingNotFound(f"recording {recording_id} vanished")
    if len(recording.work_ids) > 1:
        raise AmbiguousRecording(
            f"work.isrc {isrc}: its recording is linked to {len(recording.work_ids)} works; name the work"
        )
    return recording.work_ids[0] if recording.work_ids else None


async def _existing(uow: RepertoireUnitOfWork, work_id: str) -> Work:
    work = await uow.works.get(work_id)
    if work is None:
        raise WorkNotFound(f"work_id {work_id!r}: no such work")
    return work


@dataclass(frozen=True, slots=True)
class Lookup:
    """One key of a batch lookup: a work reference, or a party's IPI name number."""

    work: WorkKey | None = None
    ipi_name_number: str | None = None


@dataclass(frozen=True, slots=True)
class LookupOutcome:
    """The ids of the works one key found (empty when none), or why the key could not be looked up."""

    work_ids: list[str]
    error: NordclearError | None = None
    truncated: bool = False


async def batch_lookup(
    uow: RepertoireUnitOfWork, keys: Sequence[Lookup], max_works_per_key: int
) -> list[LookupOutcome]:
    """Resolve every key to work ids in one read transaction; a bad key is reported, never fails the batch."""
    async with uow:
        found_ids: list[list[str] | NordclearError] = []
        for key in keys:
            try:
                found_ids.append(await _lookup_ids(uow, key))
            except (InvalidArgument, NotFound, FailedPrecondition) as error:
                found_ids.append(error)
    outcomes = []
    for ids in found_ids:
        if isinstance(ids, NordclearError):
            outcomes.append(LookupOutcome(work_ids=[], error=ids))
        else:
            outcomes.append(LookupOutcome(ids[:max_works_per_key], truncated=len(ids) > max_works_per_key))
    return outcomes


async def _lookup_ids(uow: RepertoireUnitOfWork, key: Lookup) -> list[str]:
    if key.work is not None:
        try:
            return [await resolve_work_id(uow, key.work)]
        except WorkNotFound:
            return []
    assert key.ipi_name_number is not None, "a lookup names a work or a party"
    return await uow.works.work_ids_for_ipi(
        normalise_ipi_name_number(key.ipi_name_number, "party.ipi_name_number")
    )
