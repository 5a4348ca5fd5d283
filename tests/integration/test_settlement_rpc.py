"""The settlement service over real gRPC, fed through a real broker, on SQLite and PostgreSQL.

Repertoire, licensing and matching events are published to their topics; the settlement service's
inbox consumers build its read models; bad requests are refused precisely; ops load the ECB rates and
run the quarter; each society reads its own statement (lines, CSV and CRD-shaped), positions,
obligations and balances, and not another's; suspense is released; the run is published; a malformed
licensing event is parked on the dead-letter topic with the reason.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from nordclear.gen.common.v1 import codes_pb2, dates_pb2
from nordclear.gen.events.v1 import dead_letter_pb2
from nordclear.gen.events.v1.envelope_pb2 import EventEnvelope
from nordclear.gen.settlement.v1 import settlement_pb2 as pb
from nordclear.gen.settlement.v1 import settlement_service_pb2 as service_pb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.service_runtime import ServiceRuntime
from nordclear.platform.topology import LICENSING, MATCHING, REPERTOIRE, SETTLEMENT, KafkaNames
from nordclear.settlement import bootstrap
from tests.conftest import DatabaseFactory, Keys
from tests.support.clients import bearer
from tests.support.polling import eventually
from tests.support.services import running_service, service_environment
from tests.unit.settlement import envelopes as scenario

pytestmark = [pytest.mark.integration, pytest.mark.kafka]


@dataclass
class Service:
    """The running settlement service, a client, and tokens."""

    runtime: ServiceRuntime
    stub: pb_grpc.SettlementServiceAsyncStub
    keys: Keys
    bootstrap_servers: str
    names: KafkaNames

    def token(self, kind: PrincipalKind, **identity: str) -> tuple[tuple[str, str], ...]:
        return bearer(self.keys.token(principal_for(kind, **identity)))

    @property
    def ops(self) -> tuple[tuple[str, str], ...]:
        return self.token(PrincipalKind.OPS)

    async def inbox_count(self) -> int:
        async with self.runtime.engine.connect() as connection:
            return int(
                await connection.scalar(select(func.count()).select_from(self.runtime.tables.inbox)) or 0
            )


async def _publish(bootstrap_servers: str, topic: str, envelopes: list[EventEnvelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers)
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(
                topic, value=envelope.SerializeToString(), key=envelope.aggregate_id.encode()
            )
    finally:
        await producer.stop()


@pytest.fixture
async def service(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[Service]:
    env = service_environment(
        SETTLEMENT,
        database_url=await new_database("settlement"),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
    )
    names = KafkaNames(kafka_namespace)
    async with (
        running_service(SETTLEMENT, bootstrap.build, env) as runtime,
        grpc.aio.insecure_channel(f"127.0.0.1:{runtime.bound_port}") as channel,
    ):
        published = {
            REPERTOIRE: scenario.repertoire_envelopes(names.events_topic(REPERTOIRE)),
            LICENSING: [*scenario.licensing_envelopes(), _bad_fee()],
            MATCHING: scenario.matching_envelopes(),
        }
        for spec, envelopes in published.items():
            await _publish(kafka_bootstrap_servers, names.events_topic(spec), envelopes)
        service = Service(
            runtime, pb_grpc.SettlementServiceStub(channel), keys, kafka_bootstrap_servers, names
        )
        total = sum(len(envelopes) for envelopes in published.values()) - 1  # the bad fee is parked
        await eventually(
            service.inbox_count, lambda n: n == total, timeout_s=60, what="every event in the inbox"
        )
        yield service


def _bad_fee() -> EventEnvelope:
    """A fee whose lines do not add up to its amount: settlement must park it, not guess."""
    fee = scenario.licensing_envelopes()[-1]
    bad = type(fee)()
    bad.CopyFrom(fee)
    bad.event_id = "fee:bad"
    bad.fee_due.fee_id = "bad-fee"
    bad.fee_due.amount.amount_minor += 1
    return bad


async def _check_dead_letter(service: Service, bootstrap_servers: str, names: KafkaNames) -> None:
    group = names.consumer_group(SETTLEMENT, LICENSING)
    consumer = AIOKafkaConsumer(
        names.dead_letter_topic(group),
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=f"test-reader-{uuid.uuid4().hex[:8]}",
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    letter = dead_letter_pb2.DeadLetter.FromString(record.value)
    assert letter.event_id == "fee:bad"
    assert letter.error_type == "InvalidArgument"
    assert "fee_due.lines" in letter.reason
    assert "must sum exactly to amount" in letter.reason


def _day(year: int, month: int, day: int) -> dates_pb2.Date:
    return dates_pb2.Date(year=year, month=month, day=day)


QUARTER = dates_pb2.DateRange(start_date=_day(2026, 1, 1), end_date=_day(2026, 3, 31))


async def _load_rates_and_run(service: Service) -> pb.SettlementRun:
    loaded = await service.stub.LoadFxRates(
        service_pb.LoadFxRatesRequest(
            request_id="ecb-2026-03-31", csv_file=scenario.ECB_CSV, csv_source="ECB"
        ),
        metadata=service.ops,
    )
    assert loaded.rates_loaded == 5
    response = await service.stub.RunPeriod(
        service_pb.RunPeriodRequest(run_id="2026-Q1", period=QUARTER, settlement_currency_code="EUR"),
        metadata=service.ops,
    )
    return response.run


async def _statement(
    service: Service,
    society: codes_pb2.Society.ValueType,
    statement_format: pb.StatementFormat.ValueType,
    caller: str,
) -> list[service_pb.StreamStatementResponse]:
    request = service_pb.StreamStatementRequest(run_id="2026-Q1", society=society, format=statement_format)
    return [
        part
        async for part in service.stub.StreamStatement(
            request, metadata=service.token(PrincipalKind.SOCIETY, society=caller)
        )
    ]


async def _check_statements(service: Service, run: pb.SettlementRun) -> None:
    lines = await _statement(service, codes_pb2.SOCIETY_KODA, pb.STATEMENT_FORMAT_LINES, "KODA")
    assert lines[0].WhichOneof("part") == "header"
    assert lines[-1].WhichOneof("part") == "summary"
    statement_lines = [line for part in lines[1:-1] for line in part.lines.lines]
    assert {line.work_id for line in statement_lines} == {"w-dk"}, "KODA administers shares of w-dk only"
    assert {line.party_name for line in statement_lines} == {"Nielsen"}
    summary = lines[-1].summary
    assert summary.lines_total == len(statement_lines)
    assert summary.earned_settlement.amount_minor == sum(
        line.settlement_amount.amount_minor for line in statement_lines
    )
    koda = next(p for p in summary.net_positions if p.society == codes_pb2.SOCIETY_KODA)
    assert koda.net.amount_minor == summary.earned_settlement.amount_minor
    assert [(i.payer, i.payee) for i in summary.payment_instructions] == [
        (codes_pb2.SOCIETY_STIM, codes_pb2.SOCIETY_KODA)
    ]

    csv_parts = await _statement(service, codes_pb2.SOCIETY_KODA, pb.STATEMENT_FORMAT_CSV, "KODA")
    assert csv_parts[0].header.file_name == "2026-Q1_040_20260101-20260331.csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(p.file_chunk for p in csv_parts[1:-1]).decode())))
    assert sum(int(row["settlement_amount_minor"]) for row in rows) == summary.earned_settlement.amount_minor

    crd_parts = await _statement(service, codes_pb2.SOCIETY_KODA, pb.STATEMENT_FORMAT_CRD, "KODA")
    crd = b"".join(p.file_chunk for p in crd_parts[1:-1]).decode().split("\r\n")
    assert crd[0].startswith("HDR")
    assert crd[-2].startswith("TRL")


async def _check_access(service: Service) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await service.stub.RunPeriod(
            service_pb.RunPeriodRequest(run_id="x", period=QUARTER, settlement_currency_code="EUR"),
            metadata=service.token(PrincipalKind.SOCIETY, society="KODA"),
        )
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await _statement(service, codes_pb2.SOCIETY_KODA, pb.STATEMENT_FORMAT_LINES, "STIM")
    assert foreign.value.code() == grpc.StatusCode.PERMISSION_DENIED
    balances = await service.stub.GetLedgerBalances(
        service_pb.GetLedgerBalancesRequest(), metadata=service.token(PrincipalKind.SOCIETY, society="KODA")
    )
    assert balances.balances
    assert all("/040/" in b.account_id for b in balances.balances)


async def _check_obligations(service: Service) -> None:
    before = await service.stub.ListObligations(
        service_pb.ListObligationsRequest(as_of=_day(2027, 9, 30)), metadata=service.ops
    )
    after = await service.stub.ListObligations(
        service_pb.ListObligationsRequest(as_of=_day(2027, 10, 1), state=pb.OBLIGATION_STATE_LATE),
        metadata=service.ops,
    )

    assert before.obligations
    assert {o.state for o in before.obligations} == {pb.OBLIGATION_STATE_OPEN}
    assert {(o.deadline.year, o.deadline.month, o.deadline.day) for o in before.obligations} == {
        (2027, 9, 30)
    }
    assert [o.obligation_id for o in after.obligations] == [o.obligation_id for o in before.obligations]
    payments = await service.stub.ListPaymentInstructions(
        service_pb.ListPaymentInstructionsRequest(run_id="2026-Q1"), metadata=service.ops
    )
    assert 1 <= len(payments.payment_instructions) <= 4


async def _check_suspense_release(service: Service) -> None:
    held = await service.stub.ListSuspense(
        service_pb.ListSuspenseRequest(reason=pb.SUSPENSE_REASON_NO_MANDATE), metadata=service.ops
    )
    item = held.items[0]
    request = service_pb.ReleaseSuspenseRequest(
        request_id="release-1",
        suspense_id=item.suspense_id,
        release_to=codes_pb2.SOCIETY_KODA,
        reason="mandate registered",
    )

    released = await service.stub.ReleaseSuspense(request, metadata=service.ops)
    again = await service.stub.ReleaseSuspense(request, metadata=service.ops)

    assert released.item.status == pb.SUSPENSE_STATUS_RELEASED
    assert released.item.release.reason == "mandate registered"
    assert released.transfer.amount == item.amount
    assert released.transfer.credit_account_id == f"society/079/payable/040/{item.amount.currency_code}"
    assert again.replayed
    with pytest.raises(grpc.aio.AioRpcError) as twice:
        await service.stub.ReleaseSuspense(
            service_pb.ReleaseSuspenseRequest(
                request_id="release-2",
                suspense_id=item.suspense_id,
                release_to=codes_pb2.SOCIETY_KODA,
                reason="again",
            ),
            metadata=service.ops,
        )
    assert twice.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def _check_bad_requests(service: Service) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as no_rate:
        await service.stub.RunPeriod(
            service_pb.RunPeriodRequest(run_id="2026-Q1", period=QUARTER, settlement_currency_code="EUR"),
            metadata=service.ops,
        )
    assert no_rate.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "no FX rate EUR/SEK" in (no_rate.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as currency:
        await service.stub.RunPeriod(
            service_pb.RunPeriodRequest(run_id="2026-Q1", period=QUARTER, settlement_currency_code="XYZ"),
            metadata=service.ops,
        )
    assert currency.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "settlement_currency_code" in (currency.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await service.stub.GetRun(service_pb.GetRunRequest(run_id="2026-Q1"), metadata=service.ops)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    entries = await service.stub.ListLedgerEntries(
        service_pb.ListLedgerEntriesRequest(), metadata=service.ops
    )
    assert list(entries.transfers) == []


async def _check_published(service: Service, run: pb.SettlementRun) -> None:
    outbox = service.runtime.tables.outbox
    async with service.runtime.engine.connect() as connection:
        types = [
            row.event_type
            for row in await connection.execute(select(outbox.c.event_type).order_by(outbox.c.sequence_no))
        ]
    assert types[0] == "nordclear.events.v1.FxRatesLoaded"
    assert "nordclear.events.v1.SettlementRunCompleted" in types
    assert "nordclear.events.v1.ReportsSettled" in types
    assert types.count("nordclear.events.v1.StatementPublished") == 3
    replay = await service.stub.RunPeriod(
        service_pb.RunPeriodRequest(run_id="2026-Q1", period=QUARTER, settlement_currency_code="EUR"),
        metadata=service.ops,
    )
    assert replay.replayed
    assert replay.run == run


async def test_events_in_a_quarter_run_and_every_society_reads_its_own_results(service: Service) -> None:
    # One scenario end to end: starting the service and its three consumer groups is the slow part.
    await _check_bad_requests(service)
    run = await _load_rates_and_run(service)
    assert run.status == pb.RUN_STATUS_COMPLETED
    assert all(check.passed for check in run.invariants)
    assert sum(p.net.amount_minor for p in run.net_positions) == 0
    await _check_statements(service, run)
    await _check_access(service)
    await _check_obligations(service)
    await _check_published(service, run)
    await _check_suspense_release(service)
    await _check_dead_letter(service, service.bootstrap_servers, service.names)
