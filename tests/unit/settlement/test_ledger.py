"""Ledger rules: the chart of accounts, idempotent transfer ids, all-or-nothing batches, reversals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from nordclear.settlement.domain import ledger
from nordclear.settlement.domain.ledger import AccountKind, Transfer, TransferResult

pytestmark = pytest.mark.unit

FEE = Transfer("t-1", "society/079/collected/SEK", "society/079/admin-fee/SEK", "SEK", 500, "ADMIN_FEE_KEPT")


@pytest.mark.parametrize(
    ("account_id", "kind", "currency", "society", "counterparty"),
    [
        ("licensee/acme-ai/receivable/ISK", AccountKind.LICENSEE_RECEIVABLE, "ISK", None, None),
        ("society/079/collected/SEK", AccountKind.COLLECTED, "SEK", "079", None),
        ("society/079/payable/040/DKK", AccountKind.SOCIETY_PAYABLE, "DKK", "079", "040"),
        ("society/089/admin-fee/EUR", AccountKind.ADMIN_FEE, "EUR", "089", None),
        ("society/090/suspense/NOK", AccountKind.SUSPENSE, "NOK", "090", None),
        ("fx/SEK", AccountKind.FX_CONVERSION, "SEK", None, None),
    ],
)
def test_every_account_of_the_chart_parses(
    account_id: str, kind: AccountKind, currency: str, society: str | None, counterparty: str | None
) -> None:
    account = ledger.parse_account(account_id)

    assert (account.kind, account.currency_code, account.society_code, account.counterparty_code) == (
        kind,
        currency,
        society,
        counterparty,
    )


@pytest.mark.parametrize(
    "account_id", ["society/79/collected/SEK", "society/079/collected/XXX", "bank/1", ""]
)
def test_an_account_outside_the_chart_is_refused(account_id: str) -> None:
    with pytest.raises(InvalidArgument):
        ledger.parse_account(account_id)


@pytest.mark.parametrize(
    ("transfer", "result"),
    [
        (Transfer("a", "fx/SEK", "fx/SEK", "SEK", 1, "X"), TransferResult.ACCOUNTS_MUST_BE_DIFFERENT),
        (
            Transfer("a", "fx/SEK", "society/079/collected/SEK", "SEK", 0, "X"),
            TransferResult.AMOUNT_MUST_BE_POSITIVE,
        ),
        (
            Transfer("a", "fx/SEK", "society/079/collected/SEK", "XYZ", 1, "X"),
            TransferResult.UNKNOWN_CURRENCY,
        ),
        (Transfer("a", "fx/SEK", "society/079/collected/ISK", "SEK", 1, "X"), TransferResult.INVALID_ACCOUNT),
        (Transfer("a", "fx/SEK", "nowhere", "SEK", 1, "X"), TransferResult.INVALID_ACCOUNT),
    ],
)
def test_a_malformed_transfer_is_named_by_its_result_code(transfer: Transfer, result: TransferResult) -> None:
    assert ledger.check_transfer(transfer) is result


def test_a_retry_exists_and_other_content_under_the_same_id_fails_the_whole_batch() -> None:
    other = Transfer(
        "t-2", "society/079/collected/SEK", "society/079/admin-fee/SEK", "SEK", 7, "ADMIN_FEE_KEPT"
    )
    changed = Transfer(
        "t-1", "society/079/collected/SEK", "society/079/admin-fee/SEK", "SEK", 501, "ADMIN_FEE_KEPT"
    )

    assert ledger.batch_results([FEE, other], {"t-1": FEE}) == (
        [TransferResult.EXISTS, TransferResult.CREATED],
        True,
    )
    assert ledger.batch_results([other, changed], {"t-1": FEE}) == (
        [TransferResult.BATCH_FAILED, TransferResult.EXISTS_WITH_DIFFERENT_CONTENT],
        False,
    )
    assert ledger.batch_results([FEE, changed], {}) == (
        [TransferResult.BATCH_FAILED, TransferResult.EXISTS_WITH_DIFFERENT_CONTENT],
        False,
    )


def test_a_reversal_swaps_the_accounts_and_a_reversal_of_a_reversal_is_refused() -> None:
    reversal = ledger.reversal_of(FEE, "r-1", "fee charged twice", None)

    assert (reversal.debit_account_id, reversal.credit_account_id) == (
        FEE.credit_account_id,
        FEE.debit_account_id,
    )
    assert reversal.reverses_transfer_id == "t-1"
    assert reversal.amount_minor == FEE.amount_minor
    with pytest.raises(FailedPrecondition, match="a reversal cannot be reversed"):
        ledger.reversal_of(reversal, "r-2", "undo", None)
    with pytest.raises(FailedPrecondition, match="already reversed by r-1"):
        ledger.reversal_of(FEE, "r-3", "again", "r-1")
    with pytest.raises(InvalidArgument, match="needs a reason"):
        ledger.reversal_of(FEE, "r-4", "  ", None)


def test_a_stored_id_with_other_content_is_already_exists() -> None:
    assert ledger.require_same_or_new(None, FEE) is False
    assert ledger.require_same_or_new(FEE, FEE) is True
    with pytest.raises(AlreadyExists):
        ledger.require_same_or_new(
            FEE, Transfer("t-1", FEE.debit_account_id, FEE.credit_account_id, "SEK", 1, "X")
        )


@pytest.mark.parametrize("transfer_id", ["", "with space", "x" * 201, "tab\tin"])
def test_unusable_transfer_ids_are_refused(transfer_id: str) -> None:
    with pytest.raises(InvalidArgument):
        ledger.check_transfer_id(transfer_id)


accounts = st.sampled_from(
    ["society/079/collected/SEK", "society/079/admin-fee/SEK", "society/079/payable/040/SEK", "fx/SEK"]
)


@given(st.lists(st.tuples(accounts, accounts, st.integers(1, 10**15)), max_size=40))
def test_balances_derived_from_any_transfers_sum_to_zero(moves: list[tuple[str, str, int]]) -> None:
    transfers = [Transfer(f"t{i}", d, c, "SEK", a, "X") for i, (d, c, a) in enumerate(moves) if d != c]

    balances = ledger.balances(transfers)

    assert sum(b.balance_minor for b in balances.values()) == 0
    assert sum(b.debits_minor for b in balances.values()) == sum(t.amount_minor for t in transfers)
