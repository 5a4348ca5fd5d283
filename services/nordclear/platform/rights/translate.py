"""Between the repertoire's events and its domain: what the rights tables store and how it is read back.

A work event carries the work's full state in ``WorkParty`` messages, which name the same facts as the
repertoire API's ``InterestedParty``; rebuilding that message and reading it with the repertoire's own
codec keeps one mapping from protobuf to the domain (and its checks) instead of two.
"""

from __future__ import annotations

from dataclasses import replace

from nordclear.gen.common.v1 import identifiers_pb2
from nordclear.gen.events.v1 import repertoire_events_pb2 as events
from nordclear.gen.repertoire.v1 import consent_pb2, work_pb2
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.adapters.consent_proto import consent_from_document
from nordclear.repertoire.adapters.work_proto import member_society, work_from_proto
from nordclear.repertoire.domain.consent import ConsentEntry
from nordclear.repertoire.domain.work import Work

WorkState = events.WorkRegistered | events.WorkUpdated


def work_from_event(state: WorkState) -> Work:
    """The domain work a work event describes."""
    society = member_society(state.submitting_society, "submitting_society")
    if society is None:
        raise InvalidArgument(
            "submitting_society", "SOCIETY_UNSPECIFIED", "a work event must name the submitting society"
        )
    message = work_pb2.Work(
        work_id=state.work_id,
        iswc=state.iswc,
        title=state.title,
        alternate_titles=[work_pb2.AlternateTitle(title=title) for title in state.alternate_titles],
        parties=[_party(party) for party in (*state.creators, *state.publishers)],
        language_code=state.language_code,
        duration_ms=state.duration_ms,
    )
    work = work_from_proto(message, work_id=state.work_id, submitting_society=society)
    return replace(work, revision=state.revision)


def _party(party: events.WorkParty) -> work_pb2.InterestedParty:
    return work_pb2.InterestedParty(
        party_key=party.party_key,
        name=party.name,
        first_name=party.first_name,
        ipi_name_number=party.ipi_name_number,
        ipi_base_number=party.ipi_base_number,
        role=party.role,
        # Only controlled parties carry mandates; the flag itself does not travel in events.
        controlled=bool(party.mandates),
        ownership_shares=[
            work_pb2.RightShare(right=share.right, share_bp=share.share_bp)
            for share in party.ownership_shares
        ],
        collection_shares=[
            work_pb2.CollectionShare(
                tis_code=collection.tis_code,
                inclusion=collection.inclusion,
                shares=[work_pb2.RightShare(right=s.right, share_bp=s.share_bp) for s in collection.shares],
                valid_from=collection.valid_from,
                valid_until=collection.valid_until,
            )
            for collection in party.collection_shares
        ],
        mandates=[
            work_pb2.Mandate(
                right=mandate.right,
                tis_code=mandate.tis_code,
                inclusion=mandate.inclusion,
                society_code=mandate.society_code,
                valid_from=mandate.valid_from,
                valid_until=mandate.valid_until,
            )
            for mandate in party.mandates
        ],
        publisher_party_keys=list(party.publisher_party_keys),
    )


def consent_document(
    event: events.ConsentRecorded | events.ConsentRevoked, recorded_at_seconds: int, recorded_at_nanos: int
) -> bytes:
    """The register entry a consent event carries, as the repertoire stores it."""
    granted = isinstance(event, events.ConsentRecorded)
    message = consent_pb2.Consent(
        consent_id=event.consent_id,
        subject=consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=event.work_id)),
        stage=event.stage,
        action=consent_pb2.CONSENT_ACTION_GRANT if granted else consent_pb2.CONSENT_ACTION_REVOKE,
        effective_from=event.effective_from,
        recorded_by=event.recorded_by,
        society=event.society,
    )
    if isinstance(event, events.ConsentRecorded):
        message.effective_until.CopyFrom(event.effective_until)
    else:
        message.note = event.note
    if event.HasField("evidence"):
        message.evidence.CopyFrom(event.evidence)
    message.recorded_at.seconds = recorded_at_seconds
    message.recorded_at.nanos = recorded_at_nanos
    return message.SerializeToString(deterministic=True)


def consent_from_stored(document: bytes) -> ConsentEntry:
    """A stored register entry, read with the repertoire's codec."""
    return consent_from_document(document)
