"""What the licensed repertoire holds: training work counts for quotes, society shares for licences.

Both come from one pass over the works licensable for each stage and territory on the first day of the
term, as the repertoire stood then (the rights read model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from nordclear.licensing.domain.licence import LicensedSociety
from nordclear.licensing.domain.rights import RightsView
from nordclear.platform.domain.money import allocate
from nordclear.platform.domain.societies import MEMBER_SOCIETIES, is_member_society_code
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import FailedPrecondition
from nordclear.repertoire.domain.consent import AiStage


@dataclass(slots=True)
class RepertoireFigures:
    """Counts over the licensable repertoire of a scope."""

    training_by_territory: dict[Territory, int] = field(default_factory=dict)
    training_works: set[str] = field(default_factory=set)
    works: set[str] = field(default_factory=set)
    bp_by_society: dict[str, int] = field(default_factory=dict)
    works_by_society: dict[str, set[str]] = field(default_factory=dict)

    def licensed_societies(self) -> tuple[LicensedSociety, ...]:
        """The member societies whose repertoire is licensed, with shares summing to exactly 10000 bp."""
        members = [s for s in MEMBER_SOCIETIES if self.bp_by_society.get(s.cisac_code, 0) > 0]
        if not members:
            return ()
        shares = allocate(10_000, [self.bp_by_society[s.cisac_code] for s in members])
        return tuple(
            LicensedSociety(
                society=society,
                repertoire_share_bp=share,
                licensable_work_count=len(self.works_by_society.get(society.cisac_code, set())),
            )
            for society, share in zip(members, shares, strict=True)
        )


async def repertoire_figures(
    rights: RightsView, stages: Sequence[AiStage], territories: Sequence[Territory], day: date
) -> RepertoireFigures:
    """One pass over the licensable works of every stage and territory of a scope."""
    figures = RepertoireFigures()
    if AiStage.TRAINING in stages:
        figures.training_by_territory.update(dict.fromkeys(territories, 0))
    async for coverage in rights.licensable_in(stages, territories, day):
        figures.works.add(coverage.work_id)
        if coverage.stage is AiStage.TRAINING:
            figures.training_works.add(coverage.work_id)
            figures.training_by_territory[coverage.territory] += 1
        for right in coverage.rights:
            for code, share_bp in right.bp_by_society().items():
                if not is_member_society_code(code):
                    continue
                figures.bp_by_society[code] = figures.bp_by_society.get(code, 0) + share_bp
                figures.works_by_society.setdefault(code, set()).add(coverage.work_id)
    return figures


def require_licensable(
    figures: RepertoireFigures, stages: Sequence[AiStage], territories: Sequence[Territory], day: date
) -> None:
    """FailedPrecondition when nothing at all would be licensed."""
    if not figures.licensed_societies():
        raise FailedPrecondition(
            "nothing is licensable: no work has consent for "
            + ", ".join(stage.value for stage in stages)
            + " in "
            + ", ".join(territory.value for territory in territories)
            + f" on {day} with a share administered by a member society; nothing was stored"
        )
