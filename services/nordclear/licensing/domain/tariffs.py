"""Tariffs and exchange rates: data, versioned, never code (BRIEF §4 "Tariff").

A tariff is one society's price for one stage over a validity period; a new price is a new version
with its own validity, and a version never changes once published. Exchange rates are input data with
their source and date; the clearing house never computes a rate, it only crosses two published ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Final

from nordclear.platform.domain.money import EUR, Currency, Money
from nordclear.platform.domain.societies import Society
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import FailedPrecondition, InvalidArgument
from nordclear.repertoire.domain.consent import AiStage

PPB: Final = 1_000_000_000
"""FX rates are whole target units per whole base unit, in parts per billion."""


class ComponentKind(StrEnum):
    """What one tariff component charges for."""

    TRAINING_FIXED = "training_fixed"
    TRAINING_PER_WORK = "training_per_work"
    SERVICE_REVENUE_SHARE = "service_revenue_share"
    SERVICE_MINIMUM = "service_minimum"
    OUTPUT_PER_USE = "output_per_use"
    OUTPUT_REVENUE_SHARE = "output_revenue_share"


STAGE_OF_COMPONENT: Final[Mapping[ComponentKind, AiStage]] = {
    ComponentKind.TRAINING_FIXED: AiStage.TRAINING,
    ComponentKind.TRAINING_PER_WORK: AiStage.TRAINING,
    ComponentKind.SERVICE_REVENUE_SHARE: AiStage.SERVICE,
    ComponentKind.SERVICE_MINIMUM: AiStage.SERVICE,
    ComponentKind.OUTPUT_PER_USE: AiStage.OUTPUT,
    ComponentKind.OUTPUT_REVENUE_SHARE: AiStage.OUTPUT,
}
REVENUE_SHARE_KINDS: Final = frozenset(
    {ComponentKind.SERVICE_REVENUE_SHARE, ComponentKind.OUTPUT_REVENUE_SHARE}
)


@dataclass(frozen=True, slots=True)
class TariffComponent:
    """One part of a tariff's price: an amount in the tariff's currency, or a rate in basis points."""

    kind: ComponentKind
    amount: Money | None
    rate_bp: int = 0
    description: str = ""


@dataclass(frozen=True, slots=True)
class Tariff:
    """One version of one society's tariff for one stage."""

    tariff_id: str
    version: str
    society: Society
    stage: AiStage
    valid_from: date
    valid_until: date | None
    """Last day in force (inclusive); None: until superseded."""
    currency: Currency
    components: tuple[TariffComponent, ...]
    illustrative: bool
    description: str

    def in_force_on(self, day: date) -> bool:
        """Whether this version applies on ``day``."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def validated_tariff(tariff: Tariff) -> Tariff:
    """``tariff`` if it is internally consistent, else InvalidArgument naming the broken rule."""
    where = f"tariff {tariff.tariff_id} {tariff.version}"
    if not tariff.tariff_id or not tariff.version:
        raise InvalidArgument("tariff.tariff_id", tariff.tariff_id, "a tariff needs an id and a version")
    if tariff.valid_until is not None and tariff.valid_until < tariff.valid_from:
        raise InvalidArgument(f"{where}.validity", tariff.valid_until, "may not end before it starts")
    if tariff.currency != tariff.society.currency:
        raise InvalidArgument(
            f"{where}.currency",
            tariff.currency.code,
            f"{tariff.society.name} prices in {tariff.society.currency}",
        )
    if not tariff.components:
        raise InvalidArgument(f"{where}.components", [], "a tariff has at least one component")
    kinds = [component.kind for component in tariff.components]
    if len(set(kinds)) != len(kinds):
        raise InvalidArgument(f"{where}.components", kinds, "each component kind at most once")
    for component in tariff.components:
        if STAGE_OF_COMPONENT[component.kind] is not tariff.stage:
            raise InvalidArgument(
                f"{where}.components", component.kind.value, f"is not a {tariff.stage.value} component"
            )
        if component.kind in REVENUE_SHARE_KINDS:
            if not 0 < component.rate_bp <= 10_000:
                raise InvalidArgument(
                    f"{where}.{component.kind.value}.rate_bp", component.rate_bp, "1..10000 bp"
                )
        elif component.amount is None or component.amount.currency != tariff.currency:
            raise InvalidArgument(
                f"{where}.{component.kind.value}.amount", component.amount, f"an amount in {tariff.currency}"
            )
        elif component.amount.is_negative():
            raise InvalidArgument(
                f"{where}.{component.kind.value}.amount", component.amount.amount_minor, "may not be negative"
            )
    return tariff


def tariff_in_force(tariffs: Iterable[Tariff], society: Society, stage: AiStage, day: date) -> Tariff | None:
    """The version of ``society``'s ``stage`` tariff in force on ``day`` (the latest start wins)."""
    candidates = [t for t in tariffs if t.society == society and t.stage is stage and t.in_force_on(day)]
    return max(candidates, key=lambda t: (t.valid_from, t.version), default=None)


class TariffGap(FailedPrecondition):
    """A stage and territory of an application has no tariff in force."""

    def __init__(self, stage: AiStage, territory: Territory, society: Society, day: date) -> None:
        super().__init__(
            f"tariff gap: no {society.name} {stage.value} tariff is in force on {day} to price "
            f"stage {stage.value} in territory {territory.value}; nothing was stored"
        )
        self.stage = stage
        self.territory = territory


@dataclass(frozen=True, slots=True)
class FxRate:
    """Whole units of ``quote`` per whole unit of ``base`` on ``rate_date``, from ``source``."""

    base: Currency
    quote: Currency
    rate_ppb: int
    rate_date: date
    source: str

    @property
    def rate(self) -> Fraction:
        """The exact rate."""
        return Fraction(self.rate_ppb, PPB)


class FxTable:
    """Published reference rates against one base currency (EUR), crossed exactly where needed."""

    def __init__(self, rates: Sequence[FxRate]) -> None:
        self._rates: dict[Currency, FxRate] = {}
        for rate in rates:
            if rate.base != EUR:
                raise InvalidArgument("fx.base", rate.base.code, "reference rates are quoted against EUR")
            if rate.rate_ppb <= 0:
                raise InvalidArgument(f"fx.{rate.quote.code}.rate_ppb", rate.rate_ppb, "must be positive")
            self._rates[rate.quote] = rate

    def rate(self, source: Currency, target: Currency) -> Fraction:
        """Whole ``target`` units per whole ``source`` unit."""
        return self._to_eur_rate(target) / self._to_eur_rate(source)

    def basis(self, currencies: Iterable[Currency]) -> tuple[FxRate, ...]:
        """The published rates a conversion between ``currencies`` rests on, in code order."""
        return tuple(self._rates[c] for c in sorted(set(currencies), key=lambda c: c.code) if c != EUR)

    def _to_eur_rate(self, currency: Currency) -> Fraction:
        if currency == EUR:
            return Fraction(1)
        rate = self._rates.get(currency)
        if rate is None:
            raise FailedPrecondition(f"no EUR/{currency.code} reference rate is loaded")
        return rate.rate
