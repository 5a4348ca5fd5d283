"""Reading reports, their lines and the review queue; a licensee sees only its own reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nordclear.gen.matching.v1 import report_pb2
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.model import LineFlag, MatchStatus, ReportKind, ReportStatus
from nordclear.matching.domain.report import Report, ReviewItem, ReviewStatus, StoredUnit, UnitCounts
from nordclear.matching.service_layer.lines import raw_lines
from nordclear.platform.errors import InvalidArgument, NotFound


@dataclass(frozen=True, slots=True)
class LineResult:
    """A stored line with its flags and units."""

    line: report_pb2.ReportLine
    flags: frozenset[LineFlag]
    units: tuple[StoredUnit, ...]


async def get_report(uow: MatchingUnitOfWork, licensee_id: str, report_id: str) -> tuple[Report, UnitCounts]:
    """A report (not one still being received) and its unit counts."""
    if not licensee_id:
        raise InvalidArgument(
            "licensee_id", "", "name the licensee whose report it is (report ids are per licensee)"
        )
    async with uow:
        report = await uow.reports.find(licensee_id, report_id)
        if report is None or report.status is ReportStatus.RECEIVING:
            raise NotFound(f"report_id {report_id!r}: no such report of licensee {licensee_id!r}")
        return report, await uow.reports.unit_counts(report.report_pk)


async def list_reports(
    uow: MatchingUnitOfWork,
    *,
    licensee_id: str,
    licence_id: str,
    kind: ReportKind | None,
    status: ReportStatus | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[tuple[Report, UnitCounts]]:
    """A page of reports, newest first, with their counts."""
    async with uow:
        page = await uow.reports.list_reports(
            licensee_id=licensee_id, licence_id=licence_id, kind=kind, status=status, after=after, limit=limit
        )
        return [(report, await uow.reports.unit_counts(report.report_pk)) for report in page]


async def list_lines(
    uow: MatchingUnitOfWork,
    report: Report,
    *,
    after_line: int,
    limit: int,
    status: MatchStatus | None,
    flagged_only: bool,
) -> list[LineResult]:
    """A page of a report's lines in line order, with flags and matches."""
    async with uow:
        if status is None and not flagged_only:
            numbers = list(range(after_line + 1, min(report.lines_total, after_line + limit) + 1))
        else:
            numbers = await uow.reports.line_numbers(
                report.report_pk, after_line, limit, status, flagged_only
            )
        if not numbers:
            return []
        raw = await raw_lines(uow, report.report_pk, numbers)
        flags = await uow.reports.flags(report.report_pk, numbers[0], numbers[-1])
        units: dict[int, list[StoredUnit]] = {}
        for unit in await uow.reports.units(report.report_pk, numbers[0], numbers[-1]):
            units.setdefault(unit.line_number, []).append(unit)
        return [
            LineResult(raw[n], frozenset(flags.get(n, set())), tuple(units.get(n, ())))
            for n in numbers
            if n in raw
        ]


async def list_review_items(
    uow: MatchingUnitOfWork,
    *,
    report: Report | None,
    licence_id: str,
    status: ReviewStatus,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[ReviewItem]:
    """A page of the review queue, oldest first."""
    async with uow:
        return await uow.reports.review_items(
            report_pk=report.report_pk if report else None,
            licence_id=licence_id,
            status=status,
            after=after,
            limit=limit,
        )


async def find_report_any_licensee(uow: MatchingUnitOfWork, report_id: str) -> Report | None:
    """For ops filtering the queue by report id alone: the one report with that id, if only one has it."""
    async with uow:
        return await uow.reports.find_by_report_id(report_id)
