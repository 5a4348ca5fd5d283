"""Matching: usage reports and how well they matched, and the review queue where a person decides."""

from __future__ import annotations

from dataclasses import dataclass

from nordclear.dashboard.views.clients import Problem, ServiceClients, ServiceProblem
from nordclear.dashboard.views.common import Paged, Viewer, failed, page_request, paged
from nordclear.dashboard.views.formatting import (
    date_text,
    enum_label,
    enum_value,
    money_text,
    percent_bp,
    timestamp_text,
)
from nordclear.gen.common.v1 import codes_pb2, usage_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as pb_grpc
from nordclear.gen.matching.v1 import report_pb2

SERVICE = "matching"


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """The report list's filters (enum value names; empty: any)."""

    licensee_id: str = ""
    licence_id: str = ""
    kind: str = ""
    status: str = ""
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One report and its match counts."""

    report_id: str
    licensee_id: str
    licence_id: str
    kind: str
    status: str
    period: str
    lines_total: int
    units_total: int
    units_matched: int
    units_in_review: int
    units_unmatched: int
    match_rate_bp: int
    methods: list[tuple[str, int]]
    received_at: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A work a review item might be."""

    work_id: str
    iswc: str
    title: str
    creators: str
    isrc: str
    method: str
    score_bp: int


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One item of the review queue with its candidates, best first."""

    review_item_id: str
    report_id: str
    licence_id: str
    line_number: int
    influence_index: int
    reported: str
    status: str
    created_at: str
    resolved_work_id: str
    candidates: list[Candidate]


@dataclass(frozen=True, slots=True)
class LineRow:
    """One report line: what was reported, its flags, and where each of its units stands."""

    line_number: int
    reported: str
    flags: str
    matches: str
    needs_person: bool


@dataclass(frozen=True, slots=True)
class Resolution:
    """What resolving a review item did."""

    review_item_id: str
    status: str
    work_id: str
    replayed: bool


def report_row(report: report_pb2.Report) -> ReportRow:
    """A report as a row of the list."""
    return ReportRow(
        report_id=report.report_id,
        licensee_id=report.licensee_id,
        licence_id=report.licence_id,
        kind=enum_label(usage_pb2.UsageReportKind, report.kind),
        status=enum_label(report_pb2.ReportStatus, report.status),
        period=f"{date_text(report.period.start_date)} to {date_text(report.period.end_date)}",
        lines_total=report.lines_total,
        units_total=report.units_total,
        units_matched=report.units_matched,
        units_in_review=report.units_in_review,
        units_unmatched=report.units_unmatched,
        match_rate_bp=report.match_rate_bp,
        methods=[(enum_label(usage_pb2.MatchMethod, m.method), m.count) for m in report.method_counts],
        received_at=timestamp_text(report.received_at),
    )


def _stub(clients: ServiceClients) -> pb_grpc.MatchingServiceAsyncStub:
    return pb_grpc.MatchingServiceStub(clients.channels[SERVICE])


async def list_reports(
    clients: ServiceClients, viewer: Viewer, chosen: ReportFilter, page_size: int
) -> Paged[ReportRow]:
    """One page of reports, newest first."""
    request = pb.ListReportsRequest(
        licensee_id=chosen.licensee_id,
        licence_id=chosen.licence_id,
        kind=enum_value(usage_pb2.UsageReportKind, chosen.kind, "kind"),
        status=enum_value(report_pb2.ReportStatus, chosen.status, "status"),
        page=page_request(chosen.page_token, page_size),
    )
    stub = _stub(clients)
    try:
        response = await clients.call(SERVICE, "ListReports", stub.ListReports, request, viewer.token)
    except ServiceProblem as error:
        return failed(error)
    return paged([report_row(report) for report in response.reports], response.page)


async def get_report(
    clients: ServiceClients, viewer: Viewer, licensee_id: str, report_id: str
) -> tuple[ReportRow | None, Problem | None]:
    """One report's counts."""
    stub = _stub(clients)
    try:
        response = await clients.call(
            SERVICE,
            "GetReport",
            stub.GetReport,
            pb.GetReportRequest(report_id=report_id, licensee_id=licensee_id),
            viewer.token,
        )
    except ServiceProblem as error:
        return None, error.problem
    return report_row(response.report), None


def _reference(reference: report_pb2.UsageReference) -> str:
    parts = [
        reference.title,
        reference.main_artist,
        ", ".join(reference.writers),
        f"ISRC {reference.isrc}" if reference.isrc else "",
        f"ISWC {reference.iswc}" if reference.iswc else "",
    ]
    return " · ".join(part for part in parts if part)


def _review_row(item: report_pb2.ReviewItem) -> ReviewRow:
    return ReviewRow(
        review_item_id=item.review_item_id,
        report_id=item.report_id,
        licence_id=item.licence_id,
        line_number=item.line_number,
        influence_index=item.influence_index,
        reported=_reference(item.reference),
        status=enum_label(report_pb2.ReviewItemStatus, item.status),
        created_at=timestamp_text(item.created_at),
        resolved_work_id=item.resolved_work_id,
        candidates=[
            Candidate(
                work_id=c.work_id,
                iswc=c.iswc,
                title=c.title,
                creators=", ".join(c.creator_names),
                isrc=c.isrc,
                method=enum_label(usage_pb2.MatchMethod, c.method),
                score_bp=c.score_bp,
            )
            for c in item.candidates
        ],
    )


def _line_reported(line: report_pb2.ReportLine) -> str:
    kind = line.WhichOneof("content")
    if kind == "training_manifest":
        return _reference(line.training_manifest.reference)
    if kind == "service_revenue":
        revenue = line.service_revenue
        territory = enum_label(codes_pb2.Territory, revenue.territory).upper()
        return f"revenue {money_text(revenue.revenue)} in {territory}, {revenue.active_users} users"
    if kind == "output_attribution":
        output = line.output_attribution
        influences = "; ".join(
            f"{_reference(i.reference)} ({percent_bp(i.share_bp)})" for i in output.influences
        )
        return f"output {output.output_id}: {influences}"
    return ""


def _match_text(match: report_pb2.Match) -> str:
    status = enum_label(report_pb2.MatchStatus, match.status)
    if match.status == report_pb2.MATCH_STATUS_MATCHED:
        method = enum_label(usage_pb2.MatchMethod, match.method)
        return f"{status} {match.work_id} by {method} ({percent_bp(match.confidence_bp)})"
    return status


async def report_lines(
    clients: ServiceClients,
    viewer: Viewer,
    *,
    licensee_id: str,
    report_id: str,
    match_status: str,
    flagged_only: bool,
    page_token: str,
    page_size: int,
) -> Paged[LineRow]:
    """One page of a report's lines in line order, optionally only those in one match status or flagged."""
    request = pb.ListReportLinesRequest(
        report_id=report_id,
        licensee_id=licensee_id,
        match_status=enum_value(report_pb2.MatchStatus, match_status, "match_status"),
        flagged_only=flagged_only,
        page=page_request(page_token, page_size),
    )
    stub = _stub(clients)
    try:
        response = await clients.call(SERVICE, "ListReportLines", stub.ListReportLines, request, viewer.token)
    except ServiceProblem as error:
        return failed(error)
    rows = [
        LineRow(
            line_number=result.line.line_number,
            reported=_line_reported(result.line),
            flags=", ".join(enum_label(report_pb2.LineFlag, flag) for flag in result.flags),
            matches="; ".join(_match_text(match) for match in result.matches),
            needs_person=bool(result.flags)
            or any(match.status != report_pb2.MATCH_STATUS_MATCHED for match in result.matches),
        )
        for result in response.lines
    ]
    return paged(rows, response.page)


async def review_queue(
    clients: ServiceClients,
    viewer: Viewer,
    *,
    report_id: str,
    licence_id: str,
    status: str,
    page_token: str,
    page_size: int,
) -> Paged[ReviewRow]:
    """One page of the review queue (open items unless another status is asked), oldest first."""
    request = pb.ListReviewQueueRequest(
        report_id=report_id,
        licence_id=licence_id,
        status=enum_value(report_pb2.ReviewItemStatus, status, "status"),
        page=page_request(page_token, page_size),
    )
    stub = _stub(clients)
    try:
        response = await clients.call(SERVICE, "ListReviewQueue", stub.ListReviewQueue, request, viewer.token)
    except ServiceProblem as error:
        return failed(error)
    return paged([_review_row(item) for item in response.items], response.page)


async def resolve(
    clients: ServiceClients,
    viewer: Viewer,
    *,
    request_id: str,
    review_item_id: str,
    accept_work_id: str | None,
    note: str,
) -> Resolution:
    """Accept ``accept_work_id`` for the item, or (None) mark it unmatched; ServiceProblem if refused.

    ``request_id`` comes from the form the person saw, so a double click or a resent form resolves the
    item once (the service answers the retry with ``replayed``).
    """
    request = pb.ResolveReviewItemRequest(
        request_id=request_id,
        review_item_id=review_item_id,
        decision=pb.REVIEW_DECISION_ACCEPT if accept_work_id else pb.REVIEW_DECISION_MARK_UNMATCHED,
        work_id=accept_work_id or "",
        note=note,
    )
    stub = _stub(clients)
    response = await clients.call(SERVICE, "ResolveReviewItem", stub.ResolveReviewItem, request, viewer.token)
    return Resolution(
        review_item_id=response.item.review_item_id,
        status=enum_label(report_pb2.ReviewItemStatus, response.item.status),
        work_id=response.match.work_id,
        replayed=response.replayed,
    )
