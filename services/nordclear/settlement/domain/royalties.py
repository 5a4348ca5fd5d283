"""Royalties (BRIEF §5.3): from fees and usage to pots of money per work, then to shares and societies.

Every amount a licensee owes goes into a **pot**: one licence, one source (a fee due, or one report's
lines of one territory and period), one stage. A pot holds the gross amount and how it divides over
works (its *work weights*, in minor units, summing exactly to the gross):

- **training**: each line of a training fee (one territory) is split equally over the training set:
  the matched works of the licence's manifests that are covered for training in that territory, or,
  under the presumption rule, every licensable work;
- **service**: a service revenue line's fee (rate of revenue, at least the period's minimum, from the
  tariff of the territory's society) is split by the period's attribution (the confident, matched
  influences of the licence's output reports in the period, by share), else by the training split;
- **output**: an output's fee (per use plus rate of revenue) is split by its influence lines; lines
  below the confidence threshold, unmatched units and the unattributed rest fall back to the
  training split.

The hub's admin fee is then taken once per pot (``allocate(gross, [fee_bp, 10000 - fee_bp])``), the rest
divided over the works in proportion to their weights, each work's amount over the rights of the stage
(``RIGHT_SPLIT_BP``) and over its owners' shares; each share goes to the society administering it in
the territory on the day of use. Money reaching a work without consent, a share without mandate or with
a non-member society, or nothing at all, is held in suspense with the reason. Every split is largest
remainder, so nothing appears or vanishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from nordclear.platform.domain.money import Money, allocate, split_equally
from nordclear.platform.domain.societies import is_member_society_code, society_for_territory
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import FailedPrecondition
from nordclear.repertoire.domain.consent import AiStage
from nordclear.repertoire.domain.coverage import Coverage, NotLicensable
from nordclear.repertoire.domain.work import Right
from nordclear.settlement.domain.fx import FxTable
from nordclear.settlement.domain.model import (
    RIGHT_SPLIT_BP,
    FeeDue,
    Licence,
    ReportKind,
    RunPolicy,
    Tariff,
    TariffComponentKind,
    UsageLine,
)

FULL_BP = 10_000


class SuspenseReason(StrEnum):
    """Why money is held in suspense."""

    NO_CONSENT = "NO_CONSENT"
    NO_MANDATE = "NO_MANDATE"
    NON_MEMBER_SOCIETY = "NON_MEMBER_SOCIETY"
    UNKNOWN_WORK = "UNKNOWN_WORK"


@dataclass(frozen=True, slots=True)
class Share:
    """One owner's share of one right and the society administering it (None: no mandate)."""

    party_key: str
    right: Right
    share_bp: int
    society_code: str | None


@dataclass(frozen=True, slots=True)
class WorkRights:
    """Who is paid for a work, stage, territory and day; or why nobody is."""

    work_id: str
    payable: bool
    reason: SuspenseReason | None
    detail: str
    shares: Mapping[Right, tuple[Share, ...]]


def work_rights_from_coverage(work_id: str, coverage: Coverage | None) -> WorkRights:
    """Translate repertoire's coverage answer (None: unknown work) into who is paid."""
    if coverage is None:
        return WorkRights(
            work_id, False, SuspenseReason.UNKNOWN_WORK, f"work {work_id} is not in the repertoire", {}
        )
    if not coverage.licensable:
        codes = {reason.code for reason in coverage.reasons}
        detail = "; ".join(reason.detail for reason in coverage.reasons)
        if NotLicensable.DELETED in codes:
            return WorkRights(work_id, False, SuspenseReason.UNKNOWN_WORK, detail, {})
        if codes & {NotLicensable.NO_CONSENT, NotLicensable.CONSENT_REVOKED}:
            return WorkRights(work_id, False, SuspenseReason.NO_CONSENT, detail, {})
        return WorkRights(work_id, False, SuspenseReason.NO_MANDATE, detail, {})
    shares = {
        right.right: tuple(Share(a.party_key, a.right, a.share_bp, a.society_code) for a in right.assignments)
        for right in coverage.rights
    }
    return WorkRights(work_id, True, None, "", shares)


RightsLookup = Callable[[str, AiStage, Territory, date], WorkRights]
"""Who is paid for (work id, stage, territory, day)."""


@dataclass(frozen=True, slots=True)
class PotKey:
    """What a pot of money is: its licence, source, stage, territory and period."""

    licence_id: str
    source: str
    """``fee:<fee id>`` or ``report:<report id>``."""
    stage: AiStage
    territory: Territory
    period_start: date
    period_end: date
    on: date
    """The day coverage is evaluated on (the fee's due day, the usage period's last day)."""

    def sort_key(self) -> tuple[str, str, str, str, date, date, date]:
        """Deterministic order of pots."""
        return (
            self.licence_id,
            self.source,
            self.stage.value,
            self.territory.value,
            self.period_start,
            self.period_end,
            self.on,
        )


@dataclass(slots=True)
class Pot:
    """A gross amount and its division over works (weights in minor units)."""

    key: PotKey
    licensee_id: str
    hub_code: str
    admin_fee_bp: int
    currency_code: str
    gross_minor: int = 0
    work_weights: dict[str, int] = field(default_factory=dict)
    unassigned_minor: int = 0
    """Gross that reaches no work (empty training set); held in suspense."""
    training_split_minor: int = 0
    """Gross still to be split equally over the training set (fall-backs add up here first, so the
    training set is walked once per pot instead of once per line)."""
    unassigned_detail: str = ""

    def add(self, weights: Mapping[str, int]) -> None:
        """Add per-work gross amounts."""
        for work_id, amount in weights.items():
            self.work_weights[work_id] = self.work_weights.get(work_id, 0) + amount
            self.gross_minor += amount


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything a run allocates from (its canonical inputs)."""

    licences: Mapping[str, Licence]
    tariffs: Mapping[tuple[str, str], Tariff]
    fees: Sequence[FeeDue]
    usage: Sequence[UsageLine]
    manifest_work_ids: Mapping[str, tuple[str, ...]]
    """Per licence: the matched works of its training manifests (any period), sorted."""
    licensable_work_ids: Mapping[tuple[Territory, date], tuple[str, ...]]
    """Per (territory, day): every work licensable for training (the presumption rule's set)."""
    policy: RunPolicy
    usage_sha256: str = ""
    """A digest of the usage lines in their canonical stored form, when whoever loaded them has one
    (the service hashes the stored protobuf documents); empty: the run hashes the lines itself."""


class PotBuilder:
    """Builds the pots of a run from its inputs."""

    def __init__(self, inputs: Inputs, rights: RightsLookup, fx: FxTable) -> None:
        self._inputs = inputs
        self._rights = rights
        self._fx = fx
        self._pots: dict[PotKey, Pot] = {}
        self._training_sets: dict[tuple[str, Territory], tuple[str, ...]] = {}
        self._attribution: dict[str, dict[str, int]] = {}
        self._output_groups: dict[tuple[object, ...], tuple[Licence, Pot, int, int]] = {}

    def build(self) -> list[Pot]:
        """Every pot, in deterministic order."""
        self._collect_attribution()
        for fee in sorted(self._inputs.fees, key=lambda f: f.fee_id):
            self._add_fee(fee)
        for line in self._inputs.usage:
            if line.kind is ReportKind.SERVICE_REVENUE:
                continue  # Service fees are computed per report and territory below.
            if line.kind is ReportKind.OUTPUT_ATTRIBUTION:
                self._add_output(line)
        self._add_service_fees()
        self._spread_training_splits()
        return [self._pots[key] for key in sorted(self._pots, key=PotKey.sort_key)]

    def training_set(self, licence: Licence, territory: Territory) -> tuple[str, ...]:
        """The works a licence's training money is split equally over, for one territory."""
        cache_key = (licence.licence_id, territory)
        cached = self._training_sets.get(cache_key)
        if cached is not None:
            return cached
        on = licence.term_start
        if licence.presumption_applied:
            works = self._inputs.licensable_work_ids.get((territory, on), ())
        else:
            works = tuple(
                work_id
                for work_id in self._inputs.manifest_work_ids.get(licence.licence_id, ())
                if self._rights(work_id, AiStage.TRAINING, territory, on).payable
            )
        self._training_sets[cache_key] = works
        return works

    def _pot(self, licence: Licence, key: PotKey) -> Pot:
        pot = self._pots.get(key)
        if pot is None:
            pot = Pot(
                key, licence.licensee_id, licence.hub_code, licence.hub_admin_fee_bp, licence.currency_code
            )
            self._pots[key] = pot
        return pot

    def _licence(self, licence_id: str, what: str) -> Licence:
        licence = self._inputs.licences.get(licence_id)
        if licence is None:
            raise FailedPrecondition(
                f"{what} names licence {licence_id}, which settlement has not received (LicenceIssued)"
            )
        return licence

    def _equal_over_training(self, pot: Pot, licence: Licence, amount_minor: int) -> None:
        pot.training_split_minor += amount_minor

    def _spread_training_splits(self) -> None:
        for pot in self._pots.values():
            amount_minor, pot.training_split_minor = pot.training_split_minor, 0
            if amount_minor:
                self._split_over_training(pot, self._inputs.licences[pot.key.licence_id], amount_minor)

    def _split_over_training(self, pot: Pot, licence: Licence, amount_minor: int) -> None:
        works = self.training_set(licence, pot.key.territory)
        if not works:
            pot.gross_minor += amount_minor
            pot.unassigned_minor += amount_minor
            pot.unassigned_detail = (
                "no licensable work for the presumption rule"
                if licence.presumption_applied
                else "no matched, covered work in the licence's training manifests"
            )
            return
        parts = split_equally(amount_minor, len(works))
        pot.add(dict(zip(works, parts, strict=True)))

    def _add_fee(self, fee: FeeDue) -> None:
        licence = self._licence(fee.licence_id, f"fee {fee.fee_id}")
        for line in sorted(fee.lines, key=lambda item: (item.territory.value, item.society_code)):
            key = PotKey(
                licence.licence_id,
                f"fee:{fee.fee_id}",
                fee.stage,
                line.territory,
                fee.due_on,
                fee.due_on,
                fee.due_on,
            )
            pot = self._pot(licence, key)
            amount = self._in_licence_currency(Money.of(fee.currency_code, line.amount_minor), licence)
            if fee.stage is AiStage.TRAINING:
                self._equal_over_training(pot, licence, amount)
            else:
                self._by_attribution_else_training(pot, licence, amount)

    def _collect_attribution(self) -> None:
        policy = self._inputs.policy
        for line in self._inputs.usage:
            if line.kind is not ReportKind.OUTPUT_ATTRIBUTION:
                continue
            weights = self._attribution.setdefault(line.licence_id, {})
            for unit in line.units:
                if self._confident(
                    unit.work_id, unit.attribution_confidence_bp, unit.match_confidence_bp, policy
                ):
                    weights[unit.work_id] = weights.get(unit.work_id, 0) + unit.share_bp

    @staticmethod
    def _confident(work_id: str, attribution_bp: int, match_bp: int, policy: RunPolicy) -> bool:
        return (
            bool(work_id)
            and attribution_bp >= policy.attribution_confidence_threshold_bp
            and match_bp >= policy.match_confidence_threshold_bp
        )

    def _by_attribution_else_training(self, pot: Pot, licence: Licence, amount_minor: int) -> None:
        attribution = self._attribution.get(licence.licence_id)
        # Influences with a zero share say nothing about the split; no positive weight means none.
        if attribution and sum(attribution.values()) > 0:
            works = sorted(attribution)
            parts = allocate(amount_minor, [attribution[w] for w in works])
            pot.add(dict(zip(works, parts, strict=True)))
        else:
            self._equal_over_training(pot, licence, amount_minor)

    def _output_pot(self, line: UsageLine) -> tuple[Licence, Pot, int, int]:
        """The licence, pot, output revenue rate (bp) and per-use fee (licence currency) of a line.

        Lines of one report, territory and period share all four: looked up once (a report has
        millions of lines and a handful of such groups).
        """
        group = (line.licence_id, line.report_id, line.territory, line.period_start, line.period_end)
        found = self._output_groups.get(group)
        if found is None:
            licence = self._licence(line.licence_id, f"report {line.report_id} line {line.line_number}")
            territory = _territory_of(line)
            tariff = self._tariff(licence, AiStage.OUTPUT, territory, line.period_end)
            share = tariff.component(TariffComponentKind.OUTPUT_REVENUE_SHARE)
            per_use = tariff.component(TariffComponentKind.OUTPUT_PER_USE)
            per_use_minor = (
                self._in_licence_currency(Money.of(tariff.currency_code, per_use.amount_minor), licence)
                if per_use is not None
                else 0
            )
            key = PotKey(
                licence.licence_id,
                f"report:{line.report_id}",
                AiStage.OUTPUT,
                territory,
                line.period_start,
                line.period_end,
                line.period_end,
            )
            found = (licence, self._pot(licence, key), share.rate_bp if share else 0, per_use_minor)
            self._output_groups[group] = found
        return found

    def _add_output(self, line: UsageLine) -> None:
        licence, pot, rate_bp, per_use_minor = self._output_pot(line)
        currency = line.currency_code or licence.currency_code
        revenue = (
            line.amount_minor
            if currency == licence.currency_code
            else self._in_licence_currency(Money.of(currency, line.amount_minor), licence)
        )
        fee = share_of_revenue(revenue, rate_bp) + per_use_minor
        policy = self._inputs.policy
        confident = [
            (unit.work_id, unit.share_bp)
            for unit in line.units
            if self._confident(unit.work_id, unit.attribution_confidence_bp, unit.match_confidence_bp, policy)
        ]
        attributed_bp = sum(share for _, share in confident)
        fallback_bp = max(0, FULL_BP - attributed_bp)
        parts = (
            allocate(fee, [share for _, share in confident] + [fallback_bp])
            if fee
            else [0] * (len(confident) + 1)
        )
        weights: dict[str, int] = {}
        for (work_id, _), part in zip(confident, parts, strict=False):
            weights[work_id] = weights.get(work_id, 0) + part
        pot.add(weights)
        self._equal_over_training(pot, licence, parts[-1])

    def _add_service_fees(self) -> None:
        revenue: dict[tuple[str, str, Territory, date, date], int] = {}
        for line in self._inputs.usage:
            if line.kind is not ReportKind.SERVICE_REVENUE:
                continue
            licence = self._licence(line.licence_id, f"report {line.report_id} line {line.line_number}")
            key = (line.licence_id, line.report_id, _territory_of(line), line.period_start, line.period_end)
            amount = self._in_licence_currency(
                Money.of(line.currency_code or licence.currency_code, line.amount_minor), licence
            )
            revenue[key] = revenue.get(key, 0) + amount
        for (licence_id, report_id, territory, start, end), revenue_minor in sorted(
            revenue.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2].value, kv[0][3], kv[0][4])
        ):
            licence = self._inputs.licences[licence_id]
            tariff = self._tariff(licence, AiStage.SERVICE, territory, end)
            fee = _revenue_share(revenue_minor, tariff, TariffComponentKind.SERVICE_REVENUE_SHARE)
            minimum = tariff.component(TariffComponentKind.SERVICE_MINIMUM)
            if minimum is not None:
                fee = max(
                    fee,
                    self._in_licence_currency(Money.of(tariff.currency_code, minimum.amount_minor), licence),
                )
            pot_key = PotKey(licence_id, f"report:{report_id}", AiStage.SERVICE, territory, start, end, end)
            self._by_attribution_else_training(self._pot(licence, pot_key), licence, fee)

    def _tariff(self, licence: Licence, stage: AiStage, territory: Territory, on: date) -> Tariff:
        """The tariff of the territory's society for the stage, else the hub's, among the licence's."""
        candidates = [self._inputs.tariffs[ref] for ref in licence.tariff_refs if ref in self._inputs.tariffs]
        wanted = (society_for_territory(territory).cisac_code, licence.hub_code)
        for society_code in wanted:
            for tariff in sorted(candidates, key=lambda t: (t.tariff_id, t.version)):
                in_force = tariff.valid_from <= on and (
                    tariff.valid_until is None or on <= tariff.valid_until
                )
                if tariff.society_code == society_code and tariff.stage is stage and in_force:
                    return tariff
        raise FailedPrecondition(
            f"licence {licence.licence_id} has no {stage.value} tariff in force on {on.isoformat()} for "
            f"territory {territory.value} (its society's or the hub's): "
            "settlement needs TariffPublished for it"
        )

    def _in_licence_currency(self, money: Money, licence: Licence) -> int:
        return self._fx.convert(money, licence.currency_code).amount_minor


def _territory_of(line: UsageLine) -> Territory:
    if line.territory is None:
        raise FailedPrecondition(
            f"report {line.report_id} line {line.line_number} ({line.kind.value}) has no territory of use"
        )
    return line.territory


def _revenue_share(revenue_minor: int, tariff: Tariff, kind: TariffComponentKind) -> int:
    component = tariff.component(kind)
    return 0 if component is None else share_of_revenue(revenue_minor, component.rate_bp)


def share_of_revenue(revenue_minor: int, rate_bp: int) -> int:
    """``rate_bp`` of a (non-negative) revenue, rounded once, half to even, like every conversion.

    Half to even, so that over millions of lines ties round up as often as down and nothing drifts.
    Integer arithmetic: this runs once per output line.
    """
    if revenue_minor <= 0 or rate_bp <= 0:
        return 0
    quotient, remainder = divmod(revenue_minor * rate_bp, FULL_BP)
    if 2 * remainder > FULL_BP or (2 * remainder == FULL_BP and quotient % 2 == 1):
        quotient += 1
    return quotient


@dataclass(frozen=True, slots=True)
class ShareAmount:
    """Money for one share of one work from one pot (a statement line before conversion)."""

    society_code: str
    work_id: str
    party_key: str
    right: Right
    share_bp: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Held:
    """Money from one pot held in suspense."""

    work_id: str
    party_key: str
    right: Right | None
    reason: SuspenseReason
    detail: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class PotOutcome:
    """Where a pot's money went: admin fee, shares, suspense (summing exactly to the gross)."""

    pot: Pot
    admin_fee_minor: int
    paid: tuple[ShareAmount, ...]
    held: tuple[Held, ...]


def distribute(pot: Pot, rights: RightsLookup) -> PotOutcome:
    """Take the admin fee once, then split the rest over works, rights and shares (or suspense)."""
    admin_fee, net = allocate(pot.gross_minor, [pot.admin_fee_bp, FULL_BP - pot.admin_fee_bp])
    works = sorted(pot.work_weights)
    weights = [pot.work_weights[w] for w in works] + [pot.unassigned_minor]
    parts = allocate(net, weights) if net else [0] * len(weights)
    paid: list[ShareAmount] = []
    held: list[Held] = []
    if parts[-1]:
        held.append(Held("", "", None, SuspenseReason.UNKNOWN_WORK, pot.unassigned_detail, parts[-1]))
    key = pot.key
    for work_id, amount in zip(works, parts, strict=False):
        if amount:
            _work_to_shares(rights(work_id, key.stage, key.territory, key.on), key.stage, amount, paid, held)
    return PotOutcome(pot, admin_fee, tuple(paid), tuple(held))


def _work_to_shares(
    work: WorkRights, stage: AiStage, amount_minor: int, paid: list[ShareAmount], held: list[Held]
) -> None:
    if not work.payable:
        assert work.reason is not None
        held.append(Held(work.work_id, "", None, work.reason, work.detail, amount_minor))
        return
    split = RIGHT_SPLIT_BP[stage]
    for (right, _), right_amount in zip(split, allocate(amount_minor, [bp for _, bp in split]), strict=True):
        shares = work.shares.get(right, ())
        if not right_amount:
            continue
        if not shares:
            held.append(
                Held(
                    work.work_id,
                    "",
                    right,
                    SuspenseReason.NO_MANDATE,
                    f"no owner of {right.value} is registered",
                    right_amount,
                )
            )
            continue
        for share, share_amount in zip(
            shares, allocate(right_amount, [s.share_bp for s in shares]), strict=True
        ):
            if not share_amount:
                continue
            if share.society_code is None:
                held.append(
                    Held(
                        work.work_id,
                        share.party_key,
                        right,
                        SuspenseReason.NO_MANDATE,
                        f"no society administers {right.value} of party {share.party_key} "
                        "in the territory on the day",
                        share_amount,
                    )
                )
            elif not is_member_society_code(share.society_code):
                held.append(
                    Held(
                        work.work_id,
                        share.party_key,
                        right,
                        SuspenseReason.NON_MEMBER_SOCIETY,
                        f"administered by society {share.society_code}, not a member of the clearing house",
                        share_amount,
                    )
                )
            else:
                paid.append(
                    ShareAmount(
                        share.society_code, work.work_id, share.party_key, right, share.share_bp, share_amount
                    )
                )


def rights_needed(pots: Iterable[Pot]) -> set[tuple[str, AiStage, Territory, date]]:
    """Every (work, stage, territory, day) whose rights ``distribute`` will ask for."""
    return {
        (work_id, pot.key.stage, pot.key.territory, pot.key.on)
        for pot in pots
        for work_id in pot.work_weights
    }


def manifest_work_ids(lines: Iterable[UsageLine]) -> dict[str, tuple[str, ...]]:
    """Per licence, the sorted matched works of its training manifest lines."""
    works: dict[str, set[str]] = {}
    for line in lines:
        if line.kind is ReportKind.TRAINING_MANIFEST:
            bucket = works.setdefault(line.licence_id, set())
            bucket.update(unit.work_id for unit in line.units if unit.work_id)
    return {licence_id: tuple(sorted(ids)) for licence_id, ids in works.items()}
