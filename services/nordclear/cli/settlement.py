"""``nordclear settlement …``: run periods, read statements, positions, obligations and the ledger.

For operations staff (run a period, load FX rates, release suspense) and for society systems (download
their statement as CSV or CRD-shaped file, read their positions, obligations and balances).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import grpc
import typer
from google.protobuf import json_format
from google.protobuf.message import Message

from nordclear.cli.client import Token, call, default_address, metadata, show
from nordclear.gen.common.v1 import codes_pb2, dates_pb2
from nordclear.gen.settlement.v1 import settlement_pb2 as pb
from nordclear.gen.settlement.v1 import settlement_service_pb2 as service_pb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import society_to_proto
from nordclear.platform.topology import SETTLEMENT

app = typer.Typer(help="Settlement runs, statements, net positions and the ledger.", no_args_is_help=True)
suspense_app = typer.Typer(help="Money held in suspense, and its release.", no_args_is_help=True)
app.add_typer(suspense_app, name="suspense")

Address = Annotated[str, typer.Option(help="Settlement service HOST:PORT.")]
DEFAULT_ADDRESS = default_address(SETTLEMENT.grpc_port)
RunId = Annotated[str, typer.Option("--run", help="The run id.")]
SocietyOption = Annotated[
    str | None, typer.Option(help="A member society: KODA, STEF, STIM, TEOSTO or TONO.")
]
FORMATS = {"csv": pb.STATEMENT_FORMAT_CSV, "crd": pb.STATEMENT_FORMAT_CRD, "lines": pb.STATEMENT_FORMAT_LINES}
STATES = {
    "open": pb.OBLIGATION_STATE_OPEN,
    "late": pb.OBLIGATION_STATE_LATE,
    "paid": pb.OBLIGATION_STATE_PAID,
}

T = TypeVar("T")
if TYPE_CHECKING:  # The async stub type exists in the generated stubs only.
    from nordclear.gen.settlement.v1.settlement_service_pb2_grpc import SettlementServiceAsyncStub as Stub


def _date(value: str, option: str) -> dates_pb2.Date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option}: {value!r} is not a date YYYY-MM-DD") from None
    return dates_pb2.Date(year=day.year, month=day.month, day=day.day)


def _society(value: str | None) -> codes_pb2.Society.ValueType:
    if value is None:
        return codes_pb2.SOCIETY_UNSPECIFIED
    try:
        return society_to_proto(society_by_name(value, "--society").name)
    except InvalidArgument as error:
        raise typer.BadParameter(str(error)) from None


def _run(address: str, rpc: Callable[[Stub], Awaitable[T]]) -> T:
    async def with_channel(channel: grpc.aio.Channel) -> T:
        return await rpc(pb_grpc.SettlementServiceStub(channel))

    return asyncio.run(call(address, with_channel))


@app.command("run")
def run_period(
    start: Annotated[str, typer.Option("--from", help="First day of the period, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period, YYYY-MM-DD.")],
    run_id: Annotated[str, typer.Option("--run", help="Run id (the idempotency key).")],
    currency: Annotated[str, typer.Option(help="Settlement currency, ISO 4217.")] = "EUR",
    fx_date: Annotated[
        str | None, typer.Option(help="FX reference date; the period's last day if omitted.")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Compute and check everything, post nothing.")] = False,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Run a settlement period (ops)."""
    request = service_pb.RunPeriodRequest(
        run_id=run_id,
        period=dates_pb2.DateRange(start_date=_date(start, "--from"), end_date=_date(end, "--to")),
        settlement_currency_code=currency,
        fx_rate_date=_date(fx_date, "--fx-date") if fx_date else None,
        dry_run=dry_run,
    )
    show(_run(address, lambda stub: stub.RunPeriod(request, metadata=metadata(token))))


@app.command("show")
def show_run(run_id: RunId, token: Token = "", address: Address = DEFAULT_ADDRESS) -> None:
    """Print one run: totals, net positions, invariants."""
    show(
        _run(
            address,
            lambda stub: stub.GetRun(service_pb.GetRunRequest(run_id=run_id), metadata=metadata(token)),
        ).run
    )


@app.command("statement")
def statement(
    run_id: RunId,
    society: Annotated[str, typer.Option(help="The society whose statement to download.")],
    output: Annotated[
        Path, typer.Option("--out", help="File to write; the summary goes beside it as .summary.json.")
    ],
    statement_format: Annotated[
        str, typer.Option("--format", help="csv, crd or lines (JSON lines).")
    ] = "csv",
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Download a society's statement as CSV, CRD-shaped file or JSON lines, with its netting summary."""
    if statement_format not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    request = service_pb.StreamStatementRequest(
        run_id=run_id, society=_society(society), format=FORMATS[statement_format]
    )

    async def download(stub: Stub) -> service_pb.StatementSummary:
        summary = service_pb.StatementSummary()
        with output.open("wb") as file:
            async for part in stub.StreamStatement(request, metadata=metadata(token)):
                kind = part.WhichOneof("part")
                if kind == "file_chunk":
                    file.write(part.file_chunk)
                elif kind == "lines":
                    for line in part.lines.lines:
                        file.write(_json(line).encode() + b"\n")
                elif kind == "summary":
                    summary = part.summary
        return summary

    summary = _run(address, download)
    summary_path = output.with_name(output.name + ".summary.json")
    summary_path.write_text(
        json_format.MessageToJson(summary, preserving_proto_field_name=True, indent=2) + "\n"
    )
    typer.echo(f"{summary.lines_total} lines written to {output}; netting summary in {summary_path}")


def _json(message: Message) -> str:
    return json.dumps(
        json_format.MessageToDict(message, preserving_proto_field_name=True), ensure_ascii=False
    )


@app.command("positions")
def positions(run_id: RunId, token: Token = "", address: Address = DEFAULT_ADDRESS) -> None:
    """Print every society's net position for a run."""
    request = service_pb.GetNetPositionsRequest(run_id=run_id)
    show(_run(address, lambda stub: stub.GetNetPositions(request, metadata=metadata(token))))


@app.command("payments")
def payments(
    run_id: Annotated[str, typer.Option("--run", help="The run id; all runs if omitted.")] = "",
    society: SocietyOption = None,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print payment instructions by due date."""
    request = service_pb.ListPaymentInstructionsRequest(run_id=run_id, society=_society(society))
    show(_run(address, lambda stub: stub.ListPaymentInstructions(request, metadata=metadata(token))))


@app.command("confirm-payment")
def confirm_payment(
    instruction_id: Annotated[str, typer.Argument(help="The payment instruction, e.g. 2026-Q1/pay/1.")],
    paid_on: Annotated[str, typer.Option(help="The day the bank paid it, YYYY-MM-DD.")],
    bank_reference: Annotated[str, typer.Option(help="The bank's reference of the payment.")],
    request_id: Annotated[
        str | None, typer.Option(help="Idempotency key; derived from the instruction if omitted.")
    ] = None,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Confirm that a payment instruction was paid (ops); the run's obligations are settled with the last."""
    request = service_pb.ConfirmPaymentRequest(
        request_id=request_id or f"confirm-{instruction_id}",
        instruction_id=instruction_id,
        paid_on=_date(paid_on, "--paid-on"),
        bank_reference=bank_reference,
    )
    show(_run(address, lambda stub: stub.ConfirmPayment(request, metadata=metadata(token))))


@app.command("obligations")
def obligations(
    society: SocietyOption = None,
    state: Annotated[str | None, typer.Option(help="open, late or paid.")] = None,
    due_by: Annotated[
        str | None, typer.Option(help="Only deadlines on or before this day, YYYY-MM-DD.")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="Evaluate states on this day; today if omitted.")] = None,
    run_id: Annotated[str, typer.Option("--run", help="Only obligations of this run.")] = "",
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print obligations between societies, earliest deadline first, with what is open and what is late."""
    if state is not None and state not in STATES:
        raise typer.BadParameter(f"--state must be one of {', '.join(STATES)}")
    request = service_pb.ListObligationsRequest(
        society=_society(society),
        state=STATES[state] if state else pb.OBLIGATION_STATE_UNSPECIFIED,
        deadline_on_or_before=_date(due_by, "--due-by") if due_by else None,
        as_of=_date(as_of, "--as-of") if as_of else None,
        run_id=run_id,
    )
    show(_run(address, lambda stub: stub.ListObligations(request, metadata=metadata(token))))


@app.command("balances")
def balances(
    society: SocietyOption = None,
    currency: Annotated[str, typer.Option(help="Only this currency (ISO 4217).")] = "",
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print ledger balances, derived from the transfers."""
    request = service_pb.GetLedgerBalancesRequest(society=_society(society), currency_code=currency)
    show(_run(address, lambda stub: stub.GetLedgerBalances(request, metadata=metadata(token))))


@app.command("load-rates")
def load_rates(
    csv_file: Annotated[
        Path, typer.Argument(help="CSV of reference rates (ECB eurofxref format or long form).")
    ],
    source: Annotated[
        str, typer.Option(help="Where the rates come from.")
    ] = "ECB euro foreign exchange reference rates",
    request_id: Annotated[
        str | None, typer.Option(help="Idempotency key; derived from the file if omitted.")
    ] = None,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Load FX reference rates (ops)."""
    content = csv_file.read_bytes()
    request = service_pb.LoadFxRatesRequest(
        request_id=request_id or f"rates-{uuid.uuid5(uuid.NAMESPACE_OID, content.hex())}",
        csv_file=content,
        csv_source=source,
    )
    show(_run(address, lambda stub: stub.LoadFxRates(request, metadata=metadata(token))))


@suspense_app.command("list")
def suspense_list(
    run_id: Annotated[str, typer.Option("--run", help="Only items of this run.")] = "",
    society: SocietyOption = None,
    held_only: Annotated[bool, typer.Option(help="Only items still held.")] = False,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Print money held in suspense, oldest first."""
    request = service_pb.ListSuspenseRequest(
        run_id=run_id,
        society=_society(society),
        status=pb.SUSPENSE_STATUS_HELD if held_only else pb.SUSPENSE_STATUS_UNSPECIFIED,
    )
    show(_run(address, lambda stub: stub.ListSuspense(request, metadata=metadata(token))))


@suspense_app.command("release")
def suspense_release(
    suspense_id: Annotated[str, typer.Argument(help="The suspense item.")],
    to: Annotated[str, typer.Option("--to", help="The society to release the money to.")],
    reason: Annotated[str, typer.Option(help="Why; kept in the audit trail.")],
    request_id: Annotated[str | None, typer.Option(help="Idempotency key; a fresh one if omitted.")] = None,
    token: Token = "",
    address: Address = DEFAULT_ADDRESS,
) -> None:
    """Release a suspense item to a society (ops): posts a transfer and records who and why."""
    request = service_pb.ReleaseSuspenseRequest(
        request_id=request_id or str(uuid.uuid4()),
        suspense_id=suspense_id,
        release_to=_society(to),
        reason=reason,
    )
    show(_run(address, lambda stub: stub.ReleaseSuspense(request, metadata=metadata(token))))
