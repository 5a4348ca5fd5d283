"""``nordclear matching …``: submit usage reports, follow them, and work the review queue.

Licensees submit and read their reports; clearing-house ops work the review queue. File formats are
described in ``docs/report-formats/``.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Annotated

import grpc
import typer

from nordclear.cli.client import Token, call, default_address, metadata, show
from nordclear.gen.common.v1 import dates_pb2, paging_pb2, usage_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as pb_grpc
from nordclear.gen.matching.v1 import report_pb2
from nordclear.platform.topology import MATCHING

app = typer.Typer(help="Usage reports and the review queue.", no_args_is_help=True)
review_app = typer.Typer(help="The review queue (clearing-house ops).", no_args_is_help=True)
app.add_typer(review_app, name="review")

Address = Annotated[str, typer.Option(help="Matching service HOST:PORT.")]
DEFAULT_ADDRESS = default_address(MATCHING.grpc_port)
UPLOAD_CHUNK_BYTES = 1024 * 1024
KINDS = {
    "training_manifest": usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
    "service_revenue": usage_pb2.USAGE_REPORT_KIND_SERVICE_REVENUE,
    "output_attribution": usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION,
}
FORMATS = {
    ".csv": report_pb2.REPORT_FORMAT_CSV,
    ".jsonl": report_pb2.REPORT_FORMAT_JSON_LINES,
    ".tsv": report_pb2.REPORT_FORMAT_DSR_TSV,
}
FORMAT_NAMES = {"csv": ".csv", "jsonl": ".jsonl", "tsv": ".tsv"}
REVIEW_STATUSES = {
    "open": report_pb2.REVIEW_ITEM_STATUS_OPEN,
    "accepted": report_pb2.REVIEW_ITEM_STATUS_ACCEPTED,
    "marked_unmatched": report_pb2.REVIEW_ITEM_STATUS_MARKED_UNMATCHED,
    "superseded": report_pb2.REVIEW_ITEM_STATUS_SUPERSEDED,
}
LicenseeId = Annotated[str, typer.Option(help="For ops and societies: the licensee whose report it is.")]
RequestId = Annotated[str | None, typer.Option(help="Idempotency key; a fresh one if omitted.")]


def _date(value: str, option: str) -> dates_pb2.Date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option}: {value!r} is not a date YYYY-MM-DD") from None
    return dates_pb2.Date(year=day.year, month=day.month, day=day.day)


def _stub(channel: grpc.aio.Channel) -> pb_grpc.MatchingServiceAsyncStub:
    return pb_grpc.MatchingServiceStub(channel)


@app.command()
def submit(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The report file.")],
    kind: Annotated[str, typer.Option(help="training_manifest, service_revenue or output_attribution.")],
    licence_id: Annotated[str, typer.Option(help="The licence the report is under.")],
    period_start: Annotated[str, typer.Option(help="First day of the report's period, YYYY-MM-DD.")],
    period_end: Annotated[str, typer.Option(help="Last day of the report's period, YYYY-MM-DD.")],
    report_id: Annotated[str | None, typer.Option(help="Your report id; the file's name if omitted.")] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv, jsonl or tsv; from the file's extension if omitted.")
    ] = None,
    provider: Annotated[str, typer.Option(help="Output attribution: the attribution provider.")] = "",
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Submit a report file (CSV, JSON Lines or DSR-like TSV); print the report as stored."""
    if kind not in KINDS:
        raise typer.BadParameter(f"--kind must be one of {', '.join(KINDS)}; got {kind!r}")
    suffix = FORMAT_NAMES.get(file_format or "", "") if file_format else file.suffix.lower()
    if suffix not in FORMATS:
        raise typer.BadParameter("--format must be csv, jsonl or tsv (or the file must end in one of them)")
    content = file.read_bytes()
    header = pb.ReportFileHeader(
        report=report_pb2.ReportHeader(
            report_id=report_id or file.stem,
            kind=KINDS[kind],
            licence_id=licence_id,
            period=dates_pb2.DateRange(
                start_date=_date(period_start, "--period-start"), end_date=_date(period_end, "--period-end")
            ),
            attribution_provider=provider,
        ),
        format=FORMATS[suffix],
        file_name=file.name,
        file_sha256=hashlib.sha256(content).hexdigest(),
    )

    async def parts() -> AsyncIterator[pb.SubmitReportFileRequest]:
        yield pb.SubmitReportFileRequest(header=header)
        for offset in range(0, len(content), UPLOAD_CHUNK_BYTES):
            yield pb.SubmitReportFileRequest(chunk=content[offset : offset + UPLOAD_CHUNK_BYTES])

    async def rpc(channel: grpc.aio.Channel) -> pb.SubmitReportFileResponse:
        return await _stub(channel).SubmitReportFile(parts(), metadata=metadata(token))

    response = asyncio.run(call(address, rpc))
    show(response)
    if response.report.status == report_pb2.REPORT_STATUS_REJECTED:
        raise typer.Exit(1)


@app.command()
def report(
    report_id: Annotated[str, typer.Argument(help="The report id.")],
    licensee_id: LicenseeId = "",
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print a report: where it stands, its counts and any errors."""
    request = pb.GetReportRequest(report_id=report_id, licensee_id=licensee_id)

    async def rpc(channel: grpc.aio.Channel) -> pb.GetReportResponse:
        return await _stub(channel).GetReport(request, metadata=metadata(token))

    show(asyncio.run(call(address, rpc)).report)


@app.command()
def lines(
    report_id: Annotated[str, typer.Argument(help="The report id.")],
    licensee_id: LicenseeId = "",
    status: Annotated[str | None, typer.Option(help="matched, in_review or unmatched.")] = None,
    flagged: Annotated[bool, typer.Option(help="Only flagged lines.")] = False,
    page_size: Annotated[int, typer.Option(help="Lines per page.")] = 100,
    page_token: Annotated[str, typer.Option(help="The next_page_token of an earlier page.")] = "",
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print a page of a report's lines with their flags and matches."""
    statuses = {
        "matched": report_pb2.MATCH_STATUS_MATCHED,
        "in_review": report_pb2.MATCH_STATUS_IN_REVIEW,
        "unmatched": report_pb2.MATCH_STATUS_UNMATCHED,
    }
    if status is not None and status not in statuses:
        raise typer.BadParameter(f"--status must be one of {', '.join(statuses)}")
    request = pb.ListReportLinesRequest(
        report_id=report_id,
        licensee_id=licensee_id,
        match_status=statuses[status] if status else report_pb2.MATCH_STATUS_UNSPECIFIED,
        flagged_only=flagged,
        page=paging_pb2.PageRequest(page_size=page_size, page_token=page_token),
    )

    async def rpc(channel: grpc.aio.Channel) -> pb.ListReportLinesResponse:
        return await _stub(channel).ListReportLines(request, metadata=metadata(token))

    show(asyncio.run(call(address, rpc)))


@review_app.command("list")
def review_list(
    report_id: Annotated[str, typer.Option(help="Only items of this report.")] = "",
    licence_id: Annotated[str, typer.Option(help="Only items under this licence.")] = "",
    status: Annotated[str, typer.Option(help="open, accepted, marked_unmatched or superseded.")] = "open",
    page_size: Annotated[int, typer.Option(help="Items per page.")] = 50,
    page_token: Annotated[str, typer.Option(help="The next_page_token of an earlier page.")] = "",
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print the review queue, oldest first, with each item's candidates."""
    if status not in REVIEW_STATUSES:
        raise typer.BadParameter(f"--status must be one of {', '.join(REVIEW_STATUSES)}")
    request = pb.ListReviewQueueRequest(
        report_id=report_id,
        licence_id=licence_id,
        status=REVIEW_STATUSES[status],
        page=paging_pb2.PageRequest(page_size=page_size, page_token=page_token),
    )

    async def rpc(channel: grpc.aio.Channel) -> pb.ListReviewQueueResponse:
        return await _stub(channel).ListReviewQueue(request, metadata=metadata(token))

    show(asyncio.run(call(address, rpc)))


def _resolve(request: pb.ResolveReviewItemRequest, token: str, address: str) -> None:
    async def rpc(channel: grpc.aio.Channel) -> pb.ResolveReviewItemResponse:
        return await _stub(channel).ResolveReviewItem(request, metadata=metadata(token))

    show(asyncio.run(call(address, rpc)))


@review_app.command("accept")
def review_accept(
    review_item_id: Annotated[str, typer.Argument(help="The review item.")],
    work_id: Annotated[str, typer.Option(help="The work to accept (a candidate's, or another).")],
    note: Annotated[str, typer.Option(help="Why; kept with the resolution.")] = "",
    request_id: RequestId = None,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Accept a work as the match of a queued unit."""
    _resolve(
        pb.ResolveReviewItemRequest(
            request_id=request_id or str(uuid.uuid4()),
            review_item_id=review_item_id,
            decision=pb.REVIEW_DECISION_ACCEPT,
            work_id=work_id,
            note=note,
        ),
        token,
        address,
    )


@review_app.command("unmatch")
def review_unmatch(
    review_item_id: Annotated[str, typer.Argument(help="The review item.")],
    note: Annotated[str, typer.Option(help="Why; kept with the resolution.")] = "",
    request_id: RequestId = None,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Mark a queued unit unmatched (it is still re-tried when the repertoire changes)."""
    _resolve(
        pb.ResolveReviewItemRequest(
            request_id=request_id or str(uuid.uuid4()),
            review_item_id=review_item_id,
            decision=pb.REVIEW_DECISION_MARK_UNMATCHED,
            note=note,
        ),
        token,
        address,
    )


@app.command()
def retry(
    report_id: Annotated[str, typer.Option(help="Only units of this report.")] = "",
    request_id: RequestId = None,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Match unmatched and queued units again against the current repertoire."""
    request = pb.RetryUnmatchedRequest(request_id=request_id or str(uuid.uuid4()), report_id=report_id)

    async def rpc(channel: grpc.aio.Channel) -> pb.RetryUnmatchedResponse:
        return await _stub(channel).RetryUnmatched(request, metadata=metadata(token))

    show(asyncio.run(call(address, rpc)))


@app.command("index-status")
def index_status(token: Token = "", address: Address = DEFAULT_ADDRESS) -> None:
    """Print the size and freshness of matching's copy of the repertoire."""

    async def rpc(channel: grpc.aio.Channel) -> pb.GetIndexStatusResponse:
        return await _stub(channel).GetIndexStatus(pb.GetIndexStatusRequest(), metadata=metadata(token))

    show(asyncio.run(call(address, rpc)))
