"""Settlement: runs, each society's net position (who owes whom), payments, deadlines and suspense."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from nordclear.dashboard.views.clients import Problem, ServiceClients, ServiceProblem
from nordclear.dashboard.views.common import Paged, Viewer, failed, page_request, paged
from nordclear.dashboard.views.formatting import (
    date_of,
    date_text,
    enum_label,
    enum_value,
    money_text,
    society_label,
    timestamp_text,
    to_proto_date,
)
from nordclear.gen.common.v1 import codes_pb2
from nordclear.gen.settlement.v1 import settlement_pb2
from nordclear.gen.settlement.v1 import settlement_service_pb2 as pb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc

SERVICE = "settlement"
DUE_SOON_DAYS = 30


@dataclass(frozen=True, slots=True)
class RunRow:
    """One settlement run."""

    run_id: str
    period: str
    status: str
    currency_code: str
    transfers_posted: int
    payment_instruction_count: int
    started_at: str
    finished_at: str
    failure_reason: str
    invariants_failed: list[str]


@dataclass(frozen=True, slots=True)
class Position:
    """A society's net position: positive receives, negative pays."""

    society: str
    net_minor: int
    net: str
    receivable: str
    payable: str


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """One payment instruction."""

    instruction_id: str
    payer: str
    payee: str
    amount: str
    amount_minor: int
    due_date: str
    reference: str


@dataclass(frozen=True, slots=True)
class ObligationRow:
    """One obligation with its deadline."""

    obligation_id: str
    run_id: str
    debtor: str
    creditor: str
    amount: str
    settlement_amount: str
    settlement_amount_minor: int
    deadline: str
    days_left: int | None
    state: str


@dataclass(frozen=True, slots=True)
class SuspenseRow:
    """Money held, and why."""

    suspense_id: str
    run_id: str
    licence_id: str
    work_id: str
    territory: str
    stage: str
    amount: str
    amount_minor: int
    reason: str
    detail: str
    status: str
    held_at: str


def _stub(clients: ServiceClients) -> pb_grpc.SettlementServiceAsyncStub:
    return pb_grpc.SettlementServiceStub(clients.channels[SERVICE])


def _run_row(run: settlement_pb2.SettlementRun) -> RunRow:
    return RunRow(
        run_id=run.run_id,
        period=f"{date_text(run.period.start_date)} to {date_text(run.period.end_date)}",
        status=enum_label(settlement_pb2.RunStatus, run.status),
        currency_code=run.settlement_currency_code,
        transfers_posted=run.transfers_posted,
        payment_instruction_count=run.payment_instruction_count,
        started_at=timestamp_text(run.started_at),
        finished_at=timestamp_text(run.finished_at),
        failure_reason=run.failure_reason,
        invariants_failed=[check.name for check in run.invariants if not check.passed],
    )


async def list_runs(
    clients: ServiceClients, viewer: Viewer, page_token: str, page_size: int
) -> Paged[RunRow]:
    """One page of runs, newest period first."""
    stub = _stub(clients)
    try:
        response = await clients.call(
            SERVICE,
            "ListRuns",
            stub.ListRuns,
            pb.ListRunsRequest(page=page_request(page_token, page_size)),
            viewer.token,
        )
    except ServiceProblem as error:
        return failed(error)
    return paged([_run_row(run) for run in response.runs], response.page)


async def net_positions(
    clients: ServiceClients, viewer: Viewer, run_id: str
) -> tuple[list[Position], str, Problem | None]:
    """Every society's net position for the run, and the settlement currency."""
    stub = _stub(clients)
    try:
        response = await clients.call(
            SERVICE,
            "GetNetPositions",
            stub.GetNetPositions,
            pb.GetNetPositionsRequest(run_id=run_id),
            viewer.token,
        )
    except ServiceProblem as error:
        return [], "", error.problem
    positions = [
        Position(
            society=society_label(p.society),
            net_minor=p.net.amount_minor,
            net=money_text(p.net),
            receivable=money_text(p.receivable),
            payable=money_text(p.payable),
        )
        for p in response.net_positions
    ]
    return positions, response.settlement_currency_code, None


async def payment_instructions(
    clients: ServiceClients, viewer: Viewer, run_id: str, page_token: str, page_size: int
) -> Paged[PaymentRow]:
    """One page of payment instructions (the viewer's society's, for a society's ops), by due date."""
    stub = _stub(clients)
    request = pb.ListPaymentInstructionsRequest(
        run_id=run_id, society=viewer.society, page=page_request(page_token, page_size)
    )
    try:
        response = await clients.call(
            SERVICE, "ListPaymentInstructions", stub.ListPaymentInstructions, request, viewer.token
        )
    except ServiceProblem as error:
        return failed(error)
    rows = [
        PaymentRow(
            instruction_id=i.instruction_id,
            payer=society_label(i.payer),
            payee=society_label(i.payee),
            amount=money_text(i.amount),
            amount_minor=i.amount.amount_minor,
            due_date=date_text(i.due_date),
            reference=i.reference,
        )
        for i in response.payment_instructions
    ]
    return paged(rows, response.page)


async def obligations(
    clients: ServiceClients,
    viewer: Viewer,
    *,
    today: date,
    late: bool,
    society: str,
    due_soon_only: bool = True,
    page_token: str,
    page_size: int,
) -> Paged[ObligationRow]:
    """Late obligations, or open ones (due within ``DUE_SOON_DAYS``, or all); earliest deadline first."""
    chosen_society = enum_value(codes_pb2.Society, society, "society") or viewer.society
    request = pb.ListObligationsRequest(
        society=chosen_society,
        state=settlement_pb2.OBLIGATION_STATE_LATE if late else settlement_pb2.OBLIGATION_STATE_OPEN,
        as_of=to_proto_date(today),
        page=page_request(page_token, page_size),
    )
    if not late and due_soon_only:
        request.deadline_on_or_before.CopyFrom(to_proto_date(today + timedelta(days=DUE_SOON_DAYS)))
    stub = _stub(clients)
    try:
        response = await clients.call(SERVICE, "ListObligations", stub.ListObligations, request, viewer.token)
    except ServiceProblem as error:
        return failed(error)
    rows = []
    for o in response.obligations:
        deadline = date_of(o.deadline)
        rows.append(
            ObligationRow(
                obligation_id=o.obligation_id,
                run_id=o.run_id,
                debtor=society_label(o.debtor),
                creditor=society_label(o.creditor),
                amount=money_text(o.amount),
                settlement_amount=money_text(o.settlement_amount),
                settlement_amount_minor=o.settlement_amount.amount_minor,
                deadline=date_text(o.deadline),
                days_left=(deadline - today).days if deadline else None,
                state=enum_label(settlement_pb2.ObligationState, o.state),
            )
        )
    return paged(rows, response.page)


async def suspense(
    clients: ServiceClients,
    viewer: Viewer,
    *,
    reason: str,
    society: str,
    page_token: str,
    page_size: int,
) -> Paged[SuspenseRow]:
    """Money held in suspense (still held), with its reason; oldest first."""
    request = pb.ListSuspenseRequest(
        society=enum_value(codes_pb2.Society, society, "society") or viewer.society,
        reason=enum_value(settlement_pb2.SuspenseReason, reason, "reason"),
        status=settlement_pb2.SUSPENSE_STATUS_HELD,
        page=page_request(page_token, page_size),
    )
    stub = _stub(clients)
    try:
        response = await clients.call(SERVICE, "ListSuspense", stub.ListSuspense, request, viewer.token)
    except ServiceProblem as error:
        return failed(error)
    rows = [
        SuspenseRow(
            suspense_id=s.suspense_id,
            run_id=s.run_id,
            licence_id=s.licence_id,
            work_id=s.work_id,
            territory=enum_label(codes_pb2.Territory, s.territory).upper(),
            stage=enum_label(codes_pb2.AiStage, s.stage),
            amount=money_text(s.amount),
            amount_minor=s.amount.amount_minor,
            reason=enum_label(settlement_pb2.SuspenseReason, s.reason),
            detail=s.detail,
            status=enum_label(settlement_pb2.SuspenseStatus, s.status),
            held_at=timestamp_text(s.held_at),
        )
        for s in response.items
    ]
    return paged(rows, response.page)
