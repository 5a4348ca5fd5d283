"""The royalty rules of BRIEF §5.3 on small, hand-checked examples."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import FailedPrecondition
from nordclear.repertoire.domain.work import Right
from nordclear.settlement.domain.royalties import SuspenseReason, share_of_revenue
from nordclear.settlement.domain.run import RunResult, compute_run
from tests.unit.settlement.builders import (
    FakeRepertoire,
    fx_table,
    inputs,
    licence,
    manifest_line,
    output_line,
    request,
    service_line,
    tariffs,
    training_fee,
)

pytestmark = pytest.mark.unit


def _repertoire() -> FakeRepertoire:
    repertoire = FakeRepertoire()
    repertoire.add("w1", ("a", 10_000, "079"))
    repertoire.add("w2", ("b", 10_000, "040"))
    repertoire.add("w3", ("c", 10_000, "090"))
    return repertoire


def _earned(result: RunResult) -> dict[tuple[str, str, Right], int]:
    earned: dict[tuple[str, str, Right], int] = {}
    for line in result.statement:
        key = (line.society_code, line.work_id, line.right)
        earned[key] = earned.get(key, 0) + line.amount_minor
    return earned


def test_training_is_split_equally_over_the_licensable_works_by_largest_remainder() -> None:
    repertoire = _repertoire()
    lic = licence(admin_fee_bp=0)

    result = compute_run(
        request(),
        inputs([lic], [training_fee(lic, {Territory.SE: 100})], [], repertoire),
        repertoire,
        fx_table(),
    )

    assert _earned(result) == {
        ("079", "w1", Right.MECHANICAL): 34,
        ("040", "w2", Right.MECHANICAL): 33,
        ("090", "w3", Right.MECHANICAL): 33,
    }


def test_without_the_presumption_rule_training_follows_the_matched_covered_manifest_works() -> None:
    repertoire = _repertoire()
    repertoire.add("w4", ("d", 10_000, "089"), consent=False)
    lic = licence(admin_fee_bp=0, presumption=False)
    manifest = [manifest_line(lic, 1, "w1"), manifest_line(lic, 2, "w4"), manifest_line(lic, 3, "w1")]

    result = compute_run(
        request(),
        inputs([lic], [training_fee(lic, {Territory.SE: 1_000})], manifest, repertoire),
        repertoire,
        fx_table(),
    )

    assert _earned(result) == {("079", "w1", Right.MECHANICAL): 1_000}


def test_an_empty_training_set_holds_the_money_in_suspense() -> None:
    repertoire = _repertoire()
    lic = licence(admin_fee_bp=0, presumption=False)

    result = compute_run(
        request(),
        inputs([lic], [training_fee(lic, {Territory.SE: 1_000})], [], repertoire),
        repertoire,
        fx_table(),
    )

    (held,) = result.suspense
    assert (held.reason, held.amount_minor, held.work_id) == (SuspenseReason.UNKNOWN_WORK, 1_000, "")
    assert "no matched, covered work" in held.detail


def test_the_admin_fee_is_taken_once_per_pot_before_the_split() -> None:
    repertoire = _repertoire()
    lic = licence(admin_fee_bp=1_000)

    result = compute_run(
        request(),
        inputs([lic], [training_fee(lic, {Territory.SE: 1_001})], [], repertoire),
        repertoire,
        fx_table(),
    )

    (totals,) = result.totals
    assert (
        totals.admin_fees_minor == 100
    )  # 10 % of 10.01 SEK, the half-unit rounded down by largest remainder
    assert totals.distributed_minor == 901


def test_output_money_follows_attribution_and_low_confidence_falls_back_to_the_training_split() -> None:
    repertoire = _repertoire()
    table = tariffs()
    lic = licence(admin_fee_bp=0, tariff_refs=sorted(table))
    # Fee: 25 % of 40.00 SEK + 0.10 SEK per use = 10.10 SEK. w1 is attributed 50 % with confidence;
    # w2's 30 % is below the threshold and the last 20 % is unattributed: 50 % falls back to w1..w3.
    line = output_line(lic, 1, 4_000, [("w1", 5_000, 9_000), ("w2", 3_000, 1_000)])

    result = compute_run(request(), inputs([lic], [], [line], repertoire, table), repertoire, fx_table())

    earned = _earned(result)
    assert sum(earned.values()) == 1_010
    assert earned[("079", "w1", Right.PERFORMING)] + earned[("079", "w1", Right.MECHANICAL)] == 505 + 169
    assert earned[("040", "w2", Right.PERFORMING)] + earned[("040", "w2", Right.MECHANICAL)] == 168
    # Output money divides evenly between PR and MR (RIGHT_SPLIT_BP).
    assert abs(earned[("079", "w1", Right.PERFORMING)] - earned[("079", "w1", Right.MECHANICAL)]) <= 1


def test_the_service_fee_is_the_rate_of_revenue_at_least_the_minimum_split_by_the_periods_attribution() -> (
    None
):
    repertoire = _repertoire()
    table = tariffs()
    lic = licence(admin_fee_bp=0, tariff_refs=sorted(table))
    attribution = output_line(lic, 1, 0, [("w3", 10_000, 10_000)])

    small = compute_run(
        request(),
        inputs([lic], [], [service_line(lic, 1, 100), attribution], repertoire, table),
        repertoire,
        fx_table(),
    )
    large = compute_run(
        request(),
        inputs([lic], [], [service_line(lic, 1, 1_000_000), attribution], repertoire, table),
        repertoire,
        fx_table(),
    )
    unattributed = compute_run(
        request(),
        inputs([lic], [], [service_line(lic, 1, 1_000_000)], repertoire, table),
        repertoire,
        fx_table(),
    )

    # 10 % of 1.00 SEK is below the 50.00 SEK minimum; the output line itself earns 0.10 SEK per use.
    assert _earned(small)[("090", "w3", Right.PERFORMING)] == 5_000 + 5
    assert _earned(large)[("090", "w3", Right.PERFORMING)] == 100_000 + 5
    assert _earned(unattributed) == {
        ("079", "w1", Right.PERFORMING): 33_334,
        ("040", "w2", Right.PERFORMING): 33_333,
        ("090", "w3", Right.PERFORMING): 33_333,
    }


def test_shares_without_consent_mandate_or_member_society_are_held_with_their_reason() -> None:
    repertoire = FakeRepertoire()
    repertoire.add("w1", ("member", 5_000, "079"), ("unmandated", 3_000, None), ("foreign", 2_000, "052"))
    repertoire.add("w2", ("x", 10_000, "079"), consent=False)
    table = tariffs()
    lic = licence(admin_fee_bp=0, tariff_refs=sorted(table))
    line = output_line(
        lic, 1, 40_000, [("w1", 5_000, 10_000), ("w2", 2_500, 10_000), ("gone", 2_500, 10_000)]
    )

    result = compute_run(request(), inputs([lic], [], [line], repertoire, table), repertoire, fx_table())

    held = {(item.work_id, item.party_key, item.reason) for item in result.suspense}
    assert held == {
        ("w1", "unmandated", SuspenseReason.NO_MANDATE),
        ("w1", "foreign", SuspenseReason.NON_MEMBER_SOCIETY),
        ("w2", "", SuspenseReason.NO_CONSENT),
        ("gone", "", SuspenseReason.UNKNOWN_WORK),
    }
    assert result.failed_invariants == ()


def test_a_licence_settlement_never_received_and_a_missing_tariff_are_precise_errors() -> None:
    repertoire = _repertoire()
    lic = licence()
    with pytest.raises(FailedPrecondition, match="names licence lic-1, which settlement has not received"):
        compute_run(
            request(),
            inputs([], [training_fee(lic, {Territory.SE: 1})], [], repertoire),
            repertoire,
            fx_table(),
        )
    with pytest.raises(
        FailedPrecondition, match="has no output tariff in force on 2026-03-31 for territory SE"
    ):
        compute_run(
            request(), inputs([lic], [], [output_line(lic, 1, 10, [])], repertoire), repertoire, fx_table()
        )


def test_obligations_carry_the_deadline_and_convert_to_the_settlement_currency() -> None:
    repertoire = _repertoire()
    lic = licence(admin_fee_bp=0)

    result = compute_run(
        request(currency="EUR"),
        inputs([lic], [training_fee(lic, {Territory.SE: 3_000_000})], [], repertoire),
        repertoire,
        fx_table(),
    )

    by_creditor = {o.creditor_code: o for o in result.obligations}
    assert set(by_creditor) == {"040", "090"}, "the hub's own members' share is no obligation"
    assert by_creditor["040"].amount_minor == 1_000_000
    assert by_creditor["040"].settlement_amount_minor == 89_901  # 10,000.00 SEK at 11.1234 SEK/EUR
    assert str(by_creditor["040"].deadline) == "2027-09-30"
    positions = {p.society_code: p.net_minor for p in result.positions}
    assert positions == {"040": 89_901, "077": 0, "079": -179_802, "089": 0, "090": 89_901}
    assert [(p.payer_code, p.payee_code, p.amount_minor) for p in result.payments] == [
        ("079", "040", 89_901),
        ("079", "090", 89_901),
    ]


@given(st.integers(0, 10**15), st.integers(0, 10_000))
def test_a_share_of_revenue_is_rounded_once_half_to_even(revenue_minor: int, rate_bp: int) -> None:
    assert share_of_revenue(revenue_minor, rate_bp) == round(Fraction(revenue_minor * rate_bp, 10_000))


def test_ties_round_to_even() -> None:
    assert [share_of_revenue(revenue, 5_000) for revenue in (1, 3, 5)] == [0, 2, 2]
