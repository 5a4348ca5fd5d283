"""Kafka event handlers of the matching service: repertoire events → the local read model.

Handlers only translate the event into domain values and call the service layer; the platform's inbox
consumer provides the transaction, the deduplication and the dead-lettering.
"""

from __future__ import annotations

from datetime import UTC

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.read_model import IndexedRecording, IndexedWork
from nordclear.matching.service_layer.read_model import index_recording, index_work, remove_work

HANDLED_REPERTOIRE_EVENTS = frozenset(
    {
        "nordclear.events.v1.WorkRegistered",
        "nordclear.events.v1.WorkUpdated",
        "nordclear.events.v1.WorkDeleted",
        "nordclear.events.v1.RecordingRegistered",
    }
)


async def handle_repertoire_event(envelope: envelope_pb2.EventEnvelope, uow: MatchingUnitOfWork) -> None:
    """Apply one repertoire event to the read model (inside the consumer's transaction)."""
    changed_at = envelope.occurred_at.ToDatetime(tzinfo=UTC)
    kind = envelope.WhichOneof("payload")
    if kind == "work_deleted":
        deleted = envelope.work_deleted
        await remove_work(uow, deleted.work_id, deleted.revision, envelope.event_id, changed_at)
        return
    if kind == "recording_registered":
        recording = envelope.recording_registered
        if recording.isrc and recording.work_ids:
            indexed = IndexedRecording(
                isrc=recording.isrc,
                title=recording.title,
                main_artist=recording.main_artist,
                duration_ms=recording.duration_ms,
            )
            await index_recording(uow, indexed, list(recording.work_ids), envelope.event_id, changed_at)
        return
    if kind in ("work_registered", "work_updated"):
        event = envelope.work_registered if kind == "work_registered" else envelope.work_updated
        work = IndexedWork(
            work_id=event.work_id,
            title=event.title,
            iswc=event.iswc or None,
            creator_names=tuple(
                " ".join(part for part in (creator.first_name, creator.name) if part)
                for creator in event.creators
            ),
            recordings=tuple(
                IndexedRecording(
                    isrc=recording.isrc,
                    title=recording.title,
                    main_artist=recording.main_artist,
                    duration_ms=recording.duration_ms,
                )
                for recording in event.recordings
                if recording.isrc
            ),
            revision=event.revision,
        )
        await index_work(uow, work, envelope.event_id, changed_at)
