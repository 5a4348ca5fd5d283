"""Exporting works as CWR: the round trip CWR → domain → CWR → domain keeps every field the domain models.

Each real registration file is converted, written, read back and converted again; the two conversions
must be equal. CWR 2.1 (the export format) loses only what ``unwritten_fields`` says it loses (the
demo file's cross-referenced society work ids); CWR 2.2 loses nothing of these files.
"""

from __future__ import annotations

import dataclasses
import io
import sys
from collections.abc import Iterator

import pytest

from nordclear.platform.domain.societies import STIM
from nordclear.repertoire.cwr import CwrVersion, FileKind, Level
from nordclear.repertoire.cwr.fixed import CwrWriteError, write_lines
from nordclear.repertoire.cwr.layouts import layout_for, layout_length
from nordclear.repertoire.cwr.to_domain import ImportedWork
from nordclear.repertoire.cwr.writer import WorkToWrite, registration_lines, unwritten_fields, work_lines
from nordclear.repertoire.domain.rules import work_violations
from nordclear.repertoire.domain.work import (
    CollectionShare,
    Inclusion,
    Mandate,
    Recording,
    Right,
    RightShare,
    SocietyWorkId,
    Work,
)
from tests.unit.repertoire.cwr.cwr_domain import (
    CLEARING_HOUSE,
    CREATED_AT,
    REGISTRATION_FIXTURES,
    imported_fixture,
    read_back,
)
from tests.unit.repertoire.cwr.cwr_reading import read_bytes
from tests.unit.repertoire.cwr.work_strategies import example_work

pytestmark = pytest.mark.unit


def _write(
    entries: list[WorkToWrite], version: CwrVersion = CwrVersion.V2_1, transaction_type: str = "NWR"
) -> list[str]:
    return list(
        registration_lines(
            entries,
            sender=CLEARING_HOUSE,
            created_at=CREATED_AT,
            version=version,
            transaction_type=transaction_type,
        )
    )


def _round_trip(works: list[ImportedWork], version: CwrVersion) -> list[ImportedWork]:
    lines = _write([WorkToWrite(w.work, w.recordings) for w in works], version)
    reading, again = read_back(lines)
    assert reading.rejection is None, reading.rejection
    # Everything written is valid CWR: no field or record of it is rejected on reading.
    assert [p for w in again for p in w.problems if p.severity in (Level.FIELD, Level.RECORD)] == []
    return again


@pytest.mark.parametrize("name", REGISTRATION_FIXTURES)
@pytest.mark.parametrize("version", [CwrVersion.V2_1, CwrVersion.V2_2])
def test_real_files_survive_the_round_trip(name: str, version: CwrVersion) -> None:
    first = imported_fixture(name)
    assert first
    again = _round_trip(first, version)
    assert len(again) == len(first)
    for before, after in zip(first, again, strict=True):
        lost = unwritten_fields(before.work, before.recordings, version)
        expected = before.work
        if lost:
            # Only the demo's extra society work ids are lost, and only in CWR 2.1.
            assert (name, version, lost) == (
                "demo_cwr_cleaned.v22",
                CwrVersion.V2_1,
                ("work.society_work_ids[1]", "work.society_work_ids[2]"),
            )
            expected = dataclasses.replace(expected, society_work_ids=expected.society_work_ids[:1])
        assert after.work == expected
        assert after.recordings == before.recordings
        assert after.submitter_work_number == before.submitter_work_number


def test_the_domain_rules_say_the_same_before_and_after() -> None:
    for name in REGISTRATION_FIXTURES:
        first = imported_fixture(name)
        again = _round_trip(first, CwrVersion.V2_2)
        assert [work_violations(w.work) for w in again] == [work_violations(w.work) for w in first]


class TestTheFile:
    def test_frame_counts_widths_and_line_breaks(self) -> None:
        lines = _write([WorkToWrite(example_work()), WorkToWrite(example_work())])
        assert all(line.endswith("\r\n") for line in lines)
        assert all(
            len(line) - 2 == layout_length(layout_for(line[:3], CwrVersion.V2_1) or ()) for line in lines
        ), [
            line
            for line in lines
            if len(line) - 2 != layout_length(layout_for(line[:3], CwrVersion.V2_1) or ())
        ]
        types = [line[:3] for line in lines]
        one_work = ["NWR", "SPU", "SPT", "SWR", "SWT", "PWR", "OWR"]
        assert types == ["HDR", "GRH", *one_work, *one_work, "GRT", "TRL"]
        assert lines[-2].startswith("GRT000010000000200000016")
        assert lines[-1].startswith("TRL000010000000200000018")
        assert [line[3:19] for line in lines[2:9]] == [f"00000000{n:08d}" for n in range(7)]
        assert [line[3:11] for line in lines[9:16]] == ["00000001"] * 7

    def test_it_reads_back_as_a_registration_with_nordic_letters(self) -> None:
        stream = io.BytesIO()
        write_lines(_write([WorkToWrite(example_work())]), stream)
        reading = read_bytes(stream.getvalue(), expect=FileKind.REGISTRATION)
        assert reading.rejection is None
        assert reading.header.character_set == "UTF-8"
        (transaction,) = reading.transactions
        assert transaction.problems == ()
        assert transaction.work is not None
        assert transaction.work.title == "VÅRVINDAR FRISKA"

    def test_revisions_and_cwr_2_2(self) -> None:
        lines = _write([WorkToWrite(example_work())], CwrVersion.V2_2, transaction_type="REV")
        assert lines[0][101:107] == "2.2002"
        assert lines[0][107:116] == "NORDCLEAR"
        assert lines[1].startswith("GRHREV0000102.20")
        reading, (again,) = read_back(lines)
        assert reading.header.version is CwrVersion.V2_2
        assert again.transaction_type == "REV"
        assert again.work == example_work()

    def test_no_works_give_a_file_without_groups(self) -> None:
        lines = _write([])
        assert [line[:3] for line in lines] == ["HDR", "TRL"]
        assert lines[1].startswith("TRL000000000000000000002")

    def test_a_million_works_would_stream_in_flat_memory(self) -> None:
        count = 20_000
        work = example_work()

        def works() -> Iterator[WorkToWrite]:
            for number in range(count):
                numbered = dataclasses.replace(
                    work, society_work_ids=(SocietyWorkId("079", f"STIM{number:08d}"),)
                )
                yield WorkToWrite(numbered)

        baseline = sys.getallocatedblocks()
        peak, written, last = baseline, 0, ""
        for line in registration_lines(works(), sender=CLEARING_HOUSE, created_at=CREATED_AT):
            written, last = written + 1, line
            if written % 20_000 == 0:
                peak = max(peak, sys.getallocatedblocks())
        assert written == 7 * count + 4
        assert last.startswith(f"TRL00001{count:08d}{7 * count + 4:08d}")
        assert peak - baseline < 50_000


class TestWhatCannotBeWritten:
    def test_a_work_without_a_submitter_work_number(self) -> None:
        work = dataclasses.replace(
            example_work(), society_work_ids=(), work_id="1c9a6f2e-5a4b-4d7e-9f00-0123456789ab"
        )
        with pytest.raises(CwrWriteError, match="submitter work number"):
            work_lines(work)
        # A short work id stands in for it.
        short = dataclasses.replace(work, work_id="NC000000042")
        assert work_lines(short)[0][81:95] == "NC000000042   "

    def test_an_unwritable_work_is_skipped_and_the_counts_stay_true(self) -> None:
        too_long = dataclasses.replace(example_work(), duration_ms=100 * 3600 * 1000)
        skipped: list[tuple[Work, CwrWriteError]] = []
        lines = list(
            registration_lines(
                [WorkToWrite(example_work()), WorkToWrite(too_long), WorkToWrite(example_work())],
                sender=CLEARING_HOUSE,
                created_at=CREATED_AT,
                on_unwritable=lambda work, error: skipped.append((work, error)),
            )
        )
        assert [(work, error.field) for work, error in skipped] == [(too_long, "work.duration_ms")]
        reading, again = read_back(lines)
        assert reading.rejection is None
        assert len(again) == 2
        with pytest.raises(CwrWriteError, match=r"at most 99:59:59"):
            _write([WorkToWrite(too_long)])

    def test_text_with_a_line_break_is_refused(self) -> None:
        broken = dataclasses.replace(example_work(), title="TWO\r\nLINES")
        with pytest.raises(CwrWriteError, match="control character U\\+000D"):
            work_lines(broken)

    def test_unwritten_fields_are_listed(self) -> None:
        work = example_work()
        publisher, writer, other = work.parties
        lossy = dataclasses.replace(
            work,
            duration_ms=1500,
            society_work_ids=(*work.society_work_ids, SocietyWorkId("090", "TONO1")),
            parties=(
                dataclasses.replace(
                    publisher,
                    party_key="A-VERY-LONG-KEY",
                    mandates=(Mandate(Right.PERFORMING, 752, "079"),),
                ),
                dataclasses.replace(
                    writer,
                    collection_shares=(
                        CollectionShare(
                            2136, Inclusion.INCLUDE, (RightShare(Right.MECHANICAL, 0),), valid_until=None
                        ),
                    ),
                ),
                dataclasses.replace(
                    other,
                    collection_shares=(CollectionShare(752, Inclusion.INCLUDE, ()),),
                    publisher_party_keys=("A-VERY-LONG-KEY",),
                ),
            ),
        )
        recording = Recording(
            "", "ANOTHER TITLE", main_artist="ABBA", duration_ms=1500, submitting_society=STIM
        )
        assert unwritten_fields(lossy, (recording,)) == (
            "work.society_work_ids[1]",
            "work.duration_ms",
            "work.parties[0].party_key",
            "work.parties[0].mandates",
            "work.parties[1]: shares of 0 bp",
            "work.parties[2].collection_shares",
            "work.parties[2].publisher_party_keys",
            "recordings[0].title",
            "recordings[0].main_artist",
            "recordings[0].duration_ms",
        )
        assert unwritten_fields(lossy, (recording,), CwrVersion.V2_2)[0] == "work.duration_ms"
        assert unwritten_fields(example_work()) == ()

    def test_a_key_that_is_no_party_number_gets_one_made_up(self) -> None:
        work = example_work()
        publisher, writer, other = work.parties
        renamed = dataclasses.replace(
            work,
            parties=(
                dataclasses.replace(publisher, party_key="publisher/4711"),
                dataclasses.replace(writer, publisher_party_keys=("publisher/4711",)),
                other,
            ),
        )
        _, (again,) = read_back(_write([WorkToWrite(renamed)]))
        assert [p.party_key for p in again.work.parties] == ["X00000001", "W1", "W2"]
        assert again.work.parties[1].publisher_party_keys == ("X00000001",)
        assert work_violations(again.work) == []
