"""The matching service's gRPC servicer: translate the request, call the use case, translate the answer.

Submissions stream: lines are handed to the intake session batch by batch, so memory stays bounded
however long the report. Anything that ends a stream early — a protocol error, a cancelled call, a
client that goes away — discards what was stored of it before the error travels on.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import IO, Any, Final

import grpc

from nordclear.gen.common.v1 import paging_pb2, usage_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as pb_grpc
from nordclear.gen.matching.v1 import report_pb2
from nordclear.matching.adapters import report_proto
from nordclear.matching.adapters.report_files import FileFormatError, Item, read_report_file
from nordclear.matching.adapters.report_repository import review_to_proto
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.model import MatchStatus, ReportFormat
from nordclear.matching.domain.report import (
    Report,
    ReportHeader,
    Reviewer,
    ReviewStatus,
    StoredUnit,
    UnitCounts,
)
from nordclear.matching.service_layer import queries, review
from nordclear.matching.service_layer.index_view import MatcherView
from nordclear.matching.service_layer.intake import IntakeOutcome, IntakeSession, ReportIntake
from nordclear.matching.service_layer.read_model import index_status
from nordclear.platform.auth import Principal, PrincipalKind
from nordclear.platform.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from nordclear.platform.protoconv import timestamp_to_proto
from nordclear.platform.rpc.access import current_principal
from nordclear.platform.rpc.idempotency import fingerprint, scoped_request_id

Context = grpc.aio.ServicerContext[Any, Any]

MAX_LINES_PER_MESSAGE: Final = 10_000
FILE_BATCH_LINES: Final = 5_000
MAX_FILE_CHUNK_BYTES: Final = 1024 * 1024
SPOOL_IN_MEMORY_BYTES: Final = 8 * 1024 * 1024
DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1_000
_REVIEW_STATUS_FROM_PROTO = {
    report_pb2.REVIEW_ITEM_STATUS_UNSPECIFIED: ReviewStatus.OPEN,
    report_pb2.REVIEW_ITEM_STATUS_OPEN: ReviewStatus.OPEN,
    report_pb2.REVIEW_ITEM_STATUS_ACCEPTED: ReviewStatus.ACCEPTED,
    report_pb2.REVIEW_ITEM_STATUS_MARKED_UNMATCHED: ReviewStatus.MARKED_UNMATCHED,
    report_pb2.REVIEW_ITEM_STATUS_SUPERSEDED: ReviewStatus.SUPERSEDED,
}


class MatchingServicer(pb_grpc.MatchingServiceServicer):
    """Implements ``nordclear.matching.v1.MatchingService``."""

    def __init__(
        self,
        uow_factory: Callable[[], MatchingUnitOfWork],
        read_uow_factory: Callable[[], MatchingUnitOfWork],
        view: MatcherView,
    ) -> None:
        self._uow = uow_factory
        self._read = read_uow_factory
        self._view = view
        self._intake = ReportIntake(uow_factory, view)

    # Submissions ---------------------------------------------------------------------------------

    async def SubmitReport(
        self, request_iterator: AsyncIterator[pb.SubmitReportRequest], context: Context
    ) -> pb.SubmitReportResponse:
        """A report as a stream of line batches between a header and a trailer."""
        principal = current_principal()
        first = await _first(request_iterator)
        if first is None or first.WhichOneof("part") != "header":
            raise InvalidArgument("header", "", "the first message of a SubmitReport stream is the header")
        session = await self._open(principal, first.header, ReportFormat.STREAMED_LINES)
        outcome = await _guarded(session, self._stream_lines(session, request_iterator))
        return pb.SubmitReportResponse(
            report=_report(outcome.report, outcome.counts), duplicate=outcome.duplicate
        )

    async def _stream_lines(
        self, session: IntakeSession, requests: AsyncIterator[pb.SubmitReportRequest]
    ) -> IntakeOutcome:
        async for request in requests:
            part = request.WhichOneof("part")
            if part == "lines":
                if len(request.lines.lines) > MAX_LINES_PER_MESSAGE:
                    raise InvalidArgument(
                        "lines",
                        len(request.lines.lines),
                        f"at most {MAX_LINES_PER_MESSAGE} lines per message",
                    )
                await session.add(report_proto.decode_batch(request.lines.lines))
            elif part == "trailer":
                if await _first(requests) is not None:
                    raise InvalidArgument("trailer", "", "the trailer is the last message of the stream")
                return await session.finish(request.trailer.line_count)
            else:
                raise InvalidArgument(
                    part or "part", "", "after the header come line batches, then one trailer"
                )
        raise InvalidArgument("trailer", "", "the stream ended without its trailer; nothing of it was kept")

    async def SubmitReportFile(
        self, request_iterator: AsyncIterator[pb.SubmitReportFileRequest], context: Context
    ) -> pb.SubmitReportFileResponse:
        """A report as a file (CSV, JSON Lines or DSR TSV) sent in chunks after a header."""
        principal = current_principal()
        first = await _first(request_iterator)
        if first is None or first.WhichOneof("part") != "header":
            raise InvalidArgument(
                "header", "", "the first message of a SubmitReportFile stream is the header"
            )
        file_header = first.header
        file_format = report_proto.FORMAT_FROM_PROTO.get(file_header.format)
        if file_format is None or file_format is ReportFormat.STREAMED_LINES:
            raise InvalidArgument(
                "header.format", file_header.format, "REPORT_FORMAT_CSV, _JSON_LINES or _DSR_TSV"
            )
        expected_sha256 = file_header.file_sha256.strip().lower()
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
            digest = hashlib.sha256()
            async for request in request_iterator:
                if request.WhichOneof("part") != "chunk":
                    raise InvalidArgument("header", "", "only one header, at the start")
                if len(request.chunk) > MAX_FILE_CHUNK_BYTES:
                    raise InvalidArgument(
                        "chunk", len(request.chunk), f"at most {MAX_FILE_CHUNK_BYTES} bytes"
                    )
                digest.update(request.chunk)
                spool.write(request.chunk)
            if expected_sha256 and digest.hexdigest() != expected_sha256:
                raise InvalidArgument(
                    "header.file_sha256",
                    expected_sha256,
                    f"the received file's SHA-256 is {digest.hexdigest()}",
                )
            spool.seek(0)
            session = await self._open(principal, file_header.report, file_format)
            outcome = await _guarded(session, _read_file(session, spool, file_format))
        return pb.SubmitReportFileResponse(
            report=_report(outcome.report, outcome.counts), duplicate=outcome.duplicate
        )

    async def _open(
        self, principal: Principal, header: report_pb2.ReportHeader, file_format: ReportFormat
    ) -> IntakeSession:
        kind = report_proto.KIND_FROM_PROTO.get(header.kind)
        if kind is None:
            raise InvalidArgument("header.kind", header.kind, "one of the three USAGE_REPORT_KIND_* values")
        if not header.HasField("period"):
            raise InvalidArgument("header.period", "", "give the period the report covers")
        period = report_proto.range_from_proto(header.period, "header.period")
        licensee_id = await self._licensee_of(principal, header.licence_id)
        return await self._intake.open(
            ReportHeader(
                report_id=header.report_id,
                licensee_id=licensee_id,
                kind=kind,
                licence_id=header.licence_id,
                period=period,
                attribution_provider=header.attribution_provider.strip(),
                declared_line_count=header.declared_line_count,
                format=file_format,
            )
        )

    async def _licensee_of(self, principal: Principal, licence_id: str) -> str:
        if principal.kind is PrincipalKind.LICENSEE:
            assert principal.licensee_id is not None
            return principal.licensee_id
        # Ops submit on a licensee's behalf: the report belongs to the licence's licensee.
        async with self._read() as uow:
            licence = await uow.licences.get(licence_id)
        if licence is None:
            raise NotFound(f"licence_id {licence_id!r}: no such licence is known to matching")
        return licence.licensee_id

    # Reads ---------------------------------------------------------------------------------------

    async def GetReport(self, request: pb.GetReportRequest, context: Context) -> pb.GetReportResponse:
        """One report with its counts."""
        licensee_id = _licensee_scope(current_principal(), request.licensee_id)
        report, counts = await queries.get_report(self._read(), licensee_id, request.report_id)
        return pb.GetReportResponse(report=_report(report, counts))

    async def ListReports(self, request: pb.ListReportsRequest, context: Context) -> pb.ListReportsResponse:
        """Reports newest first."""
        principal = current_principal()
        licensee_id = _licensee_scope(principal, request.licensee_id, required=False)
        size = _page_size(request.page)
        after = _time_token(request.page.page_token)
        kind = report_proto.KIND_FROM_PROTO.get(request.kind) if request.kind else None
        if request.kind and kind is None:
            raise InvalidArgument("kind", request.kind, "one of the USAGE_REPORT_KIND_* values")
        status = report_proto.STATUS_FROM_PROTO.get(request.status) if request.status else None
        if request.status and status is None:
            raise InvalidArgument("status", request.status, "one of the REPORT_STATUS_* values")
        page = await queries.list_reports(
            self._read(), licensee_id=licensee_id, licence_id=request.licence_id, kind=kind, status=status,
            after=after, limit=size,
        )  # fmt: skip
        token = f"{page[-1][0].received_at.isoformat()}|{page[-1][0].report_pk}" if len(page) == size else ""
        return pb.ListReportsResponse(
            reports=[_report(report, counts) for report, counts in page],
            page=paging_pb2.PageResponse(next_page_token=token),
        )

    async def ListReportLines(
        self, request: pb.ListReportLinesRequest, context: Context
    ) -> pb.ListReportLinesResponse:
        """A report's lines with flags and matches, in line order."""
        licensee_id = _licensee_scope(current_principal(), request.licensee_id)
        report, _ = await queries.get_report(self._read(), licensee_id, request.report_id)
        size = _page_size(request.page)
        after_line = _int_token(request.page.page_token)
        status = (
            report_proto.MATCH_STATUS_FROM_PROTO.get(request.match_status) if request.match_status else None
        )
        if request.match_status and status is None:
            raise InvalidArgument("match_status", request.match_status, "one of the MATCH_STATUS_* values")
        lines = await queries.list_lines(
            self._read(),
            report,
            after_line=after_line,
            limit=size,
            status=status,
            flagged_only=request.flagged_only,
        )
        token = str(lines[-1].line.line_number) if len(lines) == size else ""
        return pb.ListReportLinesResponse(
            lines=[
                report_pb2.ReportLineResult(
                    line=result.line,
                    flags=sorted(report_proto.FLAG_TO_PROTO[flag] for flag in result.flags),
                    matches=[_match(unit) for unit in result.units],
                )
                for result in lines
            ],
            page=paging_pb2.PageResponse(next_page_token=token),
        )

    async def ListReviewQueue(
        self, request: pb.ListReviewQueueRequest, context: Context
    ) -> pb.ListReviewQueueResponse:
        """The review queue, oldest first."""
        status = _REVIEW_STATUS_FROM_PROTO.get(request.status)
        if status is None:
            raise InvalidArgument("status", request.status, "one of the REVIEW_ITEM_STATUS_* values")
        report: Report | None = None
        if request.report_id:
            report = await queries.find_report_any_licensee(self._read(), request.report_id)
            if report is None:
                raise NotFound(f"report_id {request.report_id!r}: no single report has this id")
        size = _page_size(request.page)
        items = await queries.list_review_items(
            self._read(), report=report, licence_id=request.licence_id, status=status,
            after=_time_token(request.page.page_token), limit=size,
        )  # fmt: skip
        token = f"{items[-1].created_at.isoformat()}|{items[-1].review_item_id}" if len(items) == size else ""
        return pb.ListReviewQueueResponse(
            items=[review_to_proto(item) for item in items],
            page=paging_pb2.PageResponse(next_page_token=token),
        )

    # Writes --------------------------------------------------------------------------------------

    async def ResolveReviewItem(
        self, request: pb.ResolveReviewItemRequest, context: Context
    ) -> pb.ResolveReviewItemResponse:
        """Accept a work for a queued unit, or mark it unmatched."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        if request.decision == pb.REVIEW_DECISION_ACCEPT:
            decision = review.Decision.ACCEPT
        elif request.decision == pb.REVIEW_DECISION_MARK_UNMATCHED:
            decision = review.Decision.MARK_UNMATCHED
            if request.work_id:
                raise InvalidArgument(
                    "work_id", request.work_id, "leave it empty when marking a unit unmatched"
                )
        else:
            raise InvalidArgument("decision", request.decision, "REVIEW_DECISION_ACCEPT or _MARK_UNMATCHED")
        if len(request.note) > 2_000:
            raise InvalidArgument("note", request.note[:40], "at most 2000 characters")
        resolution = await review.resolve_review_item(
            self._uow(),
            self._view,
            request_id=request_id,
            fingerprint=fingerprint(request),
            review_item_id=request.review_item_id,
            decision=decision,
            work_id=request.work_id.strip(),
            note=request.note,
            reviewer=Reviewer(principal.kind.value, principal.subject, principal.society),
            now=datetime.now(UTC),
        )
        return pb.ResolveReviewItemResponse(
            item=review_to_proto(resolution.item), match=_match(resolution.unit), replayed=resolution.replayed
        )

    async def RetryUnmatched(
        self, request: pb.RetryUnmatchedRequest, context: Context
    ) -> pb.RetryUnmatchedResponse:
        """Match unmatched and queued units again against the current repertoire."""
        principal = current_principal()
        request_id = scoped_request_id(principal, request.request_id)
        digest = fingerprint(request)
        async with self._read() as uow:
            earlier = await uow.requests.find(request_id)
        if earlier is not None:
            if earlier[0] != "retry" or earlier[1] != digest:
                raise AlreadyExists(
                    f"request_id {request.request_id!r} was already used for a different request"
                )
            answer = pb.RetryUnmatchedResponse.FromString(earlier[2])
            answer.replayed = True
            return answer
        report_pk: str | None = None
        if request.report_id:
            report = await queries.find_report_any_licensee(self._read(), request.report_id)
            if report is None:
                raise NotFound(f"report_id {request.report_id!r}: no single report has this id")
            report_pk = report.report_pk
        outcome = await review.retry_open_units(
            self._uow, self._view, report_pk=report_pk, now=datetime.now(UTC)
        )
        answer = pb.RetryUnmatchedResponse(
            units_retried=outcome.retried, units_matched=outcome.matched, units_in_review=outcome.in_review
        )
        async with self._uow() as uow:
            if await uow.requests.find(request_id) is None:
                await uow.requests.add(
                    request_id, "retry", digest, answer.SerializeToString(deterministic=True)
                )
                await uow.commit()
        return answer

    async def GetIndexStatus(
        self, request: pb.GetIndexStatusRequest, context: Context
    ) -> pb.GetIndexStatusResponse:
        """Size and freshness of the local repertoire read model."""
        status = await index_status(self._read())
        response = pb.GetIndexStatusResponse(
            works_indexed=status.works_indexed,
            recordings_indexed=status.recordings_indexed,
            changes_applied=status.changes_applied,
        )
        if status.last_change_at is not None:
            response.last_change_at.FromDatetime(status.last_change_at)
        return response


async def _guarded(session: IntakeSession, work: Any) -> IntakeOutcome:
    """Run the stream's work; on any failure (a cancelled call too) discard what it stored, then re-raise."""
    try:
        outcome: IntakeOutcome = await work
        return outcome
    except BaseException:
        await asyncio.shield(session.abort())
        raise


async def _read_file(session: IntakeSession, file: IO[bytes], file_format: ReportFormat) -> IntakeOutcome:
    batch: list[Item] = []
    try:
        for item in read_report_file(file, session.header.kind, file_format):
            batch.append(item)
            if len(batch) >= FILE_BATCH_LINES:
                await session.add(report_proto.decode_batch(batch))
                batch = []
    except FileFormatError as error:
        session.refuse_file(error)
        return await session.finish(None)
    if batch:
        await session.add(report_proto.decode_batch(batch))
    return await session.finish(None)


async def _first(requests: AsyncIterator[Any]) -> Any:
    async for request in requests:
        return request
    return None


def _licensee_scope(principal: Principal, asked: str, *, required: bool = True) -> str:
    """The licensee whose reports the caller may see: its own for a licensee, the one asked for otherwise."""
    if principal.kind is PrincipalKind.LICENSEE:
        if asked and asked != principal.licensee_id:
            raise PermissionDenied("a licensee sees only its own reports")
        assert principal.licensee_id is not None
        return principal.licensee_id
    if required and not asked:
        raise InvalidArgument(
            "licensee_id", "", "name the licensee whose report it is (report ids are per licensee)"
        )
    return asked


def _page_size(page: Any) -> int:
    size = page.page_size or DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidArgument("page.page_size", page.page_size, f"from 1 to {MAX_PAGE_SIZE}")
    return int(size)


def _time_token(token: str) -> tuple[datetime, str] | None:
    if not token:
        return None
    stamp, _, key = token.partition("|")
    try:
        return datetime.fromisoformat(stamp), key
    except ValueError:
        raise InvalidArgument("page.page_token", token, "a token from an earlier answer") from None


def _int_token(token: str) -> int:
    if not token:
        return 0
    if not token.isdigit():
        raise InvalidArgument("page.page_token", token, "a token from an earlier answer")
    return int(token)


def _report(report: Report, counts: UnitCounts) -> report_pb2.Report:
    header = report.header
    message = report_pb2.Report(
        report_id=header.report_id,
        kind=report_proto.KIND_TO_PROTO[header.kind],
        licence_id=header.licence_id,
        licensee_id=header.licensee_id,
        period=report_proto.range_to_proto(header.period),
        attribution_provider=header.attribution_provider,
        format=report_proto.FORMAT_TO_PROTO[header.format],
        status=report_proto.STATUS_TO_PROTO[report.status],
        content_sha256=report.content_sha256,
        lines_total=report.lines_total,
        lines_flagged=report.lines_flagged,
        units_total=report.units_total,
        units_matched=counts.matched,
        units_in_review=counts.in_review,
        units_unmatched=counts.unmatched,
        match_rate_bp=counts.match_rate_bp,
        method_counts=[
            report_pb2.MethodCount(method=report_proto.METHOD_TO_PROTO[method], count=count)
            for method, count in sorted(counts.by_method.items())
        ],
        errors=[report_proto.violation_to_proto(violation) for violation in report.errors],
        errors_total=report.errors_total,
    )
    message.received_at.CopyFrom(timestamp_to_proto(report.received_at))
    message.status_changed_at.CopyFrom(timestamp_to_proto(report.status_changed_at))
    return message


def _match(unit: StoredUnit) -> report_pb2.Match:
    message = report_pb2.Match(
        line_number=unit.line_number,
        influence_index=unit.influence_index,
        status=report_proto.MATCH_STATUS_TO_PROTO[unit.status],
        work_id=unit.work_id if unit.status is MatchStatus.MATCHED else "",
        recording_id=unit.recording_id if unit.status is MatchStatus.MATCHED else "",
        method=report_proto.METHOD_TO_PROTO[unit.method]
        if unit.method
        else usage_pb2.MATCH_METHOD_UNSPECIFIED,
        confidence_bp=unit.confidence_bp,
        review_item_id=unit.review_item_id,
        revision=unit.revision,
    )
    if unit.matched_at is not None:
        message.matched_at.CopyFrom(timestamp_to_proto(unit.matched_at))
    return message
