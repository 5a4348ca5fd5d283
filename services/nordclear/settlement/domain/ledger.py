"""An append-only double-entry ledger in integer minor units: accounts, transfers and their rules.

Modelled on TigerBeetle's rules: a transfer debits one account and credits another by the same positive
amount in one currency; its id is chosen by the caller and is the idempotency key (the same id with the
same content is a no-op, with other content an error); a posted transfer never changes, and a correction
is a new transfer in the opposite direction that names the one it reverses. A reversal cannot itself be
reversed (correct the correction by posting the right transfer anew), and a transfer is reversed at most
once. Balances are never stored: they are sums over the transfers.

Chart of accounts (the currency is always the last segment, so an account holds one currency):

| account id                                   | kind                | what it holds                       |
| -------------------------------------------- | ------------------- | ----------------------------------- |
| ``licensee/<licensee_id>/receivable/<CUR>``  | LICENSEE_RECEIVABLE | what a licensee owes its hub        |
| ``society/<code>/collected/<CUR>``           | COLLECTED           | money a hub collected, until shared |
| ``society/<debtor>/payable/<creditor>/<CUR>``| SOCIETY_PAYABLE     | what a hub owes a society (itself   |
|                                              |                     | included: its own members' share)   |
| ``society/<code>/admin-fee/<CUR>``           | ADMIN_FEE           | a hub's admin fee income            |
| ``society/<code>/suspense/<CUR>``            | SUSPENSE            | money a hub holds in suspense       |
| ``fx/<CUR>``                                 | FX_CONVERSION       | currency conversion                 |

``<code>`` is a member society's CISAC code (``079`` for STIM).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from nordclear.platform.domain.money import Currency
from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument

MAX_TRANSFER_ID_CHARS: Final = 200
MAX_BATCH_TRANSFERS: Final = 8190
"""The largest PostTransfers call, as TigerBeetle's batch (and well inside one gRPC message)."""


class AccountKind(StrEnum):
    """The kinds of ledger account (see the module docstring)."""

    LICENSEE_RECEIVABLE = "receivable"
    COLLECTED = "collected"
    SOCIETY_PAYABLE = "payable"
    ADMIN_FEE = "admin-fee"
    SUSPENSE = "suspense"
    FX_CONVERSION = "fx"


_CODE = r"[0-9]{3}"
_CUR = r"[A-Z]{3}"
_ACCOUNT_PATTERNS: Final[Mapping[AccountKind, re.Pattern[str]]] = {
    AccountKind.LICENSEE_RECEIVABLE: re.compile(rf"licensee/([^/\s]{{1,128}})/receivable/({_CUR})"),
    AccountKind.COLLECTED: re.compile(rf"society/({_CODE})/collected/({_CUR})"),
    AccountKind.SOCIETY_PAYABLE: re.compile(rf"society/({_CODE})/payable/({_CODE})/({_CUR})"),
    AccountKind.ADMIN_FEE: re.compile(rf"society/({_CODE})/admin-fee/({_CUR})"),
    AccountKind.SUSPENSE: re.compile(rf"society/({_CODE})/suspense/({_CUR})"),
    AccountKind.FX_CONVERSION: re.compile(rf"fx/({_CUR})"),
}


@dataclass(frozen=True, slots=True)
class Account:
    """A parsed account id: its kind, currency and the society (or licensee) it belongs to."""

    account_id: str
    kind: AccountKind
    currency_code: str
    society_code: str | None
    """The owning society's CISAC code (for payables: the debtor); None for licensee and FX accounts."""
    counterparty_code: str | None = None
    """For payables: the creditor society's CISAC code."""


def parse_account(account_id: str, field: str = "account_id") -> Account:
    """The account ``account_id`` names; InvalidArgument when it fits no kind or currency."""
    try:
        return _parse_known_account(account_id)
    except InvalidArgument as error:
        raise InvalidArgument(field, account_id, error.rule) from None


@functools.lru_cache(maxsize=65_536)
def _parse_known_account(account_id: str) -> Account:
    # A ledger touches few accounts many times: parsing each once keeps posting off the regex engine.
    field = "account_id"
    for kind, pattern in _ACCOUNT_PATTERNS.items():
        match = pattern.fullmatch(account_id)
        if match is None:
            continue
        groups = match.groups()
        currency = Currency.of(groups[-1], field).code
        if kind is AccountKind.SOCIETY_PAYABLE:
            return Account(account_id, kind, currency, groups[0], groups[1])
        if kind in (AccountKind.LICENSEE_RECEIVABLE, AccountKind.FX_CONVERSION):
            return Account(account_id, kind, currency, None)
        return Account(account_id, kind, currency, groups[0])
    raise InvalidArgument(
        field,
        account_id,
        "must be an account of the chart: licensee/<id>/receivable/<CUR>, society/<code>/collected/<CUR>, "
        "society/<debtor>/payable/<creditor>/<CUR>, society/<code>/admin-fee/<CUR>, "
        "society/<code>/suspense/<CUR> or fx/<CUR>",
    )


def receivable_account(licensee_id: str, currency_code: str) -> str:
    """What ``licensee_id`` owes its hub in ``currency_code``."""
    return f"licensee/{licensee_id}/receivable/{currency_code}"


def collected_account(society_code: str, currency_code: str) -> str:
    """Money the hub ``society_code`` collected and has not yet shared out."""
    return f"society/{society_code}/collected/{currency_code}"


def payable_account(debtor_code: str, creditor_code: str, currency_code: str) -> str:
    """What ``debtor_code`` owes ``creditor_code`` in ``currency_code``."""
    return f"society/{debtor_code}/payable/{creditor_code}/{currency_code}"


def admin_fee_account(society_code: str, currency_code: str) -> str:
    """The hub's admin fee income."""
    return f"society/{society_code}/admin-fee/{currency_code}"


def suspense_account(society_code: str, currency_code: str) -> str:
    """Money the hub holds in suspense."""
    return f"society/{society_code}/suspense/{currency_code}"


class TransferResult(StrEnum):
    """Named outcome of posting one transfer (as TigerBeetle's result codes)."""

    CREATED = "CREATED"
    EXISTS = "EXISTS"
    EXISTS_WITH_DIFFERENT_CONTENT = "EXISTS_WITH_DIFFERENT_CONTENT"
    ACCOUNTS_MUST_BE_DIFFERENT = "ACCOUNTS_MUST_BE_DIFFERENT"
    AMOUNT_MUST_BE_POSITIVE = "AMOUNT_MUST_BE_POSITIVE"
    UNKNOWN_CURRENCY = "UNKNOWN_CURRENCY"
    INVALID_ACCOUNT = "INVALID_ACCOUNT"
    BATCH_FAILED = "BATCH_FAILED"


@dataclass(frozen=True, slots=True)
class Transfer:
    """One double-entry transfer; its content is everything but the time it was posted."""

    transfer_id: str
    debit_account_id: str
    credit_account_id: str
    currency_code: str
    amount_minor: int
    code: str
    description: str = ""
    run_id: str = ""
    reverses_transfer_id: str = ""

    def same_content(self, other: Transfer) -> bool:
        """Whether ``other`` is a retry of this transfer (equal in every field)."""
        return self == other


def check_transfer(transfer: Transfer) -> TransferResult | None:
    """Why ``transfer`` cannot be posted, or None when it is well formed (stored state aside)."""
    if transfer.amount_minor <= 0 or isinstance(transfer.amount_minor, bool):
        return TransferResult.AMOUNT_MUST_BE_POSITIVE
    try:
        Currency.of(transfer.currency_code)
    except InvalidArgument:
        return TransferResult.UNKNOWN_CURRENCY
    if transfer.debit_account_id == transfer.credit_account_id:
        return TransferResult.ACCOUNTS_MUST_BE_DIFFERENT
    for account_id in (transfer.debit_account_id, transfer.credit_account_id):
        try:
            account = parse_account(account_id)
        except InvalidArgument:
            return TransferResult.INVALID_ACCOUNT
        if account.currency_code != transfer.currency_code:
            return TransferResult.INVALID_ACCOUNT
    return None


def check_transfer_id(transfer_id: str, field: str = "transfer_id") -> str:
    """``transfer_id`` if it is a usable idempotency key (1 to 200 printable characters, no spaces)."""
    if not transfer_id or len(transfer_id) > MAX_TRANSFER_ID_CHARS or not transfer_id.isprintable():
        raise InvalidArgument(
            field, transfer_id, f"a transfer id is 1 to {MAX_TRANSFER_ID_CHARS} printable characters"
        )
    if any(character.isspace() for character in transfer_id):
        raise InvalidArgument(field, transfer_id, "a transfer id contains no spaces")
    return transfer_id


def batch_results(
    batch: Sequence[Transfer], existing: Mapping[str, Transfer]
) -> tuple[list[TransferResult], bool]:
    """Each transfer's result against the stored ``existing`` ones, and whether the batch may be posted.

    All or nothing: when any transfer fails, the ones that would have been created are BATCH_FAILED.
    A transfer id twice in one batch is a retry within the batch when equal, else a conflict.
    """
    results: list[TransferResult] = []
    seen: dict[str, Transfer] = {}
    for transfer in batch:
        earlier = existing.get(transfer.transfer_id) or seen.get(transfer.transfer_id)
        problem = check_transfer(transfer)
        if problem is not None:
            results.append(problem)
        elif earlier is not None:
            results.append(
                TransferResult.EXISTS
                if earlier.same_content(transfer)
                else TransferResult.EXISTS_WITH_DIFFERENT_CONTENT
            )
        else:
            results.append(TransferResult.CREATED)
            seen[transfer.transfer_id] = transfer
    ok = all(result in (TransferResult.CREATED, TransferResult.EXISTS) for result in results)
    if not ok:
        results = [
            TransferResult.BATCH_FAILED if result is TransferResult.CREATED else result for result in results
        ]
    return results, ok


def reversal_of(
    original: Transfer, reversal_transfer_id: str, reason: str, already_reversed_by: str | None
) -> Transfer:
    """The transfer that undoes ``original``: same amount, accounts swapped, naming what it reverses."""
    if not reason.strip():
        raise InvalidArgument("reason", reason, "a reversal needs a reason for the audit trail")
    if original.reverses_transfer_id:
        raise FailedPrecondition(
            f"transfer {original.transfer_id} is itself a reversal (of {original.reverses_transfer_id}); "
            "a reversal cannot be reversed: post the correct transfer anew"
        )
    if already_reversed_by is not None and already_reversed_by != reversal_transfer_id:
        raise FailedPrecondition(
            f"transfer {original.transfer_id} is already reversed by {already_reversed_by}"
        )
    return Transfer(
        transfer_id=reversal_transfer_id,
        debit_account_id=original.credit_account_id,
        credit_account_id=original.debit_account_id,
        currency_code=original.currency_code,
        amount_minor=original.amount_minor,
        code="REVERSAL",
        description=f"reverses {original.transfer_id}: {reason.strip()}",
        run_id="",
        reverses_transfer_id=original.transfer_id,
    )


def require_same_or_new(stored: Transfer | None, wanted: Transfer) -> bool:
    """True when ``wanted`` was already posted identically; AlreadyExists when its id holds other content."""
    if stored is None:
        return False
    if not stored.same_content(wanted):
        raise AlreadyExists(f"transfer {wanted.transfer_id} exists with different content")
    return True


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's totals; ``balance = debits - credits``."""

    account_id: str
    currency_code: str
    debits_minor: int
    credits_minor: int

    @property
    def balance_minor(self) -> int:
        """Debits minus credits."""
        return self.debits_minor - self.credits_minor


def balances(transfers: Iterable[Transfer]) -> dict[str, Balance]:
    """Every touched account's balance, derived from the transfers."""
    debits: dict[str, int] = {}
    credits: dict[str, int] = {}
    currency: dict[str, str] = {}
    for transfer in transfers:
        debits[transfer.debit_account_id] = debits.get(transfer.debit_account_id, 0) + transfer.amount_minor
        credits[transfer.credit_account_id] = (
            credits.get(transfer.credit_account_id, 0) + transfer.amount_minor
        )
        currency[transfer.debit_account_id] = currency[transfer.credit_account_id] = transfer.currency_code
    return {
        account: Balance(account, currency[account], debits.get(account, 0), credits.get(account, 0))
        for account in sorted(currency)
    }
