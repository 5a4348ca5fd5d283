"""Benchmark: ledger transfers per second through the settlement service (BRIEF §7.1: >= 10,000/s).

Starts the settlement service as its own process (SQLite, real socket, interceptor and auth; no broker
needed) and posts transfers with PostTransfers in batches, each transfer with its own caller-chosen id
(the idempotency key, checked against the stored ones in every call), from a few concurrent callers for
a fixed time. Then asks GetLedgerBalances once, which derives every balance from the transfers.

Baseline, side by side: the same number of transfers, same row shape (id, debit account, credit account,
currency, amount, code, the id as primary key), inserted as plain SQL with ``executemany`` in batches of
the same size, one transaction per batch, from one caller, into the same kind of database (a fresh
SQLite file, or a table of its own in the given PostgreSQL database, dropped afterwards). The ratio says
what the service (gRPC, auth, idempotency, double entry, outbox) costs over writing the rows alone.

    .venv/bin/python -m benchmarks.bench_settlement_ledger [--seconds 10] [--batch 8190] [--callers 2]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/<empty database>]

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import grpc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.bench_repertoire_lookup import free_port
from benchmarks.figures import Figure, summary_line
from nordclear.gen.common.v1 import money_pb2
from nordclear.gen.settlement.v1 import settlement_pb2 as pb
from nordclear.gen.settlement.v1 import settlement_service_pb2 as service_pb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from nordclear.platform import auth
from nordclear.platform.rpc.health import serving_status
from nordclear.platform.topology import SETTLEMENT

TARGET_TRANSFERS_PER_S = 10_000
ACCOUNTS = [
    ("society/079/collected/SEK", "society/079/payable/040/SEK", "SEK"),
    ("society/040/collected/DKK", "society/040/payable/090/DKK", "DKK"),
    ("society/077/collected/ISK", "society/077/admin-fee/ISK", "ISK"),
    ("society/089/suspense/EUR", "society/089/payable/079/EUR", "EUR"),
]


def _start(
    folder: Path, port: int, public_key_file: Path, database_url: str | None
) -> subprocess.Popen[bytes]:
    prefix = SETTLEMENT.env_prefix
    env = {
        **os.environ,
        f"{prefix}GRPC_ADDRESS": f"127.0.0.1:{port}",
        f"{prefix}METRICS_ADDRESS": "127.0.0.1:0",
        f"{prefix}DATABASE_URL": database_url or f"sqlite+aiosqlite:///{folder / 'settlement.sqlite3'}",
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",  # No broker: the ledger needs none.
        f"{prefix}CONSUME_TOPICS_FROM_SERVICES": "false",
        f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(public_key_file),
        f"{prefix}LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "nordclear.settlement"], env=env, stderr=subprocess.DEVNULL
    )


async def _wait_serving(address: str) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        for _ in range(300):
            if await serving_status(channel, SETTLEMENT.grpc_service, timeout_ms=1_000) == "SERVING":
                return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"settlement on {address} did not start")


def _batch(numbers: itertools.count[int], size: int) -> service_pb.PostTransfersRequest:
    transfers = []
    for _ in range(size):
        number = next(numbers)
        debit, credit, currency = ACCOUNTS[number % len(ACCOUNTS)]
        transfers.append(
            pb.LedgerTransfer(
                transfer_id=f"bench-{number:012d}",
                debit_account_id=debit,
                credit_account_id=credit,
                amount=money_pb2.Money(currency_code=currency, amount_minor=1 + number % 100_000),
                code="BENCHMARK",
            )
        )
    return service_pb.PostTransfersRequest(transfers=transfers)


async def _post(
    address: str, metadata: tuple[tuple[str, str], ...], seconds: float, batch: int, callers: int
) -> dict[str, float]:
    numbers = itertools.count()
    posted = 0
    latencies: list[float] = []
    async with grpc.aio.insecure_channel(
        address, options=[("grpc.max_send_message_length", 16 * 1024 * 1024)]
    ) as channel:
        stub = pb_grpc.SettlementServiceStub(channel)
        await stub.PostTransfers(_batch(numbers, 10), metadata=metadata)  # warm-up
        # Requests are built before the clock starts: on two cores, building them would compete with the
        # service for the CPU and the figure would measure the client.
        prepared = [
            _batch(numbers, batch) for _ in range(int(seconds * 6 * TARGET_TRANSFERS_PER_S / batch) + callers)
        ]
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()

        async def caller() -> None:
            nonlocal posted
            while time.perf_counter() < deadline and prepared:
                request = prepared.pop()
                sent = time.perf_counter()
                response = await stub.PostTransfers(request, metadata=metadata)
                latencies.append(time.perf_counter() - sent)
                assert all(r.code == service_pb.TRANSFER_RESULT_CODE_CREATED for r in response.results)
                posted += len(response.results)

        await asyncio.gather(*(caller() for _ in range(callers)))
        elapsed = time.perf_counter() - started
        balance_started = time.perf_counter()
        balances = await stub.GetLedgerBalances(service_pb.GetLedgerBalancesRequest(), metadata=metadata)
        balances_s = time.perf_counter() - balance_started
    assert sum(b.balance.amount_minor for b in balances.balances if b.balance.currency_code == "SEK") == 0
    return {
        "posted": posted,
        "elapsed_s": elapsed,
        "per_s": posted / elapsed,
        "batch_p50_s": sorted(latencies)[len(latencies) // 2],
        "balances_s": balances_s,
        "accounts": len(balances.balances),
    }


async def _plain_inserts(database_url: str, count: int, batch: int) -> float:
    """Transfers per second of plain ``executemany`` INSERTs of ``count`` transfers, batch per transaction."""
    numbers = itertools.count()
    rows = [
        {
            "id": transfer.transfer_id,
            "debit": transfer.debit_account_id,
            "credit": transfer.credit_account_id,
            "currency": transfer.amount.currency_code,
            "amount": transfer.amount.amount_minor,
            "code": transfer.code,
        }
        for start in range(0, count, batch)
        for transfer in _batch(numbers, min(batch, count - start)).transfers
    ]
    engine = create_async_engine(database_url)
    insert = text(
        "INSERT INTO bench_plain_transfers"
        " (id, debit_account_id, credit_account_id, currency, amount_minor, code)"
        " VALUES (:id, :debit, :credit, :currency, :amount, :code)"
    )
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP TABLE IF EXISTS bench_plain_transfers"))
            await connection.execute(
                text(
                    "CREATE TABLE bench_plain_transfers (id VARCHAR(64) PRIMARY KEY,"
                    " debit_account_id VARCHAR(128) NOT NULL, credit_account_id VARCHAR(128) NOT NULL,"
                    " currency VARCHAR(3) NOT NULL,"
                    " amount_minor BIGINT NOT NULL, code VARCHAR(64) NOT NULL)"
                )
            )
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            async with engine.begin() as connection:
                await connection.execute(insert, rows[start : start + batch])
        elapsed = time.perf_counter() - started
        async with engine.begin() as connection:
            stored = (
                await connection.execute(text("SELECT COUNT(*) FROM bench_plain_transfers"))
            ).scalar_one()
            await connection.execute(text("DROP TABLE bench_plain_transfers"))
    finally:
        await engine.dispose()
    assert stored == count, f"{stored} of {count} plain rows stored"
    return count / elapsed if elapsed > 0 else 0.0


async def _main(seconds: float, batch: int, callers: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        private_key_file, public_key_file = folder / "key.pem", folder / "key.pub.pem"
        auth.generate_signing_key(private_key_file, public_key_file)
        ops = auth.principal_for(auth.PrincipalKind.OPS)
        metadata = (
            (
                "authorization",
                f"Bearer {auth.mint_token(auth.load_private_key(private_key_file), ops, timedelta(hours=1))}",
            ),
        )
        port = free_port()
        process = _start(folder, port, public_key_file, database_url)
        try:
            await _wait_serving(f"127.0.0.1:{port}")
            result = await _post(f"127.0.0.1:{port}", metadata, seconds, batch, callers)
        finally:
            process.terminate()
            process.wait()
        plain_url = database_url or f"sqlite+aiosqlite:///{folder / 'plain.sqlite3'}"
        plain_per_s = await _plain_inserts(plain_url, int(result["posted"]), batch)
    database = "PostgreSQL" if database_url and database_url.startswith("postgresql") else "SQLite"
    print(f"ledger PostTransfers, batches of {batch}, {callers} callers, {seconds:.0f} s, {database}")
    print(f"  transfers posted   {result['posted']:,.0f} in {result['elapsed_s']:.1f} s")
    print(f"  throughput         {result['per_s']:,.0f} transfers/s   target >= {TARGET_TRANSFERS_PER_S:,}/s")
    print(f"  batch latency p50  {result['batch_p50_s'] * 1000:.0f} ms")
    print(f"  plain SQL inserts  {plain_per_s:,.0f} rows/s (executemany, batches of {batch}, same rows)")
    print(f"  GetLedgerBalances  {result['balances_s'] * 1000:.0f} ms over {result['posted']:,.0f} transfers")
    print(
        summary_line(
            "settlement_ledger",
            [
                Figure(
                    "settlement ledger transfers through the service",
                    round(result["per_s"]),
                    "transfers/s",
                    TARGET_TRANSFERS_PER_S,
                    baseline="plain SQL inserts",
                    baseline_value=round(plain_per_s),
                ),
                Figure(
                    "settlement GetLedgerBalances over all transfers",
                    round(result["balances_s"] * 1000, 1),
                    "ms",
                    better="lower",
                ),
            ],
            transfers=int(result["posted"]),
            batch=batch,
            callers=callers,
            seconds=seconds,
            database=database.lower(),
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--batch", type=int, default=8190)
    parser.add_argument("--callers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty PostgreSQL database (postgresql+asyncpg://…); SQLite if omitted",
    )
    arguments = parser.parse_args()
    asyncio.run(_main(arguments.seconds, arguments.batch, arguments.callers, arguments.database_url))


if __name__ == "__main__":
    main()
