"""Cutting CWR input into lines, with a hard limit on line length, and decoding each line.

Line breaks are CR LF (what the CWR specification asks for), LF, or a lone CR; the last line may have
none. Input arrives either as lines (any iterable of ``bytes`` or ``str``, one line per item, with or
without its line break) or as a binary stream read in fixed-size blocks. Only the stream form bounds
memory against a hostile file: it never holds more than ``max_line_bytes`` of one line before refusing
it, whereas an iterable of lines has already read each line whole.

Decoding: CWR 2.1 allows only ASCII, but real files carry Nordic letters written by older tools in
ISO-8859-1, and CWR 2.2 files may declare UTF-8 in the HDR. Each line is decoded as UTF-8 when it is
valid UTF-8 (pure ASCII is both) and as ISO-8859-1 otherwise: ISO-8859-1 maps every byte to a character,
so no byte is ever "undecodable" and fixed-width positions stay one character per byte. A line that is
not UTF-8 in a file whose HDR declares UTF-8 is reported (FR) by the reader. Field positions count
characters of the decoded line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import IO, Final

from nordclear.repertoire.cwr.problems import CwrFileRejected, Level, problem

MAX_LINE_BYTES: Final = 10_000
"""Longest line accepted; the longest CWR record (NAT) has 663 characters, so anything near this is not
CWR (a binary file, or a file without line breaks) and is refused before more of it is read."""

STREAM_BLOCK_BYTES: Final = 64 * 1024

_LINE_BREAK: Final = re.compile(rb"\r\n|\r|\n")

RawLine = tuple[int, bytes]
"""(1-based line number, the line's bytes without its line break)."""


def lines_from_items(items: Iterable[bytes | str], max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[RawLine]:
    """One ``RawLine`` per line of ``items``, each item being a line (or several, split on line breaks)."""
    line_number = 0
    for item in items:
        # bytes.splitlines breaks at CR LF, LF and CR only, and a break at the end of an item ends that
        # line rather than starting an empty one; an empty item is one empty line.
        for piece in _as_bytes(item).splitlines() or [b""]:
            line_number += 1
            _refuse_if_too_long(line_number, piece, max_line_bytes)
            yield line_number, piece


def lines_from_stream(
    stream: IO[bytes], max_line_bytes: int = MAX_LINE_BYTES, block_bytes: int = STREAM_BLOCK_BYTES
) -> Iterator[RawLine]:
    """One ``RawLine`` per line of a binary stream, read in blocks; memory stays bounded by the limit."""
    pending = b""
    line_number = 0
    while block := stream.read(block_bytes):
        data = pending + block
        # A CR at the very end may be the first half of a CR LF split across two blocks: keep it back.
        held_back = b""
        if data.endswith(b"\r"):
            data, held_back = data[:-1], b"\r"
        start = 0
        for line_break in _LINE_BREAK.finditer(data):
            line_number += 1
            line = data[start : line_break.start()]
            _refuse_if_too_long(line_number, line, max_line_bytes)
            yield line_number, line
            start = line_break.end()
        pending = data[start:] + held_back
        _refuse_if_too_long(line_number + 1, pending.rstrip(b"\r"), max_line_bytes)
    last = pending[:-1] if pending.endswith(b"\r") else pending
    if last:
        yield line_number + 1, last


def decode_line(raw: bytes) -> tuple[str, bool]:
    """The text of a line and whether it had to be read as ISO-8859-1 because it is not valid UTF-8."""
    if raw.isascii():
        return raw.decode("ascii"), False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("latin-1"), True


def _as_bytes(item: bytes | str) -> bytes:
    if isinstance(item, str):
        # surrogatepass: a str with lone surrogates still becomes bytes (then read as ISO-8859-1 and
        # reported), rather than an exception escaping the reader.
        return item.encode("utf-8", "surrogatepass")
    return bytes(item)


def _refuse_if_too_long(line_number: int, line: bytes, max_line_bytes: int) -> None:
    if len(line) > max_line_bytes:
        record_type = line[:3].decode("latin-1")
        raise CwrFileRejected(
            [
                problem(
                    line_number,
                    record_type,
                    "line",
                    f"{len(line)} bytes or more",
                    f"a line is at most {max_line_bytes} bytes (the longest CWR record has 663 characters); "
                    "this is not a CWR file, or its line breaks are missing, so reading stopped here",
                    Level.ENTIRE_FILE,
                )
            ]
        )
