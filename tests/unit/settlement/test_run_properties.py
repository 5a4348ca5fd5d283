"""Property tests of a whole run over random repertoires, licences and usage, in all five currencies.

Whatever the inputs: every invariant holds (debits = credits per currency, collected = distributed +
admin fees + suspense, net positions sum to zero, at most n - 1 payments); statement lines add up to what
was distributed; and the run is replayable: the same inputs in another order give the same postings.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nordclear.platform.domain.territories import Territory
from nordclear.settlement.domain.model import FeeDue, Licence, UsageLine
from nordclear.settlement.domain.run import RunResult, compute_run
from tests.unit.settlement.builders import (
    FakeRepertoire,
    fx_table,
    inputs,
    licence,
    output_line,
    request,
    service_line,
    tariffs,
    training_fee,
)

pytestmark = pytest.mark.unit

CURRENCY_OF = {"040": "DKK", "077": "ISK", "079": "SEK", "089": "EUR", "090": "NOK"}
OWNER_SOCIETIES = ["040", "077", "079", "089", "090", None, "052"]


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[FakeRepertoire, list[Licence], list[FeeDue], list[UsageLine], dict, str]:  # type: ignore[type-arg]
    repertoire = FakeRepertoire()
    for number in range(draw(st.integers(0, 8))):
        owners = draw(st.integers(1, 3))
        cuts = sorted(
            draw(st.lists(st.integers(1, 9_999), min_size=owners - 1, max_size=owners - 1, unique=True))
        )
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
        repertoire.add(
            f"w{number}",
            *((f"p{number}-{i}", bp, draw(st.sampled_from(OWNER_SOCIETIES))) for i, bp in enumerate(shares)),
            consent=draw(st.booleans()),
        )
    work_ids = [*repertoire.works, "unknown-work", ""]
    all_tariffs: dict = {}  # type: ignore[type-arg]
    licences, fees, usage = [], [], []
    for number in range(draw(st.integers(1, 3))):
        hub = draw(st.sampled_from(sorted(CURRENCY_OF)))
        table = tariffs(CURRENCY_OF[hub], hub)
        all_tariffs.update(table)
        lic = licence(
            f"lic-{number}",
            hub=hub,
            currency=CURRENCY_OF[hub],
            admin_fee_bp=draw(st.integers(0, 3_000)),
            presumption=draw(st.booleans()),
            tariff_refs=sorted(table),
        )
        licences.append(lic)
        territories = draw(st.sets(st.sampled_from(list(Territory)), min_size=1, max_size=3))
        fees.append(training_fee(lic, {t: draw(st.integers(0, 10**9)) for t in territories}))
        for line_number in range(draw(st.integers(0, 4))):
            influences = draw(
                st.lists(
                    st.tuples(st.sampled_from(work_ids), st.integers(0, 5_000), st.integers(0, 10_000)),
                    max_size=3,
                )
            )
            usage.append(
                output_line(
                    lic,
                    line_number,
                    draw(st.integers(0, 10**8)),
                    influences,
                    draw(st.sampled_from(list(Territory))),
                )
            )
        if draw(st.booleans()):
            usage.append(
                service_line(lic, 1, draw(st.integers(0, 10**9)), draw(st.sampled_from(list(Territory))))
            )
        for line_number, work_id in enumerate(draw(st.lists(st.sampled_from(work_ids[:-1]), max_size=4))):
            from tests.unit.settlement.builders import manifest_line

            usage.append(manifest_line(lic, line_number, work_id))
    settlement_currency = draw(st.sampled_from(sorted(set(CURRENCY_OF.values()))))
    return repertoire, licences, fees, usage, all_tariffs, settlement_currency


def _run(scenario: tuple, shuffle_seed: int | None = None) -> RunResult:  # type: ignore[type-arg]
    repertoire, licences, fees, usage, table, currency = scenario
    if shuffle_seed is not None:
        generator = random.Random(shuffle_seed)
        licences, fees, usage = list(licences), list(fees), list(usage)
        for items in (licences, fees, usage):
            generator.shuffle(items)
    return compute_run(
        request(currency=currency), inputs(licences, fees, usage, repertoire, table), repertoire, fx_table()
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_invariant_holds_for_any_inputs(scenario: tuple) -> None:  # type: ignore[type-arg]
    result = _run(scenario)

    assert result.failed_invariants == ()
    for totals in result.totals:
        assert (
            totals.collected_minor
            == totals.distributed_minor + totals.admin_fees_minor + totals.suspense_minor
        )
        assert totals.collected_minor >= 0
        assert min(totals.distributed_minor, totals.admin_fees_minor, totals.suspense_minor) >= 0
        lines = [line for line in result.statement if line.currency_code == totals.currency_code]
        assert sum(line.amount_minor for line in lines) == totals.distributed_minor
        held = [item for item in result.suspense if item.currency_code == totals.currency_code]
        assert sum(item.amount_minor for item in held) == totals.suspense_minor
    assert sum(position.net_minor for position in result.positions) == 0
    assert len(result.payments) <= 4
    # What the licensees owe is exactly what was collected, per currency.
    receivable: dict[str, int] = {}
    for transfer in result.transfers:
        if transfer.debit_account_id.startswith("licensee/"):
            receivable[transfer.currency_code] = (
                receivable.get(transfer.currency_code, 0) + transfer.amount_minor
            )
    assert receivable == {t.currency_code: t.collected_minor for t in result.totals if t.collected_minor}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 1_000))
def test_the_same_inputs_in_any_order_give_the_same_postings(scenario: tuple, seed: int) -> None:  # type: ignore[type-arg]
    first = _run(scenario)
    second = _run(scenario, shuffle_seed=seed)

    assert second.transfers == first.transfers
    assert second.statement == first.statement
    assert second.suspense == first.suspense
    assert second.payments == first.payments
    assert second.inputs_sha256 == first.inputs_sha256


@settings(max_examples=30, deadline=None)
@given(scenarios())
def test_another_run_id_or_other_inputs_change_the_hash(scenario: tuple) -> None:  # type: ignore[type-arg]
    repertoire, licences, fees, usage, table, currency = scenario
    base = compute_run(
        request(currency=currency), inputs(licences, fees, usage, repertoire, table), repertoire, fx_table()
    )
    renamed = compute_run(
        request("run-2", currency), inputs(licences, fees, usage, repertoire, table), repertoire, fx_table()
    )
    changed_fees = [replace(fees[0], amount_minor=fees[0].amount_minor + 1), *fees[1:]]
    changed = compute_run(
        request(currency=currency),
        inputs(licences, changed_fees, usage, repertoire, table),
        repertoire,
        fx_table(),
    )

    assert renamed.inputs_sha256 != base.inputs_sha256
    assert changed.inputs_sha256 != base.inputs_sha256
    assert all(t.transfer_id.startswith("run-2/") for t in renamed.transfers)
