"""Property-based tests: whatever an application file holds, ``nordclear licensing apply`` reads it or names
the problem.

An AI company writes its application by hand in YAML or JSON. Reading it (``read_document``) and turning it
into the contract's ``Application`` (``application_from_document``) either succeeds or raises
``typer.BadParameter`` naming the file or the field at fault, which the command line shows as a usage
error. Any other exception would be a traceback instead of a hint.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nordclear.cli.licensing import application_from_document, read_document
from nordclear.gen.licensing.v1 import licence_pb2

pytestmark = pytest.mark.unit

YAML = b"""\
hub_society: STIM
model_name: Skald
model_version: "2.1"
stages: [training, service, output]
territories: [DK, FI, IS, NO, SE]
term: {start: 2026-01-01, end: 2026-12-31}
expected_revenue: {currency: SEK, amount_minor: 100000000}
expected_output_count: 50000
training_data: {disclosure: full_manifest, declared_item_count: 1200, description: licensed catalogue}
"""
JSON = json.dumps(
    {
        "hub_society": "KODA",
        "model_name": "Skald",
        "model_version": "2.1",
        "stages": ["training"],
        "territories": ["DK", "NO"],
        "term": {"start": "2026-01-01", "end": "2026-12-31"},
        "expected_revenue": {"currency": "DKK", "amount_minor": 5000000},
        "expected_output_count": 10,
        "training_data": {"disclosure": "none"},
    },
    indent=2,
).encode()
SEEDS = {"yaml": YAML, "json": JSON}
FIELDS = (
    "hub_society",
    "model_name",
    "model_version",
    "stages",
    "territories",
    "term",
    "expected_revenue",
    "expected_output_count",
    "training_data",
)
_BYTES = st.sampled_from([*b"0123456789:,-{}[]\"' \tNOSKaen#&*!|>\n", 0x00, 0xC5, 0xE5, 0xFF])


def _apply(content: bytes) -> licence_pb2.Application | None:
    """The application read from a file holding ``content``, or None when refused with a named problem."""
    refused: typer.BadParameter | None = None
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "application.yaml"
        path.write_bytes(content)
        try:
            return application_from_document(read_document(path))
        except typer.BadParameter as error:
            refused = error
    assert refused is not None
    assert refused.message.strip()
    return None


@pytest.mark.parametrize("shape", sorted(SEEDS))
def test_the_seed_files_give_an_application(shape: str) -> None:
    application = _apply(SEEDS[shape])

    assert application is not None
    assert application.model_name == "Skald"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=1000))
def test_random_bytes_are_read_or_refused_with_a_reason(data: bytes) -> None:
    _apply(data)


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["2026-01-01", "2026-02-30", "STIM", "NO", "training", "none", "SEK"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["start", "end", "currency", "amount_minor", "disclosure", "x"]), children
        )
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), _VALUES, max_size=len(FIELDS)))
def test_json_documents_of_any_shape_are_read_or_refused_with_a_reason(document: dict[str, object]) -> None:
    # Well-formed JSON with the wrong types in the right places is the likely hand-written mistake.
    _apply(json.dumps(document).encode())


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    lines = SEEDS[draw(st.sampled_from(sorted(SEEDS)))].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        position = draw(st.integers(0, len(line)))
        edit = draw(
            st.sampled_from(["insert", "delete", "cut", "drop", "repeat", "swap", "value", "encoding"])
        )
        if edit == "insert":
            lines[index] = line[:position] + bytes([draw(_BYTES)]) + line[position:]
        elif edit == "delete":
            lines[index] = line[:position] + line[position + 1 :]
        elif edit == "cut":
            del lines[index + 1 :]
            lines[index] = line[:position]
        elif edit == "drop" and len(lines) > 1:
            del lines[index]
        elif edit == "repeat":
            lines.insert(index, line)
        elif edit == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif edit == "value":
            # A value swapped for another of a different type: a date, a list, a mapping, a huge number.
            value = draw(
                st.sampled_from([b"2026-02-30", b"[1, 2]", b"{a: 1}", b"99999999999999999999", b"~", b"&x"])
            )
            key, _, _ = line.partition(b":")
            lines[index] = key + b": " + value + b"\n"
        elif edit == "encoding":
            lines[index] = line.decode(errors="replace").encode(
                draw(st.sampled_from(["utf-16", "latin-1"])), errors="replace"
            )
    return b"".join(lines)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_files_are_read_or_refused_with_a_reason(content: bytes) -> None:
    _apply(content)
