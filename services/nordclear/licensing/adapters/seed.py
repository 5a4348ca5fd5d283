"""Reading the tariff book (tariffs, hub admin fees, reference rates) from its JSON data file.

The shipped book, ``data/demo_tariffs.json``, is illustrative demo data and says so in the file and in
every tariff (``illustrative: true``); a real deployment replaces the file with the societies' published
tariffs. Every entry is validated on load, and a bad one names its position in the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from nordclear.licensing.domain.tariffs import (
    PPB,
    ComponentKind,
    FxRate,
    FxTable,
    Tariff,
    TariffComponent,
    validated_tariff,
)
from nordclear.platform.domain.money import Currency, Money, parse_fx_rate
from nordclear.platform.domain.societies import Society, society_by_name
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.consent import AiStage


@dataclass(frozen=True, slots=True)
class TariffBook:
    """The tariffs, the hub societies' admin fees and the reference rates quotes are priced with."""

    tariffs: tuple[Tariff, ...]
    hub_admin_fee_bp: Mapping[str, int]
    fx_rates: tuple[FxRate, ...]

    @property
    def fx(self) -> FxTable:
        """The reference rates as a conversion table."""
        return FxTable(self.fx_rates)

    def admin_fee_bp(self, hub: Society) -> int:
        """The hub society's admin fee in basis points."""
        return self.hub_admin_fee_bp[hub.name]


def demo_book() -> TariffBook:
    """The illustrative demo book shipped with the service."""
    text = resources.files("nordclear.licensing.data").joinpath("demo_tariffs.json").read_text("utf-8")
    return parse_book(json.loads(text), "demo_tariffs.json")


def load_book(path: Path) -> TariffBook:
    """A tariff book from a JSON file."""
    return parse_book(json.loads(path.read_text("utf-8")), str(path))


def parse_book(data: Mapping[str, Any], source: str) -> TariffBook:
    """A tariff book from its JSON form."""
    fx = data["fx_rates"]
    base = Currency.of(fx["base"], f"{source}: fx_rates.base")
    rate_date = date.fromisoformat(fx["rate_date"])
    rates = tuple(
        FxRate(
            base=base,
            quote=Currency.of(code, f"{source}: fx_rates.rates"),
            rate_ppb=int(parse_fx_rate(text, f"{source}: fx_rates.rates.{code}") * PPB),
            rate_date=rate_date,
            source=str(fx["source"]),
        )
        for code, text in fx["rates"].items()
    )
    fees = {
        society_by_name(name, f"{source}: hub_admin_fee_bp").name: int(bp)
        for name, bp in data["hub_admin_fee_bp"].items()
    }
    for name, bp in fees.items():
        if not 0 <= bp <= 10_000:
            raise InvalidArgument(f"{source}: hub_admin_fee_bp.{name}", bp, "0..10000 basis points")
    tariffs = tuple(_tariff(entry, f"{source}: tariffs[{i}]") for i, entry in enumerate(data["tariffs"]))
    return TariffBook(tariffs=tariffs, hub_admin_fee_bp=fees, fx_rates=rates)


def _tariff(entry: Mapping[str, Any], where: str) -> Tariff:
    society = society_by_name(entry["society"], f"{where}.society")
    currency = Currency.of(entry["currency"], f"{where}.currency")
    try:
        stage = AiStage(entry["stage"])
        components = tuple(
            TariffComponent(
                kind=ComponentKind(component["kind"]),
                amount=Money(currency, int(component["amount_minor"]))
                if "amount_minor" in component
                else None,
                rate_bp=int(component.get("rate_bp", 0)),
                description=str(component.get("description", "")),
            )
            for component in entry["components"]
        )
    except ValueError as error:
        raise InvalidArgument(where, entry.get("tariff_id"), str(error)) from None
    valid_until = entry.get("valid_until")
    return validated_tariff(
        Tariff(
            tariff_id=str(entry["tariff_id"]),
            version=str(entry["version"]),
            society=society,
            stage=stage,
            valid_from=date.fromisoformat(entry["valid_from"]),
            valid_until=date.fromisoformat(valid_until) if valid_until else None,
            currency=currency,
            components=components,
            illustrative=bool(entry.get("illustrative", False)),
            description=str(entry.get("description", "")),
        )
    )
