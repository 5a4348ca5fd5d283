"""Quotes: each stage and territory priced by its society's tariff, converted exactly to the hub currency."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from nordclear.licensing.adapters.seed import demo_book
from nordclear.licensing.domain.model import Scope, TrainingDeclaration, TrainingDisclosure
from nordclear.licensing.domain.pricing import PricingInput, price, quarters_touched
from nordclear.licensing.domain.tariffs import ComponentKind, TariffGap
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.repertoire.domain.consent import AiStage

BOOK = demo_book()
ALL = tuple(Territory)
PRESUMED = TrainingDeclaration(TrainingDisclosure.NONE)


def _input(
    *,
    hub: str = "STIM",
    stages: tuple[AiStage, ...] = (AiStage.TRAINING, AiStage.SERVICE, AiStage.OUTPUT),
    territories: tuple[Territory, ...] = ALL,
    revenue_minor: int = 100_000_000,
    outputs: int = 50_000,
    training: TrainingDeclaration = PRESUMED,
    start: date = date(2026, 1, 1),
) -> PricingInput:
    society = society_by_name(hub)
    return PricingInput(
        quote_id="quo_1",
        application_id="app_1",
        hub=society,
        scope=Scope("Skald", "2.1", stages, territories, start, date(2026, 12, 31)),
        expected_revenue=Money(society.currency, revenue_minor),
        expected_output_count=outputs,
        training=training,
        training_basis=dict.fromkeys(territories, 1_000),
        training_work_count=1_200,
        quoted_at=datetime(2026, 1, 10, tzinfo=UTC),
    )


def test_the_quote_is_itemised_and_its_totals_are_exactly_the_sum_of_its_lines() -> None:
    quote = price(_input(), BOOK.tariffs, BOOK.fx)

    assert {(line.stage, line.territory) for line in quote.lines} == {
        (stage, territory) for stage in AiStage for territory in ALL
    }
    assert all(line.amount.currency.code == "SEK" for line in quote.lines)
    assert quote.total.amount_minor == sum(line.amount.amount_minor for line in quote.lines)
    assert quote.due_at_issue.amount_minor == sum(
        line.amount.amount_minor for line in quote.lines if line.due_at_issue
    )
    assert {line.component for line in quote.lines if line.due_at_issue} == {
        ComponentKind.TRAINING_FIXED,
        ComponentKind.TRAINING_PER_WORK,
    }
    assert quote.presumption_applied
    assert "1200 works" in quote.presumption_statement
    assert quote.valid_until > quote.quoted_at


def test_each_territory_is_priced_by_its_own_society_in_its_currency() -> None:
    quote = price(_input(), BOOK.tariffs, BOOK.fx)
    per_work = {
        line.territory: line for line in quote.lines if line.component is ComponentKind.TRAINING_PER_WORK
    }

    assert {t: line.society.name for t, line in per_work.items()} == {
        Territory.DK: "KODA",
        Territory.FI: "TEOSTO",
        Territory.IS: "STEF",
        Territory.NO: "TONO",
        Territory.SE: "STIM",
    }
    # STEF: 1,000 works x 15 ISK = 15,000 ISK (no minor unit), at 11.15/145 SEK per ISK = 1,153.45 SEK.
    iceland = per_work[Territory.IS]
    assert iceland.tariff_amount == Money.of("ISK", 15_000)
    assert iceland.amount == Money.of(
        "SEK", round(Fraction(15_000) * Fraction("11.15") / Fraction(145) * 100)
    )
    assert iceland.amount == Money.of("SEK", 115_345)
    # STIM prices in the hub's own currency: no conversion at all.
    assert per_work[Territory.SE].tariff_amount == per_work[Territory.SE].amount == Money.of("SEK", 100_000)
    assert {rate.quote.code for rate in quote.fx_basis} == {"DKK", "ISK", "NOK", "SEK"}


def test_the_service_minimum_tops_up_the_revenue_share() -> None:
    # 4 quarters x 15,000 SEK minimum; 5 % of 50,000 SEK revenue is 2,500 SEK; the top-up is 57,500 SEK.
    quote = price(
        _input(stages=(AiStage.SERVICE,), territories=(Territory.SE,), revenue_minor=5_000_000),
        BOOK.tariffs,
        BOOK.fx,
    )
    share, minimum = quote.lines
    assert (share.component, share.amount) == (ComponentKind.SERVICE_REVENUE_SHARE, Money.of("SEK", 250_000))
    assert (minimum.component, minimum.amount) == (ComponentKind.SERVICE_MINIMUM, Money.of("SEK", 5_750_000))
    assert share.estimated
    assert minimum.estimated
    assert not share.due_at_issue


def test_expected_revenue_and_outputs_are_split_exactly_over_the_territories() -> None:
    quote = price(_input(revenue_minor=100_000_001, outputs=50_003), BOOK.tariffs, BOOK.fx)
    revenue = [
        line.basis_revenue for line in quote.lines if line.component is ComponentKind.SERVICE_REVENUE_SHARE
    ]
    outputs = [
        line.basis_output_count for line in quote.lines if line.component is ComponentKind.OUTPUT_PER_USE
    ]
    assert sum(money.amount_minor for money in revenue if money is not None) == 100_000_001
    assert sum(outputs) == 50_003


def test_a_full_manifest_prices_training_on_the_declared_works_without_presumption() -> None:
    declared = TrainingDeclaration(TrainingDisclosure.FULL_MANIFEST, 700)
    request = _input(stages=(AiStage.TRAINING,), territories=(Territory.SE,), training=declared)
    quote = price(
        dataclasses.replace(request, training_basis={Territory.SE: 700}, training_work_count=700),
        BOOK.tariffs,
        BOOK.fx,
    )
    assert not quote.presumption_applied
    assert quote.presumption_statement == ""
    assert [line.basis_work_count for line in quote.lines] == [0, 700]


def test_a_tariff_gap_refuses_the_whole_quote_naming_stage_and_territory() -> None:
    without_tono_output = [t for t in BOOK.tariffs if t.tariff_id != "tono-output"]
    with pytest.raises(TariffGap) as gap:
        price(_input(), without_tono_output, BOOK.fx)
    assert "stage output in territory NO" in str(gap.value)
    with pytest.raises(TariffGap):
        price(_input(start=date(2024, 6, 1)), BOOK.tariffs, BOOK.fx)  # before any demo tariff is in force


def test_quarters_are_the_calendar_quarters_the_term_touches() -> None:
    assert quarters_touched(date(2026, 1, 1), date(2026, 12, 31)) == 4
    assert quarters_touched(date(2026, 3, 31), date(2026, 4, 1)) == 2
    assert quarters_touched(date(2026, 5, 5), date(2026, 5, 6)) == 1
