"""Every settlement RPC refuses malformed input with a precise status, never INTERNAL (BRIEF §7.2).

Each case names a request that breaks one rule and the status it must get; the details must name the
field or the thing that is missing. Nothing is written by any of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from nordclear.gen.common.v1 import codes_pb2, dates_pb2, money_pb2, paging_pb2
from nordclear.gen.settlement.v1 import settlement_pb2 as pb
from nordclear.gen.settlement.v1 import settlement_service_pb2 as service_pb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.topology import SETTLEMENT
from nordclear.settlement import bootstrap
from tests.conftest import DatabaseFactory, Keys
from tests.support.clients import bearer
from tests.support.services import running_service, service_environment

pytestmark = pytest.mark.integration

Q1 = dates_pb2.DateRange(
    start_date=dates_pb2.Date(year=2026, month=1, day=1), end_date=dates_pb2.Date(year=2026, month=3, day=31)
)
BAD_DAY = dates_pb2.Date(year=2026, month=13, day=1)
UNKNOWN_ENUM: Any = 99
"""A number no enum of the contract defines (clients built against a newer contract may send one)."""
KODA = codes_pb2.SOCIETY_KODA
INVALID, NOT_FOUND, PRECONDITION, EXISTS = (
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ALREADY_EXISTS,
)


def _transfer(**fields: Any) -> pb.LedgerTransfer:
    values: dict[str, Any] = {
        "transfer_id": "t-1",
        "debit_account_id": "society/079/collected/SEK",
        "credit_account_id": "society/079/admin-fee/SEK",
        "amount": money_pb2.Money(currency_code="SEK", amount_minor=100),
    }
    values.update(fields)
    return pb.LedgerTransfer(**values)


Call = Callable[[Any], Awaitable[object]]

CASES: list[tuple[str, Call, grpc.StatusCode, str]] = [
    (
        "run without id",
        lambda s: s.RunPeriod(service_pb.RunPeriodRequest(period=Q1, settlement_currency_code="EUR")),
        INVALID,
        "run_id",
    ),
    (
        "run id with a space",
        lambda s: s.RunPeriod(
            service_pb.RunPeriodRequest(run_id="a b", period=Q1, settlement_currency_code="EUR")
        ),
        INVALID,
        "run_id",
    ),
    (
        "run without period",
        lambda s: s.RunPeriod(service_pb.RunPeriodRequest(run_id="r", settlement_currency_code="EUR")),
        INVALID,
        "period",
    ),
    (
        "run with an impossible day",
        lambda s: s.RunPeriod(
            service_pb.RunPeriodRequest(
                run_id="r",
                period=dates_pb2.DateRange(start_date=BAD_DAY, end_date=Q1.end_date),
                settlement_currency_code="EUR",
            )
        ),
        INVALID,
        "period.start_date",
    ),
    (
        "run ending before it starts",
        lambda s: s.RunPeriod(
            service_pb.RunPeriodRequest(
                run_id="r",
                period=dates_pb2.DateRange(start_date=Q1.end_date, end_date=Q1.start_date),
                settlement_currency_code="EUR",
            )
        ),
        INVALID,
        "period.end_date",
    ),
    (
        "run in an unknown currency",
        lambda s: s.RunPeriod(
            service_pb.RunPeriodRequest(run_id="r", period=Q1, settlement_currency_code="XYZ")
        ),
        INVALID,
        "settlement_currency_code",
    ),
    (
        "run with a bad FX date",
        lambda s: s.RunPeriod(
            service_pb.RunPeriodRequest(
                run_id="r", period=Q1, settlement_currency_code="EUR", fx_rate_date=BAD_DAY
            )
        ),
        INVALID,
        "fx_rate_date",
    ),
    ("get a run without id", lambda s: s.GetRun(service_pb.GetRunRequest()), INVALID, "run_id"),
    ("get an unknown run", lambda s: s.GetRun(service_pb.GetRunRequest(run_id="nope")), NOT_FOUND, "nope"),
    (
        "runs of an unknown status",
        lambda s: s.ListRuns(service_pb.ListRunsRequest(status=UNKNOWN_ENUM)),
        INVALID,
        "status",
    ),
    (
        "a negative page size",
        lambda s: s.ListRuns(service_pb.ListRunsRequest(page=paging_pb2.PageRequest(page_size=-1))),
        INVALID,
        "page.page_size",
    ),
    (
        "a forged page token",
        lambda s: s.ListRuns(service_pb.ListRunsRequest(page=paging_pb2.PageRequest(page_token="abc"))),
        INVALID,
        "page.page_token",
    ),
    (
        "positions of an unknown run",
        lambda s: s.GetNetPositions(service_pb.GetNetPositionsRequest(run_id="nope")),
        NOT_FOUND,
        "nope",
    ),
    (
        "payments of an unknown society",
        lambda s: s.ListPaymentInstructions(service_pb.ListPaymentInstructionsRequest(society=UNKNOWN_ENUM)),
        INVALID,
        "society",
    ),
    (
        "obligations in an unknown state",
        lambda s: s.ListObligations(service_pb.ListObligationsRequest(state=UNKNOWN_ENUM)),
        INVALID,
        "state",
    ),
    (
        "obligations as of an impossible day",
        lambda s: s.ListObligations(service_pb.ListObligationsRequest(as_of=BAD_DAY)),
        INVALID,
        "as_of",
    ),
    (
        "balances of an unknown kind",
        lambda s: s.GetLedgerBalances(service_pb.GetLedgerBalancesRequest(kind=UNKNOWN_ENUM)),
        INVALID,
        "kind",
    ),
    (
        "balances in an unknown currency",
        lambda s: s.GetLedgerBalances(service_pb.GetLedgerBalancesRequest(currency_code="XX")),
        INVALID,
        "currency_code",
    ),
    (
        "balances at an impossible time",
        lambda s: s.GetLedgerBalances(service_pb.GetLedgerBalancesRequest(as_of=Timestamp(seconds=2**62))),
        INVALID,
        "as_of",
    ),
    (
        "entries of an account outside the chart",
        lambda s: s.ListLedgerEntries(service_pb.ListLedgerEntriesRequest(account_id="bank/1")),
        INVALID,
        "account_id",
    ),
    ("post nothing", lambda s: s.PostTransfers(service_pb.PostTransfersRequest()), INVALID, "transfers"),
    (
        "post with posted_at",
        lambda s: s.PostTransfers(
            service_pb.PostTransfersRequest(transfers=[_transfer(posted_at=Timestamp(seconds=1))])
        ),
        INVALID,
        "posted_at",
    ),
    (
        "post without transfer id",
        lambda s: s.PostTransfers(service_pb.PostTransfersRequest(transfers=[_transfer(transfer_id="")])),
        INVALID,
        "transfer_id",
    ),
    (
        "post a run's transfer",
        lambda s: s.PostTransfers(service_pb.PostTransfersRequest(transfers=[_transfer(run_id="r")])),
        INVALID,
        "run_id",
    ),
    (
        "post a reversal",
        lambda s: s.PostTransfers(
            service_pb.PostTransfersRequest(transfers=[_transfer(reverses_transfer_id="x")])
        ),
        INVALID,
        "reverses_transfer_id",
    ),
    (
        "post too many",
        lambda s: s.PostTransfers(
            service_pb.PostTransfersRequest(transfers=[_transfer(transfer_id=f"t{i}") for i in range(8191)])
        ),
        INVALID,
        "8190",
    ),
    (
        "reverse without ids",
        lambda s: s.ReverseTransfer(service_pb.ReverseTransferRequest(reason="x")),
        INVALID,
        "reversal_transfer_id",
    ),
    (
        "reverse an unknown transfer",
        lambda s: s.ReverseTransfer(
            service_pb.ReverseTransferRequest(reversal_transfer_id="r", transfer_id="nope", reason="x")
        ),
        NOT_FOUND,
        "nope",
    ),
    (
        "suspense of an unknown reason",
        lambda s: s.ListSuspense(service_pb.ListSuspenseRequest(reason=UNKNOWN_ENUM)),
        INVALID,
        "reason",
    ),
    (
        "release without request id",
        lambda s: s.ReleaseSuspense(
            service_pb.ReleaseSuspenseRequest(suspense_id="x", release_to=KODA, reason="x")
        ),
        INVALID,
        "request_id",
    ),
    (
        "release to nobody",
        lambda s: s.ReleaseSuspense(
            service_pb.ReleaseSuspenseRequest(request_id="r", suspense_id="x", reason="x")
        ),
        INVALID,
        "release_to",
    ),
    (
        "release without reason",
        lambda s: s.ReleaseSuspense(
            service_pb.ReleaseSuspenseRequest(request_id="r", suspense_id="x", release_to=KODA)
        ),
        INVALID,
        "reason",
    ),
    (
        "release an unknown item",
        lambda s: s.ReleaseSuspense(
            service_pb.ReleaseSuspenseRequest(
                request_id="r2", suspense_id="nope", release_to=KODA, reason="x"
            )
        ),
        NOT_FOUND,
        "nope",
    ),
    (
        "confirm a payment without its day",
        lambda s: s.ConfirmPayment(
            service_pb.ConfirmPaymentRequest(request_id="c", instruction_id="x", bank_reference="B")
        ),
        INVALID,
        "paid_on",
    ),
    (
        "confirm an unknown payment",
        lambda s: s.ConfirmPayment(
            service_pb.ConfirmPaymentRequest(
                request_id="c", instruction_id="nope", paid_on=Q1.end_date, bank_reference="B"
            )
        ),
        NOT_FOUND,
        "nope",
    ),
    (
        "confirm a payment without the bank's reference",
        lambda s: s.ConfirmPayment(
            service_pb.ConfirmPaymentRequest(request_id="c2", instruction_id="x", paid_on=Q1.end_date)
        ),
        INVALID,
        "bank_reference",
    ),
    (
        "rates without source",
        lambda s: s.LoadFxRates(service_pb.LoadFxRatesRequest(request_id="r")),
        INVALID,
        "source",
    ),
    (
        "rates from a file that is not text",
        lambda s: s.LoadFxRates(
            service_pb.LoadFxRatesRequest(request_id="r", csv_file=b"\xff\xfe\x00", csv_source="x")
        ),
        INVALID,
        "csv_file",
    ),
    (
        "rates from a file of something else",
        lambda s: s.LoadFxRates(
            service_pb.LoadFxRatesRequest(request_id="r", csv_file=b"a,b\n1,2\n", csv_source="x")
        ),
        INVALID,
        "csv_file.header",
    ),
    (
        "a rate of zero",
        lambda s: s.LoadFxRates(
            service_pb.LoadFxRatesRequest(
                request_id="r",
                rates=service_pb.FxRateList(
                    rates=[
                        money_pb2.FxRate(
                            base_currency_code="EUR",
                            quote_currency_code="SEK",
                            rate_ppb=0,
                            rate_date=Q1.end_date,
                            source="x",
                        )
                    ]
                ),
            )
        ),
        INVALID,
        "rate_ppb",
    ),
    (
        "a rate without source",
        lambda s: s.LoadFxRates(
            service_pb.LoadFxRatesRequest(
                request_id="r",
                rates=service_pb.FxRateList(
                    rates=[
                        money_pb2.FxRate(
                            base_currency_code="EUR",
                            quote_currency_code="SEK",
                            rate_ppb=1,
                            rate_date=Q1.end_date,
                        )
                    ]
                ),
            )
        ),
        INVALID,
        "source",
    ),
    (
        "two values for one rate",
        lambda s: s.LoadFxRates(
            service_pb.LoadFxRatesRequest(
                request_id="r",
                rates=service_pb.FxRateList(
                    rates=[
                        money_pb2.FxRate(
                            base_currency_code="EUR",
                            quote_currency_code="SEK",
                            rate_ppb=p,
                            rate_date=Q1.end_date,
                            source="x",
                        )
                        for p in (1, 2)
                    ]
                ),
            )
        ),
        EXISTS,
        "already loaded",
    ),
    (
        "rates of an impossible day",
        lambda s: s.ListFxRates(service_pb.ListFxRatesRequest(rate_date=BAD_DAY)),
        INVALID,
        "rate_date",
    ),
]


@pytest.fixture
async def stub(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[tuple[pb_grpc.SettlementServiceAsyncStub, tuple[tuple[str, str], ...]]]:
    env = service_environment(
        SETTLEMENT,
        database_url=await new_database("settlement"),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
        consume_topics_from_services="false",
    )
    async with (
        running_service(SETTLEMENT, bootstrap.build, env) as runtime,
        grpc.aio.insecure_channel(
            f"127.0.0.1:{runtime.bound_port}", options=[("grpc.max_send_message_length", 16 * 1024 * 1024)]
        ) as channel,
    ):
        yield pb_grpc.SettlementServiceStub(channel), bearer(keys.token(principal_for(PrincipalKind.OPS)))


async def test_every_malformed_request_gets_a_precise_status_and_writes_nothing(
    stub: tuple[pb_grpc.SettlementServiceAsyncStub, tuple[tuple[str, str], ...]],
) -> None:
    client, ops = stub
    wrong: list[str] = []
    for name, call, expected, mentioned in CASES:
        authorised = _WithMetadata(client, ops)
        try:
            await call(authorised)
        except grpc.aio.AioRpcError as error:
            details = error.details() or ""
            if error.code() != expected or mentioned not in details:
                wrong.append(
                    f"{name}: {error.code().name} {details!r}, expected {expected.name} naming {mentioned!r}"
                )
            continue
        wrong.append(f"{name}: accepted")
    assert wrong == []
    entries = await client.ListLedgerEntries(service_pb.ListLedgerEntriesRequest(), metadata=ops)
    rates = await client.ListFxRates(service_pb.ListFxRatesRequest(), metadata=ops)
    assert list(entries.transfers) == []
    assert list(rates.rates) == []


class _WithMetadata:
    """The stub with the token added to every call, so the cases stay one line each."""

    def __init__(
        self, client: pb_grpc.SettlementServiceAsyncStub, metadata: tuple[tuple[str, str], ...]
    ) -> None:
        self._client = client
        self._metadata = metadata

    def __getattr__(self, name: str) -> Callable[[object], Awaitable[object]]:
        method = getattr(self._client, name)
        return lambda request: method(request, metadata=self._metadata)


async def test_a_societys_ops_may_read_but_not_move_money(
    stub: tuple[pb_grpc.SettlementServiceAsyncStub, tuple[tuple[str, str], ...]], keys: Keys
) -> None:
    client, _ = stub
    stim_ops = bearer(keys.token(principal_for(PrincipalKind.OPS, society="STIM")))
    run = service_pb.RunPeriodRequest(run_id="r", period=Q1, settlement_currency_code="EUR")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await client.RunPeriod(run, metadata=stim_ops)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "clearing-house ops" in (refused.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as posting:
        await client.PostTransfers(
            service_pb.PostTransfersRequest(transfers=[_transfer()]), metadata=stim_ops
        )
    assert posting.value.code() == grpc.StatusCode.PERMISSION_DENIED
    obligations = await client.ListObligations(service_pb.ListObligationsRequest(), metadata=stim_ops)
    assert list(obligations.obligations) == []
