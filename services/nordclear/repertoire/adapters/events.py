"""Translating the repertoire's domain events into the ``nordclear.events.v1`` messages it publishes.

Work events carry the work's full state, so a read model can be rebuilt from them alone; the event id
is derived from the work id and revision, so a re-published revision deduplicates downstream.
"""

from __future__ import annotations

from collections.abc import Sequence

from nordclear.gen.common.v1 import codes_pb2
from nordclear.gen.events.v1 import repertoire_events_pb2 as events
from nordclear.gen.events.v1.envelope_pb2 import EventEnvelope
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.db.unit_of_work import Published
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire.adapters.consent_proto import consent_to_proto, subject_key
from nordclear.repertoire.adapters.work_proto import recording_to_proto, work_to_proto
from nordclear.repertoire.domain.consent import ConsentAction, WorkSubject
from nordclear.repertoire.domain.events import ConsentChanged, RecordingChanged, WorkChanged
from nordclear.repertoire.domain.work import Recording

WRITER_ROLES = frozenset(
    {
        codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR,
        codes_pb2.PARTY_ROLE_AUTHOR,
        codes_pb2.PARTY_ROLE_COMPOSER,
        codes_pb2.PARTY_ROLE_ARRANGER,
        codes_pb2.PARTY_ROLE_ADAPTOR,
        codes_pb2.PARTY_ROLE_SUB_ARRANGER,
        codes_pb2.PARTY_ROLE_SUB_AUTHOR,
        codes_pb2.PARTY_ROLE_TRANSLATOR,
        codes_pb2.PARTY_ROLE_WRITER_INCOME_PARTICIPANT,
    }
)
"""Writer designations: events list writers as creators, everyone else as publishers."""


class RepertoireEventTranslator:
    """Turns domain events into (topic, envelope) pairs for the outbox."""

    def __init__(self, topic: str) -> None:
        self._topic = topic

    def __call__(self, event: object) -> Sequence[Published]:
        """What to publish for ``event``."""
        if isinstance(event, ConsentChanged):
            return [(self._topic, _consent_envelope(event))]
        if isinstance(event, RecordingChanged):
            return [(self._topic, _recording_envelope(event))]
        if not isinstance(event, WorkChanged):
            raise TypeError(f"no translation for repertoire event {type(event).__name__}")
        work = event.work
        envelope = new_envelope(
            _payload(event),
            producer=REPERTOIRE.name,
            aggregate_id=work.work_id,
            correlation_id=event.request_id,
            event_id=f"work:{work.work_id}:{work.revision}",
            occurred_at=work.updated_at,
        )
        return [(self._topic, envelope)]


def _payload(event: WorkChanged) -> events.WorkRegistered | events.WorkUpdated | events.WorkDeleted:
    work = event.work
    if work.deleted:
        return events.WorkDeleted(
            work_id=work.work_id, iswc=work.iswc or "", revision=work.revision, reason=event.reason
        )
    state = work_state(work_to_proto(work), recordings=event.recordings)
    if event.previous_revision == 0:
        return state
    updated = events.WorkUpdated()
    updated.ParseFromString(state.SerializeToString())  # Same fields and numbers by contract.
    return updated


def work_state(work: work_pb2.Work, recordings: Sequence[Recording]) -> events.WorkRegistered:
    """The full state of a work as its events carry it."""
    parties = [_party(party) for party in work.parties]
    return events.WorkRegistered(
        work_id=work.work_id,
        iswc=work.iswc,
        title=work.title,
        alternate_titles=[title.title for title in work.alternate_titles],
        creators=[party for party in parties if party.role in WRITER_ROLES],
        publishers=[party for party in parties if party.role not in WRITER_ROLES],
        society_work_ids=list(work.society_work_ids),
        recordings=[
            events.WorkRecording(
                recording_id=r.recording_id,
                isrc=r.isrc or "",
                title=r.title,
                main_artist=r.main_artist,
                duration_ms=r.duration_ms or 0,
            )
            for r in recordings
        ],
        submitting_society=work.submitting_society,
        revision=work.revision,
        language_code=work.language_code,
        duration_ms=work.duration_ms,
        performing_artists=[
            " ".join(p for p in (a.first_name, a.name) if p) for a in work.performing_artists
        ],
    )


def _party(party: work_pb2.InterestedParty) -> events.WorkParty:
    return events.WorkParty(
        party_key=party.party_key,
        name=party.name,
        first_name=party.first_name,
        ipi_name_number=party.ipi_name_number,
        ipi_base_number=party.ipi_base_number,
        role=party.role,
        ownership_shares=[
            events.PartyRightShare(right=s.right, share_bp=s.share_bp) for s in party.ownership_shares
        ],
        collection_shares=[
            events.PartyCollectionShare(
                tis_code=c.tis_code,
                inclusion=c.inclusion,
                shares=[events.PartyRightShare(right=s.right, share_bp=s.share_bp) for s in c.shares],
                valid_from=c.valid_from,
                valid_until=c.valid_until,
            )
            for c in party.collection_shares
        ],
        mandates=[
            events.PartyMandate(
                right=m.right,
                tis_code=m.tis_code,
                inclusion=m.inclusion,
                society_code=m.society_code,
                valid_from=m.valid_from,
                valid_until=m.valid_until,
            )
            for m in party.mandates
        ],
        publisher_party_keys=list(party.publisher_party_keys),
    )


def _consent_envelope(event: ConsentChanged) -> EventEnvelope:
    entry = consent_to_proto(event.entry)
    subject = event.entry.subject
    payload: events.ConsentRecorded | events.ConsentRevoked
    if event.entry.action is ConsentAction.GRANT:
        payload = events.ConsentRecorded(
            consent_id=entry.consent_id,
            stage=entry.stage,
            effective_from=entry.effective_from,
            effective_until=entry.effective_until,
            evidence=entry.evidence,
            recorded_by=entry.recorded_by,
            society=entry.society,
        )
    else:
        payload = events.ConsentRevoked(
            consent_id=entry.consent_id,
            stage=entry.stage,
            effective_from=entry.effective_from,
            evidence=entry.evidence,
            recorded_by=entry.recorded_by,
            society=entry.society,
            note=entry.note,
        )
    if isinstance(subject, WorkSubject):
        payload.work_id = subject.work_id
    else:
        performer = entry.subject.performer_attribute
        payload.performer_attribute.CopyFrom(
            events.PerformerAttributeSubject(
                ipi_name_number=performer.ipi_name_number,
                isni=performer.isni,
                name=performer.name,
                attribute=performer.attribute,
            )
        )
    return new_envelope(
        payload,
        producer=REPERTOIRE.name,
        # A work's consent events share its key (and partition) with its work events: one ordered stream.
        aggregate_id=subject.work_id if isinstance(subject, WorkSubject) else subject_key(subject),
        correlation_id=event.request_id,
        event_id=f"consent:{entry.consent_id}",
        occurred_at=event.entry.recorded_at,
    )


def _recording_envelope(event: RecordingChanged) -> EventEnvelope:
    recording = recording_to_proto(event.recording)
    payload = events.RecordingRegistered(
        recording_id=recording.recording_id,
        isrc=recording.isrc,
        title=recording.title,
        main_artist=recording.main_artist,
        duration_ms=recording.duration_ms,
        work_ids=list(recording.work_ids),
        submitting_society=recording.submitting_society,
        revision=recording.revision,
    )
    return new_envelope(
        payload,
        producer=REPERTOIRE.name,
        # Keyed by its first work: on that work's partition, after the events that created the work, so a
        # consumer never sees a link to a work it has not seen yet.
        aggregate_id=recording.work_ids[0] if recording.work_ids else recording.recording_id,
        correlation_id=event.request_id,
        event_id=f"recording:{recording.recording_id}:{recording.revision}",
    )
