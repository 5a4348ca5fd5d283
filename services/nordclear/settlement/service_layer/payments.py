"""Confirming payments: ops record that a payment instruction was paid; a run's obligations are then settled.

Multilateral netting replaces a run's obligations by its payment instructions, so the obligations are
discharged together, on the day the last of those payments was made. Each confirmation is an audited,
idempotent action (who, when, the bank's reference).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from nordclear.platform import metrics
from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.service_layer.runs import earliest_deadline_timestamp

OPERATION = "ConfirmPayment"


@dataclass(frozen=True, slots=True)
class Confirmed:
    """The instruction after confirmation, how many obligations it settled, and whether it is a retry."""

    instruction: Mapping[str, object]
    obligations_settled: int
    replayed: bool


async def confirm_payment(
    uow_factory: Callable[[], SettlementUnitOfWork],
    *,
    request_id: str,
    fingerprint: str,
    instruction_id: str,
    paid_on: date,
    bank_reference: str,
    confirmed_by: str,
) -> Confirmed:
    """Record the payment of ``instruction_id``; settle its run's obligations when it was the last one."""
    if not instruction_id:
        raise InvalidArgument("instruction_id", instruction_id, "name the payment instruction")
    if not bank_reference.strip():
        raise InvalidArgument(
            "bank_reference", bank_reference, "the bank's reference of the payment is required"
        )
    if paid_on > datetime.now(UTC).date():
        raise InvalidArgument(
            "paid_on", paid_on.isoformat(), "a payment cannot be confirmed before it is made"
        )
    async with uow_factory() as uow:
        logged = await uow.repo.logged_request(request_id)
        if logged is not None:
            operation, earlier_fingerprint, response = logged
            if operation != OPERATION or earlier_fingerprint != fingerprint:
                raise AlreadyExists(f"request id {request_id} was used for another request")
            instruction = await uow.repo.payment_instruction(instruction_id)
            assert instruction is not None
            return Confirmed(instruction, int(response.decode()), True)
        instruction = await uow.repo.payment_instruction(instruction_id)
        if instruction is None:
            raise NotFound(f"payment instruction {instruction_id} does not exist")
        if instruction["paid_on"] is not None:
            raise FailedPrecondition(
                f"payment instruction {instruction_id} was already confirmed paid on "
                f"{instruction['paid_on']} (bank reference {instruction['bank_reference']})"
            )
        await uow.repo.confirm_payment(
            instruction_id, paid_on=paid_on, bank_reference=bank_reference.strip(), by=confirmed_by
        )
        run_id = str(instruction["run_id"])
        settled = 0
        if await uow.repo.unpaid_instructions(run_id) == 0:
            last_day = await uow.repo.last_payment_day(run_id)
            settled = await uow.repo.settle_obligations(run_id, last_day or paid_on)
        await uow.repo.log_request(request_id, OPERATION, fingerprint, str(settled).encode())
        await uow.commit()
        confirmed = await uow.repo.payment_instruction(instruction_id)
        earliest = await earliest_deadline_timestamp(uow)
    assert confirmed is not None
    metrics.EARLIEST_OPEN_DEADLINE.set(earliest)
    return Confirmed(confirmed, settled, False)
