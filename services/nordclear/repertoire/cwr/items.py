"""What the reader yields: the file's header, groups, transactions and the closing summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from nordclear.repertoire.cwr.problems import CwrProblem, Level
from nordclear.repertoire.cwr.records import (
    DetailRecord,
    FileKind,
    GroupHeader,
    GroupTrailer,
    TransactionHeaderRecord,
    TransmissionHeader,
    TransmissionTrailer,
    WorkRecord,
)

_R = TypeVar("_R")


@dataclass(frozen=True, slots=True)
class Transaction:
    """One transaction: its header record (NWR, REV, ISW, EXC, ACK or AGR), detail records, problems.

    Records rejected on their own (RR) are left out of ``records``; their problems stay in ``problems``.
    An ACK's records are the acknowledged transaction's records (its own NWR/REV header included) and
    the MSG records explaining the answer.
    """

    group_id: int
    header: TransactionHeaderRecord
    records: tuple[DetailRecord, ...]
    problems: tuple[CwrProblem, ...]

    @property
    def transaction_type(self) -> str:
        """The record type of the header: NWR, REV, ISW, EXC, ACK or AGR."""
        return self.header.record_type

    @property
    def rejected(self) -> bool:
        """Whether a problem rejects this transaction (TR or worse)."""
        return any(item.severity.rejects_transaction for item in self.problems)

    @property
    def work(self) -> WorkRecord | None:
        """The work of a registration transaction (NWR, REV, ISW, EXC), else ``None``."""
        return self.header if isinstance(self.header, WorkRecord) else None

    def records_of(self, kind: type[_R]) -> tuple[_R, ...]:
        """The detail records of one kind, in file order: ``transaction.records_of(WriterRecord)``."""
        return tuple(record for record in self.records if isinstance(record, kind))


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """The end of a group: its GRT, what was counted, and group-level (GR) problems."""

    header: GroupHeader
    trailer: GroupTrailer
    transaction_count: int
    record_count: int
    problems: tuple[CwrProblem, ...]

    @property
    def rejected(self) -> bool:
        """Whether the group is rejected, and with it every transaction it held."""
        return any(item.severity is Level.GROUP for item in self.problems)


@dataclass(frozen=True, slots=True)
class TransmissionSummary:
    """The end of a consistent file: its TRL, what was counted, and the kinds of groups it held."""

    header: TransmissionHeader
    trailer: TransmissionTrailer
    group_count: int
    transaction_count: int
    record_count: int
    kinds: frozenset[FileKind]


CwrItem = TransmissionHeader | GroupHeader | Transaction | GroupSummary | TransmissionSummary
"""Anything ``read_cwr`` yields."""
