"""Writing fixed-width CWR records: one record's values in, one line of the exact layout width out.

The writers (``ack``, ``writer``) share this module and the reader's tables in ``layouts``, so a record
is written at exactly the positions it is read from. Values are placed by type:

| value               | written as                                                        |
| ------------------- | ----------------------------------------------------------------- |
| ``str``             | left-aligned, padded with spaces                                  |
| ``int``             | right-aligned, padded with zeros (CWR numeric fields)             |
| ``date``            | ``YYYYMMDD``                                                      |
| ``time``            | ``HHMMSS``                                                        |
| ``None`` or missing | spaces                                                            |

Every record is written to its full layout width (trailing blanks included), and every line ends with
CR LF, as the CWR specification asks. A value that does not fit its field, a negative number, or a
control character (which would break the line structure) raises ``CwrWriteError`` naming the record,
the field, the value and the rule: a writer never cuts a value short on its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import IO, Final, NoReturn

from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.cwr.layouts import layout_for
from nordclear.repertoire.cwr.records import CwrVersion

LINE_BREAK: Final = "\r\n"
"""CWR's line break."""

FieldValue = str | int | date | time | None

# C0 and C1 control characters: a CR or LF inside a value would split the record in two.
_CONTROL_CHARACTER: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class CwrWriteError(InvalidArgument):
    """A value cannot be written into its CWR field (too long, negative, or not text)."""


@functools.cache
def _fields(record_type: str, version: CwrVersion) -> tuple[tuple[str, int], ...]:
    """(name, length) of each field of the layout in position order; the layouts have no gaps."""
    layout = layout_for(record_type, version)
    if layout is None:
        raise ValueError(f"CWR {version} has no layout for {record_type} records")
    return tuple((field.name, field.length) for field in sorted(layout, key=lambda field: field.start))


def record_line(record_type: str, version: CwrVersion, values: Mapping[str, FieldValue]) -> str:
    """The record ``record_type`` holding ``values`` (by layout field name), CR LF included.

    ``record_type`` itself is filled in; ``transaction_sequence`` and ``record_sequence`` are given like
    any other numeric field. A name in ``values`` that the layout does not have is a programming error.
    """
    fields = _fields(record_type, version)
    unknown = set(values) - {name for name, _ in fields}
    assert not unknown, f"{record_type} has no fields {sorted(unknown)}"
    pieces = []
    for name, length in fields:
        value = record_type if name == "record_type" else values.get(name)
        pieces.append(_formatted(record_type, name, length, value))
    return "".join(pieces) + LINE_BREAK


def _formatted(record_type: str, name: str, length: int, value: FieldValue) -> str:
    if value is None:
        return " " * length
    if isinstance(value, bool):  # a bool is an int; a flag is written as "Y"/"N" text by the caller
        raise CwrWriteError(f"{record_type}.{name}", value, "a flag is written as Y, N or U")
    if isinstance(value, int):
        text = str(value)
        if value < 0 or len(text) > length:
            rule = f"a number of at most {length} digits, not negative"
            raise CwrWriteError(f"{record_type}.{name}", value, rule)
        return text.zfill(length)
    if isinstance(value, date | time):
        text = value.strftime("%Y%m%d" if isinstance(value, date) else "%H%M%S")
        if len(text) != length:
            _too_long(record_type, name, length, value)
        return text
    if len(value) > length:
        _too_long(record_type, name, length, value)
    control = _CONTROL_CHARACTER.search(value)
    if control is not None:
        rule = f"control character U+{ord(control.group()):04X} cannot be written in a CWR record"
        raise CwrWriteError(f"{record_type}.{name}", value, rule)
    return value.ljust(length)


def _too_long(record_type: str, name: str, length: int, value: object) -> NoReturn:
    rule = f"the CWR field has {length} characters; the value is not shortened, since that would change it"
    raise CwrWriteError(f"{record_type}.{name}", value, rule)


def write_lines(lines: Iterable[str], stream: IO[bytes], encoding: str = "utf-8") -> int:
    """Encode ``lines`` (each with its line break) onto a binary ``stream``; returns the bytes written.

    UTF-8 is the default: ASCII text is the same in UTF-8, and Nordic letters survive (the reader takes
    a line that is valid UTF-8 as UTF-8). ``"latin-1"`` writes the single-byte form older systems expect
    and fails on characters outside it.
    """
    written = 0
    for line in lines:
        written += stream.write(line.encode(encoding))
    return written
