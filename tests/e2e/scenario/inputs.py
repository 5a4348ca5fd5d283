"""What happens in the scenario, as plain data: repertoire, consents, licences, reports, rates and dates.

Five societies bring repertoire: real CWR files (those that import) and a generated Nordic catalogue in
which most works have an opt-in for every stage and a few have none. Three AI companies are licensed:

- ``skald-ai`` through STIM, all five territories, no manifest (the presumption rule), every stage;
- ``fjord-ai`` through Koda, Denmark and Norway, a full training manifest, training and service;
- ``saga-ai`` through Teosto, Finland, Iceland and Sweden, output only.

They report a training manifest, service revenue and output attribution; one period is settled in EUR.
Every figure below is chosen to reach a rule: revenue under a service minimum, attribution below the
confidence threshold, influences on works without consent and on a CWR work nobody opted in, foreign
co-writers whose societies are not members, an output-only licence with no training set to fall back to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from nordclear.repertoire.catalogue.generator import GeneratedParty, iter_works

CWR_FIXTURES: Final = Path(__file__).resolve().parents[2] / "fixtures" / "cwr"
CATALOGUE_SEED: Final = 8
CATALOGUE_SIZE: Final = 24
UNCONSENTED: Final = frozenset({20, 21, 22, 23})
"""Catalogue indexes whose rightsholders gave no AI consent."""

MEMBER_CODES: Final = {"040": "KODA", "077": "STEF", "079": "STIM", "089": "TEOSTO", "090": "TONO"}
SOCIETY_CURRENCY: Final = {"KODA": "DKK", "STEF": "ISK", "STIM": "SEK", "TEOSTO": "EUR", "TONO": "NOK"}
TERRITORY_SOCIETY: Final = {"DK": "KODA", "IS": "STEF", "SE": "STIM", "FI": "TEOSTO", "NO": "TONO"}
NORDIC_TIS: Final = 2127

CWR_IMPORTS: Final = (
    ("KODA", "CW220001DMP_000.V21"),
    ("STEF", "nwrexample2.V21"),
    ("TEOSTO", "revexample.V21"),
    ("TONO", "demo_cwr_cleaned.v22"),
)
"""Which society imports which real CWR file (STIM brings only its generated catalogue)."""
CWR_WORK_ISWC: Final = "T1234567894"
"""MUSIC PUB CARTOONS, imported from Koda's CWR file; nobody opted it in."""

SETTLEMENT_CURRENCY: Final = "EUR"
SETTLEMENT_FX_PER_EUR: Final = {"DKK": "7.4590", "ISK": "146.30", "NOK": "11.6820", "SEK": "11.2040"}
"""The period's reference rates loaded into settlement (units per euro), deliberately not the rates
licensing quotes with, so the test sees which rates each step uses."""
FX_SOURCE: Final = "Scenario reference rates (ECB form)"


@dataclass(frozen=True, slots=True)
class Party:
    """One interested party of a catalogue work as registered: shares and mandates per right."""

    party_key: str
    name: str
    first_name: str
    ipi_name_number: str
    role: str
    """CWR designation: CA, C, A, AR (writers) or E (original publisher)."""
    shares_bp: dict[str, int]
    """Ownership per right, "PR" and "MR" (only non-zero shares)."""
    mandates: dict[str, str]
    """CISAC code of the society administering each right in the Nordic countries."""


@dataclass(frozen=True, slots=True)
class CatalogueWork:
    """A generated work as its society registers it."""

    index: int
    iswc: str
    title: str
    society: str
    parties: tuple[Party, ...]
    consented: bool


@dataclass(frozen=True, slots=True)
class LicencePlan:
    """One AI company's application."""

    licensee_id: str
    legal_name: str
    country_code: str
    hub: str
    model_name: str
    stages: tuple[str, ...]
    territories: tuple[str, ...]
    full_manifest: bool
    declared_item_count: int
    expected_revenue_minor: int
    expected_output_count: int


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """Revenue of the service in one territory for the report's period."""

    territory: str
    currency: str
    revenue_minor: int
    active_users: int


@dataclass(frozen=True, slots=True)
class Influence:
    """One attribution line of an output: a work by ISWC, its share and the provider's confidence."""

    iswc: str
    share_bp: int
    confidence_bp: int


@dataclass(frozen=True, slots=True)
class Output:
    """One commercially used output."""

    output_id: str
    territory: str
    currency: str
    revenue_minor: int
    influences: tuple[Influence, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """A usage report: exactly one of the three kinds of lines is filled."""

    report_id: str
    licensee_id: str
    kind: str
    """training_manifest, service_revenue or output_attribution."""
    manifest_iswcs: tuple[str, ...] = ()
    service_lines: tuple[ServiceLine, ...] = ()
    outputs: tuple[Output, ...] = ()


@dataclass(frozen=True, slots=True)
class Dates:
    """Every date of the scenario, relative to today (licensing prices from the term's first day)."""

    today: date
    consent_from: date = field(init=False)
    term_start: date = field(init=False)
    term_end: date = field(init=False)
    usage_start: date = field(init=False)
    usage_end: date = field(init=False)
    settle_start: date = field(init=False)
    settle_end: date = field(init=False)
    fx_rate_date: date = field(init=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "consent_from", self.today - timedelta(days=120))
        set_(self, "term_start", self.today - timedelta(days=90))
        set_(self, "term_end", self.today + timedelta(days=270))
        set_(self, "usage_start", self.today - timedelta(days=60))
        set_(self, "usage_end", self.today - timedelta(days=31))
        # The fees due at issue fall due 30 days after issue (today): the period reaches past them.
        set_(self, "settle_start", self.today - timedelta(days=90))
        set_(self, "settle_end", self.today + timedelta(days=60))
        set_(self, "fx_rate_date", self.today - timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything that happens, in order."""

    dates: Dates
    works: tuple[CatalogueWork, ...]
    licences: tuple[LicencePlan, ...]
    reports: tuple[Report, ...]

    def work(self, index: int) -> CatalogueWork:
        """The catalogue work with ``index``."""
        return self.works[index]

    def licence(self, licensee_id: str) -> LicencePlan:
        """The plan of ``licensee_id``."""
        return next(plan for plan in self.licences if plan.licensee_id == licensee_id)


def _party(generated: GeneratedParty, key: str) -> Party:
    shares = {right: bp for right, bp in (("PR", generated.pr_share_bp), ("MR", generated.mr_share_bp)) if bp}
    # The generator affiliates Nordic writers' mechanical rights to NCB, which is no party to this
    # clearing house; the member society collects them here on its members' behalf. Foreign writers
    # keep their own societies, whose money settlement must hold in suspense.
    pr = generated.pr_society_code
    mr = pr if pr in MEMBER_CODES else generated.mr_society_code
    return Party(
        party_key=key,
        name=generated.last_name,
        first_name=generated.first_name,
        ipi_name_number=generated.ipi_name_number,
        role=generated.role,
        shares_bp=shares,
        mandates={"PR": pr, "MR": mr},
    )


def catalogue() -> tuple[CatalogueWork, ...]:
    """The generated Nordic catalogue, each work registered by its own society."""
    works = []
    for generated in iter_works(CATALOGUE_SEED, CATALOGUE_SIZE):
        writers = [_party(p, f"W{i + 1}") for i, p in enumerate(generated.writers)]
        publishers = [_party(p, f"X{i + 1}") for i, p in enumerate(generated.publishers)]
        works.append(
            CatalogueWork(
                index=generated.index,
                iswc=generated.iswc,
                title=generated.title[:60],
                society=MEMBER_CODES[generated.society_code],
                parties=(*writers, *publishers),
                consented=generated.index not in UNCONSENTED,
            )
        )
    return tuple(works)


LICENCES: Final = (
    LicencePlan(
        licensee_id="skald-ai",
        legal_name="Skald AI AB",
        country_code="SE",
        hub="STIM",
        model_name="Skald",
        stages=("training", "service", "output"),
        territories=("DK", "FI", "IS", "NO", "SE"),
        full_manifest=False,
        declared_item_count=0,
        expected_revenue_minor=100_000_000,
        expected_output_count=50_000,
    ),
    LicencePlan(
        licensee_id="fjord-ai",
        legal_name="Fjord Intelligence ApS",
        country_code="DK",
        hub="KODA",
        model_name="Fjord",
        stages=("training", "service"),
        territories=("DK", "NO"),
        full_manifest=True,
        declared_item_count=8,
        expected_revenue_minor=20_000_000,
        expected_output_count=0,
    ),
    LicencePlan(
        licensee_id="saga-ai",
        legal_name="Saga Outputs Oy",
        country_code="FI",
        hub="TEOSTO",
        model_name="Saga",
        stages=("output",),
        territories=("FI", "IS", "SE"),
        full_manifest=False,
        declared_item_count=0,
        expected_revenue_minor=5_000_000,
        expected_output_count=20_000,
    ),
)


def _reports(works: tuple[CatalogueWork, ...]) -> tuple[Report, ...]:
    iswc = {work.index: work.iswc for work in works}
    skald_outputs = (
        Output(
            "sk-1",
            "SE",
            "SEK",
            1_250_000,
            (Influence(iswc[5], 6_000, 9_500), Influence(iswc[8], 3_000, 8_000)),
        ),
        Output("sk-2", "DK", "DKK", 433_301, (Influence(iswc[19], 10_000, 9_900),)),
        Output(
            "sk-3",
            "NO",
            "NOK",
            977_777,
            (Influence(iswc[0], 5_000, 9_000), Influence(iswc[17], 2_500, 6_500)),
        ),
        Output(
            "sk-4",
            "FI",
            "EUR",
            120_001,
            (Influence(iswc[1], 3_333, 7_000), Influence(iswc[10], 3_333, 9_999)),
        ),
        Output(
            "sk-5",
            "IS",
            "ISK",
            1_500_003,
            (Influence(iswc[7], 7_000, 8_800), Influence(iswc[9], 2_000, 7_100)),
        ),
        Output(
            "sk-6", "SE", "EUR", 99_999, (Influence(iswc[21], 5_000, 9_000), Influence(iswc[3], 5_000, 9_000))
        ),
        Output("sk-7", "SE", "SEK", 0, (Influence(iswc[14], 10_000, 9_000),)),
        Output(
            "sk-8",
            "DK",
            "DKK",
            5_555,
            (Influence(CWR_WORK_ISWC, 4_000, 9_000), Influence(iswc[12], 1_000, 9_000)),
        ),
        Output("sk-9", "NO", "NOK", 31_337, (Influence(iswc[15], 2_000, 3_000),)),
    )
    saga_outputs = (
        Output("sg-1", "FI", "EUR", 45_678, (Influence(iswc[11], 10_000, 9_800),)),
        Output(
            "sg-2",
            "IS",
            "ISK",
            765_432,
            (Influence(iswc[7], 4_000, 9_000), Influence(iswc[18], 4_000, 6_000)),
        ),
        Output(
            "sg-3",
            "SE",
            "SEK",
            2_222_222,
            (Influence(iswc[13], 5_000, 9_000), Influence(iswc[6], 5_000, 9_000)),
        ),
        Output(
            "sg-4", "FI", "EUR", 10_001, (Influence(iswc[2], 2_500, 9_000), Influence(iswc[16], 2_500, 9_000))
        ),
        Output(
            "sg-5", "SE", "NOK", 87_654, (Influence(iswc[22], 6_000, 9_500), Influence(iswc[4], 4_000, 9_500))
        ),
    )
    fjord_manifest = (
        iswc[0],
        iswc[4],
        iswc[6],
        iswc[9],
        iswc[15],
        iswc[19],
        iswc[23],
        CWR_WORK_ISWC,
    )
    return (
        Report("fjord-manifest", "fjord-ai", "training_manifest", manifest_iswcs=fjord_manifest),
        Report(
            "skald-service",
            "skald-ai",
            "service_revenue",
            service_lines=(
                ServiceLine("DK", "DKK", 12_345_678, 4_100),
                ServiceLine("FI", "EUR", 987_654, 2_900),
                ServiceLine("IS", "ISK", 1_234_567, 310),
                ServiceLine("NO", "NOK", 8_765_432, 3_800),
                ServiceLine("SE", "SEK", 23_456_789, 9_700),
            ),
        ),
        Report(
            "fjord-service",
            "fjord-ai",
            "service_revenue",
            service_lines=(
                # Denmark under Koda's minimum, Norway over Tono's.
                ServiceLine("DK", "DKK", 500_000, 120),
                ServiceLine("NO", "NOK", 40_000_003, 5_200),
            ),
        ),
        Report("skald-output", "skald-ai", "output_attribution", outputs=skald_outputs),
        Report("saga-output", "saga-ai", "output_attribution", outputs=saga_outputs),
    )


def large_output_report(report_id: str, works: tuple[CatalogueWork, ...], line_count: int) -> Report:
    """A long output attribution report (for the fault tests), deterministic, over the consented works."""
    consented = [work.iswc for work in works if work.consented]
    territories = ("FI", "IS", "SE")
    currencies = {"FI": "EUR", "IS": "ISK", "SE": "SEK"}
    outputs = []
    for number in range(line_count):
        territory = territories[number % 3]
        first = consented[number % len(consented)]
        second = consented[(number * 7 + 3) % len(consented)]
        outputs.append(
            Output(
                f"bulk-{number}",
                territory,
                currencies[territory],
                1_000 + (number * 7919) % 250_000,
                (
                    Influence(first, 4_000 + number % 3_000, 9_000),
                    Influence(second, 2_000, 5_000 + number % 4_000),
                ),
            )
        )
    return Report(report_id, "saga-ai", "output_attribution", outputs=tuple(outputs))


def build(today: date) -> Scenario:
    """The scenario as of ``today``."""
    works = catalogue()
    return Scenario(Dates(today), works, LICENCES, _reports(works))
