"""Bad input: every malformed file or record gets one precise problem at the right level, never a crash."""

from __future__ import annotations

import io

import pytest

from nordclear.repertoire.cwr import (
    MAX_LINE_BYTES,
    CrossReference,
    CwrFileRejected,
    FileKind,
    Level,
    PublisherRecord,
    PublisherTerritory,
    UnmodelledRecord,
    WriterRecord,
    WriterTerritory,
    read_cwr_stream,
)
from tests.unit.repertoire.cwr.cwr_reading import (
    HDR_2_1,
    a_valid_work,
    cwr_file,
    publisher,
    read_bytes,
    read_lines,
    record,
    territory,
    work,
    writer,
)

pytestmark = pytest.mark.unit


def _only_rejection(lines: list[str] | bytes) -> tuple[int, str, str, str]:
    reading = read_bytes(lines) if isinstance(lines, bytes) else read_lines(lines)
    assert reading.rejection is not None, "the file should have been rejected"
    (problem,) = reading.rejection.problems
    assert problem.severity is Level.ENTIRE_FILE
    return problem.record_number, problem.record_type, problem.field, problem.rule


def test_a_valid_file_has_no_problem() -> None:
    reading = read_lines(cwr_file(a_valid_work(0), a_valid_work(1)))
    assert reading.rejection is None
    assert reading.all_problems() == []
    assert reading.summary is not None
    assert (reading.summary.transaction_count, reading.summary.record_count) == (2, 14)


class TestFileLevel:
    @pytest.mark.parametrize("data", [b"", b"\n\n", b"\r\n"])
    def test_empty_file(self, data: bytes) -> None:
        number, record_type, field, rule = _only_rejection(data)
        assert (number, record_type, field) == (0, "", "file")
        assert "the file is empty" in rule

    def test_binary_file(self) -> None:
        number, _, field, rule = _only_rejection(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
        assert (number, field) == (1, "character 1")
        assert "binary data" in rule

    def test_text_that_is_not_cwr(self) -> None:
        number, record_type, field, rule = _only_rejection(b"title;artist\nSkal;Ane\n")
        assert (number, record_type, field) == (1, "tit", "record_type")
        assert "starts with an HDR record" in rule

    def test_a_huge_line_is_refused_without_reading_on(self) -> None:
        class Endless(io.BytesIO):
            """A stream of 'A's that never ends, counting what was read from it."""

            bytes_read = 0

            def read(self, size: int | None = -1, /) -> bytes:
                assert size is not None, "the reader reads in blocks, never 'everything'"
                assert size > 0
                self.bytes_read += size
                return b"A" * size

        stream = Endless()
        with pytest.raises(CwrFileRejected) as raised:
            list(read_cwr_stream(stream))
        (problem,) = raised.value.problems
        assert (problem.record_number, problem.field, problem.severity) == (1, "line", Level.ENTIRE_FILE)
        assert f"a line is at most {MAX_LINE_BYTES} bytes" in problem.rule
        assert stream.bytes_read <= 64 * 1024

    def test_a_huge_line_among_lines(self) -> None:
        lines = cwr_file(a_valid_work())
        lines.insert(3, "ALT" + "X" * 20_000)
        number, record_type, field, _ = _only_rejection(lines)
        assert (number, record_type, field) == (4, "ALT", "line")

    def test_truncated_file_without_trl(self) -> None:
        lines = cwr_file(a_valid_work(0), a_valid_work(1))[:-1]
        reading = read_lines(lines)
        assert len(reading.transactions) == 2  # read, but the rejection says none of it stands
        (problem,) = reading.rejection_problems
        assert (problem.record_number, problem.field) == (13, "file")
        assert "without a TRL record: it is truncated" in problem.rule

    def test_truncated_inside_a_group(self) -> None:
        lines = cwr_file(a_valid_work(0), a_valid_work(1))[:8]
        _, _, _, rule = _only_rejection(lines)
        assert "ends inside group 1 without a TRL record" in rule

    def test_trailer_counts_that_disagree(self) -> None:
        lines = cwr_file(a_valid_work(0))
        lines[-1] = "TRL000010000000200000010"
        reading = read_lines(lines)
        assert reading.summary is None
        assert [(p.record_number, p.field, p.value, p.rule) for p in reading.rejection_problems] == [
            (9, "transaction_count", "2", "the TRL says 2, but there are 1 transactions in the file"),
            (
                9,
                "record_count",
                "10",
                "the TRL says 10, but there are 9 records in the file, HDR and TRL included",
            ),
        ]

    def test_a_group_trailer_that_disagrees_rejects_the_group(self) -> None:
        lines = cwr_file(a_valid_work(0))
        lines[-2] = "GRT000010000000100000099"
        reading = read_lines(lines)
        (group,) = reading.groups
        assert group.rejected
        assert [(p.record_number, p.field, p.value, p.severity) for p in group.problems] == [
            (8, "record_count", "99", Level.GROUP)
        ]
        assert reading.rejection is None
        assert not reading.transactions[0].rejected

    def test_a_trailer_count_that_is_not_a_number(self) -> None:
        lines = cwr_file(a_valid_work(0))
        lines[-1] = "TRL00001000000O100000009"
        _, record_type, field, rule = _only_rejection(lines)
        assert (record_type, field, rule) == ("TRL", "transaction_count", "must be digits only")

    def test_records_after_the_trailer(self) -> None:
        number, _, _, rule = _only_rejection([*cwr_file(a_valid_work()), "NWR0000000100000000LATE"])
        assert number == 10
        assert rule == "nothing may follow the TRL record"

    def test_blank_lines_and_a_dos_end_of_file_are_not_data(self) -> None:
        lines = cwr_file(a_valid_work())
        reading = read_lines(["", *lines[:3], "", *lines[3:], "", "\x1a"])
        assert reading.rejection is None
        assert reading.summary is not None

    def test_a_second_header(self) -> None:
        lines = cwr_file(a_valid_work())
        lines.insert(1, HDR_2_1)
        assert _only_rejection(lines)[:3] == (2, "HDR", "record_type")

    def test_unsupported_version(self) -> None:
        header = HDR_2_1.ljust(101) + "3.0"
        _, _, field, rule = _only_rejection(cwr_file(a_valid_work(), header=header))
        assert (field, rule) == ("version", "this reader reads CWR 2.1 and 2.2")

    def test_header_rules(self) -> None:
        header = "HDRXX000000199" + " " * 45 + "02.00" + "20181332"
        reading = read_lines(cwr_file(a_valid_work(), header=header))
        assert [p.field for p in reading.rejection_problems] == [
            "creation_date",
            "transmission_date",
            "sender_type",
            "edi_standard_version",
            "sender_name",
        ]

    def test_group_not_closed_before_the_next(self) -> None:
        lines = cwr_file(a_valid_work())
        lines.insert(7, "GRHNWR0000202.100000000000")
        assert _only_rejection(lines)[:3] == (8, "GRH", "record_type")

    def test_group_ids_run_from_one(self) -> None:
        lines = cwr_file(a_valid_work())
        lines[1] = "GRHNWR0000202.100000000000"
        number, _, field, rule = _only_rejection(lines)
        assert (number, field) == (2, "group_id")
        assert "this one must be 00001" in rule

    def test_unknown_group_transaction_type(self) -> None:
        lines = cwr_file(a_valid_work())
        lines[1] = "GRHXYZ0000102.100000000000"
        assert _only_rejection(lines)[:3] == (2, "GRH", "transaction_type")

    def test_an_agreement_file_is_not_a_registration(self) -> None:
        reading = read_lines(
            cwr_file(["AGR0000000000000000"], transaction_type="AGR"), expect=FileKind.REGISTRATION
        )
        (problem,) = reading.rejection_problems
        assert (problem.record_number, problem.value) == (2, "AGR")
        assert "this is an agreement file, not the registration file expected" in problem.rule

    def test_an_agreement_file_read_as_what_it_is(self) -> None:
        reading = read_lines(cwr_file(["AGR0000000000000000"], transaction_type="AGR"))
        assert reading.summary is not None
        assert reading.summary.kinds == {FileKind.AGREEMENT}
        (transaction,) = reading.transactions
        assert isinstance(transaction.header, UnmodelledRecord)
        assert transaction.header.text == "AGR0000000000000000"

    def test_a_record_outside_any_group(self) -> None:
        lines = cwr_file(a_valid_work())
        lines.insert(1, "ALT0000000000000001A TITLE")
        number, record_type, _, rule = _only_rejection(lines)
        assert (number, record_type) == (2, "ALT")
        assert "belongs to a group" in rule

    def test_a_group_must_start_with_a_transaction_header(self) -> None:
        lines = cwr_file(a_valid_work())
        lines.insert(2, "ALT0000000000000001A TITLE")
        assert "first record is a transaction header (NWR)" in _only_rejection(lines)[3]

    def test_control_characters_in_a_group_header(self) -> None:
        lines = cwr_file(a_valid_work())
        lines[1] = lines[1][:10] + "\x00" + lines[1][11:]
        number, _, field, rule = _only_rejection(lines)
        assert (number, field) == (2, "character 11")
        assert "U+0000" in rule


class TestGroupAndTransactionLevel:
    def test_version_number_of_another_cwr_version_rejects_the_group(self) -> None:
        lines = cwr_file(a_valid_work())
        lines[1] = "GRHNWR0000102.200000000000"
        reading = read_lines(lines)
        (group,) = reading.groups
        assert [(p.field, p.value, p.severity) for p in group.problems] == [
            ("version_number", "02.20", Level.GROUP)
        ]

    def test_unknown_record_type_rejects_its_transaction(self) -> None:
        first = work(0, publisher(), writer(), "XYZ" + "0" * 16 + "WHATEVER")
        reading = read_lines(cwr_file(first, a_valid_work(1)))
        rejected, accepted = reading.transactions
        assert [
            (p.record_number, p.record_type, p.field, p.value, p.severity) for p in rejected.problems
        ] == [(6, "XYZ", "record_type", "XYZ0000000000000003W", Level.TRANSACTION)]
        assert rejected.problems[0].rule == "not a CWR record type"
        assert not accepted.rejected

    def test_a_record_of_the_other_version_is_left_out(self) -> None:
        details = [publisher(), writer(), "XRF0000000000000000052123456BR      WY"]
        reading = read_lines(cwr_file(work(0, *details)))
        (transaction,) = reading.transactions
        assert not transaction.rejected
        assert transaction.records_of(CrossReference) == ()
        assert [(p.record_type, p.severity) for p in transaction.problems] == [("XRF", Level.RECORD)]
        assert "exist in CWR 2.2 only" in transaction.problems[0].rule

    def test_a_transaction_of_another_type_than_its_group(self) -> None:
        lines = cwr_file(a_valid_work(0), work(1, publisher(), writer(), record_type="REV"))
        second = read_lines(lines).transactions[1]
        assert [(p.field, p.severity) for p in second.problems] == [("record_type", Level.TRANSACTION)]

    def test_transaction_numbering(self) -> None:
        lines = cwr_file(a_valid_work(0), a_valid_work(2), a_valid_work(3))
        first, second, third = read_lines(lines).transactions
        assert not first.rejected
        assert [(p.field, p.value) for p in second.problems] == [("transaction_sequence", "2")]
        assert not third.rejected  # a gap is one problem, not one per transaction after it

    def test_record_numbering(self) -> None:
        lines = cwr_file(a_valid_work(0))
        lines[6] = lines[6][:11] + "00000007" + lines[6][19:]
        (transaction,) = read_lines(lines).transactions
        assert [(p.record_number, p.field, p.value) for p in transaction.problems] == [
            (7, "record_sequence", "7")
        ]

    def test_a_detail_record_of_another_transaction(self) -> None:
        lines = cwr_file(a_valid_work(0))
        lines[4] = lines[4][:3] + "00000005" + lines[4][11:]
        (transaction,) = read_lines(lines).transactions
        assert [(p.field, p.value, p.severity) for p in transaction.problems] == [
            ("transaction_sequence", "5", Level.TRANSACTION)
        ]

    def test_control_characters_in_a_record(self) -> None:
        lines = cwr_file(work(0, publisher(), writer(), title="BAD\tTITLE"))
        (transaction,) = read_lines(lines).transactions
        assert [(p.record_number, p.field, p.severity) for p in transaction.problems] == [
            (3, "character 23", Level.TRANSACTION)
        ]


class TestFieldsAndRecords:
    def test_short_lines_are_blank_at_the_end(self) -> None:
        spu = publisher().rstrip()[:136]  # cut right after the SR share
        (transaction,) = read_lines(cwr_file(work(0, spu, writer()))).transactions
        assert transaction.problems == ()
        (spu_record,) = transaction.records_of(PublisherRecord)
        assert (spu_record.sr_share_bp, spu_record.ipi_base_number, spu_record.usa_license_indicator) == (
            10000,
            None,
            "",
        )

    def test_text_past_the_record_layout_is_ignored_and_reported(self) -> None:
        long_alt = record("ALT", 0, 0, title="LONGER", title_type="AT") + "   EXTRA"
        (transaction,) = read_lines(cwr_file(work(0, publisher(), writer(), long_alt))).transactions
        assert [(p.record_type, p.field, p.value, p.severity) for p in transaction.problems] == [
            ("ALT", "characters 84-91", "EXTRA", Level.FIELD)
        ]
        assert not transaction.rejected

    def test_trailing_spaces_past_the_layout_are_fine(self) -> None:
        padded = record("ALT", 0, 0, title="PADDED", title_type="AT") + " " * 40
        (transaction,) = read_lines(cwr_file(work(0, publisher(), writer(), padded))).transactions
        assert transaction.problems == ()

    def test_a_non_numeric_ownership_share_rejects_the_transaction(self) -> None:
        bad = publisher()[:115] + "5O000" + publisher()[120:]
        (transaction,) = read_lines(cwr_file(work(0, bad, writer()))).transactions
        assert transaction.rejected
        assert (
            transaction.problems[0].field,
            transaction.problems[0].value,
            transaction.problems[0].severity,
        ) == (
            "pr_share",
            "5O000",
            Level.TRANSACTION,
        )

    def test_a_share_above_100_percent(self) -> None:
        (transaction,) = read_lines(cwr_file(work(0, publisher((10001, 0, 0)), writer()))).transactions
        assert (transaction.problems[0].field, transaction.problems[0].value) == ("pr_share", "10001")

    def test_an_invalid_iswc_is_cleared_and_the_work_stands(self) -> None:
        lines = cwr_file(a_valid_work(0))
        lines[2] = lines[2][:95] + "T1234567893" + lines[2][106:]
        (transaction,) = read_lines(lines).transactions
        assert not transaction.rejected
        assert transaction.work is not None
        assert transaction.work.iswc is None
        (problem,) = transaction.problems
        assert (problem.field, problem.value, problem.severity, problem.rule) == (
            "iswc",
            "T1234567893",
            Level.FIELD,
            "ISWC check digit must be 4, got 3",
        )

    def test_an_unknown_society_code_is_cleared(self) -> None:
        spu = publisher()[:112] + "999" + publisher()[115:]
        (transaction,) = read_lines(cwr_file(work(0, spu, writer()))).transactions
        (record_,) = transaction.records_of(PublisherRecord)
        assert (record_.pr_society, record_.pr_share_bp) == (None, 5000)
        assert [(p.field, p.value, p.severity, p.rule) for p in transaction.problems] == [
            ("pr_society", "999", Level.FIELD, "is not a code in the CISAC society list")
        ]

    def test_no_society_codes_mean_no_society(self) -> None:
        swr = writer()[:126] + "099" + writer()[129:]
        (transaction,) = read_lines(cwr_file(work(0, publisher(), swr))).transactions
        assert transaction.problems == ()
        assert transaction.records_of(WriterRecord)[0].pr_society is None

    def test_an_invalid_ipi_name_number_is_cleared(self) -> None:
        (transaction,) = read_lines(
            cwr_file(work(0, publisher(), writer(ipi_name_number="00854632549")))
        ).transactions
        assert transaction.records_of(WriterRecord)[0].ipi_name_number is None
        assert [(p.field, p.value, p.severity) for p in transaction.problems] == [
            ("ipi_name_number", "00854632549", Level.FIELD)
        ]

    def test_a_nine_digit_cae_number_is_padded(self) -> None:
        (transaction,) = read_lines(
            cwr_file(work(0, publisher(), writer(ipi_name_number="000000395")))
        ).transactions
        assert transaction.records_of(WriterRecord)[0].ipi_name_number == "00000000395"

    def test_missing_work_fields_reject_the_transaction(self) -> None:
        header = record(
            "NWR", 0, 0, title="", submitter_work_number="", musical_work_distribution_category="XYZ"
        )
        reading = read_lines(cwr_file([header, *work(0, publisher(), writer())[1:]]))
        assert [(p.field, p.severity) for p in reading.transactions[0].problems] == [
            ("title", Level.TRANSACTION),
            ("submitter_work_number", Level.TRANSACTION),
            ("musical_work_distribution_category", Level.TRANSACTION),
            ("version_type", Level.TRANSACTION),
        ]

    def test_territory_records_must_follow_their_party(self) -> None:
        details = [
            publisher(),
            writer(),
            territory("SPT", "P1", (5000, 10000, 10000)),
            territory("SWT", "W9", (5000, 0, 0)),
        ]
        (transaction,) = read_lines(cwr_file(work(0, *details))).transactions
        assert transaction.records_of(PublisherTerritory) == ()
        assert transaction.records_of(WriterTerritory) == ()
        assert [(p.record_type, p.severity) for p in transaction.problems] == [
            ("SPT", Level.RECORD),
            ("SWT", Level.RECORD),
        ]
        assert transaction.problems[0].rule == "SPT must follow the SPU it belongs to"
        assert transaction.problems[1].rule == "SWT must name the party of the SWR before it (W1)"
        assert not transaction.rejected

    def test_an_unknown_tis_code_rejects_the_transaction(self) -> None:
        details = [publisher(), territory("SPT", "P1", (5000, 10000, 10000), tis_code="9999"), writer()]
        (transaction,) = read_lines(cwr_file(work(0, *details))).transactions
        assert [(p.field, p.value, p.severity) for p in transaction.problems] == [
            ("tis_code", "9999", Level.TRANSACTION)
        ]


class TestEncodings:
    def test_nordic_letters_in_iso_8859_1(self) -> None:
        lines = [line.encode("ascii") for line in cwr_file(work(0, publisher(), writer(), title="SKAL"))]
        lines[2] = lines[2].replace(b"SKAL", "SKÅL".encode("latin-1"))
        reading = read_lines(lines)
        assert reading.all_problems() == []
        assert reading.transactions[0].work is not None
        assert reading.transactions[0].work.title == "SKÅL"

    def test_nordic_letters_in_utf_8_keep_their_positions(self) -> None:
        lines = cwr_file(work(0, publisher(), writer(), title="SMÖRGÅSBORD"))
        reading = read_lines([line.encode("utf-8") for line in lines])
        assert reading.all_problems() == []
        assert reading.transactions[0].work is not None
        assert (reading.transactions[0].work.title, reading.transactions[0].work.submitter_work_number) == (
            "SMÖRGÅSBORD",
            "SW000000",
        )

    def test_a_record_that_is_not_utf_8_in_a_file_that_declares_utf_8(self) -> None:
        header = HDR_2_1.ljust(86) + "UTF-8"
        lines = [
            line.encode("ascii")
            for line in cwr_file(work(0, publisher(), writer(), title="SKAL"), header=header)
        ]
        lines[2] = lines[2].replace(b"SKAL", "SKÅL".encode("latin-1"))
        (transaction,) = read_lines(lines).transactions
        assert [(p.record_number, p.field, p.severity) for p in transaction.problems] == [
            (3, "line", Level.FIELD)
        ]
        assert transaction.work is not None
        assert transaction.work.title == "SKÅL"
