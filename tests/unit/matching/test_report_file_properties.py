"""Property-based tests: whatever a report file holds, the reader answers with line-numbered errors.

A licensee's file may be anything: truncated by an upload, edited by hand, saved in the wrong encoding.
The reader either gives one item per report line (numbered 1, 2, … with no gaps, each a line or an
``InvalidArgument`` naming a field or record) or refuses the whole file with an ``InvalidArgument``
(``FileFormatError``, or the malformed DSR HEAD record). Any other exception would reach the caller
as INTERNAL instead of telling them what to fix.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nordclear.matching.adapters.report_files import read_report_file
from nordclear.matching.adapters.report_proto import DecodedLine, decode_batch
from nordclear.matching.domain.model import ReportFormat, ReportKind
from nordclear.platform.errors import InvalidArgument

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).parents[3] / "docs" / "report-formats"
FORMATS = {".csv": ReportFormat.CSV, ".jsonl": ReportFormat.JSON_LINES, ".tsv": ReportFormat.DSR_TSV}
SEEDS = {
    (ReportKind(path.stem), FORMATS[path.suffix]): path.read_bytes()
    for path in sorted(EXAMPLES.iterdir())
    if path.suffix in FORMATS
}
_KIND_AND_FORMAT = st.sampled_from(sorted(SEEDS))
# Bytes a mutation may write: separators of every format, quotes, digits, Nordic letters, controls.
_BYTES = st.sampled_from([*b'0123456789,\t"{}[]:-.| AENOSaeno\n\r', 0x00, 0x1A, 0xC5, 0xE5, 0xFF])


def _read(content: bytes, kind: ReportKind, file_format: ReportFormat) -> list[DecodedLine] | None:
    """The decoded lines, or None when the file was refused as a whole (with the project's error)."""
    refused: InvalidArgument | None = None
    try:
        items = list(read_report_file(io.BytesIO(content), kind, file_format))
    except InvalidArgument as error:  # FileFormatError, or a malformed DSR HEAD record named as such
        refused = error
    if refused is not None:
        assert refused.field, refused
        return None
    lines = decode_batch(items).lines if items else []
    if file_format is not ReportFormat.JSON_LINES:  # a JSON line may carry its own line_number
        assert [line.line_number for line in lines] == list(range(1, len(lines) + 1))
    for line in lines:
        assert (line.line is None) != (line.error is None), line
        if line.error is not None:
            assert isinstance(line.error, InvalidArgument)
            assert line.error.field, line.error
    return lines


def _has_error(lines: list[DecodedLine] | None) -> bool:
    return lines is None or any(line.error is not None for line in lines)


@pytest.mark.parametrize(("kind", "file_format"), sorted(SEEDS), ids=lambda value: str(value))
def test_every_seed_file_reads_without_errors(kind: ReportKind, file_format: ReportFormat) -> None:
    lines = _read(SEEDS[kind, file_format], kind, file_format)

    assert lines
    assert not _has_error(lines)


@settings(max_examples=150, deadline=None)
@given(_KIND_AND_FORMAT, st.binary(max_size=2000))
def test_random_bytes_give_lines_or_a_format_error(
    kind_and_format: tuple[ReportKind, ReportFormat], data: bytes
) -> None:
    _read(data, *kind_and_format)


@settings(max_examples=150, deadline=None)
@given(_KIND_AND_FORMAT, st.text(max_size=1000))
def test_random_text_gives_lines_or_a_format_error(
    kind_and_format: tuple[ReportKind, ReportFormat], text: str
) -> None:
    kind, file_format = kind_and_format
    _read(text.encode("utf-8", errors="surrogatepass"), kind, file_format)


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[ReportKind, ReportFormat, list[bytes], set[str]]:
    """A seed file with 1-4 edits, and the kinds of edit made."""
    kind, file_format = draw(_KIND_AND_FORMAT)
    lines = SEEDS[kind, file_format].splitlines(keepends=True)
    made = set()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        position = draw(st.integers(0, len(line)))
        edit = draw(
            st.sampled_from(["insert", "delete", "cut", "drop", "repeat", "swap", "fields", "latin1"])
        )
        made.add(edit)
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
        elif edit == "fields":
            separator = b"\t" if file_format is ReportFormat.DSR_TSV else b","
            cells = line.rstrip(b"\r\n").split(separator)
            i, j = draw(st.integers(0, len(cells) - 1)), draw(st.integers(0, len(cells) - 1))
            cells[i], cells[j] = cells[j], cells[i]
            lines[index] = separator.join(cells) + b"\n"
        elif edit == "latin1":
            lines[index] = line.decode("utf-8", errors="replace").encode("latin-1", errors="replace")
    return kind, file_format, lines, made


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_seed_files_give_lines_or_a_format_error(
    mutation: tuple[ReportKind, ReportFormat, list[bytes], set[str]],
) -> None:
    kind, file_format, lines, _ = mutation
    _read(b"".join(lines), kind, file_format)


@st.composite
def _dsr_with_records_changed(draw: st.DrawFn) -> tuple[ReportKind, bytes]:
    """A DSR seed file with one record after HEAD dropped, repeated, or everything from it on cut off."""
    kind = draw(st.sampled_from([kind for kind, file_format in SEEDS if file_format is ReportFormat.DSR_TSV]))
    lines = SEEDS[kind, ReportFormat.DSR_TSV].splitlines(keepends=True)
    index = draw(st.integers(1, len(lines) - 1))
    edit = draw(st.sampled_from(["drop", "repeat", "cut"]))
    if edit == "drop":
        del lines[index]
    elif edit == "repeat":
        lines.insert(index, lines[index])
    else:
        del lines[index:]
    return kind, b"".join(lines)


@settings(max_examples=100, deadline=None)
@given(_dsr_with_records_changed())
def test_a_dsr_file_missing_or_repeating_a_record_is_never_complete(
    changed: tuple[ReportKind, bytes],
) -> None:
    # The FOOT record count is what tells a whole DSR file from a truncated or doctored one.
    kind, content = changed
    assert _has_error(_read(content, kind, ReportFormat.DSR_TSV))


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(list(ReportKind)),
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "line_number": _JSON,
                "training_manifest": _JSON,
                "service_revenue": _JSON,
                "output_attribution": _JSON,
            },
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_json_lines_of_any_shape_give_lines_or_a_format_error(
    kind: ReportKind, documents: list[object]
) -> None:
    # Well-formed JSON holding the wrong types, huge numbers or unknown keys is the likely hand-made file.
    content = "\n".join(json.dumps(document) for document in documents).encode()
    _read(content, kind, ReportFormat.JSON_LINES)
