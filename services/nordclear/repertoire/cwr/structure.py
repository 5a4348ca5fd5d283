"""Rules about the file's frame: HDR, GRH, GRT, TRL and the numbering of transactions and records.

Each function takes what was read and counted and returns the problems found (it raises nothing); the
reader decides when a problem stops reading. Levels, and why:

- HDR: not a CWR text file, unknown version, sender type, EDI standard version, dates: ER (the file
  cannot be attributed or read at all).
- GRH: unknown transaction type, group IDs not 1, 2, 3 ..., a group of the wrong kind: ER; a version
  number that does not match the HDR's version: GR.
- GRT: group ID, transaction count or record count different from what was read: GR. The spec makes
  trailer mismatches fatal to the file; a GRT alone disagreeing voids just its group, because the TRL
  still vouches for the file as a whole.
- TRL: group, transaction or record count different from what was read, or no TRL at all: ER.
- Numbering (transaction sequence from 0 up by one per group, record sequence 0 for the header and up
  by one per detail record, detail records carrying their header's transaction sequence): TR. The spec
  rejects the file for these; here only the transaction concerned is rejected, so that one badly
  numbered transaction does not cost the sender every other work in the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from nordclear.repertoire.cwr.problems import CwrProblem, Level, problem
from nordclear.repertoire.cwr.records import (
    CwrVersion,
    FileKind,
    GroupHeader,
    GroupTrailer,
    TransmissionHeader,
    TransmissionTrailer,
)

EDI_STANDARD_VERSION: Final = "01.10"
GROUP_VERSION_NUMBERS: Final = {CwrVersion.V2_1: "02.10", CwrVersion.V2_2: "02.20"}
SENDER_TYPES: Final = frozenset({"PB", "SO", "AA", "WR"})
FILE_KIND_BY_TRANSACTION_TYPE: Final = {
    "NWR": FileKind.REGISTRATION,
    "REV": FileKind.REGISTRATION,
    "ISW": FileKind.REGISTRATION,
    "EXC": FileKind.REGISTRATION,
    "ACK": FileKind.ACKNOWLEDGEMENT,
    "AGR": FileKind.AGREEMENT,
}
# Where CWR 2.2 put its version in the HDR (positions 102-104); a 2.1 HDR ends before it.
_HDR_VERSION_SLICE: Final = slice(101, 104)


@dataclass(slots=True)
class Numbering:
    """The next transaction sequence number a group expects."""

    next_transaction_sequence: int = 0


def version_of(line: str) -> CwrVersion | None:
    """The CWR version an HDR line declares, or ``None`` for a version this reader does not read."""
    written = line[_HDR_VERSION_SLICE].strip()
    if written in ("", CwrVersion.V2_1):
        return CwrVersion.V2_1
    return CwrVersion.V2_2 if written == CwrVersion.V2_2 else None


def header_problems(header: TransmissionHeader) -> list[CwrProblem]:
    """File-level problems of an HDR record (beyond those its fields had when read)."""
    problems = []
    sender_type = header.sender_type
    if sender_type not in SENDER_TYPES and not (len(sender_type) == 2 and sender_type.isdigit()):
        rule = "the sender type is PB, SO, AA, WR or the first two digits of an 11-digit IPI name number"
        problems.append(_file_problem(header, "sender_type", sender_type, rule))
    if header.edi_standard_version != EDI_STANDARD_VERSION:
        rule = f"the EDI standard version is {EDI_STANDARD_VERSION}"
        problems.append(_file_problem(header, "edi_standard_version", header.edi_standard_version, rule))
    if not header.sender_name:
        problems.append(_file_problem(header, "sender_name", "", "the sender name must be given"))
    return problems


def group_header_problems(
    header: GroupHeader, expected_group_id: int, expect: FileKind | None
) -> list[CwrProblem]:
    """File-level (ER) problems of a GRH: transaction type, file kind, group ID."""
    problems = []
    kind = FILE_KIND_BY_TRANSACTION_TYPE.get(header.transaction_type)
    if kind is None:
        rule = "a group's transaction type is NWR, REV, ISW, EXC, ACK or AGR"
        problems.append(_file_problem(header, "transaction_type", header.transaction_type, rule))
    elif expect is not None and kind is not expect:
        rule = (
            f"group {header.group_id} holds {header.transaction_type} transactions, so this is an "
            f"{kind} file, not the {expect} file expected"
        )
        problems.append(_file_problem(header, "transaction_type", header.transaction_type, rule))
    if header.group_id is not None and header.group_id != expected_group_id:
        rule = f"group IDs run from 00001 up by one; this one must be {expected_group_id:05d}"
        problems.append(_file_problem(header, "group_id", f"{header.group_id:05d}", rule))
    return problems


def group_version_problems(header: GroupHeader, version: CwrVersion) -> list[CwrProblem]:
    """A GR problem when the group's version number does not match the file's CWR version."""
    expected = GROUP_VERSION_NUMBERS[version]
    if header.version_number == expected:
        return []
    rule = f"the groups of a CWR {version} file have version number {expected}"
    return [problem(header.record_number, "GRH", "version_number", header.version_number, rule, Level.GROUP)]


def group_trailer_problems(
    trailer: GroupTrailer, header: GroupHeader, transaction_count: int, record_count: int
) -> list[CwrProblem]:
    """GR problems of a GRT that disagrees with its group as read."""
    problems = []
    if transaction_count == 0:
        problems.append(
            _group_problem(trailer, "transaction_count", "0", "a group holds at least one transaction")
        )
    if trailer.group_id is not None and trailer.group_id != header.group_id:
        rule = f"a GRT closes the group its GRH opened ({header.group_id})"
        problems.append(_group_problem(trailer, "group_id", str(trailer.group_id), rule))
    counts = (
        ("transaction_count", trailer.transaction_count, transaction_count, "transactions in the group"),
        ("record_count", trailer.record_count, record_count, "records in the group, GRH and GRT included"),
    )
    return problems + _count_problems(trailer.record_number, "GRT", Level.GROUP, counts)


def transmission_trailer_problems(
    trailer: TransmissionTrailer, group_count: int, transaction_count: int, record_count: int
) -> list[CwrProblem]:
    """ER problems of a TRL that disagrees with the file as read."""
    counts = (
        ("group_count", trailer.group_count, group_count, "groups in the file"),
        ("transaction_count", trailer.transaction_count, transaction_count, "transactions in the file"),
        ("record_count", trailer.record_count, record_count, "records in the file, HDR and TRL included"),
    )
    return _count_problems(trailer.record_number, "TRL", Level.ENTIRE_FILE, counts)


def transaction_numbering_problems(
    record_number: int,
    record_type: str,
    transaction_sequence: int | None,
    record_sequence: int | None,
    numbering: Numbering,
) -> list[CwrProblem]:
    """TR problems of a transaction header's sequence numbers; advances ``numbering``."""
    problems = []
    expected = numbering.next_transaction_sequence
    # An unreadable number was reported when the prefix was read; it is not reported twice.
    if transaction_sequence is not None and transaction_sequence != expected:
        rule = f"transactions of a group are numbered from 0 up by one; this one must be {expected}"
        problems.append(
            _transaction_problem(
                record_number, record_type, "transaction_sequence", str(transaction_sequence), rule
            )
        )
    # A gap moves the count on (one missing transaction is one problem, not one per transaction after
    # it); a repeated or unreadable number leaves it where it was.
    if transaction_sequence is not None and transaction_sequence >= expected:
        numbering.next_transaction_sequence = transaction_sequence + 1
    if record_sequence not in (None, 0):
        rule = "a transaction header's record sequence number is 0"
        problems.append(
            _transaction_problem(record_number, record_type, "record_sequence", str(record_sequence), rule)
        )
    return problems


def detail_numbering_problems(
    record_number: int,
    record_type: str,
    sequences: tuple[int | None, int | None],
    header_transaction_sequence: int | None,
    expected_record_sequence: int,
) -> list[CwrProblem]:
    """TR problems of a detail record's (transaction sequence, record sequence)."""
    transaction_sequence, record_sequence = sequences
    problems = []
    if transaction_sequence is not None and transaction_sequence != header_transaction_sequence:
        rule = f"a detail record carries its transaction's sequence number ({header_transaction_sequence})"
        problems.append(
            _transaction_problem(
                record_number, record_type, "transaction_sequence", str(transaction_sequence), rule
            )
        )
    if record_sequence is not None and record_sequence != expected_record_sequence:
        rule = f"records of a transaction are numbered up by one; this one must be {expected_record_sequence}"
        problems.append(
            _transaction_problem(record_number, record_type, "record_sequence", str(record_sequence), rule)
        )
    return problems


def _count_problems(
    record_number: int, record_type: str, severity: Level, counts: Iterable[tuple[str, int | None, int, str]]
) -> list[CwrProblem]:
    return [
        problem(
            record_number,
            record_type,
            name,
            str(stated),
            f"the {record_type} says {stated}, but there are {actual} {what}",
            severity,
        )
        for name, stated, actual, what in counts
        if stated is not None and stated != actual
    ]


def _file_problem(record: TransmissionHeader | GroupHeader, field: str, value: str, rule: str) -> CwrProblem:
    return problem(record.record_number, record.record_type, field, value, rule, Level.ENTIRE_FILE)


def _group_problem(trailer: GroupTrailer, field: str, value: str, rule: str) -> CwrProblem:
    return problem(trailer.record_number, "GRT", field, value, rule, Level.GROUP)


def _transaction_problem(
    record_number: int, record_type: str, field: str, value: str, rule: str
) -> CwrProblem:
    return problem(record_number, record_type, field, value, rule, Level.TRANSACTION)
