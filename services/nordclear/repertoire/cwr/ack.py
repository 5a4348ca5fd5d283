"""Writing the CWR acknowledgement file that answers an imported registration file, one ACK per transaction.

Societies' systems expect every CWR file they send to be answered by an acknowledgement (ACK) file: HDR
(the answering sender), one GRH ACK group holding one ACK transaction per transaction received, each
followed by MSG records explaining its problems, then GRT and TRL. The layout is the reader's
(``layouts``), so what is written here reads back with ``read_cwr``; the ACK and MSG records have the
shape of a society's real acknowledgement (the PRS example in the test fixtures).

The caller imports first and answers second: the reader's items are final only once the whole file has
been read (see ``reader``), and the outcome of each transaction (stored under which work id, rejected,
or in conflict) is the caller's. ``acknowledge`` then reads the file again and writes one ACK per
transaction from ``outcome_for(transaction)``, holding one transaction at a time; ``acknowledgement_lines``
does the same from ``AckEntry`` values the caller kept; ``rejected_file_lines`` answers a file rejected as
a whole (``CwrFileRejected``).

Transaction status (CWR transaction status table):

| outcome                                   | status | meaning                                          |
| ----------------------------------------- | ------ | ------------------------------------------------ |
| ``Accepted`` without problems             | AS     | registration accepted                            |
| ``Accepted`` with FR or RR problems       | AC     | accepted with changes: a field was cleared or a  |
|                                           |        | record left out, and each MSG says which         |
| ``Accepted(pending=True)``                | RA     | transaction accepted, registration still pending |
| ``Rejected``                              | RJ     | rejected; the MSG records say why                |
| ``Conflict``                              | CO     | in conflict with a work already registered (for  |
|                                           |        | example the same ISWC on another work)           |
| a whole file (``rejected_file_lines``)    | RJ     | one ACK for original transaction type HDR,       |
|                                           |        | original group 0, with type E messages           |

The PRS example answers AS even where its MSG says a field was replaced; AC is what the table defines for
that case, so AC is written. An ``Accepted`` outcome carrying a TR (or worse) problem is a contradiction
and raises ``ValueError``.

MSG records: the message type is the problem's level (F, R, T, G, E: what was rejected); the message level
is the level of the check that found it (F when the problem names a field of the record's layout, T for
rules about the transaction such as share totals and the domain rules, R for a record as a whole, G and E
for groups and files). The original record sequence is the record's position in its transaction (0 for
the header; 0 also for group and file problems, whose text names the record instead). Validation
numbers: ``001``-``099`` the position of the field in the record's layout (the record type is ``001``),
``000`` a rule about a record or transaction as a whole, ``7xx`` a conflict reported by the caller,
``8xx`` a conversion rule (``to_domain.ImportRule``, in order from 801), ``9xx`` a domain rule
(``rules.RuleCode``, in order from 901). The text (at most 150 characters) names the field, the value and
the rule; control characters in a value are written as ``<U+XXXX>`` so they cannot break the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from nordclear.repertoire.cwr.envelope import (
    CwrSender,
    group_header_line,
    group_trailer_line,
    header_line,
    trailer_line,
)
from nordclear.repertoire.cwr.fixed import record_line
from nordclear.repertoire.cwr.items import CwrItem, Transaction
from nordclear.repertoire.cwr.layouts import layout_for
from nordclear.repertoire.cwr.problems import CwrFileRejected, CwrProblem, Level
from nordclear.repertoire.cwr.records import CwrVersion, TransmissionHeader, WorkRecord
from nordclear.repertoire.cwr.to_domain import ImportedWork, ImportRule
from nordclear.repertoire.domain.rules import RuleCode

MAX_MESSAGE_CHARS: Final = 150
"""The MSG message text field."""
CONFLICT_VALIDATION_NUMBER: Final = "701"
WHOLE_RECORD_VALIDATION_NUMBER: Final = "000"
_SHOWN_VALUE_CHARS: Final = 40
_RULE_CODE: Final = re.compile(r"\[([A-Z_]+)\]$")
_CONTROL_CHARACTER: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FILE_RECORD_TYPE: Final = "HDR"
_ACK_GROUP_ID: Final = 1
_TITLE_CHARS: Final = 60
_NUMBER_CHARS: Final = 20

_MESSAGE_TYPE: Final = {
    Level.FIELD: "F",
    Level.RECORD: "R",
    Level.TRANSACTION: "T",
    Level.GROUP: "G",
    Level.ENTIRE_FILE: "E",
}
_RULE_NUMBERS: Final = {
    **{code.value: f"{901 + index}" for index, code in enumerate(RuleCode)},
    **{code.value: f"{801 + index}" for index, code in enumerate(ImportRule)},
}


class TransactionStatus(StrEnum):
    """CWR transaction status codes written by this clearing house."""

    TRANSACTION_ACCEPTED = "RA"
    REGISTRATION_ACCEPTED = "AS"
    ACCEPTED_WITH_CHANGES = "AC"
    REJECTED = "RJ"
    CONFLICT = "CO"


@dataclass(frozen=True, slots=True)
class Accepted:
    """The transaction's work was stored as ``work_id`` (the ACK's recipient creation number, ≤ 20 chars).

    ``problems`` are what was changed on the way (FR, RR); ``pending`` marks a two-step registration whose
    second step has not run yet (status RA).
    """

    work_id: str
    problems: tuple[CwrProblem, ...] = ()
    pending: bool = False


@dataclass(frozen=True, slots=True)
class Rejected:
    """Nothing of the transaction was stored; ``problems`` say why."""

    problems: tuple[CwrProblem, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """The transaction conflicts with a registered work (``existing_work_id``), e.g. the same ISWC."""

    message: str
    existing_work_id: str = ""
    problems: tuple[CwrProblem, ...] = ()


Outcome = Accepted | Rejected | Conflict


def import_outcome(imported: ImportedWork, work_id: str) -> Outcome:
    """``Rejected`` when the import has a rejecting problem, else ``Accepted`` as ``work_id``."""
    if imported.rejected:
        return Rejected(imported.problems)
    return Accepted(work_id, imported.problems)


@dataclass(frozen=True, slots=True)
class AckMessage:
    """One MSG record."""

    message_type: str
    original_record_sequence: int
    record_type: str
    message_level: str
    validation_number: str
    text: str


@dataclass(frozen=True, slots=True)
class AckEntry:
    """One ACK transaction: which transaction it answers, the answer, and its messages."""

    original_group_id: int
    original_transaction_sequence: int
    original_transaction_type: str
    creation_title: str
    submitter_creation_number: str
    recipient_creation_number: str
    status: TransactionStatus
    messages: tuple[AckMessage, ...] = ()


def acknowledge(
    items: Iterable[CwrItem],
    outcome_for: Callable[[Transaction], Outcome],
    *,
    sender: CwrSender,
    created_at: datetime,
    processing_date: date,
) -> Iterator[str]:
    """The lines of the ACK file answering the file ``items`` were read from (``read_cwr`` output).

    ``outcome_for`` gives each transaction's outcome. It is called as each transaction is read, before
    its group's GRT: a transaction of a group the import found rejected (``GroupSummary.rejected``) is
    answered ``Rejected(summary.problems)`` from what the import recorded. The ACK is written in the CWR
    version of the file it answers. ``CwrFileRejected`` from ``items`` propagates: answer such a file with
    ``rejected_file_lines``.
    """
    iterator = iter(items)
    first = next(iterator, None)
    if not isinstance(first, TransmissionHeader):
        raise ValueError("an acknowledgement answers a file read by read_cwr, which starts with its header")
    entries = (ack_entry(item, outcome_for(item)) for item in iterator if isinstance(item, Transaction))
    yield from acknowledgement_lines(
        first, entries, sender=sender, created_at=created_at, processing_date=processing_date
    )


def ack_entry(transaction: Transaction, outcome: Outcome) -> AckEntry:
    """The ACK transaction answering ``transaction`` with ``outcome``."""
    header = transaction.header
    work = header if isinstance(header, WorkRecord) else None
    messages = ack_messages(outcome.problems, header.record_number)
    if isinstance(outcome, Accepted):
        rejecting = [p for p in outcome.problems if p.severity.rejects_transaction]
        if rejecting:
            raise ValueError(f"an accepted transaction has a rejecting problem: {rejecting[0]}")
        if outcome.pending:
            status = TransactionStatus.TRANSACTION_ACCEPTED
        elif outcome.problems:
            status = TransactionStatus.ACCEPTED_WITH_CHANGES
        else:
            status = TransactionStatus.REGISTRATION_ACCEPTED
        recipient_number = outcome.work_id
    elif isinstance(outcome, Rejected):
        status, recipient_number = TransactionStatus.REJECTED, ""
    else:
        status, recipient_number = TransactionStatus.CONFLICT, outcome.existing_work_id
        conflict = AckMessage(
            message_type=_MESSAGE_TYPE[Level.TRANSACTION],
            original_record_sequence=0,
            record_type=header.record_type,
            message_level=_MESSAGE_TYPE[Level.TRANSACTION],
            validation_number=CONFLICT_VALIDATION_NUMBER,
            text=_fitted(_printable(outcome.message)),
        )
        messages = (conflict, *messages)
    return AckEntry(
        original_group_id=transaction.group_id,
        original_transaction_sequence=header.transaction_sequence or 0,
        original_transaction_type=header.record_type,
        creation_title=_printable(work.title)[:_TITLE_CHARS] if work is not None else "",
        submitter_creation_number=_printable(work.submitter_work_number)[:_NUMBER_CHARS] if work else "",
        recipient_creation_number=recipient_number,
        status=status,
        messages=messages,
    )


def ack_messages(problems: Sequence[CwrProblem], header_record_number: int) -> tuple[AckMessage, ...]:
    """The MSG records for ``problems`` of the transaction whose header is record ``header_record_number``.

    A group or file problem (a GRT that disagrees with its group) concerns no record of the transaction:
    its original record sequence is 0 and its text names the record by its number in the file.
    """
    return tuple(
        AckMessage(
            message_type=_MESSAGE_TYPE[item.severity],
            original_record_sequence=0 if outside else max(0, item.record_number - header_record_number),
            record_type=item.record_type[:3],
            message_level=message_level(item),
            validation_number=validation_number(item),
            text=message_text(item, with_record_number=outside),
        )
        for item in problems
        for outside in [item.severity in (Level.GROUP, Level.ENTIRE_FILE)]
    )


def acknowledgement_lines(
    original: TransmissionHeader,
    entries: Iterable[AckEntry],
    *,
    sender: CwrSender,
    created_at: datetime,
    processing_date: date,
    version: CwrVersion | None = None,
    character_set: str = "UTF-8",
) -> Iterator[str]:
    """The lines of an ACK file answering the file with HDR ``original``, one ACK per entry, CR LF included.

    ``version`` defaults to the original file's CWR version; ``character_set`` is written in the HDR and
    should say how the lines will be encoded (``fixed.write_lines`` writes UTF-8).
    """
    writer = AckFileWriter(
        original,
        sender=sender,
        created_at=created_at,
        processing_date=processing_date,
        version=version,
        character_set=character_set,
    )
    yield from writer.begin()
    for entry in entries:
        yield from writer.add(entry)
    yield from writer.end()


class AckFileWriter:
    """Writes an ACK file a transaction at a time, so an import of any size never holds its answer whole.

    Call ``begin`` once, ``add`` per entry as outcomes become known, and ``end`` once; each returns the
    lines to append. Only the counts the trailers need are kept.
    """

    def __init__(
        self,
        original: TransmissionHeader,
        *,
        sender: CwrSender,
        created_at: datetime,
        processing_date: date,
        version: CwrVersion | None = None,
        character_set: str = "UTF-8",
    ) -> None:
        self._original = original
        self._sender = sender
        self._created_at = created_at
        self._processing_date = processing_date
        self._version = version or original.version
        self._character_set = character_set
        self._transaction_count = 0
        self._group_records = 0

    def begin(self) -> list[str]:
        """The HDR line."""
        return [header_line(self._sender, self._created_at, self._version, character_set=self._character_set)]

    def add(self, entry: AckEntry) -> list[str]:
        """The lines of one ACK transaction (after the GRH, before the first one)."""
        lines = []
        if self._transaction_count == 0:
            lines.append(group_header_line("ACK", _ACK_GROUP_ID, self._version))
            self._group_records = 1
        entry_lines = _entry_lines(
            entry, self._original, self._transaction_count, self._processing_date, self._version
        )
        self._transaction_count += 1
        self._group_records += len(entry_lines)
        return [*lines, *entry_lines]

    def end(self) -> list[str]:
        """The GRT (when there was a transaction) and the TRL."""
        lines = []
        group_count = 0
        if self._transaction_count:
            self._group_records += 1
            group_count = 1
            lines.append(
                group_trailer_line(_ACK_GROUP_ID, self._transaction_count, self._group_records, self._version)
            )
        lines.append(
            trailer_line(group_count, self._transaction_count, self._group_records + 2, self._version)
        )
        return lines


def rejected_file_lines(
    rejection: CwrFileRejected,
    original: TransmissionHeader | None,
    *,
    sender: CwrSender,
    created_at: datetime,
    processing_date: date,
    version: CwrVersion = CwrVersion.V2_1,
) -> Iterator[str]:
    """The ACK file answering a file rejected as a whole: one ACK (type HDR, status RJ) with E messages.

    ``original`` is the rejected file's header when it could be read (its creation date and time go into
    the ACK), else ``None``.
    """
    messages = tuple(
        AckMessage(
            message_type=_MESSAGE_TYPE[item.severity],
            original_record_sequence=0,
            record_type=item.record_type[:3] or _FILE_RECORD_TYPE,
            message_level=_MESSAGE_TYPE[Level.ENTIRE_FILE],
            validation_number=validation_number(item),
            text=message_text(item, with_record_number=True),
        )
        for item in rejection.problems
    )
    entry = AckEntry(
        original_group_id=0,
        original_transaction_sequence=0,
        original_transaction_type=_FILE_RECORD_TYPE,
        creation_title="",
        submitter_creation_number="",
        recipient_creation_number="",
        status=TransactionStatus.REJECTED,
        messages=messages,
    )
    header = original or TransmissionHeader(
        record_number=1,
        record_type=_FILE_RECORD_TYPE,
        sender_type="",
        sender_id="",
        sender_name="",
        edi_standard_version="",
        creation_date=None,
        creation_time=None,
        transmission_date=None,
        character_set="",
        version=version,
        revision=None,
        software_package="",
        software_package_version="",
    )
    yield from acknowledgement_lines(
        header,
        [entry],
        sender=sender,
        created_at=created_at,
        processing_date=processing_date,
        version=version,
    )


def message_level(item: CwrProblem) -> str:
    """The MSG message level: the level of the check that found ``item``."""
    if item.severity in (Level.ENTIRE_FILE, Level.GROUP):
        return _MESSAGE_TYPE[item.severity]
    if _rule_number(item) is None and _layout_position(item) is not None:
        return _MESSAGE_TYPE[Level.FIELD]
    # A field-level problem that names no field of the layout is about the line (its length, its bytes).
    if item.severity in (Level.FIELD, Level.RECORD):
        return _MESSAGE_TYPE[Level.RECORD]
    return _MESSAGE_TYPE[Level.TRANSACTION]


def validation_number(item: CwrProblem) -> str:
    """The MSG validation number of ``item`` (see the module docstring for the scheme)."""
    number = _rule_number(item)
    if number is not None:
        return number
    position = _layout_position(item)
    return f"{position:03d}" if position is not None else WHOLE_RECORD_VALIDATION_NUMBER


def message_text(item: CwrProblem, *, with_record_number: bool = False) -> str:
    """``field 'value': rule``, at most 150 characters; with the record number for file-level problems."""
    value = (
        item.value if len(item.value) <= _SHOWN_VALUE_CHARS else item.value[: _SHOWN_VALUE_CHARS - 3] + "..."
    )
    where = f"record {item.record_number} {item.record_type} " if with_record_number else ""
    return _fitted(_printable(f"{where}{item.field} '{value}': {item.rule}"))


def _entry_lines(
    entry: AckEntry,
    original: TransmissionHeader,
    transaction_sequence: int,
    processing_date: date,
    version: CwrVersion,
) -> list[str]:
    lines = [
        record_line(
            "ACK",
            version,
            {
                "transaction_sequence": transaction_sequence,
                "record_sequence": 0,
                "creation_date": original.creation_date or 0,
                "creation_time": original.creation_time or 0,
                "original_group_id": entry.original_group_id,
                "original_transaction_sequence": entry.original_transaction_sequence,
                "original_transaction_type": entry.original_transaction_type,
                "creation_title": entry.creation_title,
                "submitter_creation_number": entry.submitter_creation_number,
                "recipient_creation_number": entry.recipient_creation_number,
                "processing_date": processing_date,
                "transaction_status": entry.status.value,
            },
        )
    ]
    lines += [
        record_line(
            "MSG",
            version,
            {
                "transaction_sequence": transaction_sequence,
                "record_sequence": record_sequence,
                "message_type": message.message_type,
                "original_record_sequence": message.original_record_sequence,
                "original_record_type": message.record_type,
                "message_level": message.message_level,
                "validation_number": message.validation_number,
                "message_text": message.text,
            },
        )
        for record_sequence, message in enumerate(entry.messages, start=1)
    ]
    return lines


def _rule_number(item: CwrProblem) -> str | None:
    """The validation number of a conversion or domain rule named at the end of the rule text."""
    code = _RULE_CODE.search(item.rule)
    return _RULE_NUMBERS.get(code.group(1)) if code is not None else None


def _layout_position(item: CwrProblem) -> int | None:
    """The 1-based position of the problem's field in its record's layout, or None."""
    layout = layout_for(item.record_type, CwrVersion.V2_2)  # 2.2 has every 2.1 field
    if layout is None:
        return None
    return next((index for index, field in enumerate(layout, start=1) if field.name == item.field), None)


def _printable(text: str) -> str:
    return _CONTROL_CHARACTER.sub(lambda match: f"<U+{ord(match.group()):04X}>", text)


def _fitted(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."
