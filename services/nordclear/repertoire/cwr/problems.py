"""What went wrong in a CWR file, and how much of the submission each problem rejects.

CWR 2.1 gives every validation rule one of five levels, and the acknowledgement file reports each problem
with its level (the MSG record's message type), so the reader uses the same five:

| level | name                  | effect here                                                              |
| ----- | --------------------- | ------------------------------------------------------------------------ |
| ER    | entire file rejected  | reading stops (or ends) with ``CwrFileRejected``; nothing may be stored  |
| GR    | group rejected        | reported on the ``GroupSummary``; every transaction of the group is void |
| TR    | transaction rejected  | reported on the ``Transaction``; that transaction is not stored          |
| RR    | record rejected       | the record is left out of its transaction; the transaction stands        |
| FR    | field rejected        | the field is cleared to its default (empty, ``None`` or 0); record stands |

Which rule carries which level is listed in ``nordclear.repertoire.cwr`` (the package docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from nordclear.platform.errors import InvalidArgument

# A problem repeats the offending value; a hostile file must not bloat every message with its own text.
_MAX_VALUE_CHARS: Final = 80


class Level(StrEnum):
    """The CWR validation level of a problem: how much of the submission it rejects."""

    ENTIRE_FILE = "ER"
    GROUP = "GR"
    TRANSACTION = "TR"
    RECORD = "RR"
    FIELD = "FR"

    @property
    def rejects_transaction(self) -> bool:
        """Whether a problem at this level voids the transaction it belongs to."""
        return self in _TRANSACTION_REJECTING


_TRANSACTION_REJECTING: Final = frozenset({Level.ENTIRE_FILE, Level.GROUP, Level.TRANSACTION})


@dataclass(frozen=True, slots=True)
class CwrProblem:
    """One broken rule: where (record number and type, field), what (value), why (rule), how bad (level).

    ``record_number`` is the 1-based position of the record (line) in the file, counting every record
    from the HDR on, so a person can find it with any editor; 0 means the file as a whole (for example
    an empty file).
    """

    record_number: int
    record_type: str
    field: str
    value: str
    rule: str
    severity: Level

    def __str__(self) -> str:
        return (
            f"record {self.record_number} ({self.record_type or '-'}) {self.field}: "
            f"{self.value!r} [{self.severity}] {self.rule}"
        )


def problem(
    record_number: int, record_type: str, field: str, value: str, rule: str, severity: Level
) -> CwrProblem:
    """A ``CwrProblem`` whose value is cut to a readable length."""
    shown = value if len(value) <= _MAX_VALUE_CHARS else value[:_MAX_VALUE_CHARS] + "…"
    return CwrProblem(record_number, record_type, field, shown, rule, severity)


class CwrFileRejected(InvalidArgument):
    """The file as a whole is rejected (CWR level ER): nothing read from it may be stored.

    Raised by the reader as soon as a file-level rule fails (empty, binary, not CWR, a huge line, broken
    structure, a file of the wrong kind), or at the end when the TRL record disagrees with what was read
    or is missing. ``problems`` lists every file-level problem found; the first one names the message.
    It is an ``InvalidArgument``, so an RPC that receives such a file answers INVALID_ARGUMENT.
    """

    def __init__(self, problems: Sequence[CwrProblem]) -> None:
        assert problems, "a rejected file names at least one problem"
        self.problems: tuple[CwrProblem, ...] = tuple(problems)
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more file-level problems)" if len(self.problems) > 1 else ""
        super().__init__(
            f"cwr record {first.record_number} ({first.record_type or '-'}) {first.field}",
            first.value,
            first.rule + more,
        )
