"""Reading report files: every documented example, and every kind of bad input, with line-numbered errors."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from nordclear.matching.adapters.report_files import FileFormatError, read_report_file
from nordclear.matching.adapters.report_proto import DecodedLine, decode_batch
from nordclear.matching.domain.model import ReportFormat, ReportKind

EXAMPLES = Path(__file__).parents[3] / "docs" / "report-formats"
FORMATS = {".csv": ReportFormat.CSV, ".jsonl": ReportFormat.JSON_LINES, ".tsv": ReportFormat.DSR_TSV}
EXAMPLE_FILES = sorted(path for path in EXAMPLES.iterdir() if path.suffix in FORMATS)
MANIFEST_HEADER = (
    "isrc,iswc,society_code,society_work_code,work_id,title,main_artist,writers,duration_ms,content_sha256\n"
)


def _read(content: bytes, kind: ReportKind, file_format: ReportFormat) -> list[DecodedLine]:
    return decode_batch(list(read_report_file(io.BytesIO(content), kind, file_format))).lines


def test_there_is_an_example_of_every_kind_in_every_format() -> None:
    assert {(path.stem, path.suffix) for path in EXAMPLE_FILES} == {
        (kind.value, suffix) for kind in ReportKind for suffix in FORMATS
    }


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda path: path.name)
def test_every_example_file_reads_without_errors(path: Path) -> None:
    lines = _read(path.read_bytes(), ReportKind(path.stem), FORMATS[path.suffix])

    assert [line.error for line in lines if line.error] == []
    assert [line.line_number for line in lines] == list(range(1, len(lines) + 1))
    assert all(line.line is not None and line.line.kind is ReportKind(path.stem) for line in lines)


@pytest.mark.parametrize("kind", list(ReportKind))
def test_the_same_report_in_every_format_has_the_same_content(kind: ReportKind) -> None:
    payloads = set()
    for suffix, file_format in FORMATS.items():
        with (EXAMPLES / f"{kind.value}{suffix}").open("rb") as file:
            payloads.add(
                hashlib.sha256(decode_batch(list(read_report_file(file, kind, file_format))).payload).digest()
            )

    assert len(payloads) == 1


def test_output_rows_with_one_output_id_are_one_line_with_its_influences() -> None:
    lines = _read(
        (EXAMPLES / "output_attribution.csv").read_bytes(), ReportKind.OUTPUT_ATTRIBUTION, ReportFormat.CSV
    )

    first = lines[0].line
    assert first is not None
    assert first.amount is not None
    assert (first.output_id, first.amount.amount_minor, first.amount.currency.code) == (
        "out-0001",
        152040,
        "SEK",
    )
    assert [influence.share_bp for influence in first.influences] == [6000, 2500]


def test_a_row_with_too_many_fields_is_an_error_naming_the_row() -> None:
    content = (MANIFEST_HEADER + ",,,,,Title,,,,\n" + ",,,,,Title,,,,,extra\n").encode()

    lines = _read(content, ReportKind.TRAINING_MANIFEST, ReportFormat.CSV)

    assert lines[0].error is None
    assert lines[1].error is not None
    assert (lines[1].line_number, lines[1].error.field) == (2, "row 3")
    assert "exactly 10 fields" in lines[1].error.rule


@pytest.mark.parametrize(
    ("revenue", "field", "rule_part"),
    [
        ("12x.00", "revenue", "decimal"),
        ("12.345", "revenue", "decimal"),
        ("1.5", "revenue", "decimal"),
    ],
)
def test_non_numeric_or_over_precise_amounts_are_errors(revenue: str, field: str, rule_part: str) -> None:
    currency = "ISK" if revenue == "1.5" else "SEK"
    content = (
        "period_start,period_end,territory,currency,revenue,active_users,service_name\n"
        f"2026-03-01,2026-03-31,SE,{currency},{revenue},1,x\n"
    ).encode()

    [line] = _read(content, ReportKind.SERVICE_REVENUE, ReportFormat.CSV)

    assert line.error is not None
    assert (line.error.field, line.error.value) == (field, revenue)
    assert rule_part in line.error.rule


def test_an_unknown_currency_is_an_error() -> None:
    content = (
        b"period_start,period_end,territory,currency,revenue,active_users,service_name\n"
        b"2026-03-01,2026-03-31,SE,XYZ,1.00,1,x\n"
    )

    [line] = _read(content, ReportKind.SERVICE_REVENUE, ReportFormat.CSV)

    assert line.error is not None
    assert line.error.field == "currency"


@pytest.mark.parametrize(
    ("content", "file_format", "field"),
    [
        (b'{"training_manifest": {}}\n', ReportFormat.CSV, "header"),
        (MANIFEST_HEADER.encode(), ReportFormat.JSON_LINES, "file"),
        (MANIFEST_HEADER.encode(), ReportFormat.DSR_TSV, "file"),
        (b"\xff\xfe\x00garbage", ReportFormat.CSV, "file"),
        (b"", ReportFormat.CSV, "file"),
    ],
)
def test_a_file_not_in_its_declared_format_is_refused_as_a_whole(
    content: bytes, file_format: ReportFormat, field: str
) -> None:
    with pytest.raises(FileFormatError) as refused:
        list(read_report_file(io.BytesIO(content), ReportKind.TRAINING_MANIFEST, file_format))

    assert refused.value.field == field


def test_a_dsr_file_cut_short_is_caught_by_its_footer() -> None:
    whole = (EXAMPLES / "training_manifest.tsv").read_bytes().decode()
    cut = (
        "\n".join(line for line in whole.splitlines() if not line.startswith("RE\t\t\t\t\t\tEn sång")) + "\n"
    )

    lines = _read(cut.encode(), ReportKind.TRAINING_MANIFEST, ReportFormat.DSR_TSV)

    errors = [line.error for line in lines if line.error]
    assert len(errors) == 1
    assert errors[0].field == "FOOT.record_count"


def test_a_json_line_with_an_unknown_field_is_an_error_on_its_line() -> None:
    content = (
        b'{"training_manifest": {"reference": {"title": "A"}}}\n'
        b'{"training_manifest": {"reference": {"title": "B", "colour": "red"}}}\n'
    )

    lines = _read(content, ReportKind.TRAINING_MANIFEST, ReportFormat.JSON_LINES)

    assert lines[0].error is None
    assert lines[1].error is not None
    assert lines[1].line_number == 2
