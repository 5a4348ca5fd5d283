"""The matching service's picture of licences: whose they are, what they cover, and whether they are in force.

It is a copy, built from the licensing service's lifecycle events (issued, suspended, reactivated,
revoked, expired). A report is accepted only under a licence of the submitting licensee that is in
force; lines for a stage, territory or date outside the licence are kept and flagged, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from nordclear.matching.domain.model import DateRange, Stage
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied


class LicenceStatus(StrEnum):
    """A licence's lifecycle state as matching needs it (BRIEF §4)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Licence:
    """One licence: its licensee, stages, territories, term, label rule and status."""

    licence_id: str
    licensee_id: str
    stages: frozenset[Stage]
    territories: frozenset[Territory]
    term: DateRange
    status: LicenceStatus
    status_since: date | None = None
    output_label: str = ""
    """The IPTC digital source type outputs must carry; empty when no label is required."""

    def with_status(self, status: LicenceStatus, since: date | None) -> Licence:
        """The licence after a lifecycle transition; revoked and expired are final."""
        if self.status in (LicenceStatus.REVOKED, LicenceStatus.EXPIRED):
            return self
        return replace(self, status=status, status_since=since)


def licence_for_report(
    licence: Licence | None, licence_id: str, licensee_id: str, period: DateRange
) -> Licence:
    """The licence a report may be submitted under, or the error that refuses the report.

    Someone else's licence is PERMISSION_DENIED (and an unknown one NOT_FOUND, so that a licensee learns
    nothing about others' licences). A suspended or revoked licence refuses reports; an expired one still
    takes reports for usage within its term, because the last period is reported after the term ends.
    """
    if licence is None or licence.licensee_id != licensee_id:
        if licence is None:
            raise NotFound(f"licence_id {licence_id!r}: no such licence is known to matching")
        raise PermissionDenied(f"licence_id {licence_id!r} is not a licence of licensee {licensee_id!r}")
    if licence.status in (LicenceStatus.SUSPENDED, LicenceStatus.REVOKED):
        raise FailedPrecondition(
            f"licence_id {licence_id!r} is {licence.status.value}"
            + (f" since {licence.status_since.isoformat()}" if licence.status_since else "")
            + "; reports are taken only under a licence in force"
        )
    if licence.status is LicenceStatus.EXPIRED and period.end > licence.term.end:
        raise FailedPrecondition(
            f"licence_id {licence_id!r} expired on {licence.term.end.isoformat()}; a report under it must "
            f"cover usage within its term, but its period ends {period.end.isoformat()}"
        )
    if period.start > period.end:
        raise InvalidArgument("period", f"{period.start}..{period.end}", "start must not be after end")
    return licence
