"""The acknowledgement file: built for real files, read back with the reader, shaped like a society's ACK."""

from __future__ import annotations

import dataclasses
import functools
import io
import sys
from collections.abc import Iterator
from datetime import date, datetime, time

import pytest

from nordclear.repertoire.cwr import (
    Acknowledgement,
    CwrFileRejected,
    CwrProblem,
    FileKind,
    Level,
    Message,
    Transaction,
    read_cwr_stream,
)
from nordclear.repertoire.cwr.ack import (
    MAX_MESSAGE_CHARS,
    Accepted,
    AckEntry,
    AckMessage,
    Conflict,
    Outcome,
    Rejected,
    TransactionStatus,
    ack_entry,
    acknowledge,
    acknowledgement_lines,
    import_outcome,
    message_text,
    rejected_file_lines,
)
from nordclear.repertoire.cwr.envelope import CwrSender
from nordclear.repertoire.cwr.fixed import CwrWriteError
from nordclear.repertoire.cwr.layouts import layout_for, layout_length
from nordclear.repertoire.cwr.records import CwrVersion
from nordclear.repertoire.cwr.to_domain import work_from_transaction
from tests.unit.repertoire.cwr.cwr_domain import (
    CLEARING_HOUSE,
    CREATED_AT,
    IMPORTING_SOCIETY,
    PROCESSING_DATE,
    carries_work,
)
from tests.unit.repertoire.cwr.cwr_reading import (
    Reading,
    a_valid_work,
    cwr_file,
    fixture_bytes,
    read_fixture,
    read_lines,
)

pytestmark = pytest.mark.unit


def _outcome(transaction: Transaction) -> Outcome:
    """What an importer would answer: the conversion decides, accepted works get ids NC000000, NC000001..."""
    if not carries_work(transaction):
        return Rejected(transaction.problems)
    imported = work_from_transaction(transaction, IMPORTING_SOCIETY)
    return import_outcome(imported, f"NC{transaction.header.transaction_sequence or 0:06d}")


def _ack_of(name: str) -> list[str]:
    with io.BytesIO(fixture_bytes(name)) as stream:
        return list(
            acknowledge(
                read_cwr_stream(stream, expect=FileKind.REGISTRATION),
                _outcome,
                sender=CLEARING_HOUSE,
                created_at=CREATED_AT,
                processing_date=PROCESSING_DATE,
            )
        )


def _read_ack(lines: list[str]) -> Reading:
    reading = read_lines(lines, expect=FileKind.ACKNOWLEDGEMENT)
    assert reading.rejection is None, reading.rejection
    return reading


def _acks(reading: Reading) -> list[Acknowledgement]:
    return [t.header for t in reading.transactions if isinstance(t.header, Acknowledgement)]


def _messages(transaction: Transaction) -> list[tuple[str, int | None, str, str, str]]:
    return [
        (
            m.message_type,
            m.original_record_sequence,
            m.original_record_type,
            m.message_level,
            m.validation_number,
        )
        for m in transaction.records_of(Message)
    ]


class TestAcknowledgingRealFiles:
    def test_the_revision_example_is_accepted_with_changes_then_accepted(self) -> None:
        lines = _ack_of("revexample.V21")
        assert all(line.endswith("\r\n") for line in lines)
        assert all(
            len(line) - 2 == layout_length(layout_for(line[:3], CwrVersion.V2_1) or ()) for line in lines
        )
        reading = _read_ack(lines)
        assert reading.summary is not None
        # HDR, GRH, ACK, MSG (the ORN not kept), ACK, GRT, TRL.
        assert (
            reading.summary.group_count,
            reading.summary.transaction_count,
            reading.summary.record_count,
        ) == (
            1,
            2,
            7,
        )
        assert [(g.transaction_count, g.record_count, g.problems) for g in reading.groups] == [(2, 5, ())]
        assert (reading.header.sender_type, reading.header.sender_id, reading.header.sender_name) == (
            "SO",
            "000000079",
            "STIM",
        )
        assert (reading.header.creation_date, reading.header.creation_time) == (
            date(2024, 5, 2),
            time(8, 30, 15),
        )
        assert [
            (
                a.creation_date,
                a.creation_time,
                a.original_group_id,
                a.original_transaction_sequence,
                a.original_transaction_type,
                a.creation_title,
                a.submitter_creation_number,
                a.recipient_creation_number,
                a.processing_date,
                a.transaction_status,
            )
            for a in _acks(reading)
        ] == [
            (
                date(2019, 2, 15),
                time(16, 5, 26),
                1,
                0,
                "REV",
                "THE ONE",
                "DMP000001",
                "NC000000",
                PROCESSING_DATE,
                "AC",
            ),
            (
                date(2019, 2, 15),
                time(16, 5, 26),
                1,
                1,
                "REV",
                "SECOND BEST",
                "DMP000002",
                "NC000001",
                PROCESSING_DATE,
                "AS",
            ),
        ]
        first, second = reading.transactions
        # The ORN is record 12 of the revision: type R, level R, conversion rule NOT_MODELLED (801).
        assert _messages(first) == [("R", 12, "ORN", "R", "801")]
        (message,) = first.records_of(Message)
        assert message.message_text == (
            "record_type 'ORN': the repertoire does not model this record [NOT_MODELLED]"
        )
        assert _messages(second) == []

    def test_the_broken_registration_is_rejected_with_every_reason(self) -> None:
        reading = _read_ack(_ack_of("CW220004DMP_000.V21"))
        (ack,) = _acks(reading)
        assert (ack.transaction_status, ack.recipient_creation_number, ack.creation_title) == (
            "RJ",
            "",
            "MUSIC PUB CARTOONS",
        )
        (transaction,) = reading.transactions
        assert _messages(transaction) == [
            ("T", 5, "SWT", "F", "005"),  # the reader: field 5 of the SWT layout, PR collection share
            ("R", 17, "ORN", "R", "801"),  # not modelled
            ("T", 2, "SPT", "T", "912"),  # domain SHARE_RANGE: the exclusion carries shares
        ]
        texts = [m.message_text for m in transaction.records_of(Message)]
        assert texts[0] == "pr_collection_share 'XXX00': a share is 5 digits, 00000-10000 (0.00-100.00 %)"
        assert reading.summary is not None
        assert reading.summary.record_count == 8  # HDR, GRH, ACK, 3 MSG, GRT, TRL

    def test_the_2_2_demo_is_answered_in_2_2_until_its_trailer_rejects_it(self) -> None:
        # The file's TRL disagrees with its content: the reader raises only at the end, so an importer
        # must not answer before it has read the whole file. Answering it anyway raises at the end too.
        lines: list[str] = []
        with pytest.raises(CwrFileRejected):
            lines.extend(
                acknowledge(
                    read_cwr_stream(io.BytesIO(fixture_bytes("demo_cwr_cleaned.v22"))),
                    _outcome,
                    sender=CLEARING_HOUSE,
                    created_at=CREATED_AT,
                    processing_date=PROCESSING_DATE,
                )
            )
        assert lines[0][101:104] == "2.2"
        statuses = [line[157:159] for line in lines if line.startswith("ACK")]
        assert statuses == ["RJ", "RJ", "RJ", "AC", "RJ", "AC", "AC", "AC", "RJ", "AC"]


class TestShapeOfASocietysAcknowledgement:
    """ackexample.V21 (PRS): our ACK and MSG records for the same answers are its records, field for field."""

    @pytest.fixture
    def prs(self) -> Reading:
        return _read_prs()

    def test_ack_and_msg_records(self, prs: Reading) -> None:
        raw = fixture_bytes("ackexample.V21").decode("ascii").split("\r\n")
        group_1 = [t for t in prs.transactions if t.group_id == 1]
        assert len(group_1) == 16
        first_ack = group_1[0].header
        assert isinstance(first_ack, Acknowledgement)
        assert first_ack.creation_date is not None
        assert first_ack.creation_time is not None
        # The ACK's creation date and time are the answered file's; the answered file is not at hand.
        answered = dataclasses.replace(
            prs.header, creation_date=first_ack.creation_date, creation_time=first_ack.creation_time
        )
        entries = [_entry_as_read(t) for t in group_1]
        ours = list(
            acknowledgement_lines(
                answered,
                entries,
                sender=CwrSender(prs.header.sender_type, prs.header.sender_id, prs.header.sender_name),
                created_at=_created_at(prs),
                processing_date=date(2016, 6, 30),
                character_set="",
            )
        )
        group_1_lines = raw[: next(index for index, line in enumerate(raw) if line.startswith("GRT"))]
        theirs = [line for line in group_1_lines if line[:3] in ("ACK", "MSG")]
        assert [line.rstrip("\r\n") for line in ours if line[:3] in ("ACK", "MSG")] == [
            line.ljust(layout_length(layout_for(line[:3], CwrVersion.V2_1) or ())) for line in theirs
        ]
        assert ours[0].rstrip("\r\n") == raw[0].ljust(101)
        assert ours[1].rstrip("\r\n") == raw[1].ljust(28)

    def test_the_status_of_every_acknowledgement_reads_back(self, prs: Reading) -> None:
        entries = [_entry_as_read(t) for t in prs.transactions]
        lines = list(
            acknowledgement_lines(
                prs.header,
                entries,
                sender=CLEARING_HOUSE,
                created_at=CREATED_AT,
                processing_date=PROCESSING_DATE,
            )
        )
        again = _read_ack(lines)
        assert [a.transaction_status for a in _acks(again)] == [a.transaction_status for a in _acks(prs)]
        assert sum(len(t.records_of(Message)) for t in again.transactions) == 12


@functools.cache
def _read_prs() -> Reading:
    return read_fixture("ackexample.V21", expect=FileKind.ACKNOWLEDGEMENT)


def _entry_as_read(transaction: Transaction) -> AckEntry:
    ack = transaction.header
    assert isinstance(ack, Acknowledgement)
    return AckEntry(
        original_group_id=ack.original_group_id or 0,
        original_transaction_sequence=ack.original_transaction_sequence or 0,
        original_transaction_type=ack.original_transaction_type,
        creation_title=ack.creation_title,
        submitter_creation_number=ack.submitter_creation_number,
        recipient_creation_number=ack.recipient_creation_number,
        status=TransactionStatus(ack.transaction_status),
        messages=tuple(
            AckMessage(
                m.message_type,
                m.original_record_sequence or 0,
                m.original_record_type,
                m.message_level,
                m.validation_number,
                m.message_text,
            )
            for m in transaction.records_of(Message)
        ),
    )


def _created_at(reading: Reading) -> datetime:
    header = reading.header
    assert header.creation_date is not None
    assert header.creation_time is not None
    return datetime.combine(header.creation_date, header.creation_time)


class TestOutcomes:
    @pytest.fixture
    def transaction(self) -> Transaction:
        (transaction,) = read_lines(cwr_file(a_valid_work(0, title="SOMMARPSALM"))).transactions
        return transaction

    def test_conflict(self, transaction: Transaction) -> None:
        entry = ack_entry(
            transaction, Conflict("ISWC T1234567894 is already the ISWC of work NC000042", "NC000042")
        )
        assert (entry.status, entry.recipient_creation_number, entry.creation_title) == (
            TransactionStatus.CONFLICT,
            "NC000042",
            "SOMMARPSALM",
        )
        assert entry.messages == (
            AckMessage("T", 0, "NWR", "T", "701", "ISWC T1234567894 is already the ISWC of work NC000042"),
        )

    def test_pending_and_plain_acceptance(self, transaction: Transaction) -> None:
        assert (
            ack_entry(transaction, Accepted("NC1", pending=True)).status
            is TransactionStatus.TRANSACTION_ACCEPTED
        )
        assert ack_entry(transaction, Accepted("NC1")).status is TransactionStatus.REGISTRATION_ACCEPTED

    def test_an_accepted_transaction_cannot_carry_a_rejecting_problem(self, transaction: Transaction) -> None:
        rejecting = CwrProblem(3, "NWR", "title", "", "the work title must be given", Level.TRANSACTION)
        with pytest.raises(ValueError, match="rejecting problem"):
            ack_entry(transaction, Accepted("NC1", (rejecting,)))

    def test_a_work_id_longer_than_the_field_is_refused(self, transaction: Transaction) -> None:
        entry = ack_entry(transaction, Accepted("1c9a6f2e-5a4b-4d7e-9f00-0123456789ab"))
        with pytest.raises(CwrWriteError, match="recipient_creation_number"):
            list(
                acknowledgement_lines(
                    read_lines(cwr_file(a_valid_work())).header,
                    [entry],
                    sender=CLEARING_HOUSE,
                    created_at=CREATED_AT,
                    processing_date=PROCESSING_DATE,
                )
            )

    def test_message_text_is_cut_to_its_field_and_control_characters_are_shown(self) -> None:
        long_rule = CwrProblem(4, "SPU", "name", "X" * 80, "a rule " * 40, Level.FIELD)
        text = message_text(long_rule)
        assert len(text) == MAX_MESSAGE_CHARS
        assert text.startswith("name 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX...': a rule a rule")
        assert text.endswith("...")
        binary = CwrProblem(
            4, "SPU", "character 40", "AB\x00\r\nC", "control character U+0000", Level.TRANSACTION
        )
        assert message_text(binary) == "character 40 'AB<U+0000><U+000D><U+000A>C': control character U+0000"


class TestRejectedFiles:
    def test_an_acknowledgement_sent_as_a_registration(self) -> None:
        with pytest.raises(CwrFileRejected) as raised:
            list(read_cwr_stream(io.BytesIO(fixture_bytes("ackexample.V21")), expect=FileKind.REGISTRATION))
        header = read_fixture("ackexample.V21", expect=FileKind.ACKNOWLEDGEMENT).header
        lines = list(
            rejected_file_lines(
                raised.value,
                header,
                sender=CLEARING_HOUSE,
                created_at=CREATED_AT,
                processing_date=PROCESSING_DATE,
            )
        )
        reading = _read_ack(lines)
        (ack,) = _acks(reading)
        assert (
            ack.creation_date,
            ack.creation_time,
            ack.original_group_id,
            ack.original_transaction_sequence,
            ack.original_transaction_type,
            ack.transaction_status,
        ) == (date(2016, 7, 1), time(19, 33, 34), 0, 0, "HDR", "RJ")
        (transaction,) = reading.transactions
        assert _messages(transaction) == [("E", 0, "GRH", "E", "002")]
        (message,) = transaction.records_of(Message)
        assert message.message_text.startswith(
            "record 2 GRH transaction_type 'ACK': group 1 holds ACK transactions"
        )

    def test_an_empty_file_has_no_header_to_answer(self) -> None:
        with pytest.raises(CwrFileRejected) as raised:
            list(read_cwr_stream(io.BytesIO(b"")))
        lines = list(
            rejected_file_lines(
                raised.value,
                None,
                sender=CLEARING_HOUSE,
                created_at=CREATED_AT,
                processing_date=PROCESSING_DATE,
            )
        )
        (ack,) = _acks(_read_ack(lines))
        assert (ack.creation_date, ack.original_transaction_type, ack.transaction_status) == (
            None,
            "HDR",
            "RJ",
        )


def test_no_transactions_give_a_file_without_groups() -> None:
    header = read_lines(cwr_file(a_valid_work())).header
    lines = list(
        acknowledgement_lines(
            header, [], sender=CLEARING_HOUSE, created_at=CREATED_AT, processing_date=PROCESSING_DATE
        )
    )
    assert [line[:3] for line in lines] == ["HDR", "TRL"]
    summary = _read_ack(lines).summary
    assert summary is not None
    assert (summary.group_count, summary.transaction_count, summary.record_count) == (0, 0, 2)


def test_an_acknowledgement_of_many_transactions_streams_in_flat_memory() -> None:
    transactions = 50_000
    header = read_lines(cwr_file(a_valid_work())).header
    problem = CwrProblem(
        5, "SPU", "ipi_name_number", "00000000004", "IPI check digits must be 00", Level.FIELD
    )

    def entries() -> Iterator[AckEntry]:
        for number in range(transactions):
            transaction = Transaction(1, dataclasses.replace(_HEADER, transaction_sequence=number), (), ())
            yield ack_entry(transaction, Accepted(f"NC{number:08d}", (problem,)))

    baseline = sys.getallocatedblocks()
    peak = baseline
    count, last = 0, ""
    for line in acknowledgement_lines(
        header, entries(), sender=CLEARING_HOUSE, created_at=CREATED_AT, processing_date=PROCESSING_DATE
    ):
        count, last = count + 1, line
        if count % 10_000 == 0:
            peak = max(peak, sys.getallocatedblocks())
    assert last.startswith(f"TRL00001{transactions:08d}{2 * transactions + 4:08d}")
    assert count == 2 * transactions + 4
    assert peak - baseline < 50_000


_HEADER = read_lines(cwr_file(a_valid_work())).transactions[0].header


def test_a_rejected_group_answers_each_of_its_transactions() -> None:
    lines = cwr_file(a_valid_work(0), a_valid_work(1))
    lines[-2] = lines[-2][:8] + "00000003" + lines[-2][16:]  # the GRT claims three transactions
    reading = read_lines(lines)
    (group,) = reading.groups
    assert group.rejected

    def outcome(transaction: Transaction) -> Outcome:
        return Rejected(group.problems) if transaction.group_id == group.header.group_id else Accepted("NC1")

    ack = list(
        acknowledge(
            reading.items,
            outcome,
            sender=CLEARING_HOUSE,
            created_at=CREATED_AT,
            processing_date=PROCESSING_DATE,
        )
    )
    answered = _read_ack(ack)
    assert [a.transaction_status for a in _acks(answered)] == ["RJ", "RJ"]
    assert [_messages(t) for t in answered.transactions] == [[("G", 0, "GRT", "G", "003")]] * 2
    message = answered.transactions[0].records_of(Message)[0].message_text
    assert (
        message
        == "record 13 GRT transaction_count '3': the GRT says 3, but there are 2 transactions in the group"
    )
