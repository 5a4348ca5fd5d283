"""Benchmark: repertoire GetWork by id over gRPC, at 10 concurrent callers (BRIEF §7.1).

Starts the repertoire service as its own process (SQLite, real socket, real interceptor and auth, no
broker needed for reads), registers works, then has N concurrent callers issue GetWork for random
registered ids for a fixed time. Beside it, the same load against a bare gRPC echo server in its own
process on this machine, so the figure can be read as a ratio of what gRPC in Python allows here at all.

    .venv/bin/python -m benchmarks.bench_repertoire_lookup [--works 2000] [--seconds 10] [--callers 10]

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import grpc

from benchmarks.figures import Figure, summary_line
from nordclear.gen.common.v1 import codes_pb2, identifiers_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform import auth
from nordclear.platform.domain.identifiers import iswc_check_digit
from nordclear.platform.rpc.health import serving_status
from nordclear.platform.topology import REPERTOIRE

TARGET_CALLS_PER_S = 3_000
TARGET_P99_MS = 10.0
TARGET_BATCH_IDS_PER_S = 100_000
BATCH_KEYS = 1_000

Row = dict[str, float | str]

ECHO_SERVER = """
import asyncio, sys, grpc
async def echo(request, context):
    return request
async def main():
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        "bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port("127.0.0.1:" + sys.argv[1])
    await server.start()
    await server.wait_for_termination()
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _iswc(number: int) -> str:
    digits = f"{number:09d}"
    return f"T{digits}{iswc_check_digit(digits)}"


async def wait_serving(address: str) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        for _ in range(300):
            if await serving_status(channel, REPERTOIRE.grpc_service, timeout_ms=1_000) == "SERVING":
                return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"repertoire on {address} did not start")


async def _load(call: Callable[[], Awaitable[object]], callers: int, seconds: float) -> list[float]:
    """Run ``callers`` loops of ``call`` for ``seconds``; returns every call's latency in ms."""
    latencies_ms: list[float] = []
    deadline = time.perf_counter() + seconds

    async def caller() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await call()
            latencies_ms.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(caller() for _ in range(callers)))
    return latencies_ms


def _summary(name: str, latencies_ms: list[float], seconds: float) -> Row:
    ordered = sorted(latencies_ms)
    return {
        "name": name,
        "calls": len(ordered),
        "calls_per_s": round(len(ordered) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 3),
    }


async def _echo_baseline(callers: int, seconds: float) -> Row:
    """The same load on a server that only echoes bytes: Python gRPC's ceiling on this machine."""
    port = free_port()
    # Started and reaped around the measurement only; blocking there costs nothing measured.
    process = subprocess.Popen([sys.executable, "-c", ECHO_SERVER, str(port)])  # noqa: ASYNC220, S603
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            await channel.channel_ready()
            echo: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary("/bench.Echo/Echo")
            payload = b"x" * 200
            await _load(lambda: echo(payload), callers, 1.0)  # warm-up
            latencies = await _load(lambda: echo(payload), callers, seconds)
    finally:
        process.terminate()
        process.wait()
    return _summary("bare grpc echo (baseline)", latencies, seconds)


def start_repertoire(folder: Path, port: int, public_key_file: Path) -> subprocess.Popen[bytes]:
    prefix = REPERTOIRE.env_prefix
    env = {
        **os.environ,
        f"{prefix}GRPC_ADDRESS": f"127.0.0.1:{port}",
        f"{prefix}METRICS_ADDRESS": "127.0.0.1:0",
        f"{prefix}DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'repertoire.sqlite3'}",
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",  # No broker: reads need none.
        f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(public_key_file),
        f"{prefix}LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "nordclear.repertoire"], env=env, stderr=subprocess.DEVNULL
    )


def _a_work(number: int) -> work_pb2.Work:
    writer = work_pb2.InterestedParty(name="Writer", role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR)
    return work_pb2.Work(title=f"Benchmark work {number}", iswc=_iswc(number + 1), parties=[writer])


async def _repertoire(works: int, callers: int, seconds: float, folder: Path) -> Row:
    private_key_file, public_key_file = folder / "key.pem", folder / "key.pub.pem"
    auth.generate_signing_key(private_key_file, public_key_file)
    stim = auth.principal_for(auth.PrincipalKind.SOCIETY, society="STIM")
    token = auth.mint_token(auth.load_private_key(private_key_file), stim, timedelta(hours=1))
    metadata = (("authorization", f"Bearer {token}"),)
    port = free_port()
    process = start_repertoire(folder, port, public_key_file)
    try:
        await wait_serving(f"127.0.0.1:{port}")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.RepertoireServiceStub(channel)
            work_ids = []
            for number in range(works):
                request = pb.RegisterWorkRequest(request_id=str(uuid.uuid4()), work=_a_work(number))
                response = await stub.RegisterWork(request, metadata=metadata)
                work_ids.append(response.work.work_id)
            rng = random.Random(7)  # noqa: S311 - picks ids to look up, nothing secret

            def get_work() -> Awaitable[object]:
                reference = identifiers_pb2.WorkRef(work_id=rng.choice(work_ids))
                call: Awaitable[object] = stub.GetWork(pb.GetWorkRequest(work=reference), metadata=metadata)
                return call

            await _load(get_work, callers, 1.0)  # warm-up
            latencies = await _load(get_work, callers, seconds)
            batch_ids_per_s = await _batch_lookup(stub, metadata, work_ids, seconds)
    finally:
        process.terminate()
        process.wait()
    row = _summary("repertoire GetWork by id", latencies, seconds)
    row["batch_lookup_ids_per_s"] = batch_ids_per_s
    return row


async def _batch_lookup(
    stub: pb_grpc.RepertoireServiceAsyncStub,
    metadata: tuple[tuple[str, str], ...],
    work_ids: list[str],
    seconds: float,
) -> float:
    """Ids resolved per second by one BatchLookup stream sending batches of BATCH_KEYS work ids."""
    keys = [pb.LookupKey(client_key=w, work=identifiers_pb2.WorkRef(work_id=w)) for w in work_ids]
    batch = pb.BatchLookupRequest(
        keys=(keys * (BATCH_KEYS // len(keys) + 1))[:BATCH_KEYS], view=pb.WORK_VIEW_SUMMARY
    )
    deadline = time.perf_counter() + seconds
    resolved = 0

    async def requests() -> AsyncIterator[pb.BatchLookupRequest]:
        while time.perf_counter() < deadline:
            yield batch

    started = time.perf_counter()
    async for answer in stub.BatchLookup(requests(), metadata=metadata):
        resolved += len(answer.results)
    return round(resolved / (time.perf_counter() - started), 1)


async def main() -> None:
    """Run both loads and print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--works", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--callers", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        repertoire = await _repertoire(args.works, args.callers, args.seconds, Path(folder))
    baseline = await _echo_baseline(args.callers, args.seconds)
    print(f"{'':32} {'calls/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for row in (repertoire, baseline):
        print(f"{row['name']:32} {row['calls_per_s']:>10} {row['p50_ms']:>8} {row['p99_ms']:>8}")
    print(f"target: >= {TARGET_CALLS_PER_S} calls/s, p99 < {TARGET_P99_MS} ms at {args.callers} callers")
    print(f"batch lookup: {repertoire['batch_lookup_ids_per_s']} ids/s (target >= {TARGET_BATCH_IDS_PER_S})")
    echo = "bare grpc echo server"
    figures = [
        Figure(
            f"GetWork at {args.callers} callers",
            float(repertoire["calls_per_s"]),
            "calls/s",
            target=TARGET_CALLS_PER_S,
            baseline=echo,
            baseline_value=float(baseline["calls_per_s"]),
        ),
        Figure(
            f"GetWork p99 at {args.callers} callers",
            float(repertoire["p99_ms"]),
            "ms",
            target=TARGET_P99_MS,
            better="lower",
            baseline=echo,
            baseline_value=float(baseline["p99_ms"]),
        ),
        Figure(
            "BatchLookup (bidirectional stream)",
            float(repertoire["batch_lookup_ids_per_s"]),
            "ids/s",
            target=TARGET_BATCH_IDS_PER_S,
        ),
    ]
    print(summary_line("repertoire_lookup", figures, callers=args.callers, works=args.works, echo=baseline))


if __name__ == "__main__":
    asyncio.run(main())
