"""Benchmark: operations dashboard pages served from the services' gRPC APIs, under concurrent readers.

Starts the repertoire service and the dashboard each as their own process (SQLite, real sockets, real
token checks), records a long consent history for one work, then has N concurrent readers load pages
over HTTP for a fixed time: the overview (gRPC health of every service plus the sampled metrics) and
the consent audit of that work, its first page and a deep one. Each page shows one page of rows (50),
asked of the service with a page token, never the whole history.

Where the consent audit's time goes: the repertoire's GetConsentHistory reads the subject's whole history
and returns one page of it (about 27 ms per call at 1,500 entries on a 2-core machine), so with eight
readers the repertoire process, not the dashboard, is the queue.

The licensing, matching and settlement addresses point at closed ports: the overview then also pays
for reporting three services as unreachable, which is the case a person most needs it to be quick in.

    .venv/bin/python -m benchmarks.bench_dashboard [--entries 1500] [--seconds 8] [--readers 8]

Prints a table and, last, one JSON line. BRIEF §7.1 sets no target for the dashboard.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import grpc

from benchmarks.bench_repertoire_lookup import free_port, start_repertoire, wait_serving
from benchmarks.figures import Figure, summary_line
from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, identifiers_pb2
from nordclear.gen.repertoire.v1 import consent_pb2, work_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform import auth
from nordclear.platform.topology import SERVICES

ISWC = "T0700000049"
STAGES = [codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_SERVICE, codes_pb2.AI_STAGE_OUTPUT]
Row = dict[str, float | str]


def _start_dashboard(
    folder: Path, port: int, repertoire_port: int, public_key_file: Path
) -> subprocess.Popen[bytes]:
    prefix = "NORDCLEAR_DASHBOARD_"
    env = {
        **os.environ,
        f"{prefix}HTTP_ADDRESS": f"127.0.0.1:{port}",
        f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(public_key_file),
        f"{prefix}LOG_LEVEL": "WARNING",
    }
    for spec in SERVICES:
        grpc_port = repertoire_port if spec.name == "repertoire" else free_port()
        env[f"{prefix}{spec.name.upper()}_ADDRESS"] = f"127.0.0.1:{grpc_port}"
        env[f"{prefix}{spec.name.upper()}_METRICS_URL"] = f"http://127.0.0.1:{free_port()}/metrics"
    return subprocess.Popen(
        [sys.executable, "-m", "nordclear.dashboard"], env=env, stderr=subprocess.DEVNULL, cwd=folder
    )


async def _seed(port: int, token: str, entries: int) -> None:
    """One work with ``entries`` consent register entries (three stages per recorded grant)."""
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = pb_grpc.RepertoireServiceStub(channel)
        writer = work_pb2.InterestedParty(name="Taube", role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR)
        work = await stub.RegisterWork(
            pb.RegisterWorkRequest(
                request_id="w", work=work_pb2.Work(title="Benchmark work", iswc=ISWC, parties=[writer])
            ),
            metadata=metadata,
        )
        subject = consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work.work.work_id))
        for number in range(entries // len(STAGES)):
            day = dates_pb2.Date(year=2020 + number // 300, month=1 + number % 12, day=1 + number % 28)
            await stub.RecordConsent(
                pb.RecordConsentRequest(
                    request_id=str(uuid.uuid4()),
                    subject=subject,
                    stages=STAGES,
                    effective_from=day,
                    evidence=audit_pb2.Evidence(
                        description=f"opt-in {number}", document_uri=f"stim://optin/{number}", issued_on=day
                    ),
                ),
                metadata=metadata,
            )


def _get(port: int, path: str, cookie: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"cookie": cookie})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _sign_in(port: int, token: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/login",
            body=urlencode({"token": token}),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        return str(response.getheader("set-cookie", "")).split(";", 1)[0]
    finally:
        connection.close()


async def _wait_http(port: int) -> None:
    for _ in range(300):
        try:
            if (await asyncio.to_thread(_get, port, "/healthz", ""))[0] == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.1)
    raise TimeoutError(f"the dashboard on port {port} did not start")


async def _load(port: int, path: str, cookie: str, readers: int, seconds: float) -> Row:
    """``readers`` concurrent loops loading ``path`` for ``seconds``."""
    latencies_ms: list[float] = []
    deadline = time.perf_counter() + seconds

    async def reader() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, _ = await asyncio.to_thread(_get, port, path, cookie)
            assert status == 200, f"{path} answered {status}"
            latencies_ms.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(reader() for _ in range(readers)))
    ordered = sorted(latencies_ms)
    return {
        "name": path,
        "pages": len(ordered),
        "pages_per_s": round(len(ordered) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
    }


async def main() -> None:
    """Seed, load every page, print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_500)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--readers", type=int, default=8)
    args = parser.parse_args()
    entries = args.entries // len(STAGES) * len(STAGES)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        private_key_file, public_key_file = folder / "key.pem", folder / "key.pub.pem"
        auth.generate_signing_key(private_key_file, public_key_file)
        key = auth.load_private_key(private_key_file)
        stim = auth.mint_token(
            key, auth.principal_for(auth.PrincipalKind.SOCIETY, society="STIM"), timedelta(hours=1)
        )
        ops = auth.mint_token(key, auth.principal_for(auth.PrincipalKind.OPS), timedelta(hours=1))
        repertoire_port, dashboard_port = free_port(), free_port()
        processes = [start_repertoire(folder, repertoire_port, public_key_file)]
        try:
            await wait_serving(f"127.0.0.1:{repertoire_port}")
            await _seed(repertoire_port, stim, args.entries)
            processes.append(_start_dashboard(folder, dashboard_port, repertoire_port, public_key_file))
            await _wait_http(dashboard_port)
            cookie = await asyncio.to_thread(_sign_in, dashboard_port, ops)
            first = f"/consent?work={ISWC}"
            _, body = await asyncio.to_thread(_get, dashboard_port, first, cookie)
            assert f"{entries} in all." in body, "the audit does not show the whole history's size"
            deep = f"/consent?work={ISWC}&page_token={entries - 50}"
            rows = []
            for path in ("/", first, deep):
                await _load(dashboard_port, path, cookie, args.readers, 1.0)  # warm-up
                rows.append(await _load(dashboard_port, path, cookie, args.readers, args.seconds))
        finally:
            for process in processes:
                process.terminate()
                process.wait()
    print(f"{'page':48} {'pages/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for row in rows:
        print(f"{row['name']:48} {row['pages_per_s']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8}")
    print(f"{args.readers} concurrent readers; {entries} consent entries, 50 a page; no BRIEF §7.1 target")
    names = ("overview", "consent audit, first page", "consent audit, last page")
    figures = []
    for label, row in zip(names, rows, strict=True):
        figures.append(Figure(f"{label}, p95", float(row["p95_ms"]), "ms", better="lower"))
        figures.append(Figure(f"{label}, throughput", float(row["pages_per_s"]), "pages/s"))
    print(summary_line("dashboard", figures, readers=args.readers, entries=args.entries, pages=rows))


if __name__ == "__main__":
    asyncio.run(main())
