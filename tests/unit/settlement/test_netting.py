"""Multilateral netting: positions sum to zero, each is receivables minus payables, at most n - 1 payments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.errors import InvalidArgument
from nordclear.settlement.domain.netting import Position, net_from_columns, net_positions, payments

pytestmark = pytest.mark.unit

SOCIETIES = ("040", "077", "079", "089", "090")
obligations = st.lists(
    st.tuples(st.sampled_from(SOCIETIES), st.sampled_from(SOCIETIES), st.integers(0, 10**12)), max_size=60
)


@given(obligations)
def test_positions_sum_to_zero_and_each_is_receivables_minus_payables(
    owed: list[tuple[str, str, int]],
) -> None:
    positions = net_positions(owed, SOCIETIES)

    assert sum(p.net_minor for p in positions) == 0
    for position in positions:
        code = position.society_code
        assert position.receivable_minor == sum(a for d, c, a in owed if c == code and d != code)
        assert position.payable_minor == sum(a for d, c, a in owed if d == code and c != code)


@given(obligations)
def test_at_most_n_minus_one_payments_settle_every_position(owed: list[tuple[str, str, int]]) -> None:
    positions = net_positions(owed, SOCIETIES)

    instructions = payments(positions)

    assert len(instructions) <= len(SOCIETIES) - 1
    nets = {p.society_code: p.net_minor for p in positions}
    for payment in instructions:
        assert payment.amount_minor > 0
        assert payment.payer_code != payment.payee_code
        nets[payment.payer_code] += payment.amount_minor
        nets[payment.payee_code] -= payment.amount_minor
    assert set(nets.values()) <= {0}


@given(obligations)
def test_the_columnar_fast_path_agrees_with_the_plain_one(owed: list[tuple[str, str, int]]) -> None:
    index = {code: i for i, code in enumerate(SOCIETIES)}

    receivable, payable = net_from_columns(
        [index[d] for d, _, _ in owed],
        [index[c] for _, c, _ in owed],
        [a for _, _, a in owed],
        len(SOCIETIES),
    )

    positions = net_positions(owed, SOCIETIES)
    assert receivable == [p.receivable_minor for p in positions]
    assert payable == [p.payable_minor for p in positions]


def test_the_same_positions_always_give_the_same_instructions() -> None:
    positions = [Position("040", 0, 500), Position("079", 300, 0), Position("090", 200, 0)]

    assert payments(positions) == payments(list(reversed(positions)))
    assert [(p.payer_code, p.payee_code, p.amount_minor) for p in payments(positions)] == [
        ("040", "079", 300),
        ("040", "090", 200),
    ]


def test_positions_that_do_not_sum_to_zero_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="must sum to zero"):
        payments([Position("040", 5, 0)])


def test_an_obligation_with_a_society_outside_the_list_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="between the listed societies"):
        net_positions([("040", "052", 1)], SOCIETIES)
