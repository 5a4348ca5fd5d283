"""Report files: CSV, JSON Lines and a DDEX-DSR-like tab-separated flat file, read into report lines.

Every format is documented with example files in ``docs/report-formats/``. A file is read from disk as
a stream of records (the servicer spools the uploaded chunks to a temporary file), so memory stays
bounded however large it is. Parsing never stops at the first bad record: each yields either a
``ReportLine`` or a ``DecodedLine`` carrying the error with its line number, and the report is rejected
as a whole with every error listed.

Line numbers: in CSV and DSR files a report line is a data record (the CSV header row and DSR ``HEAD``
and ``FOOT`` records are not counted); an output attribution is one output, spread over one row per
influence (CSV) or an ``OU`` record and its ``IN`` records (DSR), numbered by output. In JSON Lines every
non-blank line is a report line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from typing import IO, Final

from google.protobuf import json_format

from nordclear.gen.common.v1 import codes_pb2, dates_pb2, identifiers_pb2, money_pb2
from nordclear.gen.matching.v1 import report_pb2
from nordclear.matching.adapters.report_proto import DecodedLine
from nordclear.matching.domain.model import ReportFormat, ReportKind
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.territories import parse_territory
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import territory_to_proto

Item = report_pb2.ReportLine | DecodedLine

WRITER_SEPARATOR: Final = "|"
MAX_FIELD_CHARS: Final = 4_096
MAX_LINE_CHARS: Final = 1_000_000
DSR_VERSION: Final = "NCDSR/1.0"

REFERENCE_COLUMNS: Final = (
    "isrc",
    "iswc",
    "society_code",
    "society_work_code",
    "work_id",
    "title",
    "main_artist",
    "writers",
    "duration_ms",
)
CSV_COLUMNS: Final[dict[ReportKind, tuple[str, ...]]] = {
    ReportKind.TRAINING_MANIFEST: (*REFERENCE_COLUMNS, "content_sha256"),
    ReportKind.SERVICE_REVENUE: (
        "period_start",
        "period_end",
        "territory",
        "currency",
        "revenue",
        "active_users",
        "service_name",
    ),
    ReportKind.OUTPUT_ATTRIBUTION: (
        "output_id",
        "territory",
        "use_type",
        "used_on",
        "currency",
        "revenue",
        "label_applied",
        *REFERENCE_COLUMNS,
        "share_bp",
        "confidence_bp",
    ),
}
_OUTPUT_COLUMNS: Final = CSV_COLUMNS[ReportKind.OUTPUT_ATTRIBUTION][:7]
_INFLUENCE_COLUMNS: Final = CSV_COLUMNS[ReportKind.OUTPUT_ATTRIBUTION][7:]
DSR_RECORDS: Final[dict[str, tuple[str, ...]]] = {
    "HEAD": ("version", "report_id", "period_start", "period_end"),
    "RE": CSV_COLUMNS[ReportKind.TRAINING_MANIFEST],
    "SY": CSV_COLUMNS[ReportKind.SERVICE_REVENUE],
    "OU": _OUTPUT_COLUMNS,
    "IN": _INFLUENCE_COLUMNS,
    "FOOT": ("record_count",),
}
_DSR_LINE_RECORD: Final = {
    ReportKind.TRAINING_MANIFEST: "RE",
    ReportKind.SERVICE_REVENUE: "SY",
    ReportKind.OUTPUT_ATTRIBUTION: "OU",
}
USE_TYPE_NAMES: Final = {
    "release": report_pb2.OUTPUT_USE_TYPE_RELEASE,
    "streaming": report_pb2.OUTPUT_USE_TYPE_STREAMING,
    "sync": report_pb2.OUTPUT_USE_TYPE_SYNC,
    "broadcast": report_pb2.OUTPUT_USE_TYPE_BROADCAST,
    "other": report_pb2.OUTPUT_USE_TYPE_OTHER,
}


class FileFormatError(InvalidArgument):
    """The file is not in the declared format at all (not text, or not the documented layout)."""


def read_report_file(file: IO[bytes], kind: ReportKind, file_format: ReportFormat) -> Iterator[Item]:
    """The report lines of ``file``, one item per line, in order.

    Raises ``FileFormatError`` (before yielding anything, where it can tell) when the file is not in the
    declared format; every other problem is an item with its line number.
    """
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="strict", newline="")
    try:
        if file_format is ReportFormat.CSV:
            yield from _csv(text, kind)
        elif file_format is ReportFormat.JSON_LINES:
            yield from _json_lines(text, kind)
        elif file_format is ReportFormat.DSR_TSV:
            yield from _dsr(text, kind)
        else:
            raise FileFormatError("format", file_format.value, "a file is CSV, JSON Lines or DSR TSV")
    except UnicodeDecodeError as error:
        raise FileFormatError(
            "file", f"byte {error.start}", f"must be UTF-8 text in the declared format ({file_format.value})"
        ) from None
    except csv.Error as error:
        raise FileFormatError("file", "", f"is not readable as {file_format.value}: {error}") from None
    finally:
        text.detach()


# CSV ---------------------------------------------------------------------------------------------


def _csv(text: IO[str], kind: ReportKind) -> Iterator[Item]:
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(text, strict=True)
    expected = CSV_COLUMNS[kind]
    header = next(reader, None)
    if header is None:
        raise FileFormatError("file", "", "is empty; a CSV report starts with its header row")
    names = [name.strip().lower() for name in header]
    if names != list(expected):
        raise FileFormatError(
            "header",
            ",".join(header)[:120],
            f"a {kind.value} CSV file starts with the header row {','.join(expected)}",
        )
    rows = ((reader.line_num, row) for row in reader if any(cell.strip() for cell in row))
    if kind is ReportKind.OUTPUT_ATTRIBUTION:
        yield from _grouped_outputs(rows, len(expected), "row")
        return
    for number, (row_number, row) in enumerate(rows, start=1):
        yield _flat_line(number, row_number, row, kind, expected, "row")


def _flat_line(
    number: int, row_number: int, row: list[str], kind: ReportKind, columns: tuple[str, ...], where: str
) -> Item:
    try:
        values = _fields(row, columns, f"{where} {row_number}")
        return _line_of(number, kind, values)
    except InvalidArgument as error:
        return DecodedLine(number, None, error)


def _grouped_outputs(rows: Iterator[tuple[int, list[str]]], width: int, where: str) -> Iterator[Item]:
    """Rows of one output id in a row make one line; a new output id starts the next."""
    number = 0
    current: report_pb2.ReportLine | None = None
    failed: DecodedLine | None = None
    current_output = None
    for row_number, row in rows:
        columns = CSV_COLUMNS[ReportKind.OUTPUT_ATTRIBUTION]
        try:
            values = _fields(row, columns, f"{where} {row_number}")
        except InvalidArgument as error:
            if current is not None or failed is not None:
                yield failed or current  # type: ignore[misc]
            number += 1
            current, failed, current_output = None, DecodedLine(number, None, error), None
            continue
        output_id = values["output_id"]
        if output_id != current_output or (current is None and failed is None):
            if current is not None or failed is not None:
                yield failed or current  # type: ignore[misc]
            number += 1
            current_output, failed = output_id, None
            try:
                current = _output_line(number, values)
            except InvalidArgument as error:
                current, failed = None, DecodedLine(number, None, error)
                continue
        if current is None:
            continue
        try:
            current.output_attribution.influences.append(_influence(values))
        except InvalidArgument as error:
            current, failed = None, DecodedLine(number, None, error)
    if current is not None or failed is not None:
        yield failed or current  # type: ignore[misc]


def _fields(row: list[str], columns: tuple[str, ...], where: str) -> dict[str, str]:
    if len(row) != len(columns):
        raise InvalidArgument(
            where, f"{len(row)} fields", f"has exactly {len(columns)} fields: {','.join(columns)}"
        )
    return {name: value.strip() for name, value in zip(columns, row, strict=True)}


# JSON Lines --------------------------------------------------------------------------------------


def _json_lines(text: IO[str], kind: ReportKind) -> Iterator[Item]:
    content = {
        ReportKind.TRAINING_MANIFEST: "training_manifest",
        ReportKind.SERVICE_REVENUE: "service_revenue",
        ReportKind.OUTPUT_ATTRIBUTION: "output_attribution",
    }[kind]
    number = 0
    for physical, raw in enumerate(text, start=1):
        if not raw.strip():
            continue
        number += 1
        if len(raw) > MAX_LINE_CHARS:
            yield DecodedLine(
                number,
                None,
                InvalidArgument(f"line {physical}", f"{len(raw)} characters", f"at most {MAX_LINE_CHARS}"),
            )
            continue
        try:
            document = json.loads(raw)
        except json.JSONDecodeError as error:
            if number == 1:
                raise FileFormatError("file", raw[:60], f"is not JSON Lines: {error.msg}") from None
            yield DecodedLine(
                number, None, InvalidArgument(f"line {physical}", raw[:60], f"not JSON: {error.msg}")
            )
            continue
        if not isinstance(document, dict) or set(document) - {"line_number", content}:
            if number == 1 and not isinstance(document, dict):
                raise FileFormatError("file", raw[:60], "is not JSON Lines of objects")
            yield DecodedLine(
                number,
                None,
                InvalidArgument(
                    f"line {physical}", raw[:60], f'an object with "{content}" (and optionally "line_number")'
                ),
            )
            continue
        line = report_pb2.ReportLine()
        try:
            json_format.ParseDict({content: document.get(content, {})}, line)
        except json_format.ParseError as error:
            yield DecodedLine(
                number, None, InvalidArgument(f"line {physical}.{content}", raw[:60], str(error))
            )
            continue
        given = document.get("line_number", number)
        # Not a whole number, or beyond int64: -1, which validation refuses with the line's number.
        whole = isinstance(given, int) and not isinstance(given, bool) and -(2**63) <= given < 2**63
        line.line_number = given if whole else -1
        yield line


# DSR-like TSV ------------------------------------------------------------------------------------


def _dsr(text: IO[str], kind: ReportKind) -> Iterator[Item]:
    reader = csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
    first = next(reader, None)
    if first is None or not first or first[0] != "HEAD":
        raise FileFormatError("file", "\t".join(first or [])[:60], "a DSR file starts with a HEAD record")
    head = _fields(first[1:], DSR_RECORDS["HEAD"], "HEAD record")
    if head["version"] != DSR_VERSION:
        raise FileFormatError("HEAD.version", head["version"], f"this reader takes {DSR_VERSION}")
    line_record = _DSR_LINE_RECORD[kind]
    records = 0
    footer: int | None = None
    number = 0
    pending: report_pb2.ReportLine | None = None
    failed: DecodedLine | None = None
    for row in reader:
        if not row or not any(cell.strip() for cell in row):
            continue
        where = f"record {reader.line_num}"
        record_type, values = row[0], row[1:]
        if footer is not None:
            if pending is not None or failed is not None:  # the output before FOOT keeps its number
                yield failed or pending  # type: ignore[misc]
                pending, failed = None, None
            yield DecodedLine(
                number + 1, None, InvalidArgument(where, record_type, "nothing follows the FOOT record")
            )
            return
        if record_type == "FOOT":
            try:
                footer = int(_fields(values, DSR_RECORDS["FOOT"], where)["record_count"])
            except (InvalidArgument, ValueError):
                footer = -1
            continue
        records += 1
        if record_type == "IN" and kind is ReportKind.OUTPUT_ATTRIBUTION:
            if pending is None and failed is None:
                number += 1
                failed = DecodedLine(
                    number, None, InvalidArgument(where, "IN", "an IN record follows its OU record")
                )
                continue
            if pending is not None:
                try:
                    pending.output_attribution.influences.append(
                        _influence(_fields(values, DSR_RECORDS["IN"], where))
                    )
                except InvalidArgument as error:
                    pending, failed = None, DecodedLine(number, None, error)
            continue
        if pending is not None or failed is not None:
            yield failed or pending  # type: ignore[misc]
            pending, failed = None, None
        number += 1
        if record_type != line_record:
            expected = "OU or IN" if kind is ReportKind.OUTPUT_ATTRIBUTION else line_record
            yield DecodedLine(
                number,
                None,
                InvalidArgument(where, record_type, f"a {kind.value} DSR file has {expected} records here"),
            )
            continue
        try:
            fields = _fields(values, DSR_RECORDS[record_type], where)
            if kind is ReportKind.OUTPUT_ATTRIBUTION:
                pending = _output_line(number, fields)
            else:
                yield _line_of(number, kind, fields)
        except InvalidArgument as error:
            if kind is ReportKind.OUTPUT_ATTRIBUTION:
                failed = DecodedLine(number, None, error)
            else:
                yield DecodedLine(number, None, error)
    if pending is not None or failed is not None:
        yield failed or pending  # type: ignore[misc]
    if footer is None:
        yield DecodedLine(number + 1, None, InvalidArgument("FOOT", "", "a DSR file ends with a FOOT record"))
    elif footer != records:
        yield DecodedLine(
            number + 1,
            None,
            InvalidArgument("FOOT.record_count", str(footer), f"{records} records precede it"),
        )


# Shared field readers ----------------------------------------------------------------------------


def _line_of(number: int, kind: ReportKind, values: dict[str, str]) -> report_pb2.ReportLine:
    line = report_pb2.ReportLine(line_number=number)
    if kind is ReportKind.TRAINING_MANIFEST:
        line.training_manifest.reference.CopyFrom(_reference(values))
        line.training_manifest.content_sha256 = values["content_sha256"]
        return line
    revenue = line.service_revenue
    revenue.period.CopyFrom(
        dates_pb2.DateRange(
            start_date=_date(values["period_start"], "period_start"),
            end_date=_date(values["period_end"], "period_end"),
        )
    )
    revenue.territory = _territory(values["territory"])
    revenue.revenue.CopyFrom(_money(values["revenue"], values["currency"]))
    revenue.active_users = _integer(values["active_users"], "active_users", default=0)
    revenue.service_name = values["service_name"]
    return line


def _output_line(number: int, values: dict[str, str]) -> report_pb2.ReportLine:
    line = report_pb2.ReportLine(line_number=number)
    output = line.output_attribution
    output.output_id = values["output_id"]
    output.territory = _territory(values["territory"])
    use_type = values["use_type"].lower()
    if use_type not in USE_TYPE_NAMES:
        raise InvalidArgument("use_type", values["use_type"], f"one of {', '.join(USE_TYPE_NAMES)}")
    output.use_type = USE_TYPE_NAMES[use_type]
    if values["used_on"]:
        output.used_on.CopyFrom(_date(values["used_on"], "used_on"))
    output.revenue.CopyFrom(_money(values["revenue"], values["currency"]))
    flag = values["label_applied"].lower()
    if flag not in ("true", "false", "yes", "no", "1", "0"):
        raise InvalidArgument("label_applied", values["label_applied"], "true or false")
    output.label_applied = flag in ("true", "yes", "1")
    return line


def _influence(values: dict[str, str]) -> report_pb2.AttributionInfluence:
    return report_pb2.AttributionInfluence(
        reference=_reference(values),
        share_bp=_integer(values["share_bp"], "share_bp"),
        confidence_bp=_integer(values["confidence_bp"], "confidence_bp", default=0),
    )


def _reference(values: dict[str, str]) -> report_pb2.UsageReference:
    reference = report_pb2.UsageReference(
        isrc=values["isrc"],
        iswc=values["iswc"],
        work_id=values["work_id"],
        title=values["title"],
        main_artist=values["main_artist"],
        writers=[name.strip() for name in values["writers"].split(WRITER_SEPARATOR) if name.strip()],
        duration_ms=_integer(values["duration_ms"], "duration_ms", default=0),
    )
    if values["society_code"] or values["society_work_code"]:
        reference.society_work_id.CopyFrom(
            identifiers_pb2.SocietyWorkId(
                society_code=values["society_code"], work_code=values["society_work_code"]
            )
        )
    return reference


def _integer(text: str, field: str, default: int | None = None) -> int:
    if not text and default is not None:
        return default
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 19:
        raise InvalidArgument(field, text, "a whole number")
    return int(text)


def _date(text: str, field: str) -> dates_pb2.Date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(field, text, "a date YYYY-MM-DD") from None
    return dates_pb2.Date(year=day.year, month=day.month, day=day.day)


def _territory(text: str) -> codes_pb2.Territory.ValueType:
    return territory_to_proto(parse_territory(text, "territory"))


def _money(text: str, currency: str) -> money_pb2.Money:
    money = Money.parse(text, currency.strip().upper() or "?", "revenue") if currency else None
    if money is None:
        raise InvalidArgument("currency", currency, "give the ISO 4217 currency of the revenue")
    return money_pb2.Money(currency_code=money.currency.code, amount_minor=money.amount_minor)
