"""Property-based tests: whatever bytes arrive, the reader answers with problems, never with a crash."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nordclear.repertoire.cwr import Level, read_cwr, read_cwr_stream
from nordclear.repertoire.cwr.layouts import all_layouts
from tests.unit.repertoire.cwr.cwr_reading import Reading, collect, fixture_bytes

pytestmark = pytest.mark.unit

_SEED_FILES = ("CW220001DMP_000.V21", "revexample.V21", "demo_cwr_cleaned.v22", "CW220001000_DMP.V21")
_SEED_LINES = {name: fixture_bytes(name).replace(b"\r\n", b"\n").split(b"\n") for name in _SEED_FILES}
# Characters a mutation may write: digits, letters, spaces, CWR punctuation, Nordic letters, controls.
_CHARACTERS = st.sampled_from([*b"0123456789 AEIOUTXYZaeiou-.,'/", 0x00, 0x09, 0x1A, 0xC5, 0xE5, 0xFF])
_RECORD_TYPES = sorted({record_type for record_type, _ in all_layouts()} | {"XYZ", "AGR", "EWT", "   "})


def _check(reading: Reading, line_count: int) -> None:
    """Every problem names a record that exists (0 only for the file as a whole) and a known level."""
    for problem in reading.all_problems():
        assert isinstance(problem.record_number, int)
        assert 0 <= problem.record_number <= line_count, problem
        assert problem.severity in Level
        assert problem.rule
    for transaction in reading.transactions:
        assert all(problem.record_number >= 1 for problem in transaction.problems)
    if reading.rejection is not None:
        assert all(problem.severity is Level.ENTIRE_FILE for problem in reading.rejection.problems)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_only_ever_give_problems(data: bytes) -> None:
    _check(collect(read_cwr_stream(io.BytesIO(data))), data.count(b"\n") + data.count(b"\r") + 1)
    _check(collect(read_cwr([data])), data.count(b"\n") + data.count(b"\r") + 1)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=30))
def test_random_text_lines_only_ever_give_problems(lines: list[str]) -> None:
    reading = collect(read_cwr(lines))
    _check(reading, sum(max(1, len(line.splitlines()) + 2) for line in lines) + 1)


@st.composite
def _mutated_file(draw: st.DrawFn) -> list[bytes]:
    lines = list(_SEED_LINES[draw(st.sampled_from(_SEED_FILES))])
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        position = draw(st.integers(0, max(0, len(line))))
        kind = draw(st.sampled_from(["set", "insert", "delete", "cut", "type", "drop", "repeat", "swap"]))
        if kind == "set" and line:
            position = min(position, len(line) - 1)
            lines[index] = line[:position] + bytes([draw(_CHARACTERS)]) + line[position + 1 :]
        elif kind == "insert":
            lines[index] = line[:position] + bytes([draw(_CHARACTERS)]) + line[position:]
        elif kind == "delete":
            lines[index] = line[:position] + line[position + 1 :]
        elif kind == "cut":
            lines[index] = line[:position]
        elif kind == "type":
            lines[index] = draw(st.sampled_from(_RECORD_TYPES)).encode() + line[3:]
        elif kind == "drop" and len(lines) > 1:
            del lines[index]
        elif kind == "repeat":
            lines.insert(index, line)
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    return lines


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated_file(), st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_mutated_real_files_only_ever_give_problems(lines: list[bytes], line_break: bytes) -> None:
    data = line_break.join(lines)
    reading = collect(read_cwr_stream(io.BytesIO(data)))  # any exception but CwrFileRejected fails here
    _check(reading, len(lines))
    assert collect(read_cwr(lines)) == reading
