"""What a usage report is, as the matching service reasons about it (BRIEF §5.1 and §5.2).

A report has a header (kind, licence, period) and lines. A line of a training manifest names one used
recording or work; a line of an output attribution report names an output and the works that influenced
it; a service revenue line names money but no works. Each named recording or work is a **match unit**:
the thing matched to a work. Shares and confidences are integer basis points (10000 bp = 100 %); money
is integer minor units (``platform.domain.money``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

from nordclear.platform.domain.money import Money
from nordclear.platform.domain.territories import Territory

FULL_BP: Final = 10_000


class ReportKind(StrEnum):
    """The three kinds of report a licensee submits."""

    TRAINING_MANIFEST = "training_manifest"
    SERVICE_REVENUE = "service_revenue"
    OUTPUT_ATTRIBUTION = "output_attribution"

    @property
    def stage(self) -> Stage:
        """The AI stage whose usage the report declares."""
        return _STAGE_OF_KIND[self]


class Stage(StrEnum):
    """An AI stage a licence covers (BRIEF §1)."""

    TRAINING = "training"
    SERVICE = "service"
    OUTPUT = "output"


_STAGE_OF_KIND: Final = {
    ReportKind.TRAINING_MANIFEST: Stage.TRAINING,
    ReportKind.SERVICE_REVENUE: Stage.SERVICE,
    ReportKind.OUTPUT_ATTRIBUTION: Stage.OUTPUT,
}


class ReportFormat(StrEnum):
    """How a report arrived."""

    STREAMED_LINES = "streamed_lines"
    CSV = "csv"
    JSON_LINES = "json_lines"
    DSR_TSV = "dsr_tsv"


class ReportStatus(StrEnum):
    """Where a report stands: received → validated → matching → matched (→ settled), or rejected.

    ``RECEIVING`` is internal: the lines of a stream still arriving. Nobody sees such a report, and a
    stream that breaks off leaves nothing behind (the rows are deleted, or purged at the next start).
    """

    RECEIVING = "receiving"
    RECEIVED = "received"
    VALIDATED = "validated"
    MATCHING = "matching"
    MATCHED = "matched"
    SETTLED = "settled"
    REJECTED = "rejected"


class MatchStatus(StrEnum):
    """Where one match unit stands."""

    MATCHED = "matched"
    IN_REVIEW = "in_review"
    UNMATCHED = "unmatched"


class MatchMethod(StrEnum):
    """How a unit was matched; identifiers first, then fuzzy, then a person."""

    ISRC = "isrc"
    ISWC = "iswc"
    SOCIETY_WORK_ID = "society_work_id"
    WORK_ID = "work_id"
    FUZZY = "fuzzy"
    MANUAL = "manual"


class LineFlag(StrEnum):
    """Something about a kept line that ops and settlement should see."""

    TERRITORY_NOT_LICENSED = "territory_not_licensed"
    OUTSIDE_TERM = "outside_term"
    STAGE_NOT_LICENSED = "stage_not_licensed"
    LABEL_NOT_APPLIED = "label_not_applied"
    DUPLICATE = "duplicate"


OUTSIDE_LICENCE_FLAGS: Final = frozenset(
    {LineFlag.TERRITORY_NOT_LICENSED, LineFlag.OUTSIDE_TERM, LineFlag.STAGE_NOT_LICENSED}
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """Both ends inclusive."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in the range."""
        return self.start <= day <= self.end

    def covers(self, other: DateRange) -> bool:
        """Whether ``other`` lies wholly in the range."""
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True, slots=True)
class UsageReference:
    """What a licensee says identifies a used recording or work; identifiers already normalised."""

    isrc: str = ""
    iswc: str = ""
    society_code: str = ""
    society_work_code: str = ""
    work_id: str = ""
    title: str = ""
    main_artist: str = ""
    writers: tuple[str, ...] = ()
    duration_ms: int = 0

    @property
    def has_identifier(self) -> bool:
        """Whether any identifier is given."""
        return bool(self.isrc or self.iswc or self.society_work_code or self.work_id)

    @property
    def is_empty(self) -> bool:
        """Whether nothing at all identifies the recording or work."""
        return not (self.has_identifier or self.title.strip())


@dataclass(frozen=True, slots=True)
class Influence:
    """One influence of an output: the reference, its share and the provider's confidence."""

    reference: UsageReference
    share_bp: int
    confidence_bp: int


@dataclass(frozen=True, slots=True)
class UsageLine:
    """One validated line of a report.

    ``units`` are the match units: one reference for a manifest line, one per influence for an output
    attribution line (with ``influences`` giving their shares), none for a service revenue line.
    """

    line_number: int
    kind: ReportKind
    units: tuple[UsageReference, ...] = ()
    influences: tuple[Influence, ...] = ()
    territory: Territory | None = None
    period: DateRange | None = None
    used_on: date | None = None
    amount: Money | None = None
    active_users: int = 0
    output_id: str = ""
    service_name: str = ""
    label_applied: bool = False
    content_sha256: str = ""
    flags: frozenset[LineFlag] = field(default_factory=frozenset)

    @property
    def outside_licence(self) -> bool:
        """Whether a flag puts the line outside the licence's scope (territory, term or stage)."""
        return not self.flags.isdisjoint(OUTSIDE_LICENCE_FLAGS)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A work a unit might be, with how it was found and a score."""

    work_id: str
    method: MatchMethod
    score_bp: int
    recording_id: str = ""


@dataclass(frozen=True, slots=True)
class UnitMatch:
    """The outcome of matching one unit.

    ``MATCHED`` carries the work, method and confidence; ``IN_REVIEW`` carries the best candidates for a
    person; ``UNMATCHED`` carries nothing (or the weak candidates that were found).
    """

    status: MatchStatus
    work_id: str = ""
    recording_id: str = ""
    method: MatchMethod | None = None
    confidence_bp: int = 0
    candidates: tuple[Candidate, ...] = ()


UNMATCHED: Final = UnitMatch(MatchStatus.UNMATCHED)


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason a report is rejected: line (0 for the header), field, value and rule."""

    line_number: int
    field: str
    value: str
    rule: str

    @property
    def message(self) -> str:
        """The sentence a person reads."""
        where = f"line {self.line_number}: " if self.line_number else ""
        return f"{where}{self.field}: {self.value!r} is invalid: {self.rule}"
