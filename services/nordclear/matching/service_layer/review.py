"""The review queue: ops accept a candidate or mark a unit unmatched; open units are re-tried.

Every change of a unit's match raises its revision above every other unit of its line, and the whole
line goes to settlement again as a further UsageMatched batch of its report, which replaces what came
before for that line (the highest revision wins).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.events import MatchedLine, UsageBatchMatched
from nordclear.matching.domain.model import FULL_BP, MatchMethod, MatchStatus, ReportStatus
from nordclear.matching.domain.report import Report, Reviewer, ReviewItem, ReviewStatus, StoredUnit
from nordclear.matching.service_layer.index_view import MatcherView
from nordclear.matching.service_layer.intake import new_review_item
from nordclear.matching.service_layer.lines import stored_lines
from nordclear.platform import metrics
from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

RETRY_PAGE: Final = 1_000
_ACCEPTED_REPORT = (ReportStatus.MATCHED, ReportStatus.SETTLED)


class Decision:
    """What a reviewer decided."""

    ACCEPT = "accept"
    MARK_UNMATCHED = "mark_unmatched"


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved review item and its unit."""

    item: ReviewItem
    unit: StoredUnit
    replayed: bool


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    """Units tried again, and where they stand now."""

    retried: int
    matched: int
    in_review: int
    replayed: bool = False


async def resolve_review_item(
    uow: MatchingUnitOfWork,
    view: MatcherView,
    *,
    request_id: str,
    fingerprint: str,
    review_item_id: str,
    decision: str,
    work_id: str,
    note: str,
    reviewer: Reviewer,
    now: datetime,
) -> Resolution:
    """Accept ``work_id`` for the item's unit, or mark it unmatched; idempotent on ``request_id``."""
    async with uow:
        earlier = await uow.requests.find(request_id)
        if earlier is not None:
            operation, earlier_fingerprint, _ = earlier
            if operation != "resolve" or earlier_fingerprint != fingerprint:
                raise AlreadyExists(f"request_id {request_id!r} was already used for a different request")
            item = await uow.reports.review_item(review_item_id)
            assert item is not None
            unit = await _unit_of(uow, item)
            return Resolution(item, unit, replayed=True)
        item = await uow.reports.review_item(review_item_id)
        report = await uow.reports.get(item.report_pk) if item is not None else None
        if item is None or report is None or report.status not in _ACCEPTED_REPORT:
            raise NotFound(f"review_item_id {review_item_id!r}: no such review item")
        if item.status is not ReviewStatus.OPEN:
            raise FailedPrecondition(
                f"review item {review_item_id!r} is already {item.status.value}; only open items are resolved"
            )
        unit = await _unit_of(uow, item)
        if decision == Decision.ACCEPT:
            if not work_id or work_id not in view.index:
                raise InvalidArgument(
                    "work_id", work_id, "name a work in the repertoire (a candidate's, or another)"
                )
            candidate = next((c for c in item.candidates if c.work_id == work_id), None)
            revision = await uow.reports.max_revision(report.report_pk, unit.line_number) + 1
            unit = replace(
                unit,
                status=MatchStatus.MATCHED,
                work_id=work_id,
                recording_id=candidate.recording_id if candidate else "",
                method=MatchMethod.MANUAL,
                confidence_bp=FULL_BP,
                revision=revision,
                matched_at=now,
            )
            status = ReviewStatus.ACCEPTED
        else:
            unit = replace(
                unit, status=MatchStatus.UNMATCHED, work_id="", recording_id="", method=None, confidence_bp=0
            )
            status = ReviewStatus.MARKED_UNMATCHED
        item = replace(
            item,
            status=status,
            resolved_at=now,
            resolved_by=reviewer,
            resolved_work_id=work_id if status is ReviewStatus.ACCEPTED else "",
            note=note,
        )
        await uow.reports.update_unit(report.report_pk, unit)
        await uow.reports.save_review_item(item)
        if unit.status is MatchStatus.MATCHED:
            await _send_lines_again(uow, report, [unit.line_number])
        await uow.requests.add(request_id, "resolve", fingerprint, review_item_id.encode())
        await uow.commit()
        metrics.MATCHED_LINES.labels(
            report.header.kind.value, (unit.method or "none"), unit.status.value
        ).inc()
        metrics.REVIEW_QUEUE_DEPTH.set(await uow.reports.open_review_count())
        return Resolution(item, unit, replayed=False)


async def _unit_of(uow: MatchingUnitOfWork, item: ReviewItem) -> StoredUnit:
    units = await uow.reports.units(item.report_pk, item.line_number, item.line_number)
    unit = next((u for u in units if u.influence_index == item.influence_index), None)
    if unit is None:
        raise NotFound(f"review item {item.review_item_id!r} names a unit that no longer exists")
    return unit


async def _send_lines_again(uow: MatchingUnitOfWork, report: Report, line_numbers: list[int]) -> None:
    """Send the lines' current matches to settlement as the report's next UsageMatched batch."""
    lines = await stored_lines(uow, report, line_numbers)
    matched = []
    for number in sorted(lines):
        units = tuple(await uow.reports.units(report.report_pk, number, number))
        matched.append(MatchedLine(lines[number], units))
    if not matched:
        return
    fresh = await uow.reports.get(report.report_pk)
    assert fresh is not None
    sequence = fresh.batch_count + 1
    await uow.reports.set_batch_count(report.report_pk, sequence)
    uow.record(UsageBatchMatched(fresh, sequence, tuple(matched)))


async def retry_open_units(
    uow_factory: Callable[[], MatchingUnitOfWork],
    view: MatcherView,
    *,
    report_pk: str | None,
    now: datetime,
) -> RetryOutcome:
    """Match every unmatched or queued unit again against the current repertoire.

    A unit that now matches is matched (its open review item superseded) and its line sent again; an
    unmatched unit that now has candidates goes to review. A unit a person marked unmatched changes only
    when it now matches outright, so the queue does not fill with what was already judged.
    """
    await view.catch_up()
    retried = matched = in_review = 0
    after: tuple[str, int, int] = ("", -1, -1)
    while True:
        async with uow_factory() as uow:
            page = await uow.reports.open_units(report_pk, after, RETRY_PAGE)
            if not page:
                break
            after = (page[-1][0], page[-1][1].line_number, page[-1][1].influence_index)
            changed_lines: dict[str, list[int]] = {}
            reports: dict[str, Report] = {}
            for unit_report_pk, unit in page:
                retried += 1
                outcome = view.matcher.match(unit.reference)
                if outcome.status is MatchStatus.MATCHED:
                    revision = await uow.reports.max_revision(unit_report_pk, unit.line_number) + 1
                    await uow.reports.update_unit(
                        unit_report_pk,
                        replace(
                            unit,
                            status=MatchStatus.MATCHED,
                            work_id=outcome.work_id,
                            recording_id=outcome.recording_id,
                            method=outcome.method,
                            confidence_bp=outcome.confidence_bp,
                            revision=revision,
                            matched_at=now,
                        ),
                    )
                    if unit.review_item_id:
                        item = await uow.reports.review_item(unit.review_item_id)
                        if item is not None and item.status is ReviewStatus.OPEN:
                            await uow.reports.save_review_item(
                                replace(item, status=ReviewStatus.SUPERSEDED, resolved_at=now)
                            )
                    changed_lines.setdefault(unit_report_pk, []).append(unit.line_number)
                    matched += 1
                    continue
                if outcome.status is MatchStatus.IN_REVIEW:
                    in_review += 1
                    if unit.status is MatchStatus.UNMATCHED and not unit.review_item_id:
                        report = reports.get(unit_report_pk) or await uow.reports.get(unit_report_pk)
                        assert report is not None
                        reports[unit_report_pk] = report
                        review_item_id = f"rvw_{uuid.uuid4().hex}"
                        await uow.reports.add_review_items(
                            [
                                new_review_item(
                                    view.matcher,
                                    review_item_id,
                                    report,
                                    unit.line_number,
                                    unit.influence_index,
                                    unit.reference,
                                    outcome,
                                    now,
                                )
                            ]
                        )
                        await uow.reports.update_unit(
                            unit_report_pk,
                            replace(unit, status=MatchStatus.IN_REVIEW, review_item_id=review_item_id),
                        )
            for changed_report_pk, numbers in changed_lines.items():
                report = await uow.reports.get(changed_report_pk)
                assert report is not None
                await _send_lines_again(uow, report, sorted(set(numbers)))
            await uow.commit()
    async with uow_factory() as uow:
        metrics.REVIEW_QUEUE_DEPTH.set(await uow.reports.open_review_count())
    return RetryOutcome(retried, matched, in_review)
