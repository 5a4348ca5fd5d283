"""Unit tests of nordclear.platform.messaging.envelope: wrapping events.v1 payloads in EventEnvelope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf.message import Message

from nordclear.gen.events.v1 import envelope_pb2, licensing_events_pb2, repertoire_events_pb2
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.messaging.envelope import new_envelope, payload_of

pytestmark = pytest.mark.unit

PAYLOAD_FIELD_NAMES = [
    field.name for field in envelope_pb2.EventEnvelope.DESCRIPTOR.oneofs_by_name["payload"].fields
]


def _work_registered() -> repertoire_events_pb2.WorkRegistered:
    return repertoire_events_pb2.WorkRegistered(work_id="w-1", iswc="T0345246801", title="Visa")


def test_the_payload_lands_in_its_oneof_field_with_its_full_name_as_event_type() -> None:
    payload = _work_registered()
    envelope = new_envelope(payload, producer="repertoire", aggregate_id="w-1", correlation_id="req-7")
    assert envelope.event_type == "nordclear.events.v1.WorkRegistered"
    assert envelope.WhichOneof("payload") == "work_registered"
    assert envelope.work_registered == payload
    assert envelope.producer == "repertoire"
    assert envelope.aggregate_id == "w-1"
    assert envelope.correlation_id == "req-7"


def test_a_fresh_envelope_gets_a_new_uuid_and_the_current_time() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    first = new_envelope(_work_registered(), producer="repertoire", aggregate_id="w-1")
    second = new_envelope(_work_registered(), producer="repertoire", aggregate_id="w-1")
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert uuid.UUID(first.event_id).version == 4
    assert first.event_id != second.event_id
    assert before <= first.occurred_at.ToDatetime(UTC) <= after
    assert first.correlation_id == ""


def test_a_given_event_id_and_time_are_kept() -> None:
    occurred_at = datetime(2025, 3, 1, 12, 30, 15, 250_000, tzinfo=timezone(timedelta(hours=1)))
    envelope = new_envelope(
        _work_registered(),
        producer="repertoire",
        aggregate_id="w-1",
        event_id="evt-42",
        occurred_at=occurred_at,
    )
    assert envelope.event_id == "evt-42"
    assert envelope.occurred_at.ToDatetime(UTC) == occurred_at
    assert envelope.occurred_at.ToDatetime(UTC) == datetime(2025, 3, 1, 11, 30, 15, 250_000, tzinfo=UTC)


def test_the_same_event_id_gives_the_same_envelope_for_a_retried_fact() -> None:
    occurred_at = datetime(2025, 1, 1, tzinfo=UTC)
    first, second = (
        new_envelope(
            _work_registered(),
            producer="repertoire",
            aggregate_id="w-1",
            event_id="e",
            occurred_at=occurred_at,
        )
        for _ in range(2)
    )
    assert first.SerializeToString(deterministic=True) == second.SerializeToString(deterministic=True)


def test_the_envelope_holds_a_copy_of_the_payload() -> None:
    payload = _work_registered()
    envelope = new_envelope(payload, producer="repertoire", aggregate_id="w-1")
    payload.title = "changed afterwards"
    assert envelope.work_registered.title == "Visa"


@pytest.mark.parametrize("name", PAYLOAD_FIELD_NAMES)
def test_every_payload_type_is_wrapped_in_its_own_field(name: str) -> None:
    payload_class = type(getattr(envelope_pb2.EventEnvelope(), name))
    payload: Message = payload_class()
    envelope = new_envelope(payload, producer="p", aggregate_id="a")
    assert envelope.WhichOneof("payload") == name
    assert envelope.event_type == payload.DESCRIPTOR.full_name
    assert payload_of(envelope) == payload


@pytest.mark.parametrize(
    "payload",
    [work_pb2.Work(title="not an event"), envelope_pb2.EventEnvelope(), work_pb2.InterestedParty()],
    ids=["Work", "EventEnvelope", "InterestedParty"],
)
def test_a_message_that_is_no_envelope_payload_is_refused(payload: Message) -> None:
    with pytest.raises(TypeError, match=payload.DESCRIPTOR.full_name):
        new_envelope(payload, producer="p", aggregate_id="a")


def test_payload_of_returns_the_payload() -> None:
    payload = licensing_events_pb2.LicenseeRegistered()
    envelope = new_envelope(payload, producer="licensing", aggregate_id="l-1")
    found = payload_of(envelope)
    assert isinstance(found, licensing_events_pb2.LicenseeRegistered)
    assert found == payload


def test_payload_of_an_empty_envelope_is_none() -> None:
    assert payload_of(envelope_pb2.EventEnvelope(event_id="e", event_type="x")) is None


def test_payload_of_survives_serialisation() -> None:
    envelope = new_envelope(_work_registered(), producer="repertoire", aggregate_id="w-1")
    parsed = envelope_pb2.EventEnvelope.FromString(envelope.SerializeToString())
    assert payload_of(parsed) == _work_registered()
    assert parsed.event_type == envelope.event_type
