"""Ledger use cases: posting transfers directly (corrections, benchmarks) and reversing a transfer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from nordclear.platform import metrics
from nordclear.platform.errors import InvalidArgument, NotFound
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.domain import ledger


@dataclass(frozen=True, slots=True)
class Posted:
    """The outcome of a PostTransfers call: a result per transfer, and whether anything was written."""

    results: tuple[ledger.TransferResult, ...]
    created: int


async def post_transfers(
    uow_factory: Callable[[], SettlementUnitOfWork], transfers: Sequence[ledger.Transfer]
) -> Posted:
    """Post ``transfers`` all or nothing; each is idempotent on its id."""
    if not transfers:
        raise InvalidArgument("transfers", "[]", "post at least one transfer")
    if len(transfers) > ledger.MAX_BATCH_TRANSFERS:
        raise InvalidArgument(
            "transfers", len(transfers), f"at most {ledger.MAX_BATCH_TRANSFERS} transfers per call"
        )
    for index, transfer in enumerate(transfers):
        ledger.check_transfer_id(transfer.transfer_id, f"transfers[{index}].transfer_id")
        if transfer.reverses_transfer_id:
            raise InvalidArgument(
                f"transfers[{index}].reverses_transfer_id",
                transfer.reverses_transfer_id,
                "reverse a transfer with ReverseTransfer",
            )
        if transfer.run_id:
            raise InvalidArgument(
                f"transfers[{index}].run_id",
                transfer.run_id,
                "only a settlement run posts transfers of a run",
            )
    async with uow_factory() as uow:
        existing = await uow.repo.transfers_by_id([t.transfer_id for t in transfers])
        results, ok = ledger.batch_results(transfers, existing)
        to_create = [t for t, r in zip(transfers, results, strict=True) if r is ledger.TransferResult.CREATED]
        if ok and to_create:
            await uow.repo.post(to_create, datetime.now(UTC))
            await uow.commit()
    created = len(to_create) if ok else 0
    metrics.LEDGER_TRANSFERS.inc(created)
    return Posted(tuple(results), created)


@dataclass(frozen=True, slots=True)
class Reversed:
    """A reversing transfer, when it was posted, and whether this answers a retry."""

    transfer: ledger.Transfer
    posted_at: datetime
    replayed: bool


async def reverse_transfer(
    uow_factory: Callable[[], SettlementUnitOfWork],
    *,
    reversal_transfer_id: str,
    transfer_id: str,
    reason: str,
) -> Reversed:
    """Post the transfer that undoes ``transfer_id``; a reversal of a reversal is refused."""
    ledger.check_transfer_id(reversal_transfer_id, "reversal_transfer_id")
    ledger.check_transfer_id(transfer_id, "transfer_id")
    async with uow_factory() as uow:
        found = await uow.repo.transfers_by_id([transfer_id, reversal_transfer_id])
        original = found.get(transfer_id)
        if original is None:
            raise NotFound(f"transfer {transfer_id} does not exist")
        reversal = ledger.reversal_of(
            original, reversal_transfer_id, reason, await uow.repo.reversal_of(transfer_id)
        )
        stored = found.get(reversal_transfer_id)
        if ledger.require_same_or_new(stored, reversal):
            posted_at = await uow.repo.posted_at(reversal_transfer_id)
            assert posted_at is not None
            return Reversed(reversal, posted_at, True)
        now = datetime.now(UTC)
        await uow.repo.post([reversal], now)
        await uow.commit()
    metrics.LEDGER_TRANSFERS.inc()
    return Reversed(reversal, now, False)
