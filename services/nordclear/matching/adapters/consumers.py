"""Kafka event handlers of the matching service: repertoire and licensing events → the read models.

Handlers only translate the event into domain values and call the service layer; the platform's inbox
consumer provides the transaction, the deduplication and the dead-lettering.
"""

from __future__ import annotations

from datetime import UTC

from nordclear.gen.events.v1 import envelope_pb2, licensing_events_pb2
from nordclear.matching.adapters import report_proto
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.licence import Licence, LicenceStatus
from nordclear.matching.domain.read_model import IndexedRecording, IndexedWork
from nordclear.matching.service_layer import licences, reports
from nordclear.matching.service_layer.read_model import index_recording, index_work, remove_work
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import date_from_proto, territory_from_proto

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
                recording_id=recording.recording_id,
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
                    recording_id=recording.recording_id,
                )
                for recording in event.recordings
                if recording.isrc
            ),
            revision=event.revision,
            alternate_titles=tuple(title for title in event.alternate_titles if title),
            society_work_ids=tuple(
                (society.society_code, society.work_code)
                for society in event.society_work_ids
                if society.society_code and society.work_code
            ),
            duration_ms=event.duration_ms,
        )
        await index_work(uow, work, envelope.event_id, changed_at)


HANDLED_LICENSING_EVENTS = frozenset(
    {
        "nordclear.events.v1.LicenceIssued",
        "nordclear.events.v1.LicenceSuspended",
        "nordclear.events.v1.LicenceReactivated",
        "nordclear.events.v1.LicenceRevoked",
        "nordclear.events.v1.LicenceExpired",
    }
)


async def handle_licensing_event(envelope: envelope_pb2.EventEnvelope, uow: MatchingUnitOfWork) -> None:
    """Apply one licence lifecycle event to the licence read model (inside the consumer's transaction)."""
    kind = envelope.WhichOneof("payload")
    if kind == "licence_issued":
        await licences.licence_issued(uow, _licence(envelope.licence_issued))
        return
    transitions = {
        "licence_suspended": (LicenceStatus.SUSPENDED, "effective_from"),
        "licence_reactivated": (LicenceStatus.ACTIVE, "effective_from"),
        "licence_revoked": (LicenceStatus.REVOKED, "effective_from"),
        "licence_expired": (LicenceStatus.EXPIRED, "term_end"),
    }
    if kind in transitions:
        status, date_field = transitions[kind]
        event = getattr(envelope, kind)
        since = (
            date_from_proto(getattr(event, date_field), date_field) if event.HasField(date_field) else None
        )
        await licences.licence_changed(uow, event.licence_id, status, since)


def _licence(event: licensing_events_pb2.LicenceIssued) -> Licence:
    """The licence an issue event describes; InvalidArgument (dead-lettered) when it is malformed."""
    if not event.HasField("term"):
        raise InvalidArgument("term", "", "a licence has a term")
    return Licence(
        licence_id=event.licence_id,
        licensee_id=event.licensee_id,
        stages=frozenset(
            report_proto.STAGE_FROM_PROTO[stage]
            for stage in event.stages
            if stage in report_proto.STAGE_FROM_PROTO
        ),
        territories=frozenset(territory_from_proto(t, "territories") for t in event.territories),
        term=report_proto.range_from_proto(event.term, "term"),
        status=LicenceStatus.ACTIVE,
        output_label=event.output_label_iptc_digital_source_type,
    )


HANDLED_SETTLEMENT_EVENTS = frozenset({"nordclear.events.v1.ReportsSettled"})


async def handle_settlement_event(envelope: envelope_pb2.EventEnvelope, uow: MatchingUnitOfWork) -> None:
    """Mark the reports a settlement run settled (inside the consumer's transaction)."""
    if envelope.WhichOneof("payload") == "reports_settled":
        settled = [(report.licensee_id, report.report_id) for report in envelope.reports_settled.reports]
        await reports.mark_settled(uow, settled, envelope.occurred_at.ToDatetime(tzinfo=UTC))
