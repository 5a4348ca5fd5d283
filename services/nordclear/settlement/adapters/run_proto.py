"""Settlement's domain values as the ``nordclear.settlement.v1`` and ``nordclear.events.v1`` messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, money_pb2
from nordclear.gen.settlement.v1 import settlement_pb2 as pb
from nordclear.platform.domain.societies import society_by_code, society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.platform.protoconv import date_to_proto, society_to_proto, territory_to_proto
from nordclear.repertoire.domain.consent import AiStage
from nordclear.settlement.adapters.events_in import STAGE_TO_PROTO
from nordclear.settlement.domain import ledger
from nordclear.settlement.domain.fx import FxRate
from nordclear.settlement.domain.run import InvariantCheck, RunResult

RIGHT_TO_PROTO: Mapping[str, codes_pb2.Right.ValueType] = {
    "PR": codes_pb2.RIGHT_PERFORMING,
    "MR": codes_pb2.RIGHT_MECHANICAL,
    "SR": codes_pb2.RIGHT_SYNCHRONISATION,
}
REASON_TO_PROTO: Mapping[str, pb.SuspenseReason.ValueType] = {
    "NO_CONSENT": pb.SUSPENSE_REASON_NO_CONSENT,
    "NO_MANDATE": pb.SUSPENSE_REASON_NO_MANDATE,
    "NON_MEMBER_SOCIETY": pb.SUSPENSE_REASON_NON_MEMBER_SOCIETY,
    "UNKNOWN_WORK": pb.SUSPENSE_REASON_UNKNOWN_WORK,
}
REASON_FROM_PROTO = {number: name for name, number in REASON_TO_PROTO.items()}
KIND_TO_PROTO: Mapping[ledger.AccountKind, pb.AccountKind.ValueType] = {
    ledger.AccountKind.LICENSEE_RECEIVABLE: pb.ACCOUNT_KIND_LICENSEE_RECEIVABLE,
    ledger.AccountKind.COLLECTED: pb.ACCOUNT_KIND_COLLECTED,
    ledger.AccountKind.SOCIETY_PAYABLE: pb.ACCOUNT_KIND_SOCIETY_PAYABLE,
    ledger.AccountKind.ADMIN_FEE: pb.ACCOUNT_KIND_ADMIN_FEE,
    ledger.AccountKind.SUSPENSE: pb.ACCOUNT_KIND_SUSPENSE,
    ledger.AccountKind.FX_CONVERSION: pb.ACCOUNT_KIND_FX_CONVERSION,
}
KIND_FROM_PROTO = {number: kind for kind, number in KIND_TO_PROTO.items()}
STATUS_TO_PROTO: Mapping[str, pb.RunStatus.ValueType] = {
    "running": pb.RUN_STATUS_RUNNING,
    "completed": pb.RUN_STATUS_COMPLETED,
    "failed": pb.RUN_STATUS_FAILED,
}


def money(currency_code: str, amount_minor: int) -> money_pb2.Money:
    """A protobuf Money."""
    return money_pb2.Money(currency_code=currency_code, amount_minor=amount_minor)


def society(code: str) -> codes_pb2.Society.ValueType:
    """The protobuf Society of a member's CISAC code."""
    return society_to_proto(society_by_code(code).name)


def date_range(start: date, end: date) -> dates_pb2.DateRange:
    """A protobuf DateRange."""
    return dates_pb2.DateRange(start_date=date_to_proto(start), end_date=date_to_proto(end))


def stage(value: str) -> codes_pb2.AiStage.ValueType:
    """The protobuf AiStage of a stage name."""
    return STAGE_TO_PROTO[AiStage(value)]  # type: ignore[return-value]


def territory(value: str) -> codes_pb2.Territory.ValueType:
    """The protobuf Territory of an ISO code."""
    return territory_to_proto(Territory(value))


def actor(subject: str) -> audit_pb2.Actor:
    """The audit Actor of a principal subject such as ``ops:*`` or ``society:STIM``."""
    kind, _, rest = subject.partition(":")
    kinds = {
        "society": audit_pb2.PRINCIPAL_KIND_SOCIETY,
        "licensee": audit_pb2.PRINCIPAL_KIND_LICENSEE,
        "ops": audit_pb2.PRINCIPAL_KIND_OPS,
        "service": audit_pb2.PRINCIPAL_KIND_SERVICE,
    }
    message = audit_pb2.Actor(
        kind=kinds.get(kind, audit_pb2.PRINCIPAL_KIND_UNSPECIFIED), principal_id=subject, display_name=subject
    )
    if kind in ("society", "ops") and rest not in ("", "*"):
        message.society = society_to_proto(society_by_name(rest).name)
    return message


def invariant(check: InvariantCheck) -> pb.InvariantCheck:
    """A protobuf InvariantCheck."""
    return pb.InvariantCheck(name=check.name, passed=check.passed, detail=check.detail)


def run_to_proto(
    result: RunResult,
    *,
    status: str,
    started_at: datetime,
    finished_at: datetime | None,
    started_by: str,
    transfers_posted: int,
    failure_reason: str = "",
) -> pb.SettlementRun:
    """The SettlementRun message of a computed run."""
    currency = result.settlement_currency_code
    run = pb.SettlementRun(
        run_id=result.run_id,
        period=date_range(result.period_start, result.period_end),
        settlement_currency_code=currency,
        fx_rate_date=date_to_proto(result.fx_rate_date),
        status=STATUS_TO_PROTO[status],
        inputs_sha256=result.inputs_sha256,
        totals=[
            pb.CurrencyTotals(
                currency_code=t.currency_code,
                collected=money(t.currency_code, t.collected_minor),
                distributed=money(t.currency_code, t.distributed_minor),
                admin_fees=money(t.currency_code, t.admin_fees_minor),
                suspense=money(t.currency_code, t.suspense_minor),
            )
            for t in result.totals
        ],
        net_positions=[
            pb.NetPosition(
                society=society(p.society_code),
                receivable=money(currency, p.receivable_minor),
                payable=money(currency, p.payable_minor),
                net=money(currency, p.net_minor),
            )
            for p in result.positions
        ],
        transfers_posted=transfers_posted,
        payment_instruction_count=len(result.payments),
        invariants=[invariant(check) for check in result.invariants],
        failure_reason=failure_reason,
        started_by=actor(started_by),
    )
    run.started_at.FromDatetime(started_at)
    if finished_at is not None:
        run.finished_at.FromDatetime(finished_at)
    return run


def transfer_to_proto(transfer: ledger.Transfer, posted_at: datetime | None) -> pb.LedgerTransfer:
    """A protobuf LedgerTransfer."""
    message = pb.LedgerTransfer(
        transfer_id=transfer.transfer_id,
        debit_account_id=transfer.debit_account_id,
        credit_account_id=transfer.credit_account_id,
        amount=money(transfer.currency_code, transfer.amount_minor),
        run_id=transfer.run_id,
        reverses_transfer_id=transfer.reverses_transfer_id,
        code=transfer.code,
        description=transfer.description,
    )
    if posted_at is not None:
        message.posted_at.FromDatetime(posted_at)
    return message


def balance_to_proto(balance: ledger.Balance) -> pb.AccountBalance:
    """A protobuf AccountBalance."""
    account = ledger.parse_account(balance.account_id)
    message = pb.AccountBalance(
        account_id=balance.account_id,
        kind=KIND_TO_PROTO[account.kind],
        debits_total=money(balance.currency_code, balance.debits_minor),
        credits_total=money(balance.currency_code, balance.credits_minor),
        balance=money(balance.currency_code, balance.balance_minor),
    )
    if account.society_code is not None:
        message.society = society(account.society_code)
    return message


def rate_to_proto(rate: FxRate) -> money_pb2.FxRate:
    """A protobuf FxRate."""
    return money_pb2.FxRate(
        base_currency_code=rate.base_currency_code,
        quote_currency_code=rate.quote_currency_code,
        rate_ppb=rate.rate_ppb,
        rate_date=date_to_proto(rate.rate_date),
        source=rate.source,
    )
