"""A stored report, its match units and the review queue, as the service layer reads and writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from nordclear.matching.domain.model import (
    DateRange,
    MatchMethod,
    MatchStatus,
    ReportFormat,
    ReportKind,
    ReportStatus,
    UsageReference,
    Violation,
)


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """What a report is, as its submitter declared it."""

    report_id: str
    licensee_id: str
    kind: ReportKind
    licence_id: str
    period: DateRange
    attribution_provider: str = ""
    declared_line_count: int = 0
    format: ReportFormat = ReportFormat.STREAMED_LINES


@dataclass(frozen=True, slots=True)
class Report:
    """A report and how far it got."""

    report_pk: str
    header: ReportHeader
    status: ReportStatus
    content_sha256: str
    lines_total: int
    lines_flagged: int
    units_total: int
    errors: tuple[Violation, ...]
    errors_total: int
    batch_count: int
    received_at: datetime
    status_changed_at: datetime


@dataclass(frozen=True, slots=True)
class UnitCounts:
    """Where a report's match units stand now."""

    matched: int = 0
    in_review: int = 0
    unmatched: int = 0
    by_method: dict[MatchMethod, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All units."""
        return self.matched + self.in_review + self.unmatched

    @property
    def match_rate_bp(self) -> int:
        """Matched units over all units in basis points, rounded down; 0 when there are none."""
        return self.matched * 10_000 // self.total if self.total else 0


@dataclass(frozen=True, slots=True)
class StoredUnit:
    """One match unit as stored."""

    line_number: int
    influence_index: int
    status: MatchStatus
    work_id: str
    recording_id: str
    method: MatchMethod | None
    confidence_bp: int
    revision: int
    review_item_id: str
    matched_at: datetime | None
    reference: UsageReference


class ReviewStatus(StrEnum):
    """Where a review item stands."""

    OPEN = "open"
    ACCEPTED = "accepted"
    MARKED_UNMATCHED = "marked_unmatched"
    SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class ReviewCandidate:
    """A candidate work as a reviewer sees it."""

    work_id: str
    iswc: str
    title: str
    creator_names: tuple[str, ...]
    recording_id: str
    method: MatchMethod
    score_bp: int


@dataclass(frozen=True, slots=True)
class Reviewer:
    """Who resolved a review item."""

    kind: str
    principal_id: str
    society: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A unit below the auto-accept threshold, waiting for (or resolved by) a person."""

    review_item_id: str
    report_pk: str
    report_id: str
    licence_id: str
    line_number: int
    influence_index: int
    reference: UsageReference
    candidates: tuple[ReviewCandidate, ...]
    status: ReviewStatus
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: Reviewer | None = None
    resolved_work_id: str = ""
    note: str = ""
