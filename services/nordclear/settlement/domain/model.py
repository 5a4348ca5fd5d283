"""The inputs of a settlement run, as settlement's read models hold them: licences, tariffs, fees, usage.

These are settlement's own copies, built from licensing and matching events; they carry only what the
royalty rules need. Money is integer minor units with an ISO 4217 code; shares and confidences are basis
points (10000 bp = 100 %).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage
from nordclear.repertoire.domain.work import Right


class ReportKind(StrEnum):
    """The kinds of usage report (BRIEF §5.1)."""

    TRAINING_MANIFEST = "training_manifest"
    SERVICE_REVENUE = "service_revenue"
    OUTPUT_ATTRIBUTION = "output_attribution"


class TariffComponentKind(StrEnum):
    """What a tariff component charges for."""

    TRAINING_FIXED = "training_fixed"
    TRAINING_PER_WORK = "training_per_work"
    SERVICE_REVENUE_SHARE = "service_revenue_share"
    SERVICE_MINIMUM = "service_minimum"
    OUTPUT_PER_USE = "output_per_use"
    OUTPUT_REVENUE_SHARE = "output_revenue_share"


@dataclass(frozen=True, slots=True)
class TariffComponent:
    """One priced component: an amount (fixed, minimum, per use) or a rate of revenue."""

    kind: TariffComponentKind
    amount_minor: int
    rate_bp: int


@dataclass(frozen=True, slots=True)
class Tariff:
    """One published tariff version (never changes once published)."""

    tariff_id: str
    version: str
    society_code: str
    stage: AiStage
    currency_code: str
    valid_from: date
    valid_until: date | None
    components: tuple[TariffComponent, ...]

    def component(self, kind: TariffComponentKind) -> TariffComponent | None:
        """The component of ``kind``, if the tariff has one."""
        return next((c for c in self.components if c.kind is kind), None)


@dataclass(frozen=True, slots=True)
class Licence:
    """A licence as settlement needs it (from LicenceIssued)."""

    licence_id: str
    licensee_id: str
    hub_code: str
    """CISAC code of the hub society, which collects."""
    hub_admin_fee_bp: int
    currency_code: str
    stages: frozenset[AiStage]
    territories: frozenset[Territory]
    term_start: date
    term_end: date | None
    presumption_applied: bool
    tariff_refs: tuple[tuple[str, str], ...]
    """(tariff_id, version) of every tariff version the licence was priced with."""


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One society's part of a fee, for one territory."""

    society_code: str
    territory: Territory
    amount_minor: int


@dataclass(frozen=True, slots=True)
class FeeDue:
    """A fee due from a licensee to its hub (at issue: the training fee)."""

    fee_id: str
    licence_id: str
    stage: AiStage
    currency_code: str
    amount_minor: int
    due_on: date
    presumption_applied: bool
    lines: tuple[FeeLine, ...]


@dataclass(frozen=True, slots=True)
class UsageUnit:
    """One match unit of a line: a work (or nothing yet) and its share of the line."""

    work_id: str
    """Empty when not (yet) matched."""
    share_bp: int
    attribution_confidence_bp: int
    match_confidence_bp: int


@dataclass(frozen=True, slots=True)
class UsageLine:
    """One matched report line, at its highest revision."""

    licence_id: str
    licensee_id: str
    report_id: str
    kind: ReportKind
    line_number: int
    revision: int
    stage: AiStage
    territory: Territory | None
    period_start: date
    period_end: date
    amount_minor: int
    currency_code: str
    """Empty for lines without an amount (training manifest lines)."""
    output_id: str
    units: tuple[UsageUnit, ...]


RIGHT_SPLIT_BP: Mapping[AiStage, tuple[tuple[Right, int], ...]] = {
    AiStage.TRAINING: ((Right.MECHANICAL, 10_000),),
    AiStage.SERVICE: ((Right.PERFORMING, 10_000),),
    AiStage.OUTPUT: ((Right.PERFORMING, 5_000), (Right.MECHANICAL, 5_000)),
}
"""How a work's money for a stage divides between the rights the stage uses (repertoire's coverage.py
``RIGHTS_BY_STAGE``). Output is used both by communication to the public (streaming: PR) and by copying
(releases, downloads: MR); the Nordic societies share online music income about evenly between the two,
so output money divides 50/50. A change of policy is a change of this table."""


@dataclass(frozen=True, slots=True)
class RunPolicy:
    """Rules of a run that are data, not code."""

    attribution_confidence_threshold_bp: int = 7_000
    """Attribution lines whose provider confidence is below this fall back to the training split."""
    match_confidence_threshold_bp: int = 0
    """Units matched with less confidence than this fall back too (matching withholds units in review)."""
