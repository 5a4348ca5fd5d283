"""Translating the repertoire's domain events into the ``nordclear.events.v1`` messages it publishes."""

from __future__ import annotations

from collections.abc import Sequence

from nordclear.gen.events.v1 import repertoire_events_pb2
from nordclear.platform.db.unit_of_work import Published
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.platform.protoconv import society_to_proto
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire.adapters.protocodes import party_role_to_proto
from nordclear.repertoire.domain.model import Work, WorkRegistered


class RepertoireEventTranslator:
    """Turns domain events into (topic, envelope) pairs for the outbox."""

    def __init__(self, topic: str) -> None:
        self._topic = topic

    def __call__(self, event: object) -> Sequence[Published]:
        """What to publish for ``event``."""
        if isinstance(event, WorkRegistered):
            payload = _work_registered(event.work)
            envelope = new_envelope(
                payload,
                producer=REPERTOIRE.name,
                aggregate_id=event.work.work_id,
                correlation_id=event.request_id,
                occurred_at=event.work.registered_at,
            )
            return [(self._topic, envelope)]
        raise TypeError(f"no translation for repertoire event {type(event).__name__}")


def _work_registered(work: Work) -> repertoire_events_pb2.WorkRegistered:
    return repertoire_events_pb2.WorkRegistered(
        work_id=work.work_id,
        iswc=work.iswc or "",
        title=work.title,
        creators=[
            repertoire_events_pb2.WorkParty(
                party_key=str(position),
                name=creator.last_name,
                first_name=creator.first_name,
                ipi_name_number=creator.ipi_name_number or "",
                role=party_role_to_proto(creator.role),
            )
            for position, creator in enumerate(work.creators)
        ],
        submitting_society=society_to_proto(work.society),
        revision=1,
    )
