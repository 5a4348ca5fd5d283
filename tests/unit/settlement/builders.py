"""Builders of settlement inputs for the unit tests: licences, fees, usage lines and a fake repertoire."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage
from nordclear.repertoire.domain.work import Right
from nordclear.settlement.domain.deadlines import DEFAULT_FINANCIAL_YEARS
from nordclear.settlement.domain.fx import FxRate, FxTable
from nordclear.settlement.domain.model import (
    FeeDue,
    FeeLine,
    Licence,
    ReportKind,
    RunPolicy,
    Tariff,
    TariffComponent,
    TariffComponentKind,
    UsageLine,
    UsageUnit,
)
from nordclear.settlement.domain.royalties import Inputs, Share, SuspenseReason, WorkRights
from nordclear.settlement.domain.run import RunRequest

PERIOD_START = date(2026, 1, 1)
PERIOD_END = date(2026, 3, 31)
TERM_START = date(2026, 1, 1)
SOCIETY_CODES = ("040", "077", "079", "089", "090")


@dataclass
class FakeRepertoire:
    """Works as settlement sees them: each owner's shares per right and its society (None: no mandate)."""

    works: dict[str, tuple[tuple[str, int, str | None], ...]] = field(default_factory=dict)
    """work id -> (party key, share bp of every right, society code or None)."""
    no_consent: set[str] = field(default_factory=set)

    def add(self, work_id: str, *owners: tuple[str, int, str | None], consent: bool = True) -> None:
        self.works[work_id] = owners
        if not consent:
            self.no_consent.add(work_id)

    def __call__(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> WorkRights:
        owners = self.works.get(work_id)
        if owners is None:
            return WorkRights(work_id, False, SuspenseReason.UNKNOWN_WORK, "unknown", {})
        if work_id in self.no_consent:
            return WorkRights(work_id, False, SuspenseReason.NO_CONSENT, "no consent", {})
        shares = {
            right: tuple(Share(party, right, bp, society) for party, bp, society in owners)
            for right in (Right.PERFORMING, Right.MECHANICAL)
        }
        return WorkRights(work_id, True, None, "", shares)

    def licensable(self) -> tuple[str, ...]:
        return tuple(sorted(w for w in self.works if w not in self.no_consent))


def tariffs(currency: str = "SEK", society_code: str = "079") -> dict[tuple[str, str], Tariff]:
    kinds = {
        AiStage.SERVICE: (
            TariffComponent(TariffComponentKind.SERVICE_REVENUE_SHARE, 0, 1_000),
            TariffComponent(TariffComponentKind.SERVICE_MINIMUM, 5_000, 0),
        ),
        AiStage.OUTPUT: (
            TariffComponent(TariffComponentKind.OUTPUT_REVENUE_SHARE, 0, 2_500),
            TariffComponent(TariffComponentKind.OUTPUT_PER_USE, 10, 0),
        ),
        AiStage.TRAINING: (TariffComponent(TariffComponentKind.TRAINING_PER_WORK, 100, 0),),
    }
    return {
        (f"{society_code}-{stage.value}", "1"): Tariff(
            f"{society_code}-{stage.value}", "1", society_code, stage, currency, TERM_START, None, components
        )
        for stage, components in kinds.items()
    }


def licence(
    licence_id: str = "lic-1",
    *,
    hub: str = "079",
    currency: str = "SEK",
    admin_fee_bp: int = 500,
    presumption: bool = True,
    tariff_refs: Sequence[tuple[str, str]] = (),
) -> Licence:
    return Licence(
        licence_id=licence_id,
        licensee_id=f"acme-{licence_id}",
        hub_code=hub,
        hub_admin_fee_bp=admin_fee_bp,
        currency_code=currency,
        stages=frozenset(AiStage),
        territories=frozenset(Territory),
        term_start=TERM_START,
        term_end=None,
        presumption_applied=presumption,
        tariff_refs=tuple(tariff_refs),
    )


def training_fee(lic: Licence, amounts_by_territory: Mapping[Territory, int], fee_id: str = "") -> FeeDue:
    lines = tuple(FeeLine(lic.hub_code, t, a) for t, a in sorted(amounts_by_territory.items()))
    return FeeDue(
        fee_id=fee_id or f"{lic.licence_id}/training",
        licence_id=lic.licence_id,
        stage=AiStage.TRAINING,
        currency_code=lic.currency_code,
        amount_minor=sum(amounts_by_territory.values()),
        due_on=date(2026, 2, 1),
        presumption_applied=lic.presumption_applied,
        lines=lines,
    )


def output_line(
    lic: Licence,
    line_number: int,
    amount_minor: int,
    influences: Sequence[tuple[str, int, int]],
    territory: Territory = Territory.SE,
    report_id: str = "out-1",
) -> UsageLine:
    """``influences``: (work id, share bp, attribution confidence bp)."""
    return UsageLine(
        licence_id=lic.licence_id,
        licensee_id=lic.licensee_id,
        report_id=report_id,
        kind=ReportKind.OUTPUT_ATTRIBUTION,
        line_number=line_number,
        revision=1,
        stage=AiStage.OUTPUT,
        territory=territory,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        amount_minor=amount_minor,
        currency_code=lic.currency_code,
        output_id=f"o-{line_number}",
        units=tuple(UsageUnit(w, bp, conf, 10_000) for w, bp, conf in influences),
    )


def service_line(
    lic: Licence, line_number: int, amount_minor: int, territory: Territory = Territory.SE
) -> UsageLine:
    return UsageLine(
        licence_id=lic.licence_id,
        licensee_id=lic.licensee_id,
        report_id="svc-1",
        kind=ReportKind.SERVICE_REVENUE,
        line_number=line_number,
        revision=1,
        stage=AiStage.SERVICE,
        territory=territory,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        amount_minor=amount_minor,
        currency_code=lic.currency_code,
        output_id="",
        units=(),
    )


def manifest_line(lic: Licence, line_number: int, work_id: str) -> UsageLine:
    return UsageLine(
        licence_id=lic.licence_id,
        licensee_id=lic.licensee_id,
        report_id="manifest-1",
        kind=ReportKind.TRAINING_MANIFEST,
        line_number=line_number,
        revision=1,
        stage=AiStage.TRAINING,
        territory=None,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        amount_minor=0,
        currency_code="",
        output_id="",
        units=(UsageUnit(work_id, 10_000, 0, 10_000),),
    )


def inputs(
    licences: Sequence[Licence],
    fees: Sequence[FeeDue] = (),
    usage: Sequence[UsageLine] = (),
    repertoire: FakeRepertoire | None = None,
    tariff_table: Mapping[tuple[str, str], Tariff] | None = None,
) -> Inputs:
    from nordclear.settlement.domain.royalties import manifest_work_ids

    licensable = repertoire.licensable() if repertoire else ()
    return Inputs(
        licences={lic.licence_id: lic for lic in licences},
        tariffs=dict(tariff_table or {}),
        fees=tuple(fees),
        usage=tuple(usage),
        manifest_work_ids=manifest_work_ids(usage),
        licensable_work_ids={(t, TERM_START): licensable for t in Territory},
        policy=RunPolicy(),
    )


def request(run_id: str = "run-1", currency: str = "EUR") -> RunRequest:
    return RunRequest(run_id, PERIOD_START, PERIOD_END, currency, PERIOD_END, DEFAULT_FINANCIAL_YEARS)


RATES_TO_EUR_PPB = {
    "DKK": 7_460_000_000,
    "ISK": 150_500_000_000,
    "NOK": 11_700_000_000,
    "SEK": 11_123_400_000,
}


def fx_table(on: date = PERIOD_END) -> FxTable:
    return FxTable(on, [FxRate("EUR", code, ppb, on, "ECB") for code, ppb in RATES_TO_EUR_PPB.items()])
