"""Recording use cases: register (or update by ISRC) a recording with its links to works, and read it.

Training data and attribution reports name recordings more often than works, so the ISRC → work link
is what lets matching pay the right people; a recording must link to at least one existing work.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from nordclear.platform.errors import InvalidArgument, PermissionDenied
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.domain.events import RecordingChanged
from nordclear.repertoire.domain.rules import validated_recording
from nordclear.repertoire.domain.work import Recording
from nordclear.repertoire.errors import RecordingNotFound, WorkDeleted, WorkNotFound
from nordclear.repertoire.service_layer.services import Caller, earlier_result

OPERATION = "register_recording"


@dataclass(frozen=True, slots=True)
class RecordingWritten:
    """The recording as stored, and whether this answered a retry."""

    recording: Recording
    replayed: bool


async def register_recording(
    uow: RepertoireUnitOfWork, *, request_id: str, fingerprint: str, draft: Recording, caller: Caller
) -> RecordingWritten:
    """Store ``draft`` as a new recording, or as the next revision of the one with its ISRC."""
    if not draft.work_ids:
        raise InvalidArgument("recording.work_ids", [], "link the recording to at least one work")
    async with uow:
        earlier = await earlier_result(uow, request_id, OPERATION, fingerprint)
        if earlier is not None:
            return RecordingWritten(await _existing(uow, earlier), replayed=True)
        recording = validated_recording(draft)
        for index, work_id in enumerate(recording.work_ids):
            await _check_linkable(uow, work_id, f"recording.work_ids[{index}]", caller)
        current_id = await uow.recordings.recording_id_for_isrc(recording.isrc) if recording.isrc else None
        current = await uow.recordings.get(current_id) if current_id else None
        recording = dataclasses.replace(
            recording,
            recording_id=current.recording_id if current else str(uuid.uuid4()),
            revision=current.revision + 1 if current else 1,
        )
        await uow.recordings.put(recording)
        await uow.requests.add(request_id, OPERATION, fingerprint, recording.recording_id)
        uow.record(RecordingChanged(recording=recording, request_id=request_id))
        await uow.commit()
        return RecordingWritten(recording, replayed=False)


async def _check_linkable(uow: RepertoireUnitOfWork, work_id: str, field: str, caller: Caller) -> None:
    work = await uow.works.get(work_id)
    if work is None:
        raise WorkNotFound(f"{field} {work_id!r}: no such work")
    if work.deleted:
        raise WorkDeleted(f"{field} {work_id}: the work was deleted")
    if not caller.may_write_for(work.submitting_society):
        raise PermissionDenied(
            f"{caller.description} may not link recordings to {work.submitting_society.name}'s works"
        )


async def get_recording(uow: RepertoireUnitOfWork, *, recording_id: str = "", isrc: str = "") -> Recording:
    """A recording by id or ISRC."""
    async with uow:
        if isrc:
            recording_id = await uow.recordings.recording_id_for_isrc(isrc) or ""
        return await _existing(uow, recording_id)


async def _existing(uow: RepertoireUnitOfWork, recording_id: str) -> Recording:
    recording = await uow.recordings.get(recording_id) if recording_id else None
    if recording is None:
        raise RecordingNotFound(f"recording {recording_id or '(by ISRC)'}: no such recording")
    return recording
