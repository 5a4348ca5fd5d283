"""Translating report messages (``nordclear.matching.v1``) to and from the matching domain.

Decoding a line never raises for bad content: it returns the ``InvalidArgument`` that names the field,
the value and the rule, so the validator can list it with its line number and go on to the next line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, identifiers_pb2, money_pb2, usage_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as service_pb2
from nordclear.gen.matching.v1 import report_pb2
from nordclear.matching.domain.model import (
    Candidate,
    DateRange,
    Influence,
    LineFlag,
    MatchMethod,
    MatchStatus,
    ReportFormat,
    ReportKind,
    ReportStatus,
    Stage,
    UsageLine,
    UsageReference,
    Violation,
)
from nordclear.platform.domain.money import Currency, Money
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import (
    date_from_proto,
    date_to_proto,
    territory_from_proto,
    territory_to_proto,
)

KIND_FROM_PROTO = {
    usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST: ReportKind.TRAINING_MANIFEST,
    usage_pb2.USAGE_REPORT_KIND_SERVICE_REVENUE: ReportKind.SERVICE_REVENUE,
    usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION: ReportKind.OUTPUT_ATTRIBUTION,
}
KIND_TO_PROTO = {kind: value for value, kind in KIND_FROM_PROTO.items()}
_CONTENT_OF_KIND = {
    "training_manifest": ReportKind.TRAINING_MANIFEST,
    "service_revenue": ReportKind.SERVICE_REVENUE,
    "output_attribution": ReportKind.OUTPUT_ATTRIBUTION,
}
STAGE_TO_PROTO = {
    Stage.TRAINING: codes_pb2.AI_STAGE_TRAINING,
    Stage.SERVICE: codes_pb2.AI_STAGE_SERVICE,
    Stage.OUTPUT: codes_pb2.AI_STAGE_OUTPUT,
}
STAGE_FROM_PROTO = {value: stage for stage, value in STAGE_TO_PROTO.items()}
FORMAT_TO_PROTO = {
    ReportFormat.STREAMED_LINES: report_pb2.REPORT_FORMAT_STREAMED_LINES,
    ReportFormat.CSV: report_pb2.REPORT_FORMAT_CSV,
    ReportFormat.JSON_LINES: report_pb2.REPORT_FORMAT_JSON_LINES,
    ReportFormat.DSR_TSV: report_pb2.REPORT_FORMAT_DSR_TSV,
}
FORMAT_FROM_PROTO = {value: fmt for fmt, value in FORMAT_TO_PROTO.items()}
STATUS_TO_PROTO = {
    ReportStatus.RECEIVING: report_pb2.REPORT_STATUS_UNSPECIFIED,
    ReportStatus.RECEIVED: report_pb2.REPORT_STATUS_RECEIVED,
    ReportStatus.VALIDATED: report_pb2.REPORT_STATUS_VALIDATED,
    ReportStatus.MATCHING: report_pb2.REPORT_STATUS_MATCHING,
    ReportStatus.MATCHED: report_pb2.REPORT_STATUS_MATCHED,
    ReportStatus.SETTLED: report_pb2.REPORT_STATUS_SETTLED,
    ReportStatus.REJECTED: report_pb2.REPORT_STATUS_REJECTED,
}
STATUS_FROM_PROTO = {value: status for status, value in STATUS_TO_PROTO.items() if value}
METHOD_TO_PROTO = {
    MatchMethod.ISRC: usage_pb2.MATCH_METHOD_ISRC,
    MatchMethod.ISWC: usage_pb2.MATCH_METHOD_ISWC,
    MatchMethod.SOCIETY_WORK_ID: usage_pb2.MATCH_METHOD_SOCIETY_WORK_ID,
    MatchMethod.WORK_ID: usage_pb2.MATCH_METHOD_WORK_ID,
    MatchMethod.FUZZY: usage_pb2.MATCH_METHOD_FUZZY,
    MatchMethod.MANUAL: usage_pb2.MATCH_METHOD_MANUAL,
}
METHOD_FROM_PROTO = {value: method for method, value in METHOD_TO_PROTO.items()}
MATCH_STATUS_TO_PROTO = {
    MatchStatus.MATCHED: report_pb2.MATCH_STATUS_MATCHED,
    MatchStatus.IN_REVIEW: report_pb2.MATCH_STATUS_IN_REVIEW,
    MatchStatus.UNMATCHED: report_pb2.MATCH_STATUS_UNMATCHED,
}
MATCH_STATUS_FROM_PROTO = {value: status for status, value in MATCH_STATUS_TO_PROTO.items()}
FLAG_TO_PROTO = {
    LineFlag.TERRITORY_NOT_LICENSED: report_pb2.LINE_FLAG_TERRITORY_NOT_LICENSED,
    LineFlag.OUTSIDE_TERM: report_pb2.LINE_FLAG_OUTSIDE_TERM,
    LineFlag.STAGE_NOT_LICENSED: report_pb2.LINE_FLAG_STAGE_NOT_LICENSED,
    LineFlag.LABEL_NOT_APPLIED: report_pb2.LINE_FLAG_LABEL_NOT_APPLIED,
    LineFlag.DUPLICATE: report_pb2.LINE_FLAG_DUPLICATE,
}
USE_TYPES = frozenset(report_pb2.OutputUseType.values())


@dataclass(frozen=True, slots=True)
class DecodedLine:
    """One line off the wire: its number and either the domain line or why it cannot be one."""

    line_number: int
    line: UsageLine | None
    error: InvalidArgument | None


@dataclass(frozen=True, slots=True)
class DecodedBatch:
    """A batch of lines and their stored form (which is also the form their content digest is over)."""

    lines: list[DecodedLine]
    payload: bytes
    first_line: int
    last_line: int


def range_from_proto(value: dates_pb2.DateRange, field: str) -> DateRange:
    """Both ends required; start not after end."""
    if not value.HasField("start_date") or not value.HasField("end_date"):
        raise InvalidArgument(field, "", "give both start_date and end_date")
    start = date_from_proto(value.start_date, f"{field}.start_date")
    end = date_from_proto(value.end_date, f"{field}.end_date")
    if start > end:
        raise InvalidArgument(field, f"{start}..{end}", "start_date must not be after end_date")
    return DateRange(start, end)


def range_to_proto(value: DateRange) -> dates_pb2.DateRange:
    """The protobuf form of a date range."""
    return dates_pb2.DateRange(start_date=date_to_proto(value.start), end_date=date_to_proto(value.end))


def reference_from_proto(message: report_pb2.UsageReference) -> UsageReference:
    """The reference as given (identifiers are normalised by the validator)."""
    society = message.society_work_id
    return UsageReference(
        isrc=message.isrc.strip(),
        iswc=message.iswc.strip(),
        society_code=society.society_code.strip(),
        society_work_code=society.work_code.strip(),
        work_id=message.work_id.strip(),
        title=message.title.strip(),
        main_artist=message.main_artist.strip(),
        writers=tuple(name.strip() for name in message.writers if name.strip()),
        duration_ms=message.duration_ms,
    )


def reference_to_proto(reference: UsageReference) -> report_pb2.UsageReference:
    """The protobuf form of a reference."""
    message = report_pb2.UsageReference(
        isrc=reference.isrc,
        iswc=reference.iswc,
        work_id=reference.work_id,
        title=reference.title,
        main_artist=reference.main_artist,
        writers=list(reference.writers),
        duration_ms=reference.duration_ms,
    )
    if reference.society_work_code:
        message.society_work_id.CopyFrom(
            identifiers_pb2.SocietyWorkId(
                society_code=reference.society_code, work_code=reference.society_work_code
            )
        )
    return message


def money_from_proto(message: money_pb2.Money, field: str) -> Money:
    """Money from a protobuf Money; unknown currency or negative amount named by ``field``."""
    if not message.currency_code:
        raise InvalidArgument(f"{field}.currency_code", "", "give the ISO 4217 currency of the amount")
    money = Money.of(_currency(message.currency_code, f"{field}.currency_code"), message.amount_minor)
    if money.amount_minor < 0:
        raise InvalidArgument(f"{field}.amount_minor", money.amount_minor, "not negative")
    return money


def _currency(code: str, field: str) -> str:
    return Currency.of(code, field).code


def money_to_proto(money: Money) -> money_pb2.Money:
    """The protobuf form of money."""
    return money_pb2.Money(currency_code=money.currency.code, amount_minor=money.amount_minor)


def line_from_proto(message: report_pb2.ReportLine) -> UsageLine:
    """The domain line of a protobuf line; InvalidArgument for content that cannot be one."""
    content = message.WhichOneof("content")
    if content is None:
        raise InvalidArgument(
            "content", "", "a line is a training_manifest, service_revenue or output_attribution"
        )
    kind = _CONTENT_OF_KIND[content]
    number = message.line_number
    if kind is ReportKind.TRAINING_MANIFEST:
        manifest = message.training_manifest
        return UsageLine(
            line_number=number,
            kind=kind,
            units=(reference_from_proto(manifest.reference),),
            content_sha256=manifest.content_sha256.strip().lower(),
        )
    if kind is ReportKind.SERVICE_REVENUE:
        revenue = message.service_revenue
        return UsageLine(
            line_number=number,
            kind=kind,
            territory=_territory(revenue.territory, "service_revenue.territory"),
            period=range_from_proto(revenue.period, "service_revenue.period")
            if revenue.HasField("period")
            else None,
            amount=money_from_proto(revenue.revenue, "service_revenue.revenue")
            if revenue.HasField("revenue")
            else None,
            active_users=revenue.active_users,
            service_name=revenue.service_name.strip(),
        )
    output = message.output_attribution
    if output.use_type not in USE_TYPES:
        raise InvalidArgument("output_attribution.use_type", output.use_type, "one of OUTPUT_USE_TYPE_*")
    return UsageLine(
        line_number=number,
        kind=kind,
        territory=_territory(output.territory, "output_attribution.territory"),
        amount=money_from_proto(output.revenue, "output_attribution.revenue")
        if output.HasField("revenue")
        else None,
        output_id=output.output_id.strip(),
        label_applied=output.label_applied,
        used_on=date_from_proto(output.used_on, "output_attribution.used_on")
        if output.HasField("used_on")
        else None,
        influences=tuple(
            Influence(reference_from_proto(influence.reference), influence.share_bp, influence.confidence_bp)
            for influence in output.influences
        ),
    )


def _territory(value: codes_pb2.Territory.ValueType, field: str) -> Territory | None:
    if value == codes_pb2.TERRITORY_UNSPECIFIED:
        return None
    return territory_from_proto(value, field)


def decode_batch(items: Sequence[report_pb2.ReportLine | DecodedLine]) -> DecodedBatch:
    """Decode a batch of lines (or lines a file reader already found bad), keeping their stored form.

    The stored form is the lines serialised as a ``ReportLineBatch``: each line as its own
    length-delimited field, so the bytes of a report are the same however its lines were batched (a
    stream, a file), and its content digest with them.
    """
    decoded: list[DecodedLine] = []
    good: list[report_pb2.ReportLine] = []
    for item in items:
        if isinstance(item, DecodedLine):
            decoded.append(item)
            continue
        good.append(item)
        try:
            decoded.append(DecodedLine(item.line_number, line_from_proto(item), None))
        except InvalidArgument as error:
            decoded.append(DecodedLine(item.line_number, None, error))
    numbers = [line.line_number for line in decoded]
    return DecodedBatch(
        lines=decoded,
        payload=service_pb2.ReportLineBatch(lines=good).SerializeToString(deterministic=True),
        first_line=min(numbers, default=0),
        last_line=max(numbers, default=0),
    )


def lines_of_payload(payload: bytes) -> Iterable[report_pb2.ReportLine]:
    """The lines of a stored chunk, in order."""
    return service_pb2.ReportLineBatch.FromString(payload).lines


def violation_to_proto(violation: Violation) -> audit_pb2.Violation:
    """The protobuf form of a violation."""
    return audit_pb2.Violation(
        line_number=violation.line_number,
        field=violation.field,
        value=violation.value,
        rule=violation.rule,
        message=violation.message,
    )


def candidate_method(candidate: Candidate) -> usage_pb2.MatchMethod.ValueType:
    """The protobuf method of a candidate."""
    return METHOD_TO_PROTO[candidate.method]


def territory_or_unspecified(territory: Territory | None) -> codes_pb2.Territory.ValueType:
    """The protobuf territory, or unspecified."""
    return codes_pb2.TERRITORY_UNSPECIFIED if territory is None else territory_to_proto(territory)
