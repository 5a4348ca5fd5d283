"""What the matching service tells the others: report outcomes and matched usage (for settlement)."""

from __future__ import annotations

from dataclasses import dataclass

from nordclear.matching.domain.model import UsageLine
from nordclear.matching.domain.report import Report, StoredUnit, UnitCounts


@dataclass(frozen=True, slots=True)
class ReportAccepted:
    """A report was accepted as a whole."""

    report: Report


@dataclass(frozen=True, slots=True)
class ReportRejected:
    """A report was rejected as a whole; nothing of it is used."""

    report: Report


@dataclass(frozen=True, slots=True)
class MatchedLine:
    """A line with its units' current matches."""

    line: UsageLine
    units: tuple[StoredUnit, ...]

    @property
    def revision(self) -> int:
        """The line's revision: the highest of its units' (1 for a line without units)."""
        return max((unit.revision for unit in self.units), default=1)


@dataclass(frozen=True, slots=True)
class UsageBatchMatched:
    """A batch of a report's lines with their matches, numbered within the report from 1."""

    report: Report
    batch_sequence: int
    lines: tuple[MatchedLine, ...]


@dataclass(frozen=True, slots=True)
class ReportMatchingCompleted:
    """Every line of a report went out in ``batch_count`` batches."""

    report: Report
    batch_count: int
    counts: UnitCounts
