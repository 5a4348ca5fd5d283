"""Property-based: any valid work CWR can carry survives writer → reader → to_domain unchanged."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nordclear.repertoire.cwr import CwrVersion, Transaction
from nordclear.repertoire.cwr.ack import Accepted, acknowledge
from nordclear.repertoire.cwr.writer import WorkToWrite, registration_lines, unwritten_fields
from nordclear.repertoire.domain.rules import validated_recording, validated_work
from nordclear.repertoire.domain.work import Recording, Work
from tests.unit.repertoire.cwr.cwr_domain import CLEARING_HOUSE, CREATED_AT, PROCESSING_DATE, read_back
from tests.unit.repertoire.cwr.cwr_reading import read_lines
from tests.unit.repertoire.cwr.work_strategies import works

pytestmark = pytest.mark.unit

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WorkAndRecordings = tuple[Work, tuple[Recording, ...]]


def _check_round_trip(drawn: list[WorkAndRecordings], version: CwrVersion) -> None:
    for work, recordings in drawn:
        # The strategy's works pass every rule, are in normal form, and hold nothing CWR loses.
        assert validated_work(work) == work
        assert all(validated_recording(recording) == recording for recording in recordings)
        assert unwritten_fields(work, recordings, version) == ()
    lines = list(
        registration_lines(
            [WorkToWrite(work, recordings) for work, recordings in drawn],
            sender=CLEARING_HOUSE,
            created_at=CREATED_AT,
            version=version,
        )
    )
    reading, again = read_back(lines)
    assert reading.rejection is None, reading.rejection
    assert [(w.work, w.recordings, w.problems) for w in again] == [
        (work, recordings, ()) for work, recordings in drawn
    ]


@_SETTINGS
@given(st.lists(works(CwrVersion.V2_1), min_size=1, max_size=3))
def test_valid_works_survive_cwr_2_1(drawn: list[WorkAndRecordings]) -> None:
    _check_round_trip(drawn, CwrVersion.V2_1)


@_SETTINGS
@given(st.lists(works(CwrVersion.V2_2), min_size=1, max_size=3))
def test_valid_works_survive_cwr_2_2(drawn: list[WorkAndRecordings]) -> None:
    _check_round_trip(drawn, CwrVersion.V2_2)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(works(CwrVersion.V2_1), min_size=1, max_size=4))
def test_their_acknowledgement_accepts_every_one(drawn: list[WorkAndRecordings]) -> None:
    lines = list(
        registration_lines(
            [WorkToWrite(work, recordings) for work, recordings in drawn],
            sender=CLEARING_HOUSE,
            created_at=CREATED_AT,
        )
    )

    def accept(transaction: Transaction) -> Accepted:
        return Accepted(f"NC{transaction.header.transaction_sequence:06d}")

    ack = list(
        acknowledge(
            read_lines(lines).items,
            accept,
            sender=CLEARING_HOUSE,
            created_at=CREATED_AT,
            processing_date=PROCESSING_DATE,
        )
    )
    reading = read_lines(ack)
    assert reading.rejection is None
    assert [t.header.record_type for t in reading.transactions] == ["ACK"] * len(drawn)
    assert [line[157:159] for line in ack if line.startswith("ACK")] == ["AS"] * len(drawn)
