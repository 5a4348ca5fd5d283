"""Coverage: is a work covered by a licence for a stage in a territory on a day (BRIEF §4 "Coverage").

Two layers, both as they stood on the day. The licence: in force (its status history), within its
term, and including the stage and the territory. The work: licensable in the repertoire — consent for
the stage in force, not deleted, and some share administered by a member society in the territory.
A recording is covered when every work it is linked to is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from nordclear.licensing.domain.licence import Licence, LicenceStatus
from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage
from nordclear.repertoire.domain.coverage import Coverage, NotLicensable


class CoverageIssue(StrEnum):
    """Why something is not covered."""

    LICENCE_NOT_ACTIVE = "licence_not_active"
    OUTSIDE_TERM = "outside_term"
    STAGE_NOT_LICENSED = "stage_not_licensed"
    TERRITORY_NOT_LICENSED = "territory_not_licensed"
    NOT_IN_REPERTOIRE = "not_in_repertoire"
    NO_CONSENT = "no_consent"
    CONSENT_REVOKED = "consent_revoked"
    NO_MANDATE = "no_mandate"
    WORK_DELETED = "work_deleted"


_ISSUE_OF_REASON = {
    NotLicensable.DELETED: CoverageIssue.WORK_DELETED,
    NotLicensable.NO_CONSENT: CoverageIssue.NO_CONSENT,
    NotLicensable.CONSENT_REVOKED: CoverageIssue.CONSENT_REVOKED,
    # Nothing is owned, so nothing can be administered: the closest issue the contract names.
    NotLicensable.NO_OWNERSHIP: CoverageIssue.NO_MANDATE,
}


@dataclass(frozen=True, slots=True)
class WorkCoverage:
    """Coverage of one work."""

    work_id: str
    issues: tuple[CoverageIssue, ...]

    @property
    def covered(self) -> bool:
        """Whether the work itself is covered."""
        return not self.issues


@dataclass(frozen=True, slots=True)
class CoverageAnswer:
    """The answer for one subject."""

    licence_issues: tuple[CoverageIssue, ...]
    works: tuple[WorkCoverage, ...]

    @property
    def covered(self) -> bool:
        """Covered: the licence is in order and the subject resolved to works that are all covered."""
        return not self.licence_issues and bool(self.works) and all(work.covered for work in self.works)


def licence_issues(
    licence: Licence, stage: AiStage, territory: Territory, day: date
) -> tuple[CoverageIssue, ...]:
    """What stops ``licence`` from covering anything for ``stage`` in ``territory`` on ``day``."""
    issues: list[CoverageIssue] = []
    scope = licence.scope
    if not scope.term_start <= day <= scope.term_end:
        issues.append(CoverageIssue.OUTSIDE_TERM)
    elif licence.status_on(day) is not LicenceStatus.ACTIVE:
        issues.append(CoverageIssue.LICENCE_NOT_ACTIVE)
    if stage not in scope.stages:
        issues.append(CoverageIssue.STAGE_NOT_LICENSED)
    if territory not in scope.territories:
        issues.append(CoverageIssue.TERRITORY_NOT_LICENSED)
    return tuple(issues)


def work_coverage(work_id: str, coverage: Coverage | None) -> WorkCoverage:
    """Whether the repertoire's answer for one work lets a licence cover it."""
    if coverage is None:
        return WorkCoverage(work_id, (CoverageIssue.NOT_IN_REPERTOIRE,))
    issues = list(dict.fromkeys(_ISSUE_OF_REASON[reason.code] for reason in coverage.reasons))
    member_administered = any(
        share.member_society for right in coverage.rights for share in right.assignments if share.share_bp > 0
    )
    if not member_administered and CoverageIssue.NO_MANDATE not in issues:
        issues.append(CoverageIssue.NO_MANDATE)
    return WorkCoverage(coverage.work_id, tuple(issues))
