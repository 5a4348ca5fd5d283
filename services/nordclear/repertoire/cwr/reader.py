"""The streaming CWR reader: header, then one transaction at a time, then the trailer checks.

``read_cwr`` (lines) and ``read_cwr_stream`` (a binary stream, memory-bounded) yield, in file order:

1. the ``TransmissionHeader`` (HDR);
2. for each group, its ``GroupHeader`` (GRH), each ``Transaction`` (header record, its detail records,
   its problems), then a ``GroupSummary`` (GRT, the counts as read, group-level problems);
3. a ``TransmissionSummary`` (TRL and the counts as read), once the whole input has been read and found
   consistent.

Only one transaction is held at a time. Since the trailers come last, nothing read is final until the
``TransmissionSummary`` arrives: a caller stages what it reads, drops the transactions of a group whose
summary is rejected, and drops everything when ``CwrFileRejected`` is raised. That exception is the only
one the reader raises (a file-level, ER, problem); every other problem is a ``CwrProblem`` on the item
it concerns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Final, NoReturn

from nordclear.repertoire.cwr.items import CwrItem, GroupSummary, Transaction, TransmissionSummary
from nordclear.repertoire.cwr.layouts import TRANSACTION_TYPES, WORK_TRANSACTION_TYPES, is_known_record_type
from nordclear.repertoire.cwr.lines import (
    MAX_LINE_BYTES,
    RawLine,
    decode_line,
    lines_from_items,
    lines_from_stream,
)
from nordclear.repertoire.cwr.parsing import (
    parse_group_header,
    parse_group_trailer,
    parse_header,
    parse_transaction_record,
    parse_transmission_trailer,
)
from nordclear.repertoire.cwr.problems import CwrFileRejected, CwrProblem, Level, problem
from nordclear.repertoire.cwr.records import (
    Acknowledgement,
    CwrVersion,
    DetailRecord,
    FileKind,
    GroupHeader,
    TransactionHeaderRecord,
    TransmissionHeader,
    WorkRecord,
)
from nordclear.repertoire.cwr.structure import (
    FILE_KIND_BY_TRANSACTION_TYPE,
    Numbering,
    detail_numbering_problems,
    group_header_problems,
    group_trailer_problems,
    group_version_problems,
    header_problems,
    transaction_numbering_problems,
    transmission_trailer_problems,
    version_of,
)
from nordclear.repertoire.cwr.validation import RecordPlacement, check_shares

# C0 and C1 control characters (TAB included: CWR pads fields with spaces, never tabs).
_CONTROL_CHARACTER: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DOS_END_OF_FILE: Final = b"\x1a"
_HEADER_RECORD_SEQUENCE: Final = "00000000"
_FRAME_RECORD_TYPES: Final = frozenset({"HDR", "GRH", "GRT", "TRL"})


def read_cwr(
    lines: Iterable[bytes | str], *, expect: FileKind | None = None, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[CwrItem]:
    """Read a CWR file given as lines (``bytes`` or ``str``, with or without their line breaks).

    With ``expect``, a group of another kind (for example GRH ACK when a registration is expected)
    rejects the file with a reason that says what the file is.
    """
    return _Reader(expect).run(lines_from_items(lines, max_line_bytes))


def read_cwr_stream(
    stream: IO[bytes], *, expect: FileKind | None = None, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[CwrItem]:
    """Read a CWR file from a binary stream in blocks, never holding more than one line of it."""
    return _Reader(expect).run(lines_from_stream(stream, max_line_bytes))


@dataclass(slots=True)
class _OpenGroup:
    header: GroupHeader
    record_count: int = 1
    transaction_count: int = 0
    numbering: Numbering = field(default_factory=Numbering)
    problems: list[CwrProblem] = field(default_factory=list)


@dataclass(slots=True)
class _OpenTransaction:
    group_id: int
    header: TransactionHeaderRecord
    problems: list[CwrProblem]
    records: list[DetailRecord] = field(default_factory=list)
    last_record_sequence: int = 0
    placement: RecordPlacement = field(default_factory=RecordPlacement)

    @property
    def is_acknowledgement(self) -> bool:
        return isinstance(self.header, Acknowledgement)

    @property
    def is_work(self) -> bool:
        return isinstance(self.header, WorkRecord) and self.header.record_type in WORK_TRANSACTION_TYPES


class _Reader:
    """The state of one file being read; ``run`` drives it record by record."""

    def __init__(self, expect: FileKind | None) -> None:
        self._expect = expect
        self._header: TransmissionHeader | None = None
        self._version = CwrVersion.V2_1
        self._declares_utf8 = False
        self._group: _OpenGroup | None = None
        self._transaction: _OpenTransaction | None = None
        self._record_count = 0
        self._transaction_count = 0
        self._group_count = 0
        self._kinds: set[FileKind] = set()
        self._summary: TransmissionSummary | None = None

    def run(self, lines: Iterator[RawLine]) -> Iterator[CwrItem]:
        for line_number, raw in lines:
            if not raw:
                continue  # a blank line holds no record: neither counted nor an error
            if self._summary is not None:
                _refuse_after_trailer(line_number, raw)
                continue
            text, not_utf8 = decode_line(raw)
            self._record_count += 1
            if self._group is not None:
                self._group.record_count += 1
            yield from self._dispatch(line_number, text, not_utf8)
        yield self._finish()

    def _dispatch(self, line_number: int, text: str, not_utf8: bool) -> Iterator[CwrItem]:
        record_type = text[:3]
        if self._header is None or record_type in _FRAME_RECORD_TYPES:
            _refuse_control_characters(line_number, record_type, text)
        if self._header is None:
            yield self._start(line_number, text)
        elif record_type == "HDR":
            _reject(line_number, "HDR", "record_type", "HDR", "a file has one HDR record, its first")
        elif record_type == "GRH":
            yield from self._close_transaction()
            yield self._open_group(line_number, text)
        elif record_type == "GRT":
            yield from self._close_transaction()
            yield self._close_group(line_number, text)
        elif record_type == "TRL":
            self._close_file(line_number, text)
        else:
            yield from self._transaction_record(
                line_number, text, self._line_problems(line_number, text, not_utf8)
            )

    # The file

    def _start(self, line_number: int, text: str) -> TransmissionHeader:
        if text[:3] != "HDR":
            _reject(line_number, text[:3], "record_type", text[:20], "a CWR file starts with an HDR record")
        version = version_of(text)
        if version is None:
            _reject(line_number, "HDR", "version", text[101:104], "this reader reads CWR 2.1 and 2.2")
        header, fields = parse_header(text, line_number, version)
        problems = [*fields.problems, *header_problems(header)]
        if problems:
            raise CwrFileRejected(problems)
        self._header, self._version = header, version
        self._declares_utf8 = header.character_set.upper().replace("-", "") == "UTF8"
        return header

    def _close_file(self, line_number: int, text: str) -> None:
        if self._group is not None:
            group_id = self._group.header.group_id
            _reject(line_number, "TRL", "record_type", "TRL", f"group {group_id} is not closed by a GRT")
        trailer, fields = parse_transmission_trailer(text, line_number, self._version)
        counted = (self._group_count, self._transaction_count, self._record_count)
        problems = [*fields.problems, *transmission_trailer_problems(trailer, *counted)]
        if problems:
            raise CwrFileRejected(problems)
        assert self._header is not None
        # Held back until the input ends: something after the TRL still rejects the file.
        self._summary = TransmissionSummary(self._header, trailer, *counted, frozenset(self._kinds))

    def _finish(self) -> TransmissionSummary:
        if self._header is None:
            _reject(
                0, "", "file", "", "the file is empty; a CWR file has HDR, GRH, transactions, GRT and TRL"
            )
        if self._summary is None:
            inside = f" inside group {self._group.header.group_id}" if self._group is not None else ""
            rule = f"the file ends{inside} without a TRL record: it is truncated, so none of it is accepted"
            _reject(self._record_count, "", "file", "", rule)
        return self._summary

    def _line_problems(self, line_number: int, text: str, not_utf8: bool) -> list[CwrProblem]:
        problems = []
        control = _CONTROL_CHARACTER.search(text)
        if control is not None:
            rule = f"control character U+{ord(control.group()):04X} is not CWR text"
            field_name = f"character {control.start() + 1}"
            problems.append(problem(line_number, text[:3], field_name, text[:20], rule, Level.TRANSACTION))
        if not_utf8 and self._declares_utf8:
            rule = "the HDR declares UTF-8 but this record is not valid UTF-8; it was read as ISO-8859-1"
            problems.append(problem(line_number, text[:3], "line", text[:20], rule, Level.FIELD))
        return problems

    # Groups

    def _open_group(self, line_number: int, text: str) -> GroupHeader:
        if self._group is not None:
            group_id = self._group.header.group_id
            _reject(line_number, "GRH", "record_type", "GRH", f"group {group_id} is not closed by a GRT")
        header, fields = parse_group_header(text, line_number, self._version)
        problems = [*fields.problems, *group_header_problems(header, self._group_count + 1, self._expect)]
        fatal = [problem for problem in problems if problem.severity is Level.ENTIRE_FILE]
        if fatal:
            raise CwrFileRejected(fatal)
        self._group_count += 1
        self._kinds.add(FILE_KIND_BY_TRANSACTION_TYPE[header.transaction_type])
        lesser = [problem for problem in problems if problem.severity is not Level.ENTIRE_FILE]
        self._group = _OpenGroup(header, problems=[*lesser, *group_version_problems(header, self._version)])
        return header

    def _close_group(self, line_number: int, text: str) -> GroupSummary:
        group = self._group
        if group is None:
            _reject(line_number, "GRT", "record_type", "GRT", "a GRT closes a group opened by a GRH")
        self._group = None
        trailer, fields = parse_group_trailer(text, line_number, self._version)
        counted = (group.transaction_count, group.record_count)
        problems = [
            *group.problems,
            *fields.problems,
            *group_trailer_problems(trailer, group.header, *counted),
        ]
        return GroupSummary(group.header, trailer, *counted, tuple(problems))

    # Transactions

    def _transaction_record(
        self, line_number: int, text: str, problems: list[CwrProblem]
    ) -> Iterator[Transaction]:
        record_type = text[:3]
        if self._group is None:
            rule = "every record between HDR and TRL belongs to a group (GRH ... GRT)"
            _reject(line_number, record_type, "record_type", text[:20], rule)
        if record_type in TRANSACTION_TYPES and self._starts_transaction(record_type, text):
            yield from self._close_transaction()
            self._open_transaction(line_number, text, problems)
        else:
            self._add_detail(line_number, text, problems)

    def _starts_transaction(self, record_type: str, text: str) -> bool:
        # An ACK is followed by the acknowledged transaction's records, that transaction's own header
        # (NWR, REV, ...) included and numbered as a detail of the ACK; such a header opens nothing.
        current = self._transaction
        if current is None or not current.is_acknowledgement or record_type == "ACK":
            return True
        return text[11:19] == _HEADER_RECORD_SEQUENCE

    def _open_transaction(self, line_number: int, text: str, problems: list[CwrProblem]) -> None:
        group = self._group
        assert group is not None
        assert group.header.group_id is not None  # a GRH without a group ID rejected the file
        parsed = parse_transaction_record(text, line_number, self._version)
        header = parsed.record
        assert isinstance(header, TransactionHeaderRecord)
        problems = [*problems, *parsed.problems]
        group_type = group.header.transaction_type
        if header.record_type != group_type:
            rule = f"group {group.header.group_id} holds {group_type} transactions only (one type per group)"
            problems.append(
                problem(
                    line_number,
                    header.record_type,
                    "record_type",
                    header.record_type,
                    rule,
                    Level.TRANSACTION,
                )
            )
        problems += transaction_numbering_problems(
            line_number,
            header.record_type,
            header.transaction_sequence,
            header.record_sequence,
            group.numbering,
        )
        group.transaction_count += 1
        self._transaction_count += 1
        self._transaction = _OpenTransaction(group.header.group_id, header, problems)

    def _add_detail(self, line_number: int, text: str, problems: list[CwrProblem]) -> None:
        transaction = self._transaction
        record_type = text[:3]
        if transaction is None:
            assert self._group is not None
            rule = f"a group's first record is a transaction header ({self._group.header.transaction_type})"
            _reject(line_number, record_type, "record_type", text[:20], rule)
        transaction.problems += problems
        transaction.last_record_sequence += 1
        if not is_known_record_type(record_type, self._version):
            transaction.problems.append(self._unknown_record(line_number, text))
            return
        parsed = parse_transaction_record(text, line_number, self._version)
        record = parsed.record
        assert isinstance(record, DetailRecord)
        transaction.problems += parsed.problems
        transaction.problems += detail_numbering_problems(
            line_number,
            record_type,
            (record.transaction_sequence, record.record_sequence),
            transaction.header.transaction_sequence,
            transaction.last_record_sequence,
        )
        if record.record_sequence is not None:
            transaction.last_record_sequence = record.record_sequence
        misplaced = transaction.placement.misplaced(record) if transaction.is_work else None
        if misplaced is not None:
            transaction.problems.append(misplaced)
        elif not parsed.rejected:
            transaction.records.append(record)

    def _unknown_record(self, line_number: int, text: str) -> CwrProblem:
        record_type = text[:3]
        other = CwrVersion.V2_2 if self._version is CwrVersion.V2_1 else CwrVersion.V2_1
        if is_known_record_type(record_type, other):
            rule = f"{record_type} records exist in CWR {other} only, and this file is CWR {self._version}"
            return problem(line_number, record_type, "record_type", record_type, rule, Level.RECORD)
        return problem(
            line_number, record_type, "record_type", text[:20], "not a CWR record type", Level.TRANSACTION
        )

    def _close_transaction(self) -> Iterator[Transaction]:
        transaction = self._transaction
        if transaction is None:
            return
        self._transaction = None
        if transaction.is_work:
            assert isinstance(transaction.header, WorkRecord)
            transaction.problems += check_shares(transaction.header, transaction.records)
        yield Transaction(
            transaction.group_id, transaction.header, tuple(transaction.records), tuple(transaction.problems)
        )


def _refuse_control_characters(line_number: int, record_type: str, text: str) -> None:
    control = _CONTROL_CHARACTER.search(text)
    if control is not None:
        rule = f"control character U+{ord(control.group()):04X}: this is binary data, not CWR text"
        _reject(line_number, record_type, f"character {control.start() + 1}", text[:20], rule)


def _refuse_after_trailer(line_number: int, raw: bytes) -> None:
    # Old DOS tools end a text file with Ctrl-Z; that is not data.
    if raw != _DOS_END_OF_FILE:
        text = raw.decode("latin-1")
        _reject(line_number, text[:3], "record_type", text[:20], "nothing may follow the TRL record")


def _reject(record_number: int, record_type: str, field_name: str, value: str, rule: str) -> NoReturn:
    raise CwrFileRejected([problem(record_number, record_type, field_name, value, rule, Level.ENTIRE_FILE)])
