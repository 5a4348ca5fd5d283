"""The settlement service's gRPC servicer: translate the request, call the use case, translate the answer.

Data-level access: a society (and a society's ops) sees its own statements, obligations, payment
instructions, ledger accounts and suspense items; clearing-house ops and services see all. Every
society sees the netting summary (all net positions), as it is part of every statement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import grpc

from nordclear.gen.common.v1 import codes_pb2, paging_pb2
from nordclear.gen.settlement.v1 import settlement_pb2 as pb
from nordclear.gen.settlement.v1 import settlement_service_pb2 as service_pb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import Principal, PrincipalKind
from nordclear.platform.domain.money import Currency
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.errors import InvalidArgument, NotFound, PermissionDenied, Unavailable
from nordclear.platform.protoconv import (
    date_from_proto,
    date_to_proto,
    optional_date_from_proto,
    society_from_proto,
    timestamp_from_proto,
)
from nordclear.platform.rpc.access import current_principal
from nordclear.platform.rpc.idempotency import fingerprint, scoped_request_id
from nordclear.settlement.adapters import run_proto
from nordclear.settlement.adapters.repository import StoredSuspense
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.domain import ledger, statement_files
from nordclear.settlement.domain.fx import FxRate, parse_rates_csv
from nordclear.settlement.service_layer import fx_ops, ledger_ops, payments, runs, suspense_ops

Context = grpc.aio.ServicerContext[Any, Any]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1_000
LINES_PER_BATCH = 500


class SettlementServicer(pb_grpc.SettlementServiceServicer):
    """Implements ``nordclear.settlement.v1.SettlementService``."""

    def __init__(
        self,
        uow_factory: Callable[[], SettlementUnitOfWork],
        read_uow_factory: Callable[[], SettlementUnitOfWork],
        settings: runs.RunSettings | None = None,
        events_behind: Callable[[], Mapping[str, int | None]] = dict,
    ) -> None:
        self._uow = uow_factory
        self._read = read_uow_factory
        self._settings = settings or runs.RunSettings()
        self._events_behind = events_behind

    # --- runs ---------------------------------------------------------------------------------

    async def RunPeriod(
        self, request: service_pb.RunPeriodRequest, context: Context
    ) -> service_pb.RunPeriodResponse:
        """Run a settlement period (ops only)."""
        principal = current_principal()
        _require_clearing_house(principal)
        if not request.HasField("period"):
            raise InvalidArgument("period", "unset", "a settlement period needs start_date and end_date")
        period = runs.check_period(
            date_from_proto(request.period.start_date, "period.start_date"),
            date_from_proto(request.period.end_date, "period.end_date"),
        )
        fx_date = (
            optional_date_from_proto(request.fx_rate_date, "fx_rate_date")
            if request.HasField("fx_rate_date")
            else None
        )
        self._require_caught_up()
        outcome = await runs.run_period(
            self._uow,
            run_id=request.run_id,
            period=period,
            settlement_currency_code=request.settlement_currency_code,
            fx_rate_date=fx_date,
            dry_run=request.dry_run,
            started_by=principal.subject,
            settings=self._settings,
        )
        return service_pb.RunPeriodResponse(run=outcome.run, replayed=outcome.replayed)

    def _require_caught_up(self) -> None:
        """Refuse to settle from read models that are still filling: money would go to suspense wrongly.

        A service that has just started (or lost the broker) has not read the licences, usage and works
        yet; a run then would post everything as "not in the repertoire". The check is as of each
        consumer's last fetch, a fraction of a second old.
        """
        lagging = {group: behind for group, behind in self._events_behind().items() if behind != 0}
        if lagging:
            shown = ", ".join(
                f"{group}: {'not joined yet' if behind is None else f'{behind} events behind'}"
                for group, behind in sorted(lagging.items())
            )
            raise Unavailable(
                f"settlement is still reading the events it settles from ({shown}); retry shortly"
            )

    async def GetRun(self, request: service_pb.GetRunRequest, context: Context) -> service_pb.GetRunResponse:
        """One run."""
        return service_pb.GetRunResponse(run=await self._run(request.run_id))

    async def ListRuns(
        self, request: service_pb.ListRunsRequest, context: Context
    ) -> service_pb.ListRunsResponse:
        """Runs, newest period first."""
        status = {v: k for k, v in run_proto.STATUS_TO_PROTO.items()}.get(request.status)
        if request.status and status is None:
            raise InvalidArgument("status", request.status, "must be a RunStatus")
        offset, size = _page(request.page)
        async with self._read() as uow:
            documents = await uow.repo.list_run_documents(status, offset, size)
        return service_pb.ListRunsResponse(
            runs=[pb.SettlementRun.FromString(d) for d in documents],
            page=_next_page(offset, size, len(documents)),
        )

    async def _run(self, run_id: str) -> pb.SettlementRun:
        if not run_id:
            raise InvalidArgument("run_id", run_id, "name the run")
        async with self._read() as uow:
            document = await uow.repo.run_document(run_id)
        if document is None:
            raise NotFound(f"run {run_id} does not exist")
        return pb.SettlementRun.FromString(document)

    async def _completed_run(self, run_id: str) -> pb.SettlementRun:
        run = await self._run(run_id)
        if run.status != pb.RUN_STATUS_COMPLETED:
            raise NotFound(f"run {run_id} did not complete: {run.failure_reason}")
        return run

    # --- statements and netting -----------------------------------------------------------------

    async def StreamStatement(
        self, request: service_pb.StreamStatementRequest, context: Context
    ) -> AsyncIterator[service_pb.StreamStatementResponse]:
        """One society's statement: header, lines (or file bytes), then the summary."""
        principal = current_principal()
        society_code = _society_code(request.society, "society")
        if society_code is None:
            raise InvalidArgument(
                "society", "SOCIETY_UNSPECIFIED", "name the society whose statement to stream"
            )
        _require_sees(principal, society_code)
        run = await self._completed_run(request.run_id)
        statement_format = request.format or pb.STATEMENT_FORMAT_LINES
        if statement_format not in (
            pb.STATEMENT_FORMAT_LINES,
            pb.STATEMENT_FORMAT_CRD,
            pb.STATEMENT_FORMAT_CSV,
        ):
            raise InvalidArgument("format", request.format, "must be a StatementFormat")
        head = statement_files.StatementHead(
            run_id=run.run_id,
            society_code=society_code,
            period_start=date_from_proto(run.period.start_date, "period.start_date"),
            period_end=date_from_proto(run.period.end_date, "period.end_date"),
            settlement_currency_code=run.settlement_currency_code,
            created_on=run.finished_at.ToDatetime(tzinfo=UTC).date(),
        )
        extension = {pb.STATEMENT_FORMAT_CRD: "crd", pb.STATEMENT_FORMAT_CSV: "csv"}.get(statement_format)
        yield service_pb.StreamStatementResponse(
            header=service_pb.StatementHeader(
                run_id=run.run_id,
                society=request.society,
                period=run.period,
                settlement_currency_code=run.settlement_currency_code,
                format=statement_format,
                file_name=statement_files.file_name(head, extension) if extension else "",
            )
        )
        earned: dict[str, int] = {}
        totals = {"lines": 0, "settlement": 0}
        writer: statement_files.StatementWriter | None = None
        if statement_format == pb.STATEMENT_FORMAT_CRD:
            writer = statement_files.CrdStatement(head)
        elif statement_format == pb.STATEMENT_FORMAT_CSV:
            writer = statement_files.CsvStatement(head)

        def part(batch: list[statement_files.StatementRow]) -> service_pb.StreamStatementResponse:
            if writer is None:
                lines = service_pb.StatementLineBatch(lines=[_line_to_proto(row, run) for row in batch])
                return service_pb.StreamStatementResponse(lines=lines)
            return service_pb.StreamStatementResponse(file_chunk=writer.rows(batch))

        # Streamed from the database a batch at a time: a statement can be larger than memory allows.
        async with self._read() as uow:
            instructions = await uow.repo.payment_instructions(
                run_id=run.run_id, society_code=society_code, after=0, limit=100
            )
            admin_fees = await self._run_admin_fees(uow, run.run_id, society_code)
            if writer is not None:
                yield service_pb.StreamStatementResponse(file_chunk=writer.start())
            batch: list[statement_files.StatementRow] = []
            async for row in uow.repo.statement_lines(run.run_id, society_code):
                earned[row.currency_code] = earned.get(row.currency_code, 0) + row.amount_minor
                totals["lines"] += 1
                totals["settlement"] += row.settlement_amount_minor
                batch.append(row)
                if len(batch) == LINES_PER_BATCH:
                    yield part(batch)
                    batch = []
            if batch:
                yield part(batch)
            ending = writer.finish() if writer is not None else b""
            if ending:
                yield service_pb.StreamStatementResponse(file_chunk=ending)
        currency = run.settlement_currency_code
        yield service_pb.StreamStatementResponse(
            summary=service_pb.StatementSummary(
                lines_total=totals["lines"],
                earned=[run_proto.money(c, earned[c]) for c in sorted(earned)],
                earned_settlement=run_proto.money(currency, totals["settlement"]),
                admin_fees=[run_proto.money(c, admin_fees[c]) for c in sorted(admin_fees)],
                net_positions=run.net_positions,
                payment_instructions=[_payment_to_proto(p) for p in instructions],
            )
        )

    async def _run_admin_fees(
        self, uow: SettlementUnitOfWork, run_id: str, society_code: str
    ) -> dict[str, int]:
        fees: dict[str, int] = {}
        prefix = f"society/{society_code}/admin-fee/"
        for transfer in await uow.repo.run_transfers(run_id):
            if transfer.credit_account_id.startswith(prefix):
                fees[transfer.currency_code] = fees.get(transfer.currency_code, 0) + transfer.amount_minor
        return fees

    async def GetNetPositions(
        self, request: service_pb.GetNetPositionsRequest, context: Context
    ) -> service_pb.GetNetPositionsResponse:
        """Every society's net position for a run (the netting summary every statement carries)."""
        run = await self._completed_run(request.run_id)
        return service_pb.GetNetPositionsResponse(
            net_positions=run.net_positions, settlement_currency_code=run.settlement_currency_code
        )

    async def ListPaymentInstructions(
        self, request: service_pb.ListPaymentInstructionsRequest, context: Context
    ) -> service_pb.ListPaymentInstructionsResponse:
        """Payment instructions by due date; a society sees those it pays or receives."""
        society_code = _visible_society(current_principal(), _society_code(request.society, "society"))
        offset, size = _page(request.page)
        async with self._read() as uow:
            found = await uow.repo.payment_instructions(
                run_id=request.run_id or None, society_code=society_code, after=offset, limit=size
            )
        return service_pb.ListPaymentInstructionsResponse(
            payment_instructions=[_payment_to_proto(p) for p in found],
            page=_next_page(offset, size, len(found)),
        )

    async def ListObligations(
        self, request: service_pb.ListObligationsRequest, context: Context
    ) -> service_pb.ListObligationsResponse:
        """Obligations by deadline, with their state on ``as_of`` (OPEN, LATE or PAID)."""
        society_code = _visible_society(current_principal(), _society_code(request.society, "society"))
        as_of = (
            optional_date_from_proto(request.as_of, "as_of") if request.HasField("as_of") else None
        ) or datetime.now(UTC).date()
        before = (
            optional_date_from_proto(request.deadline_on_or_before, "deadline_on_or_before")
            if request.HasField("deadline_on_or_before")
            else None
        )
        if request.state not in (
            0,
            pb.OBLIGATION_STATE_OPEN,
            pb.OBLIGATION_STATE_LATE,
            pb.OBLIGATION_STATE_PAID,
        ):
            raise InvalidArgument("state", request.state, "must be an ObligationState")
        offset, size = _page(request.page)
        answered: list[pb.Obligation] = []
        scanned = offset
        # The state depends on as_of, so it is filtered here; pages advance over the rows scanned.
        async with self._read() as uow:
            while len(answered) < size:
                rows = await uow.repo.obligations(
                    society_code=society_code,
                    run_id=request.run_id or None,
                    deadline_on_or_before=before,
                    after=scanned,
                    limit=size,
                )
                if not rows:
                    scanned = -1
                    break
                for row in rows:
                    scanned += 1
                    obligation = _obligation_to_proto(row, as_of)
                    if not request.state or obligation.state == request.state:
                        answered.append(obligation)
                    if len(answered) == size:
                        break
        token = str(scanned) if scanned >= 0 and len(answered) == size else ""
        return service_pb.ListObligationsResponse(
            obligations=answered, page=paging_pb2.PageResponse(next_page_token=token)
        )

    async def ConfirmPayment(
        self, request: service_pb.ConfirmPaymentRequest, context: Context
    ) -> service_pb.ConfirmPaymentResponse:
        """Record that a payment instruction was paid (ops); settles its run's obligations with the last."""
        principal = current_principal()
        _require_clearing_house(principal)
        request_id = scoped_request_id(principal, request.request_id)
        if not request.HasField("paid_on"):
            raise InvalidArgument("paid_on", "unset", "the day the payment was made is required")
        confirmed = await payments.confirm_payment(
            self._uow,
            request_id=request_id,
            fingerprint=fingerprint(request),
            instruction_id=request.instruction_id,
            paid_on=date_from_proto(request.paid_on, "paid_on"),
            bank_reference=request.bank_reference,
            confirmed_by=principal.subject,
        )
        return service_pb.ConfirmPaymentResponse(
            instruction=_payment_to_proto(confirmed.instruction),
            obligations_settled=confirmed.obligations_settled,
            replayed=confirmed.replayed,
        )

    # --- ledger -------------------------------------------------------------------------------

    async def GetLedgerBalances(
        self, request: service_pb.GetLedgerBalancesRequest, context: Context
    ) -> service_pb.GetLedgerBalancesResponse:
        """Balances derived from the transfers; a society sees its own accounts and what is owed to it."""
        principal = current_principal()
        society_code = _visible_society(principal, _society_code(request.society, "society"))
        kind = run_proto.KIND_FROM_PROTO.get(request.kind) if request.kind else None
        if request.kind and kind is None:
            raise InvalidArgument("kind", request.kind, "must be an AccountKind")
        currency = Currency.of(request.currency_code, "currency_code").code if request.currency_code else None
        as_of = timestamp_from_proto(request.as_of, "as_of") if request.HasField("as_of") else None
        async with self._read() as uow:
            balances = await uow.repo.balances(as_of, None)
        selected = []
        for balance in balances:
            account = ledger.parse_account(balance.account_id)
            if society_code is not None and society_code not in (
                account.society_code,
                account.counterparty_code,
            ):
                continue
            if kind is not None and account.kind is not kind:
                continue
            if currency is not None and account.currency_code != currency:
                continue
            selected.append(run_proto.balance_to_proto(balance))
        return service_pb.GetLedgerBalancesResponse(balances=selected)

    async def ListLedgerEntries(
        self, request: service_pb.ListLedgerEntriesRequest, context: Context
    ) -> service_pb.ListLedgerEntriesResponse:
        """Transfers in posting order; a society lists the entries of its own accounts only."""
        principal = current_principal()
        viewer = _viewer_society(principal)
        if viewer is not None:
            if not request.account_id:
                raise PermissionDenied(
                    f"{principal.describe()} may list the entries of its own accounts only: name one"
                )
            account = ledger.parse_account(request.account_id)
            if viewer not in (account.society_code, account.counterparty_code):
                raise PermissionDenied(f"{principal.describe()} may not read account {request.account_id}")
        elif request.account_id:
            ledger.parse_account(request.account_id)
        after = _token_int(request.page.page_token)
        size = _page_size(request.page)
        async with self._read() as uow:
            found = await uow.repo.list_transfers(
                request.account_id or None, request.run_id or None, after, size
            )
        token = str(found[-1][0]) if len(found) == size else ""
        return service_pb.ListLedgerEntriesResponse(
            transfers=[run_proto.transfer_to_proto(t, at) for _, t, at in found],
            page=paging_pb2.PageResponse(next_page_token=token),
        )

    async def PostTransfers(
        self, request: service_pb.PostTransfersRequest, context: Context
    ) -> service_pb.PostTransfersResponse:
        """Post transfers directly, all or nothing, each idempotent on its id."""
        _require_clearing_house(current_principal(), services_too=True)
        transfers = []
        for index, message in enumerate(request.transfers):
            if message.HasField("posted_at"):
                raise InvalidArgument(f"transfers[{index}].posted_at", "set", "the server sets posted_at")
            transfers.append(
                ledger.Transfer(
                    transfer_id=message.transfer_id,
                    debit_account_id=message.debit_account_id,
                    credit_account_id=message.credit_account_id,
                    currency_code=message.amount.currency_code,
                    amount_minor=message.amount.amount_minor,
                    code=message.code or "DIRECT",
                    description=message.description,
                    run_id=message.run_id,
                    reverses_transfer_id=message.reverses_transfer_id,
                )
            )
        posted = await ledger_ops.post_transfers(self._uow, transfers)
        return service_pb.PostTransfersResponse(
            results=[
                service_pb.TransferResult(transfer_id=t.transfer_id, code=_RESULT_TO_PROTO[r])
                for t, r in zip(transfers, posted.results, strict=True)
            ]
        )

    async def ReverseTransfer(
        self, request: service_pb.ReverseTransferRequest, context: Context
    ) -> service_pb.ReverseTransferResponse:
        """Reverse a transfer with a new one."""
        _require_clearing_house(current_principal())
        done = await ledger_ops.reverse_transfer(
            self._uow,
            reversal_transfer_id=request.reversal_transfer_id,
            transfer_id=request.transfer_id,
            reason=request.reason,
        )
        return service_pb.ReverseTransferResponse(
            reversal=run_proto.transfer_to_proto(done.transfer, done.posted_at), replayed=done.replayed
        )

    # --- suspense -----------------------------------------------------------------------------

    async def ListSuspense(
        self, request: service_pb.ListSuspenseRequest, context: Context
    ) -> service_pb.ListSuspenseResponse:
        """Suspense items, oldest first; a society sees items it holds as hub or that were released to it."""
        society_code = _visible_society(current_principal(), _society_code(request.society, "society"))
        reason = run_proto.REASON_FROM_PROTO.get(request.reason) if request.reason else None
        if request.reason and reason is None:
            raise InvalidArgument("reason", request.reason, "must be a SuspenseReason")
        status = {pb.SUSPENSE_STATUS_HELD: "held", pb.SUSPENSE_STATUS_RELEASED: "released"}.get(
            request.status
        )
        if request.status and status is None:
            raise InvalidArgument("status", request.status, "must be a SuspenseStatus")
        offset, size = _page(request.page)
        async with self._read() as uow:
            items = await uow.repo.list_suspense(
                society_code=society_code,
                reason=reason,
                status=status,
                run_id=request.run_id or None,
                after=offset,
                limit=size,
            )
        return service_pb.ListSuspenseResponse(
            items=[_suspense_to_proto(item) for item in items], page=_next_page(offset, size, len(items))
        )

    async def ReleaseSuspense(
        self, request: service_pb.ReleaseSuspenseRequest, context: Context
    ) -> service_pb.ReleaseSuspenseResponse:
        """Release a held item to a society, with a reason, posting a transfer."""
        principal = current_principal()
        _require_clearing_house(principal)
        request_id = scoped_request_id(principal, request.request_id)
        release_to = _society_code(request.release_to, "release_to")
        if release_to is None:
            raise InvalidArgument(
                "release_to", "SOCIETY_UNSPECIFIED", "name the society to release the money to"
            )
        if not request.suspense_id:
            raise InvalidArgument("suspense_id", "", "name the suspense item")

        def answer(
            item: StoredSuspense, transfer: ledger.Transfer, at: datetime
        ) -> service_pb.ReleaseSuspenseResponse:
            return service_pb.ReleaseSuspenseResponse(
                item=_suspense_to_proto(item),
                transfer=run_proto.transfer_to_proto(transfer, at),
                replayed=False,
            )

        return await suspense_ops.release_suspense(
            self._uow,
            request_id=request_id,
            fingerprint=fingerprint(request),
            suspense_id=request.suspense_id,
            release_to=release_to,
            reason=request.reason,
            released_by=principal.subject,
            answer=answer,
        )

    # --- FX rates -----------------------------------------------------------------------------

    async def LoadFxRates(
        self, request: service_pb.LoadFxRatesRequest, context: Context
    ) -> service_pb.LoadFxRatesResponse:
        """Load rates from messages or a central-bank CSV file."""
        principal = current_principal()
        _require_clearing_house(principal)
        request_id = scoped_request_id(principal, request.request_id)
        source = request.WhichOneof("source")
        if source == "csv_file":
            rates = parse_rates_csv(request.csv_file, request.csv_source)
        elif source == "rates":
            rates = [
                FxRate(
                    base_currency_code=Currency.of(
                        r.base_currency_code, f"rates[{i}].base_currency_code"
                    ).code,
                    quote_currency_code=Currency.of(
                        r.quote_currency_code, f"rates[{i}].quote_currency_code"
                    ).code,
                    rate_ppb=r.rate_ppb,
                    rate_date=date_from_proto(r.rate_date, f"rates[{i}].rate_date"),
                    source=r.source,
                )
                for i, r in enumerate(request.rates.rates)
            ]
        else:
            raise InvalidArgument("source", "unset", "give rates or csv_file")
        loaded = await fx_ops.load_rates(
            self._uow, request_id=request_id, fingerprint=fingerprint(request), rates=rates
        )
        return service_pb.LoadFxRatesResponse(
            rates_loaded=loaded.loaded, rates_unchanged=loaded.unchanged, replayed=loaded.replayed
        )

    async def ListFxRates(
        self, request: service_pb.ListFxRatesRequest, context: Context
    ) -> service_pb.ListFxRatesResponse:
        """Loaded rates by date, base and quote."""
        rate_date = (
            optional_date_from_proto(request.rate_date, "rate_date")
            if request.HasField("rate_date")
            else None
        )
        offset, size = _page(request.page)
        async with self._read() as uow:
            rates = await uow.repo.list_rates(rate_date, offset, size)
        return service_pb.ListFxRatesResponse(
            rates=[run_proto.rate_to_proto(r) for r in rates], page=_next_page(offset, size, len(rates))
        )


_RESULT_TO_PROTO = {
    result: service_pb.TransferResultCode.Value(f"TRANSFER_RESULT_CODE_{result.value}")
    for result in ledger.TransferResult
}


def _society_code(value: codes_pb2.Society.ValueType, field: str) -> str | None:
    name = society_from_proto(value, field)
    return None if name is None else society_by_name(name).cisac_code


def _require_clearing_house(principal: Principal, *, services_too: bool = False) -> None:
    """Writes that move money between societies are the clearing house's: not one society's ops."""
    if principal.is_clearing_house_ops or (services_too and principal.kind is PrincipalKind.SERVICE):
        return
    raise PermissionDenied(f"{principal.describe()} may not do this: it is for clearing-house ops")


def _viewer_society(principal: Principal) -> str | None:
    """The one society whose data the caller may see, or None for all (clearing-house ops, services)."""
    if principal.kind is PrincipalKind.SOCIETY or (principal.kind is PrincipalKind.OPS and principal.society):
        return society_by_name(principal.society or "").cisac_code
    if principal.kind in (PrincipalKind.OPS, PrincipalKind.SERVICE):
        return None
    raise PermissionDenied(f"{principal.describe()} may not read settlement data")


def _require_sees(principal: Principal, society_code: str) -> None:
    viewer = _viewer_society(principal)
    if viewer is not None and viewer != society_code:
        raise PermissionDenied(f"{principal.describe()} may read its own society's settlement data only")


def _visible_society(principal: Principal, requested: str | None) -> str | None:
    viewer = _viewer_society(principal)
    if viewer is None:
        return requested
    if requested is not None and requested != viewer:
        raise PermissionDenied(f"{principal.describe()} may read its own society's settlement data only")
    return viewer


def _page_size(page: paging_pb2.PageRequest) -> int:
    if page.page_size < 0 or page.page_size > MAX_PAGE_SIZE:
        raise InvalidArgument("page.page_size", page.page_size, f"between 0 and {MAX_PAGE_SIZE}")
    return page.page_size or DEFAULT_PAGE_SIZE


def _token_int(token: str) -> int:
    if not token:
        return 0
    if not token.isdigit() or len(token) > 18:
        raise InvalidArgument("page.page_token", token, "must be a token from an earlier answer")
    return int(token)


def _page(page: paging_pb2.PageRequest) -> tuple[int, int]:
    return _token_int(page.page_token), _page_size(page)


def _next_page(offset: int, size: int, returned: int) -> paging_pb2.PageResponse:
    return paging_pb2.PageResponse(next_page_token=str(offset + returned) if returned == size else "")


def _line_to_proto(row: statement_files.StatementRow, run: pb.SettlementRun) -> pb.StatementLine:
    return pb.StatementLine(
        licence_id=row.licence_id,
        licensee_id=row.licensee_id,
        report_id=row.report_id,
        work_id=row.work_id,
        iswc=row.iswc,
        title=row.title,
        party_key=row.party_key,
        party_name=row.party_name,
        ipi_name_number=row.ipi_name_number,
        right=run_proto.RIGHT_TO_PROTO[row.right_code],
        share_bp=row.share_bp,
        stage=run_proto.stage(row.stage),
        territory=run_proto.territory(row.territory),
        period=run_proto.date_range(row.period_start, row.period_end),
        amount=run_proto.money(row.currency_code, row.amount_minor),
        settlement_amount=run_proto.money(run.settlement_currency_code, row.settlement_amount_minor),
    )


def _payment_to_proto(row: Any) -> pb.PaymentInstruction:
    message = pb.PaymentInstruction(
        instruction_id=row["instruction_id"],
        run_id=row["run_id"],
        payer=run_proto.society(row["payer_code"]),
        payee=run_proto.society(row["payee_code"]),
        amount=run_proto.money(row["currency_code"], row["amount_minor"]),
        due_date=date_to_proto(row["due_date"]),
        reference=row["reference"],
        bank_reference=row["bank_reference"] or "",
    )
    if row["paid_on"] is not None:
        message.paid_on.CopyFrom(date_to_proto(row["paid_on"]))
    return message


def _obligation_to_proto(row: Any, as_of: date) -> pb.Obligation:
    if row["paid_on"] is not None:
        state = pb.OBLIGATION_STATE_PAID
    elif row["deadline"] < as_of:
        state = pb.OBLIGATION_STATE_LATE
    else:
        state = pb.OBLIGATION_STATE_OPEN
    return pb.Obligation(
        obligation_id=row["obligation_id"],
        run_id=row["run_id"],
        debtor=run_proto.society(row["debtor_code"]),
        creditor=run_proto.society(row["creditor_code"]),
        amount=run_proto.money(row["currency_code"], row["amount_minor"]),
        settlement_amount=run_proto.money(row["settlement_currency_code"], row["settlement_amount_minor"]),
        financial_year_end=date_to_proto(row["financial_year_end"]),
        deadline=date_to_proto(row["deadline"]),
        state=state,
    )


def _suspense_to_proto(item: StoredSuspense) -> pb.SuspenseItem:
    message = pb.SuspenseItem(
        suspense_id=item.suspense_id,
        run_id=item.run_id,
        licence_id=item.licence_id,
        work_id=item.work_id,
        party_key=item.party_key,
        right=run_proto.RIGHT_TO_PROTO.get(item.right_code, codes_pb2.RIGHT_UNSPECIFIED),
        stage=run_proto.stage(item.stage),
        territory=run_proto.territory(item.territory),
        amount=run_proto.money(item.currency_code, item.amount_minor),
        reason=run_proto.REASON_TO_PROTO[item.reason],
        detail=item.detail,
        status=pb.SUSPENSE_STATUS_HELD if item.status == "held" else pb.SUSPENSE_STATUS_RELEASED,
    )
    message.held_at.FromDatetime(item.held_at)
    if item.status == "released" and item.released_at is not None:
        release = pb.SuspenseRelease(
            released_to=run_proto.society(item.released_to or ""),
            released_by=run_proto.actor(item.released_by or ""),
            reason=item.release_reason or "",
            transfer_id=item.release_transfer_id or "",
        )
        release.released_at.FromDatetime(item.released_at)
        message.release.CopyFrom(release)
    return message
