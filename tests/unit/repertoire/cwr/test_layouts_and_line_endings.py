"""The record layouts are well formed, and the way lines end or arrive never changes what is read."""

from __future__ import annotations

import io

import pytest

from nordclear.repertoire.cwr import CwrVersion, read_cwr, read_cwr_stream
from nordclear.repertoire.cwr.layouts import all_layouts, layout_length
from nordclear.repertoire.cwr.lines import lines_from_stream
from tests.unit.repertoire.cwr.cwr_reading import FIXTURE_NAMES, Reading, collect, fixture_bytes

pytestmark = pytest.mark.unit

# Record lengths as the CISAC specifications give them (2.1; 2.2 where it differs).
SPEC_LENGTHS = {
    "HDR": (101, 167),
    "GRH": (28, 28),
    "GRT": (37, 37),
    "TRL": (24, 24),
    "NWR": (260, 260),
    "SPU": (183, 183),
    "SPT": (58, 58),
    "SWR": (180, 180),
    "SWT": (52, 52),
    "PWR": (110, 112),
    "ALT": (83, 83),
    "PER": (118, 118),
    "REC": (266, 540),
    "ORN": (301, 348),
    "VER": (364, 364),
    "NAT": (663, 663),
    "NPN": (512, 512),
    "NWN": (350, 350),
    "NPR": (370, 370),
    "NOW": (342, 342),
    "NPA": (350, 350),
    "ACK": (159, 159),
    "MSG": (185, 185),
    "XRF": (None, 38),
}


def test_fields_follow_each_other_without_gaps_or_overlaps() -> None:
    for (record_type, version), layout in all_layouts().items():
        position = 1
        for field in layout:
            assert field.start == position, (record_type, version, field)
            position += field.length


@pytest.mark.parametrize("record_type", sorted(SPEC_LENGTHS))
def test_record_lengths_match_the_specification(record_type: str) -> None:
    layouts = all_layouts()
    for version, expected in zip((CwrVersion.V2_1, CwrVersion.V2_2), SPEC_LENGTHS[record_type], strict=True):
        layout = layouts.get((record_type, version))
        assert (layout_length(layout) if layout is not None else None) == expected, (record_type, version)


def _variants(data: bytes) -> dict[str, bytes]:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return {
        "as published": data,
        "LF": b"\n".join(lines) + b"\n",
        "CRLF": b"\r\n".join(lines) + b"\r\n",
        "CR": b"\r".join(lines) + b"\r",
        "no line break at the end": b"\r\n".join(lines),
        "blank lines between": b"\n\n".join(lines) + b"\n",
    }


def _same_reading(reading: Reading) -> tuple[object, ...]:
    # Record numbers are line numbers; blank lines shift them, so compare without them for that variant.
    return (
        len(reading.items),
        [type(item).__name__ for item in reading.items],
        [(p.record_type, p.field, p.value, p.rule, p.severity) for p in reading.all_problems()],
    )


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_line_endings_do_not_change_what_is_read(name: str) -> None:
    variants = _variants(fixture_bytes(name))
    readings = {label: collect(read_cwr_stream(io.BytesIO(data))) for label, data in variants.items()}
    reference = readings.pop("as published")
    blank_lines = readings.pop("blank lines between")
    for label, reading in readings.items():
        assert reading == reference, label
    assert _same_reading(blank_lines) == _same_reading(reference)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_lines_and_stream_read_the_same(name: str) -> None:
    data = fixture_bytes(name)
    as_lines = collect(read_cwr(io.BytesIO(data)))  # a binary file iterates line by line, breaks included
    as_text = collect(read_cwr(data.decode("latin-1").splitlines()))
    as_stream = collect(read_cwr_stream(io.BytesIO(data)))
    assert as_lines == as_stream
    assert as_text == as_stream


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 7, 64])
def test_blocks_that_split_a_crlf_make_no_extra_line(block_bytes: int) -> None:
    data = fixture_bytes("CW220001DMP_000.V21")
    lines = [line for _, line in lines_from_stream(io.BytesIO(data), block_bytes=block_bytes)]
    # This file's last line (the TRL) has no line break.
    assert lines == data.split(b"\r\n")
    assert lines[-1].startswith(b"TRL")
