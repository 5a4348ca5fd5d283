"""Releasing money held in suspense: an explicit, audited action that posts a transfer.

The release moves the item's amount from the hub's suspense account to what the hub owes the society
the money is released to (``society/<hub>/payable/<society>``), names who released it and why, and is
published as an event. Released to another society than the hub, it becomes an obligation of its own
with its deadline and one payment instruction (group ``release:<suspense id>``). The item keeps its
history: held, then released, never deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from nordclear.gen.settlement.v1 import settlement_service_pb2 as service_pb
from nordclear.platform import metrics
from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from nordclear.settlement.adapters.repository import StoredSuspense
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.domain import ledger
from nordclear.settlement.domain.deadlines import DEFAULT_FINANCIAL_YEARS, payment_deadline, year_end_of
from nordclear.settlement.domain.events import SuspenseReleased
from nordclear.settlement.service_layer.runs import earliest_deadline_timestamp

OPERATION = "ReleaseSuspense"


async def release_suspense(
    uow_factory: Callable[[], SettlementUnitOfWork],
    *,
    request_id: str,
    fingerprint: str,
    suspense_id: str,
    release_to: str,
    reason: str,
    released_by: str,
    answer: Callable[[StoredSuspense, ledger.Transfer, datetime], service_pb.ReleaseSuspenseResponse],
) -> service_pb.ReleaseSuspenseResponse:
    """Release one held item to ``release_to`` (a member's CISAC code); idempotent on ``request_id``."""
    if not reason.strip():
        raise InvalidArgument("reason", reason, "a release needs a reason for the audit trail")
    async with uow_factory() as uow:
        logged = await uow.repo.logged_request(request_id)
        if logged is not None:
            operation, earlier_fingerprint, earlier_response = logged
            if operation != OPERATION or earlier_fingerprint != fingerprint:
                raise AlreadyExists(f"request id {request_id} was used for another request")
            replay = service_pb.ReleaseSuspenseResponse.FromString(earlier_response)
            replay.replayed = True
            return replay
        item = await uow.repo.suspense(suspense_id)
        if item is None:
            raise NotFound(f"suspense item {suspense_id} does not exist")
        if item.status != "held":
            raise FailedPrecondition(
                f"suspense item {suspense_id} was already released to {item.released_to}"
            )
        transfer = ledger.Transfer(
            transfer_id=f"{suspense_id}/release",
            debit_account_id=ledger.suspense_account(item.hub_code, item.currency_code),
            credit_account_id=ledger.payable_account(item.hub_code, release_to, item.currency_code),
            currency_code=item.currency_code,
            amount_minor=item.amount_minor,
            code="SUSPENSE_RELEASED",
            description=(
                f"suspense {suspense_id} (work {item.work_id or '-'}) released to {release_to}: "
                f"{reason.strip()}"
            ),
            run_id="",
        )
        now = datetime.now(UTC)
        await uow.repo.post([transfer], now)
        await uow.repo.release_suspense(
            suspense_id,
            to=release_to,
            by=released_by,
            at=now,
            reason=reason.strip(),
            transfer_id=transfer.transfer_id,
        )
        if release_to != item.hub_code:
            # Released money is owed outside the netting of the run that held it: an obligation of its
            # own, due nine months after the end of the hub's financial year of the release, and the one
            # payment instruction that settles it (confirmed like any other).
            year_end, deadline = payment_deadline(
                now.date(), year_end_of(item.hub_code, DEFAULT_FINANCIAL_YEARS)
            )
            await uow.repo.add_direct_obligation(
                group_id=f"release:{suspense_id}",
                debtor_code=item.hub_code,
                creditor_code=release_to,
                currency_code=item.currency_code,
                amount_minor=item.amount_minor,
                financial_year_end=year_end,
                deadline=deadline,
                reference=f"NORDCLEAR RELEASE {suspense_id}",
            )
        released = await uow.repo.suspense(suspense_id)
        assert released is not None
        response = answer(released, transfer, now)
        await uow.repo.log_request(
            request_id, OPERATION, fingerprint, response.SerializeToString(deterministic=True)
        )
        uow.record(
            SuspenseReleased(
                suspense_id,
                item.run_id,
                item.work_id,
                item.currency_code,
                item.amount_minor,
                release_to,
                released_by,
                reason.strip(),
                transfer.transfer_id,
                request_id,
            )
        )
        await uow.commit()
        earliest = await earliest_deadline_timestamp(uow)
    metrics.EARLIEST_OPEN_DEADLINE.set(earliest)
    return response
