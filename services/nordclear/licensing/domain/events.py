"""What happened in licensing, as domain events; the adapters publish each as a contract event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from nordclear.licensing.domain.licence import Actor, Licence, StatusChange
from nordclear.licensing.domain.model import Application, Licensee
from nordclear.licensing.domain.pricing import Quote
from nordclear.licensing.domain.tariffs import Tariff
from nordclear.platform.domain.money import Money, sum_money
from nordclear.platform.domain.societies import Society
from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage

PAYMENT_TERMS: Final = timedelta(days=30)
"""The licensee pays a fee due at issue within this many days."""


@dataclass(frozen=True, slots=True)
class LicenseeRegistered:
    """An AI company was registered."""

    licensee: Licensee
    request_id: str


@dataclass(frozen=True, slots=True)
class ApplicationQuoted:
    """An application was made and quoted."""

    application: Application
    quote: Quote
    request_id: str


@dataclass(frozen=True, slots=True)
class QuoteAccepted:
    """The licensee accepted the quote of an application."""

    application: Application
    request_id: str


@dataclass(frozen=True, slots=True)
class ApplicationRejected:
    """The hub society rejected an application."""

    application: Application
    rejected_by: Actor
    request_id: str


@dataclass(frozen=True, slots=True)
class LicenceIssued:
    """A licence was issued, active."""

    licence: Licence
    request_id: str


@dataclass(frozen=True, slots=True)
class LicenceStatusChanged:
    """A licence was suspended, reactivated, revoked or expired (``change`` says which)."""

    licence: Licence
    change: StatusChange
    request_id: str


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One society's and territory's part of a fee."""

    society: Society
    territory: Territory
    amount: Money
    basis_work_count: int
    tariff_id: str
    tariff_version: str


@dataclass(frozen=True, slots=True)
class FeeDue:
    """A fee became due from a licensee to its hub society."""

    fee_id: str
    licence: Licence
    stage: AiStage
    amount: Money
    due_on: date
    lines: tuple[FeeLine, ...]
    request_id: str


@dataclass(frozen=True, slots=True)
class TariffPublished:
    """A tariff version was published."""

    tariff: Tariff


def fees_due_at_issue(licence: Licence, quote: Quote, request_id: str) -> list[FeeDue]:
    """The fees the quote makes due when the licence is issued: one per stage with due lines."""
    fees: list[FeeDue] = []
    for stage in licence.scope.stages:
        due = [line for line in quote.lines if line.stage is stage and line.due_at_issue]
        if not due:
            continue
        grouped: dict[tuple[str, Territory], list[Money]] = {}
        works: dict[tuple[str, Territory], int] = {}
        refs: dict[tuple[str, Territory], tuple[Society, str, str]] = {}
        for line in due:
            key = (line.society.name, line.territory)
            grouped.setdefault(key, []).append(line.amount)
            works[key] = max(works.get(key, 0), line.basis_work_count)
            refs[key] = (line.society, line.tariff_id, line.tariff_version)
        currency = licence.hub.currency
        lines = tuple(
            FeeLine(
                society=refs[key][0],
                territory=key[1],
                amount=sum_money(amounts, currency),
                basis_work_count=works[key],
                tariff_id=refs[key][1],
                tariff_version=refs[key][2],
            )
            for key, amounts in grouped.items()
        )
        fees.append(
            FeeDue(
                fee_id=f"{licence.licence_id}:{stage.value}:at-issue",
                licence=licence,
                stage=stage,
                amount=sum_money((line.amount for line in lines), currency),
                due_on=licence.issued_at.date() + PAYMENT_TERMS,
                lines=lines,
                request_id=request_id,
            )
        )
    return fees
