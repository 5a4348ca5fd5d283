"""Building event envelopes: every Kafka message is one ``nordclear.events.v1.EventEnvelope``.

The envelope carries the event id (the consumers' deduplication key), the type, the time, the producer
and the aggregate id (the Kafka key, so one aggregate's events stay in order on one partition).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from google.protobuf.message import Message

from nordclear.gen.events.v1 import envelope_pb2


def _payload_field(payload: Message) -> str:
    """The envelope's oneof field that holds messages of ``payload``'s type."""
    full_name = payload.DESCRIPTOR.full_name
    for field in envelope_pb2.EventEnvelope.DESCRIPTOR.oneofs_by_name["payload"].fields:
        if field.message_type is not None and field.message_type.full_name == full_name:
            return field.name
    raise TypeError(f"{full_name} is not a payload of nordclear.events.v1.EventEnvelope")


def new_envelope(
    payload: Message,
    *,
    producer: str,
    aggregate_id: str,
    correlation_id: str = "",
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> envelope_pb2.EventEnvelope:
    """Wrap ``payload`` in an envelope with a fresh event id unless the caller chose one.

    Callers choose the event id when the same fact may be produced twice (a retried request), so that
    the second copy deduplicates downstream instead of counting twice.
    """
    envelope = envelope_pb2.EventEnvelope(
        event_id=event_id or str(uuid.uuid4()),
        event_type=payload.DESCRIPTOR.full_name,
        producer=producer,
        aggregate_id=aggregate_id,
        correlation_id=correlation_id,
    )
    envelope.occurred_at.FromDatetime(occurred_at or datetime.now(UTC))
    getattr(envelope, _payload_field(payload)).CopyFrom(payload)
    return envelope


def payload_of(envelope: envelope_pb2.EventEnvelope) -> Message | None:
    """The message in the envelope's payload oneof, or None when it is empty."""
    field = envelope.WhichOneof("payload")
    if field is None:
        return None
    message: Message = getattr(envelope, field)
    return message
