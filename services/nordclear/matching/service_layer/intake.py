"""Taking in a report: validate and match its lines as they stream in, then accept or reject it whole.

A report's lines arrive in batches. Each batch is validated, its units matched against the in-memory
matcher, and stored with its matches in one transaction, with the report marked "receiving" (invisible
to everyone). The usage events for settlement are held back with the report. When the last line has
arrived the report is accepted — its held events move to the outbox together with ReportAccepted and
ReportMatchingCompleted, in one transaction — or rejected, and then everything stored for its lines is
deleted. A stream that breaks off is discarded the same way (``abort``), and a process that died
mid-stream leaves a stale "receiving" report that the next start purges: nothing partial is ever seen.
The client's re-send of such a report does not wait for that: once no line of it has arrived for
``CUT_OFF_AFTER``, its stream is taken to be lost and the re-send takes its place (until then the
re-send is told to retry, since the first stream may still be alive on another replica).

Memory stays bounded: only the current batch, the validator's set of duplicate keys, and the lines not
yet packed into a usage event (at most ``USAGE_BATCH_LINES``) are held.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from nordclear.matching.adapters.report_proto import DecodedBatch
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.domain.events import (
    MatchedLine,
    ReportAccepted,
    ReportMatchingCompleted,
    ReportRejected,
    UsageBatchMatched,
)
from nordclear.matching.domain.licence import licence_for_report
from nordclear.matching.domain.matcher import Matcher
from nordclear.matching.domain.model import MatchStatus, ReportStatus, UnitMatch, UsageLine, UsageReference
from nordclear.matching.domain.report import (
    Report,
    ReportHeader,
    ReviewCandidate,
    ReviewItem,
    ReviewStatus,
    StoredUnit,
    UnitCounts,
)
from nordclear.matching.domain.validation import ReportHeaderFacts, ReportValidator
from nordclear.matching.service_layer.index_view import MatcherView
from nordclear.platform import metrics
from nordclear.platform.errors import Aborted, AlreadyExists, InvalidArgument

USAGE_BATCH_LINES: Final = 1_000
"""Lines per UsageMatched event: about 100 kB, well under any broker's message limit."""
MAX_REPORT_ID_CHARS: Final = 128
CUT_OFF_AFTER: Final = timedelta(seconds=30)
"""A receiving report none of whose lines arrived for this long has lost its stream (client or process
died mid-stream); a re-send of it takes its place. Far longer than a live stream waits between batches."""


@dataclass(frozen=True, slots=True)
class IntakeOutcome:
    """How a submission ended: the stored report, its unit counts, and whether it was a re-send."""

    report: Report
    counts: UnitCounts
    duplicate: bool


class ReportIntake:
    """Opens intake sessions; one per submitted report."""

    def __init__(
        self,
        uow_factory: Callable[[], MatchingUnitOfWork],
        view: MatcherView,
    ) -> None:
        self._uow = uow_factory
        self._view = view

    async def open(self, header: ReportHeader) -> IntakeSession:
        """Check the header and the licence, claim the report id, and return the session for its lines."""
        _check_header(header)
        await self._view.catch_up()
        now = datetime.now(UTC)
        async with self._uow() as uow:
            licence = licence_for_report(
                await uow.licences.get(header.licence_id),
                header.licence_id,
                header.licensee_id,
                header.period,
            )
            existing = await uow.reports.find(header.licensee_id, header.report_id)
            if existing is not None and existing.status is ReportStatus.RECEIVING:
                await _take_over_cut_off(uow, existing, now)
                existing = None
            report_pk = str(uuid.uuid4())
            if existing is None:
                await uow.reports.create_receiving(report_pk, header, now)
                await uow.commit()
        validator = ReportValidator(
            ReportHeaderFacts(header.kind, header.period, header.declared_line_count), licence
        )
        return IntakeSession(self._uow, self._view.matcher, header, report_pk, validator, existing, now)


async def _take_over_cut_off(uow: MatchingUnitOfWork, receiving: Report, now: datetime) -> None:
    """Discard a receiving report whose stream was lost, so that its re-send starts afresh.

    ABORTED (retry later) while its lines may still be arriving on another stream.
    """
    last_heard = receiving.status_changed_at
    if last_heard.tzinfo is None:
        last_heard = last_heard.replace(tzinfo=UTC)
    silent = now - last_heard
    if silent < CUT_OFF_AFTER:
        raise Aborted(
            f"report_id {receiving.header.report_id!r} is being received on another stream (its last lines "
            f"arrived {int(silent.total_seconds())} s ago); retry later"
        )
    await uow.reports.discard(receiving.report_pk, keep_report=False)


def _check_header(header: ReportHeader) -> None:
    if not header.report_id.strip():
        raise InvalidArgument("header.report_id", header.report_id, "a client-chosen report id is required")
    if len(header.report_id) > MAX_REPORT_ID_CHARS or not header.report_id.isprintable():
        raise InvalidArgument(
            "header.report_id", header.report_id, f"at most {MAX_REPORT_ID_CHARS} printable characters"
        )
    if not header.licence_id.strip():
        raise InvalidArgument("header.licence_id", header.licence_id, "name the licence the report is under")
    if header.declared_line_count < 0:
        raise InvalidArgument("header.declared_line_count", header.declared_line_count, "not negative")
    if len(header.attribution_provider) > 255:
        raise InvalidArgument(
            "header.attribution_provider", header.attribution_provider[:40], "at most 255 characters"
        )


class IntakeSession:
    """One report's lines on their way in."""

    def __init__(
        self,
        uow_factory: Callable[[], MatchingUnitOfWork],
        matcher: Matcher,
        header: ReportHeader,
        report_pk: str,
        validator: ReportValidator,
        existing: Report | None,
        received_at: datetime,
    ) -> None:
        self._uow = uow_factory
        self._matcher = matcher
        self.header = header
        self.report_pk = existing.report_pk if existing is not None else report_pk
        self._validator = validator
        self._existing = existing
        self._received_at = received_at
        self._digest = _header_digest(header)
        self._chunk_no = 0
        self._pending: list[MatchedLine] = []
        self._batch_sequence = 0
        self._provisional = _provisional_report(self.report_pk, header, received_at)

    @property
    def _storing(self) -> bool:
        # A re-send is only hashed (to tell same from different content); a report with an error is
        # only validated further (to list every error), and what was stored of it is deleted at the end.
        return self._existing is None and self._validator.accepted

    async def add(self, batch: DecodedBatch) -> None:
        """Validate, match and store one batch of lines."""
        self._digest.update(batch.payload)
        checked: list[UsageLine] = []
        for decoded in batch.lines:
            self._validator.note_line_number(decoded.line_number)
            if decoded.error is not None or decoded.line is None:
                self._validator.refuse(
                    decoded.line_number, decoded.error or InvalidArgument("line", "", "unreadable")
                )
                continue
            line = self._validator.check(decoded.line)
            if line is not None:
                checked.append(line)
        if not self._storing or not batch.lines:
            return
        now = datetime.now(UTC)
        units: list[StoredUnit] = []
        reviews: list[ReviewItem] = []
        flags = [(line.line_number, flag) for line in checked for flag in sorted(line.flags)]
        for line in checked:
            line_units = tuple(self._unit(line, index, now, reviews) for index in range(len(line.units)))
            units.extend(line_units)
            self._pending.append(MatchedLine(line, line_units))
        async with self._uow() as uow:
            self._chunk_no += 1
            await uow.reports.add_chunk(
                self.report_pk, self._chunk_no, batch.first_line, batch.last_line, batch.payload
            )
            await uow.reports.add_flags(self.report_pk, flags)
            await uow.reports.add_units(self.report_pk, units)
            await uow.reports.add_review_items(reviews)
            await self._stage_full_batches(uow, final=False)
            await uow.reports.touch(self.report_pk, now)
            await uow.commit()

    def _unit(self, line: UsageLine, index: int, now: datetime, reviews: list[ReviewItem]) -> StoredUnit:
        match = self._matcher.match(line.units[index])
        review_item_id = ""
        if match.status is MatchStatus.IN_REVIEW:
            review_item_id = f"rvw_{uuid.uuid4().hex}"
            reviews.append(
                new_review_item(
                    self._matcher,
                    review_item_id,
                    self._provisional,
                    line.line_number,
                    index,
                    line.units[index],
                    match,
                    now,
                )
            )
        return StoredUnit(
            line_number=line.line_number,
            influence_index=index,
            status=match.status,
            work_id=match.work_id,
            recording_id=match.recording_id,
            method=match.method,
            confidence_bp=match.confidence_bp,
            revision=1,
            review_item_id=review_item_id,
            matched_at=now if match.status is MatchStatus.MATCHED else None,
            reference=line.units[index],
        )

    async def _stage_full_batches(self, uow: MatchingUnitOfWork, *, final: bool) -> None:
        staged = []
        while len(self._pending) >= USAGE_BATCH_LINES or (final and self._pending):
            lines, self._pending = self._pending[:USAGE_BATCH_LINES], self._pending[USAGE_BATCH_LINES:]
            self._batch_sequence += 1
            event = UsageBatchMatched(self._provisional, self._batch_sequence, tuple(lines))
            staged.append((self._batch_sequence, event))
        if staged:
            await uow.stage(self.report_pk, staged)

    def refuse_file(self, error: InvalidArgument) -> None:
        """The file is not in its declared format at all: the report is rejected with this error."""
        self._validator.refuse(0, error)

    async def finish(self, trailer_line_count: int | None) -> IntakeOutcome:
        """Accept or reject the report whole once every line has arrived."""
        self._validator.finish(trailer_line_count)
        content_sha256 = self._digest.hexdigest()
        if self._existing is not None:
            return await self._resent(content_sha256)
        now = datetime.now(UTC)
        validator = self._validator
        async with self._uow() as uow:
            if validator.accepted:
                await self._stage_full_batches(uow, final=True)
                status = ReportStatus.MATCHED
            else:
                await uow.reports.discard(self.report_pk, keep_report=True)
                status = ReportStatus.REJECTED
            await uow.reports.finish(
                self.report_pk,
                status=status,
                content_sha256=content_sha256,
                lines_total=validator.lines_total,
                lines_flagged=validator.lines_flagged if validator.accepted else 0,
                units_total=validator.units_total if validator.accepted else 0,
                errors=validator.violations,
                errors_total=validator.violations_total,
                batch_count=self._batch_sequence,
                now=now,
            )
            report = await uow.reports.get(self.report_pk)
            assert report is not None
            counts = await uow.reports.unit_counts(self.report_pk)
            if validator.accepted:
                await uow.stage(
                    self.report_pk,
                    [
                        (0, ReportAccepted(report)),
                        (
                            self._batch_sequence + 1,
                            ReportMatchingCompleted(report, self._batch_sequence, counts),
                        ),
                    ],
                )
                await uow.reports.release_staged_events(self.report_pk, now)
                uow.released_events = True
            else:
                uow.record(ReportRejected(report))
            await uow.commit()
        depth = await _open_reviews(self._uow())
        if validator.accepted:
            _count_outcomes(self.header.kind.value, counts)
        metrics.REVIEW_QUEUE_DEPTH.set(depth)
        return IntakeOutcome(report, counts, duplicate=False)

    async def _resent(self, content_sha256: str) -> IntakeOutcome:
        existing = self._existing
        assert existing is not None
        if existing.content_sha256 != content_sha256 or existing.status is ReportStatus.RECEIVING:
            raise AlreadyExists(
                f"report_id {self.header.report_id!r} was already submitted with different content "
                f"(status {existing.status.value}); submit a changed report under a new report id"
            )
        async with self._uow() as uow:
            counts = await uow.reports.unit_counts(existing.report_pk)
        return IntakeOutcome(existing, counts, duplicate=True)

    async def abort(self) -> None:
        """Forget everything stored for a report whose stream broke off."""
        if self._existing is not None:
            return
        async with self._uow() as uow:
            await uow.reports.discard(self.report_pk, keep_report=False)
            await uow.commit()


def _count_outcomes(kind: str, counts: UnitCounts) -> None:
    """The report's units in the lines metric, by method for matched ones."""
    for method, count in counts.by_method.items():
        metrics.MATCHED_LINES.labels(kind, method.value, MatchStatus.MATCHED.value).inc(count)
    metrics.MATCHED_LINES.labels(kind, "none", MatchStatus.IN_REVIEW.value).inc(counts.in_review)
    metrics.MATCHED_LINES.labels(kind, "none", MatchStatus.UNMATCHED.value).inc(counts.unmatched)


async def _open_reviews(uow: MatchingUnitOfWork) -> int:
    async with uow:
        return await uow.reports.open_review_count()


def new_review_item(
    matcher: Matcher,
    review_item_id: str,
    report: Report,
    line_number: int,
    influence_index: int,
    reference: UsageReference,
    match: UnitMatch,
    now: datetime,
) -> ReviewItem:
    """A review item for a unit, with its candidates described for a person."""
    candidates = []
    for candidate in match.candidates:
        described = matcher.index.describe(candidate.work_id)
        if described is None:
            continue
        title, iswc, creators = described
        candidates.append(
            ReviewCandidate(
                work_id=candidate.work_id,
                iswc=iswc,
                title=title,
                creator_names=creators,
                recording_id=candidate.recording_id,
                method=candidate.method,
                score_bp=candidate.score_bp,
            )
        )
    return ReviewItem(
        review_item_id=review_item_id,
        report_pk=report.report_pk,
        report_id=report.header.report_id,
        licence_id=report.header.licence_id,
        line_number=line_number,
        influence_index=influence_index,
        reference=reference,
        candidates=tuple(candidates),
        status=ReviewStatus.OPEN,
        created_at=now,
    )


def _header_digest(header: ReportHeader) -> hashlib._Hash:
    digest = hashlib.sha256()
    digest.update(
        "\x1f".join(
            (
                header.kind.value,
                header.licence_id,
                header.period.start.isoformat(),
                header.period.end.isoformat(),
                header.attribution_provider,
            )
        ).encode()
    )
    return digest


def _provisional_report(report_pk: str, header: ReportHeader, received_at: datetime) -> Report:
    return Report(
        report_pk=report_pk,
        header=header,
        status=ReportStatus.RECEIVING,
        content_sha256="",
        lines_total=0,
        lines_flagged=0,
        units_total=0,
        errors=(),
        errors_total=0,
        batch_count=0,
        received_at=received_at,
        status_changed_at=received_at,
    )
