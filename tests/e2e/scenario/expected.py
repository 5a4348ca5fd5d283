"""What every society must be paid, computed from the scenario's inputs alone (BRIEF §4, §5.3, §5.4).

Written from the published rules and the data files (the tariff file, the reference rates), not from
the services: nothing here imports settlement, licensing or matching code, and the splitting and
rounding rules are implemented again, from their statements:

- every split is largest remainder: floors first, leftover units to the largest remainders, ties to the
  earliest part; every conversion and every rate of revenue rounds once, half to even;
- the fee at issue is the training tariff of each territory's society (fixed + per work x the works
  declared, or every licensable work under the presumption rule), each component converted into the
  hub's currency at licensing's published rates;
- settlement's pots: one per fee line (territory), and one per report and territory; a pot's gross is
  divided over works (training: equally over the training set; service: by the licence's confident
  attribution, else the training split; output: by each output's confident influences, the rest by the
  training split), the hub's admin fee taken once per pot, the rest split over works by weight, each
  work's part over the rights its stage uses (training MR; service PR; output PR/MR 50/50) and over the
  owners' shares; a share goes to the member society administering it, anything else to suspense;
- obligations: what a hub owes each other society per currency, converted once at the period's rates;
  net positions: receivable minus payable per society.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Final

from tests.e2e.scenario.inputs import (
    MEMBER_CODES,
    SOCIETY_CURRENCY,
    TERRITORY_SOCIETY,
    CatalogueWork,
    LicencePlan,
    Report,
    Scenario,
)

TARIFF_FILE: Final = (
    Path(__file__).resolve().parents[3]
    / "services"
    / "nordclear"
    / "licensing"
    / "data"
    / "demo_tariffs.json"
)
FULL_BP: Final = 10_000
ATTRIBUTION_CONFIDENCE_THRESHOLD_BP: Final = 7_000
"""Settlement's documented policy: influences below this confidence fall back to the training split."""
PAYMENT_TERMS: Final = timedelta(days=30)
RIGHTS_BY_STAGE: Final = {
    "training": (("MR", FULL_BP),),
    "service": (("PR", FULL_BP),),
    "output": (("PR", 5_000), ("MR", 5_000)),
}
MINOR_DIGITS: Final = {"DKK": 2, "EUR": 2, "ISK": 0, "NOK": 2, "SEK": 2}


# Arithmetic ---------------------------------------------------------------------------------------


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split by ``weights``: floors, then one unit each to the largest remainders (ties: first)."""
    weight_total = sum(weights)
    if total == 0 or weight_total == 0:
        return [0] * len(weights)
    floors = [total * w // weight_total for w in weights]
    remainders = [total * w % weight_total for w in weights]
    left = total - sum(floors)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[index] += 1
    return floors


def half_even(value: Fraction) -> int:
    """``value`` rounded to an integer, ties to even (Python's round on a Fraction does exactly that)."""
    return round(value)


def rate_of_revenue(revenue_minor: int, rate_bp: int) -> int:
    """``rate_bp`` of a revenue, rounded once half to even; nothing of nothing."""
    if revenue_minor <= 0 or rate_bp <= 0:
        return 0
    return half_even(Fraction(revenue_minor * rate_bp, FULL_BP))


@dataclass(frozen=True, slots=True)
class Rates:
    """Reference rates as units of each currency per euro."""

    per_eur: Mapping[str, Fraction]

    def rate(self, source: str, target: str) -> Fraction:
        """Units of ``target`` per unit of ``source``, through the euro."""
        per = {"EUR": Fraction(1), **self.per_eur}
        return per[target] / per[source]

    def convert(self, amount_minor: int, source: str, target: str) -> int:
        """``amount_minor`` of ``source`` in minor units of ``target``, rounded once half to even."""
        if source == target:
            return amount_minor
        exact = (
            Fraction(amount_minor)
            * self.rate(source, target)
            * 10 ** MINOR_DIGITS[target]
            / 10 ** MINOR_DIGITS[source]
        )
        return half_even(exact)


def rates_from_text(per_eur: Mapping[str, str]) -> Rates:
    """Rates from decimal text such as ``"7.4600"``."""
    return Rates({code: Fraction(text) for code, text in per_eur.items()})


# Data files ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TariffData:
    """The shipped tariff file: tariffs by (society, stage), admin fees, licensing's rates."""

    components: Mapping[tuple[str, str], Mapping[str, int]]
    """Per (society, stage): component kind -> amount_minor or rate_bp."""
    currency: Mapping[tuple[str, str], str]
    admin_fee_bp: Mapping[str, int]
    licensing_rates: Rates


def load_tariffs(path: Path = TARIFF_FILE) -> TariffData:
    """Read the tariff data file (tariffs are data, BRIEF §4)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    components: dict[tuple[str, str], dict[str, int]] = {}
    currency: dict[tuple[str, str], str] = {}
    for tariff in data["tariffs"]:
        key = (tariff["society"], tariff["stage"])
        components[key] = {
            c["kind"]: int(c["amount_minor"] if c.get("amount_minor") is not None else c["rate_bp"])
            for c in tariff["components"]
        }
        currency[key] = tariff["currency"]
    return TariffData(
        components=components,
        currency=currency,
        admin_fee_bp={k: int(v) for k, v in data["hub_admin_fee_bp"].items()},
        licensing_rates=rates_from_text(data["fx_rates"]["rates"]),
    )


# Rights -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Payee:
    """One owner's share of a right and the society code administering it."""

    party_key: str
    share_bp: int
    society_code: str


@dataclass(frozen=True, slots=True)
class WorkRights:
    """Who is paid for a work (mandates cover all Nordic countries, consents every stage, from the start)."""

    work_id: str
    consented: bool
    payees: Mapping[str, tuple[Payee, ...]]
    """Per right ("PR", "MR"): owners with a non-zero share, in registration order."""


def rights_of(work: CatalogueWork, work_id: str) -> WorkRights:
    """The rights of a catalogue work as its society registered them."""
    payees = {
        right: tuple(
            Payee(p.party_key, p.shares_bp[right], p.mandates[right])
            for p in work.parties
            if p.shares_bp.get(right)
        )
        for right in ("PR", "MR")
    }
    return WorkRights(work_id, work.consented, payees)


# The settlement -----------------------------------------------------------------------------------


StatementKey = tuple[str, str, str, str, str, str, str, str]
"""(society, licensee id, report id or "", work id, party key, right, stage, territory); licensee ids
stand for their licences, whose ids the service assigns (each licensee holds one)."""
SuspenseKey = tuple[str, str, str, str, str, str, str]
"""(licensee id, work id or "", party key or "", right or "", stage, territory, reason)."""


@dataclass
class Expected:
    """The outcome every society must see."""

    fees_at_issue: dict[str, int] = field(default_factory=dict)
    """Per licensee: the training fee due at issue, in the hub's currency."""
    statement: dict[StatementKey, tuple[str, int]] = field(default_factory=dict)
    """Per statement line: (currency of collection, amount_minor)."""
    suspense: dict[SuspenseKey, tuple[str, int]] = field(default_factory=dict)
    collected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    distributed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    admin_fees: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    suspended: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    obligations: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    """(debtor, creditor, currency) -> amount_minor, between different societies."""
    obligations_settlement: dict[tuple[str, str, str], int] = field(default_factory=dict)
    earned_settlement: dict[tuple[str, str, str], int] = field(default_factory=dict)
    """(society, hub, currency) -> what the society earned from that hub in that currency, converted."""
    net_positions: dict[str, int] = field(default_factory=dict)
    """Society name -> net position in settlement minor units."""


@dataclass
class _Pot:
    licence: LicencePlan
    report_id: str
    stage: str
    territory: str
    weights: dict[str, int] = field(default_factory=dict)
    to_training_split: int = 0

    def add(self, work_id: str, amount: int) -> None:
        self.weights[work_id] = self.weights.get(work_id, 0) + amount

    @property
    def gross(self) -> int:
        return sum(self.weights.values()) + self.to_training_split


class Calculator:
    """Computes ``Expected`` for a scenario, given the work ids the repertoire assigned."""

    def __init__(
        self,
        scenario: Scenario,
        work_ids: Mapping[str, str],
        tariffs: TariffData,
        settlement_rates: Rates,
        settlement_currency: str,
    ) -> None:
        self.scenario = scenario
        self.work_ids = work_ids
        """ISWC -> work id, for every work a report names."""
        self.tariffs = tariffs
        self.fx = settlement_rates
        self.settlement_currency = settlement_currency
        self.rights: dict[str, WorkRights] = {
            work_ids[work.iswc]: rights_of(work, work_ids[work.iswc]) for work in scenario.works
        }

    def work_rights(self, work_id: str) -> WorkRights:
        """The rights of any work a report names (CWR works have no consent: unpayable)."""
        return self.rights.get(work_id) or WorkRights(work_id, False, {})

    # Licensing ------------------------------------------------------------------------------------

    def licensable_for_training(self) -> tuple[str, ...]:
        """Every consented work, sorted by id: the presumption rule's training set."""
        return tuple(sorted(work_id for work_id, rights in self.rights.items() if rights.consented))

    def fee_lines_at_issue(self, plan: LicencePlan) -> dict[str, int]:
        """Per territory, the fee due at issue in the hub's currency (empty without training)."""
        if "training" not in plan.stages:
            return {}
        hub_currency = SOCIETY_CURRENCY[plan.hub]
        works = plan.declared_item_count if plan.full_manifest else len(self.licensable_for_training())
        lines = {}
        for territory in plan.territories:
            society = TERRITORY_SOCIETY[territory]
            components = self.tariffs.components[(society, "training")]
            currency = self.tariffs.currency[(society, "training")]
            to_hub = self.tariffs.licensing_rates.convert
            lines[territory] = to_hub(components["training_fixed"], currency, hub_currency) + to_hub(
                components["training_per_work"] * works, currency, hub_currency
            )
        return lines

    # Settlement -----------------------------------------------------------------------------------

    def training_set(self, plan: LicencePlan, manifest_work_ids: Sequence[str]) -> tuple[str, ...]:
        if "training" in plan.stages and not plan.full_manifest:
            return self.licensable_for_training()
        if not plan.full_manifest:
            return ()
        return tuple(sorted(w for w in set(manifest_work_ids) if self.work_rights(w).consented))

    def compute(self) -> Expected:
        """The whole expectation."""
        expected = Expected()
        manifests: dict[str, list[str]] = defaultdict(list)
        for report in self.scenario.reports:
            if report.kind == "training_manifest":
                manifests[report.licensee_id].extend(self.work_ids[iswc] for iswc in report.manifest_iswcs)
        attribution: dict[str, dict[str, int]] = defaultdict(dict)
        for report in self.scenario.reports:
            for output in report.outputs:
                for influence in output.influences:
                    if influence.confidence_bp >= ATTRIBUTION_CONFIDENCE_THRESHOLD_BP:
                        weights = attribution[report.licensee_id]
                        work_id = self.work_ids[influence.iswc]
                        weights[work_id] = weights.get(work_id, 0) + influence.share_bp
        pots: list[_Pot] = []
        for plan in self.scenario.licences:
            lines = self.fee_lines_at_issue(plan)
            expected.fees_at_issue[plan.licensee_id] = sum(lines.values())
            for territory, amount in lines.items():
                pot = _Pot(plan, "", "training", territory, to_training_split=amount)
                pots.append(pot)
        for report in self.scenario.reports:
            plan = self.scenario.licence(report.licensee_id)
            if report.kind == "service_revenue":
                pots.extend(self._service_pots(plan, report, attribution.get(plan.licensee_id, {})))
            elif report.kind == "output_attribution":
                pots.extend(self._output_pots(plan, report))
        for pot in pots:
            self._distribute(
                pot, self.training_set(pot.licence, manifests.get(pot.licence.licensee_id, [])), expected
            )
        self._net(expected)
        return expected

    def _service_pots(self, plan: LicencePlan, report: Report, attribution: Mapping[str, int]) -> list[_Pot]:
        currency = SOCIETY_CURRENCY[plan.hub]
        pots = []
        for line in report.service_lines:
            society = TERRITORY_SOCIETY[line.territory]
            components = self.tariffs.components[(society, "service")]
            tariff_currency = self.tariffs.currency[(society, "service")]
            revenue = self.fx.convert(line.revenue_minor, line.currency, currency)
            fee = rate_of_revenue(revenue, components["service_revenue_share"])
            fee = max(fee, self.fx.convert(components["service_minimum"], tariff_currency, currency))
            pot = _Pot(plan, report.report_id, "service", line.territory)
            if attribution and sum(attribution.values()) > 0:
                works = sorted(attribution)
                for work_id, part in zip(
                    works, largest_remainder(fee, [attribution[w] for w in works]), strict=True
                ):
                    pot.add(work_id, part)
            else:
                pot.to_training_split += fee
            pots.append(pot)
        return pots

    def _output_pots(self, plan: LicencePlan, report: Report) -> list[_Pot]:
        currency = SOCIETY_CURRENCY[plan.hub]
        pots: dict[str, _Pot] = {}
        for output in report.outputs:
            society = TERRITORY_SOCIETY[output.territory]
            components = self.tariffs.components[(society, "output")]
            per_use = self.fx.convert(
                components["output_per_use"], self.tariffs.currency[(society, "output")], currency
            )
            revenue = self.fx.convert(output.revenue_minor, output.currency, currency)
            fee = rate_of_revenue(revenue, components["output_revenue_share"]) + per_use
            pot = pots.setdefault(output.territory, _Pot(plan, report.report_id, "output", output.territory))
            confident = [
                (self.work_ids[i.iswc], i.share_bp)
                for i in output.influences
                if i.confidence_bp >= ATTRIBUTION_CONFIDENCE_THRESHOLD_BP
            ]
            fallback_bp = max(0, FULL_BP - sum(share for _, share in confident))
            parts = largest_remainder(fee, [share for _, share in confident] + [fallback_bp])
            for (work_id, _), part in zip(confident, parts, strict=False):
                pot.add(work_id, part)
            pot.to_training_split += parts[-1]
        return list(pots.values())

    def _distribute(self, pot: _Pot, training_set: tuple[str, ...], expected: Expected) -> None:
        plan = pot.licence
        currency = SOCIETY_CURRENCY[plan.hub]
        unassigned = 0
        if pot.to_training_split:
            if training_set:
                for work_id, part in zip(
                    training_set,
                    largest_remainder(pot.to_training_split, [1] * len(training_set)),
                    strict=True,
                ):
                    pot.add(work_id, part)
            else:
                unassigned = pot.to_training_split
            pot.to_training_split = 0
        gross = sum(pot.weights.values()) + unassigned
        fee_bp = self.tariffs.admin_fee_bp[plan.hub]
        admin_fee, net = largest_remainder(gross, [fee_bp, FULL_BP - fee_bp])
        expected.collected[currency] += gross
        expected.admin_fees[currency] += admin_fee
        works = sorted(pot.weights)
        parts = largest_remainder(net, [pot.weights[w] for w in works] + [unassigned])
        if parts[-1]:
            self._hold(
                expected,
                (plan.licensee_id, "", "", "", pot.stage, pot.territory, "UNKNOWN_WORK"),
                currency,
                parts[-1],
            )
        for work_id, amount in zip(works, parts, strict=False):
            if amount:
                self._to_shares(pot, work_id, amount, expected)

    def _to_shares(self, pot: _Pot, work_id: str, amount: int, expected: Expected) -> None:
        plan = pot.licence
        currency = SOCIETY_CURRENCY[plan.hub]
        rights = self.work_rights(work_id)
        base = (plan.licensee_id, work_id)
        if not rights.consented:
            self._hold(expected, (*base, "", "", pot.stage, pot.territory, "NO_CONSENT"), currency, amount)
            return
        split = RIGHTS_BY_STAGE[pot.stage]
        for (right, _), right_amount in zip(
            split, largest_remainder(amount, [bp for _, bp in split]), strict=True
        ):
            payees = rights.payees.get(right, ())
            if not right_amount:
                continue
            if not payees:
                self._hold(
                    expected,
                    (*base, "", right, pot.stage, pot.territory, "NO_MANDATE"),
                    currency,
                    right_amount,
                )
                continue
            for payee, share in zip(
                payees, largest_remainder(right_amount, [p.share_bp for p in payees]), strict=True
            ):
                if not share:
                    continue
                society = MEMBER_CODES.get(payee.society_code)
                if society is None:
                    key = (*base, payee.party_key, right, pot.stage, pot.territory, "NON_MEMBER_SOCIETY")
                    self._hold(expected, key, currency, share)
                    continue
                line = (
                    society,
                    plan.licensee_id,
                    pot.report_id,
                    work_id,
                    payee.party_key,
                    right,
                    pot.stage,
                    pot.territory,
                )
                previous = expected.statement.get(line, (currency, 0))[1]
                expected.statement[line] = (currency, previous + share)
                expected.distributed[currency] += share
                if society != plan.hub:
                    expected.obligations[(plan.hub, society, currency)] += share

    @staticmethod
    def _hold(expected: Expected, key: SuspenseKey, currency: str, amount: int) -> None:
        previous = expected.suspense.get(key, (currency, 0))[1]
        expected.suspense[key] = (currency, previous + amount)
        expected.suspended[currency] += amount

    def _net(self, expected: Expected) -> None:
        to = self.settlement_currency
        expected.obligations_settlement = {
            key: self.fx.convert(amount, key[2], to) for key, amount in expected.obligations.items()
        }
        earned: dict[tuple[str, str, str], int] = defaultdict(int)
        for (society, licensee_id, *_), (currency, amount) in expected.statement.items():
            earned[(society, self.scenario.licence(licensee_id).hub, currency)] += amount
        expected.earned_settlement = {
            key: self.fx.convert(total, key[2], to) for key, total in earned.items()
        }
        nets = dict.fromkeys(MEMBER_CODES.values(), 0)
        for (debtor, creditor, _), amount in expected.obligations_settlement.items():
            nets[debtor] -= amount
            nets[creditor] += amount
        expected.net_positions = nets


def fee_due_on(issued_on: date) -> date:
    """When the fee at issue falls due (licensing's payment terms)."""
    return issued_on + PAYMENT_TERMS
