"""Quotes: an application priced line by line from the tariffs in force (BRIEF §4 "Tariff").

Who prices what. A licence in a territory is granted by that territory's society, so every stage and
territory of an application is priced with the tariff of the territory's society in force on the first
day of the term. A stage and territory without such a tariff is a tariff gap: the application is
refused whole, because a quote with a hole in it would license something nobody priced.

The components, per stage and territory:

- training, fixed: the amount, due at issue;
- training, per work: the amount x the works it is based on: the works the full manifest declares, or,
  under the presumption rule, every work licensable for training in the territory on the first day of
  the term. Due at issue;
- service, revenue share: the rate x the expected revenue of the territory (the expected revenue of the
  term split evenly over the territories, exactly). An estimate; the fee comes from revenue reports;
- service, minimum: the minimum per reporting period (calendar quarter) x the quarters the term
  touches, less the revenue share: the top-up the licensee pays if revenue stays as expected;
- output, per use: the amount x the expected outputs of the territory. An estimate;
- output, revenue share: the rate; no output revenue is declared up front, so the line is zero and the
  fee comes from output reports.

Amounts are exact: a line is computed in the tariff's currency, then converted once, half to even, into
the hub society's currency at the published reference rates shown on the quote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Final

from nordclear.licensing.domain.model import Scope, TrainingDeclaration
from nordclear.licensing.domain.tariffs import (
    ComponentKind,
    FxRate,
    FxTable,
    Tariff,
    TariffComponent,
    TariffGap,
    tariff_in_force,
)
from nordclear.platform.domain.money import Currency, Money, allocate, convert, sum_money
from nordclear.platform.domain.societies import Society, society_for_territory
from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage

QUOTE_VALIDITY: Final = timedelta(days=30)
"""How long a quote can be accepted."""


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One component of one society's tariff for one stage and territory."""

    stage: AiStage
    society: Society
    territory: Territory
    component: ComponentKind
    tariff_id: str
    tariff_version: str
    basis_work_count: int
    basis_revenue: Money | None
    basis_output_count: int
    tariff_amount: Money
    amount: Money
    estimated: bool
    due_at_issue: bool
    description: str


@dataclass(frozen=True, slots=True)
class Quote:
    """A price for an application, itemised."""

    quote_id: str
    application_id: str
    total: Money
    due_at_issue: Money
    lines: tuple[QuoteLine, ...]
    fx_basis: tuple[FxRate, ...]
    presumption_applied: bool
    presumption_statement: str
    training_work_count: int
    quoted_at: datetime
    valid_until: datetime

    @property
    def tariffs(self) -> tuple[tuple[str, str], ...]:
        """(tariff id, version) of every tariff the quote used, each once, in line order."""
        return tuple(dict.fromkeys((line.tariff_id, line.tariff_version) for line in self.lines))


@dataclass(frozen=True, slots=True)
class PricingInput:
    """Everything a quote depends on besides the tariffs and rates."""

    quote_id: str
    application_id: str
    hub: Society
    scope: Scope
    expected_revenue: Money
    expected_output_count: int
    training: TrainingDeclaration
    training_basis: Mapping[Territory, int]
    """Per territory, the works training is priced on (declared, or licensable under the presumption)."""
    training_work_count: int
    quoted_at: datetime


def presumption_statement(territories: Sequence[Territory], work_count: int, day: date) -> str:
    """The statement printed on the quote and the licence when the presumption rule applies."""
    names = ", ".join(territory.value for territory in territories)
    return (
        "No full training-data manifest was declared. Under the presumption rule the licensee is presumed "
        f"to have used the whole licensable repertoire of {names} ({work_count} works licensable for "
        f"training on {day}); training is priced and settled accordingly."
    )


def price(request: PricingInput, tariffs: Sequence[Tariff], fx: FxTable) -> Quote:
    """The quote for ``request``; TariffGap when a stage and territory has no tariff in force."""
    scope = request.scope
    day = scope.term_start
    chosen = {
        (stage, territory): _tariff_for(tariffs, stage, territory, day)
        for stage in scope.stages
        for territory in scope.territories
    }
    revenue_parts = allocate(request.expected_revenue.amount_minor, [1] * len(scope.territories))
    output_parts = allocate(request.expected_output_count, [1] * len(scope.territories))
    quarters = quarters_touched(scope.term_start, scope.term_end)
    lines: list[QuoteLine] = []
    for stage in scope.stages:
        for index, territory in enumerate(scope.territories):
            context = _LineContext(
                tariff=chosen[stage, territory],
                territory=territory,
                hub_currency=request.hub.currency,
                fx=fx,
                works=request.training_basis.get(territory, 0),
                revenue=Money(request.hub.currency, revenue_parts[index]),
                outputs=output_parts[index],
                quarters=quarters,
            )
            lines.extend(context.lines())
    hub_currency = request.hub.currency
    presumption = request.training.presumption_applies and AiStage.TRAINING in scope.stages
    currencies = {hub_currency, *(tariff.currency for tariff in chosen.values())}
    return Quote(
        quote_id=request.quote_id,
        application_id=request.application_id,
        total=sum_money((line.amount for line in lines), hub_currency),
        due_at_issue=sum_money((line.amount for line in lines if line.due_at_issue), hub_currency),
        lines=tuple(lines),
        fx_basis=fx.basis(currencies),
        presumption_applied=presumption,
        presumption_statement=(
            presumption_statement(scope.territories, request.training_work_count, day) if presumption else ""
        ),
        training_work_count=request.training_work_count if AiStage.TRAINING in scope.stages else 0,
        quoted_at=request.quoted_at,
        valid_until=request.quoted_at + QUOTE_VALIDITY,
    )


def require_tariffs(tariffs: Sequence[Tariff], scope: Scope) -> None:
    """TariffGap for the first stage and territory of ``scope`` without a tariff in force on its first day."""
    for stage in scope.stages:
        for territory in scope.territories:
            _tariff_for(tariffs, stage, territory, scope.term_start)


def quarters_touched(start: date, end: date) -> int:
    """How many calendar quarters (service reporting periods) the days ``start``..``end`` touch."""
    return (end.year * 4 + (end.month - 1) // 3) - (start.year * 4 + (start.month - 1) // 3) + 1


def _tariff_for(tariffs: Sequence[Tariff], stage: AiStage, territory: Territory, day: date) -> Tariff:
    society = society_for_territory(territory)
    tariff = tariff_in_force(tariffs, society, stage, day)
    if tariff is None:
        raise TariffGap(stage, territory, society, day)
    return tariff


@dataclass(frozen=True, slots=True)
class _LineContext:
    tariff: Tariff
    territory: Territory
    hub_currency: Currency
    fx: FxTable
    works: int
    revenue: Money
    outputs: int
    quarters: int

    def lines(self) -> list[QuoteLine]:
        by_kind = {component.kind: component for component in self.tariff.components}
        lines: list[QuoteLine] = []
        revenue_share = Money.zero(self.tariff.currency)
        for component in self.tariff.components:
            if (
                component.kind is ComponentKind.SERVICE_MINIMUM
                and ComponentKind.SERVICE_REVENUE_SHARE in by_kind
            ):
                continue  # priced after the revenue share, which it tops up
            line = self._line(component, revenue_share)
            if component.kind is ComponentKind.SERVICE_REVENUE_SHARE:
                revenue_share = line.tariff_amount
            lines.append(line)
        if ComponentKind.SERVICE_MINIMUM in by_kind and ComponentKind.SERVICE_REVENUE_SHARE in by_kind:
            lines.append(self._line(by_kind[ComponentKind.SERVICE_MINIMUM], revenue_share))
        return lines

    def _line(self, component: TariffComponent, revenue_share: Money) -> QuoteLine:
        kind = component.kind
        currency = self.tariff.currency
        unit = component.amount or Money.zero(currency)
        works = outputs = 0
        basis_revenue: Money | None = None
        due = estimated = False
        if kind is ComponentKind.TRAINING_FIXED:
            tariff_amount, due = unit, True
            text = f"fixed training fee {unit}"
        elif kind is ComponentKind.TRAINING_PER_WORK:
            works, due = self.works, True
            tariff_amount = Money(currency, unit.amount_minor * works)
            text = f"training fee: {works} works x {unit}"
        elif kind is ComponentKind.SERVICE_REVENUE_SHARE:
            basis_revenue, estimated = self.revenue, True
            tariff_amount = self._share(component.rate_bp, self.revenue)
            text = f"service fee: {_percent(component.rate_bp)} of expected revenue {self.revenue}"
        elif kind is ComponentKind.SERVICE_MINIMUM:
            estimated = True
            minimum = Money(currency, unit.amount_minor * self.quarters)
            tariff_amount = max(minimum - revenue_share, Money.zero(currency))
            text = f"service minimum: {self.quarters} quarters x {unit}, less the revenue share"
        elif kind is ComponentKind.OUTPUT_PER_USE:
            outputs, estimated = self.outputs, True
            tariff_amount = Money(currency, unit.amount_minor * outputs)
            text = f"output fee: {outputs} expected outputs x {unit}"
        else:
            basis_revenue, estimated = Money.zero(self.hub_currency), True
            tariff_amount = Money.zero(currency)
            text = f"output fee: {_percent(component.rate_bp)} of output revenue, from output reports"
        society = self.tariff.society
        amount = self._to_hub(tariff_amount)
        return QuoteLine(
            stage=self.tariff.stage,
            society=society,
            territory=self.territory,
            component=kind,
            tariff_id=self.tariff.tariff_id,
            tariff_version=self.tariff.version,
            basis_work_count=works,
            basis_revenue=basis_revenue,
            basis_output_count=outputs,
            tariff_amount=tariff_amount,
            amount=amount,
            estimated=estimated,
            due_at_issue=due,
            description=f"{society.name} {self.territory.value} {text} = {tariff_amount}",
        )

    def _share(self, rate_bp: int, revenue: Money) -> Money:
        in_tariff_currency = self._convert(revenue, self.tariff.currency)
        exact = Fraction(in_tariff_currency.amount_minor * rate_bp, 10_000)
        return Money(self.tariff.currency, round(exact))

    def _to_hub(self, money: Money) -> Money:
        return self._convert(money, self.hub_currency)

    def _convert(self, money: Money, target: Currency) -> Money:
        if money.currency == target:
            return money
        return convert(money, target, self.fx.rate(money.currency, target))


def _percent(rate_bp: int) -> str:
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}.{rest:02d} %" if rest else f"{whole} %"
