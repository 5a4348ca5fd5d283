"""Coverage: is a work licensable for an AI stage in a territory on a day, and who gets each share.

``licensable_shares`` answers from the work's ownership shares, its parties' mandates in force on the
day, and the consent register as it stands for that day (BRIEF §3.4, §4 "Coverage", §5.3).

Which rights a stage uses is a data table, ``RIGHTS_BY_STAGE``:

| stage    | rights  | why                                                                             |
| -------- | ------- | ------------------------------------------------------------------------------- |
| training | MR      | Collecting music, building data sets and tokenising (the joint position's list) |
|          |         | are copies: the reproduction right, which NCB and the societies license as MR.  |
| service  | PR      | "Making AI services available to the public" is communication to the public:   |
|          |         | the performing right.                                                           |
| output   | PR, MR  | Using generated music means releasing and streaming it, which both copies it    |
|          |         | (MR) and communicates it to the public (PR), as for any online music use.       |

SR is in no stage: synchronisation is licensed directly by publishers, not collectively by the
societies, so no society could grant it under the clearing house's licence and making it a condition
would leave every work uncovered. A change of this policy is a change of the table, not of the code.

A work is licensable when it is not deleted, its rightsholders' consent for the stage is in force on the
day, and every right the stage uses has a non-zero ownership total. A share whose party has no mandate
for the right in the territory on the day does not stop the licence: it is reported as unmandated, and
settlement holds its money in suspense with the reason "no mandate" (BRIEF §5.3).

The work's parties and shares are taken as they are now; mandates and consents as of the day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from nordclear.platform.domain.societies import is_member_society_code
from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import (
    AiStage,
    ConsentEntry,
    ConsentState,
    WorkSubject,
    consent_state,
)
from nordclear.repertoire.domain.rules import mandate_in_force
from nordclear.repertoire.domain.work import InterestedParty, Mandate, Right, Work

RIGHTS_BY_STAGE: Final[Mapping[AiStage, tuple[Right, ...]]] = MappingProxyType(
    {
        AiStage.TRAINING: (Right.MECHANICAL,),
        AiStage.SERVICE: (Right.PERFORMING,),
        AiStage.OUTPUT: (Right.PERFORMING, Right.MECHANICAL),
    }
)
"""The rights each AI stage uses; see the module docstring for the reasons."""


class SuspenseReason(StrEnum):
    """Why money reaching a share cannot be paid out; settlement records it with the suspense entry."""

    NO_MANDATE = "no mandate"
    NO_CONSENT = "no consent"


class NotLicensable(StrEnum):
    """Why a work is not licensable for a stage, territory and day."""

    DELETED = "DELETED"
    NO_CONSENT = "NO_CONSENT"
    CONSENT_REVOKED = "CONSENT_REVOKED"
    NO_OWNERSHIP = "NO_OWNERSHIP"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a work is not licensable: a stable code and the details in words."""

    code: NotLicensable
    detail: str


@dataclass(frozen=True, slots=True)
class ShareAssignment:
    """One party's ownership share of a right and the society administering it (None: unmandated)."""

    party_key: str
    right: Right
    share_bp: int
    society_code: str | None
    mandate: Mandate | None

    @property
    def mandated(self) -> bool:
        """Whether a society administers this share in the territory on the day."""
        return self.society_code is not None

    @property
    def suspense_reason(self) -> SuspenseReason | None:
        """Why this share's money would go to suspense; None when it can be paid."""
        return None if self.mandated else SuspenseReason.NO_MANDATE

    @property
    def member_society(self) -> bool:
        """Whether the administering society is one of the five members (others settle via suspense)."""
        return self.society_code is not None and is_member_society_code(self.society_code)


@dataclass(frozen=True, slots=True)
class RightCoverage:
    """The shares of one right; the assignments' ``share_bp`` sum exactly to ``total_bp``."""

    right: Right
    total_bp: int
    assignments: tuple[ShareAssignment, ...]

    @property
    def unmandated_bp(self) -> int:
        """The part of the right no society administers in the territory on the day."""
        return sum(share.share_bp for share in self.assignments if not share.mandated)

    def bp_by_society(self) -> dict[str, int]:
        """The mandated bp per administering society code."""
        totals: dict[str, int] = {}
        for share in self.assignments:
            if share.society_code is not None:
                totals[share.society_code] = totals.get(share.society_code, 0) + share.share_bp
        return totals


@dataclass(frozen=True, slots=True)
class Coverage:
    """The answer for one work, stage, territory and day."""

    work_id: str
    stage: AiStage
    territory: Territory
    on: date
    licensable: bool
    reasons: tuple[Reason, ...]
    """Empty when licensable; otherwise every reason it is not."""
    consent: ConsentState
    rights: tuple[RightCoverage, ...]
    """One entry per right the stage uses, in ``RIGHTS_BY_STAGE`` order."""

    @property
    def unmandated(self) -> tuple[ShareAssignment, ...]:
        """Every share with no administering society, to be held in suspense as "no mandate"."""
        return tuple(share for right in self.rights for share in right.assignments if not share.mandated)


def licensable_shares(
    work: Work, consents: Iterable[ConsentEntry], stage: AiStage, territory: Territory, on: date
) -> Coverage:
    """Whether ``work`` is licensable for ``stage`` in ``territory`` on ``on``, and who gets each share."""
    consent = consent_state(consents, WorkSubject(work.work_id), stage, on)
    rights = tuple(_right_coverage(work, right, territory, on) for right in RIGHTS_BY_STAGE[stage])
    reasons = _reasons(work, consent, rights)
    return Coverage(
        work_id=work.work_id,
        stage=stage,
        territory=territory,
        on=on,
        licensable=not reasons,
        reasons=reasons,
        consent=consent,
        rights=rights,
    )


def _right_coverage(work: Work, right: Right, territory: Territory, on: date) -> RightCoverage:
    assignments = tuple(
        _assignment(party, right, territory, on) for party in work.parties if party.ownership_bp(right) > 0
    )
    return RightCoverage(right=right, total_bp=work.total_ownership_bp(right), assignments=assignments)


def _assignment(party: InterestedParty, right: Right, territory: Territory, on: date) -> ShareAssignment:
    mandate = mandate_in_force(party, right, territory, on)
    return ShareAssignment(
        party_key=party.party_key,
        right=right,
        share_bp=party.ownership_bp(right),
        society_code=mandate.society_code if mandate is not None else None,
        mandate=mandate,
    )


def _reasons(work: Work, consent: ConsentState, rights: tuple[RightCoverage, ...]) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    if work.deleted:
        reasons.append(Reason(NotLicensable.DELETED, f"work {work.work_id} is deleted"))
    if not consent.granted:
        code = NotLicensable.CONSENT_REVOKED if consent.revoked else NotLicensable.NO_CONSENT
        reasons.append(Reason(code, consent.reason))
    for right in rights:
        if right.total_bp == 0:
            reasons.append(
                Reason(
                    NotLicensable.NO_OWNERSHIP, f"no ownership shares of {right.right.value} are registered"
                )
            )
    return tuple(reasons)
