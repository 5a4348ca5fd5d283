"""Benchmark: licensing CheckCoverage over gRPC at 10 concurrent callers, and quoting by the presumption rule.

Coverage is asked once per usage-report line, so it must keep up with report traffic. The licensing
service runs as its own process (SQLite, real socket, interceptor and auth; no broker needed), on a
rights read model filled with N works (every other one consented for every stage) through the very
code its Kafka consumer runs (``RightsStore.apply`` on the repertoire's own event translation). A licence
is applied for, accepted and issued for all five territories and three stages without a manifest — so
the quote prices training on the whole licensable repertoire — and then N callers ask CheckCoverage for
random works for a fixed time: first every work once (each answer reads the database), then at random
with the works in the process's memory (the embedded default's steady state). Beside it, the same load
on a bare gRPC echo server: Python gRPC's
ceiling on this machine.

BRIEF §7.1 sets no figure for coverage itself; it is shown beside the repertoire lookup's target
(>= 3,000 calls/s, p99 < 10 ms at 10 callers), the nearest per-line figure the brief names.

    .venv/bin/python -m benchmarks.bench_licensing_coverage [--works 5000] [--seconds 10] [--callers 10]

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
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import grpc
from sqlalchemy.ext.asyncio import async_sessionmaker

from benchmarks.figures import Figure, summary_line
from nordclear.gen.common.v1 import codes_pb2, dates_pb2, identifiers_pb2, money_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as pb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from nordclear.licensing.adapters import orm
from nordclear.platform import auth
from nordclear.platform.db.engine import create_engine
from nordclear.platform.db.migrations import upgrade_to_head
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.rights import RightsStore
from nordclear.platform.rpc.health import serving_status
from nordclear.platform.topology import LICENSING
from nordclear.repertoire.adapters.events import RepertoireEventTranslator
from nordclear.repertoire.domain.consent import (
    Actor,
    AiStage,
    ConsentAction,
    ConsentEntry,
    Evidence,
    PrincipalKind,
    WorkSubject,
)
from nordclear.repertoire.domain.events import ConsentChanged, WorkChanged
from nordclear.repertoire.domain.work import (
    InterestedParty,
    Mandate,
    PartyRole,
    Right,
    RightShare,
    Work,
    WriterRole,
)

TARGET_CALLS_PER_S = 3_000
TARGET_P99_MS = 10.0
NORDIC_TIS = 2127
SOCIETY_CODES = ("040", "077", "079", "089", "090")

ECHO_SERVER = """
import asyncio, sys, grpc
async def echo(request, context):
    return request
async def main():
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        "bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)})
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{sys.argv[1]}")
    await server.start()
    await server.wait_for_termination()
asyncio.run(main())
"""

Row = dict[str, float | str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _work(number: int, start: date) -> tuple[Work, list[ConsentEntry]]:
    """A work with two writers administered by two member societies; every other one consented."""
    society_a, society_b = SOCIETY_CODES[number % 5], SOCIETY_CODES[(number + 1) % 5]
    parties = tuple(
        InterestedParty(
            party_key=f"W{index}",
            role=PartyRole.writer(WriterRole.COMPOSER_AUTHOR),
            name=f"Writer {number}-{index}",
            ownership_shares=(RightShare(Right.PERFORMING, 5_000), RightShare(Right.MECHANICAL, 5_000)),
            mandates=tuple(
                Mandate(right, NORDIC_TIS, code) for right in (Right.PERFORMING, Right.MECHANICAL)
            ),
        )
        for index, code in enumerate((society_a, society_b))
    )
    now = datetime.now(UTC)
    work = Work(
        work_id=f"W{number:08d}",
        title=f"Work {number}",
        submitting_society=society_by_name("STIM"),
        parties=parties,
        revision=1,
        created_at=now,
        updated_at=now,
    )
    consents = (
        [
            ConsentEntry(
                entry_id=f"C{number:08d}{stage.value[0]}",
                subject=WorkSubject(work.work_id),
                stage=stage,
                action=ConsentAction.GRANT,
                effective_from=start,
                recorded_by=Actor(PrincipalKind.SOCIETY, "society:STIM"),
                recorded_at=now,
                society=society_by_name("STIM"),
                evidence=Evidence("opt-in", f"stim://optin/{number}", start),
            )
            for stage in AiStage
        ]
        if number % 2 == 0
        else []
    )
    return work, consents


async def fill_rights(database_url: str, works: int, start: date) -> None:
    """Migrate the licensing database and apply N works' repertoire events to its rights read model."""
    engine = create_engine(database_url)
    await upgrade_to_head(engine, "nordclear.licensing:migrations")
    translate = RepertoireEventTranslator("repertoire.events")
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    for batch_start in range(0, works, 1_000):
        async with sessions() as session:
            store = RightsStore(session, orm.rights)
            for number in range(batch_start, min(works, batch_start + 1_000)):
                work, consents = _work(number, start)
                events: list[object] = [WorkChanged(work=work, previous_revision=0, request_id="bench")]
                events += [ConsentChanged(entry=entry, request_id="bench") for entry in consents]
                for event in events:
                    for _, envelope in translate(event):
                        await store.apply(envelope)
            await session.commit()
    await engine.dispose()


def start_licensing(
    folder: Path, port: int, database_url: str, public_key_file: Path
) -> subprocess.Popen[bytes]:
    prefix = LICENSING.env_prefix
    env = {
        **os.environ,
        f"{prefix}GRPC_ADDRESS": f"127.0.0.1:{port}",
        f"{prefix}METRICS_ADDRESS": "127.0.0.1:0",
        f"{prefix}DATABASE_URL": database_url,
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",  # No broker: the outbox keeps events.
        f"{prefix}CONSUME_TOPICS_FROM_SERVICES": "false",
        f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(public_key_file),
        f"{prefix}LICENCE_SIGNING_KEY_FILE": str(folder / "licence-signing.pem"),
        f"{prefix}LOG_LEVEL": "ERROR",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "nordclear.licensing"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_serving(address: str) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        for _ in range(600):
            if await serving_status(channel, LICENSING.grpc_service, timeout_ms=1_000) == "SERVING":
                return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"licensing on {address} did not start")


async def _load(call: Callable[[], Awaitable[object]], callers: int, seconds: float) -> list[float]:
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
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", ECHO_SERVER, str(port)])  # noqa: ASYNC220, S603
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            await channel.channel_ready()
            echo: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary("/bench.Echo/Echo")
            payload = b"x" * 200
            await _load(lambda: echo(payload), callers, 1.0)
            latencies = await _load(lambda: echo(payload), callers, seconds)
    finally:
        process.terminate()
        process.wait()
    return _summary("bare grpc echo (baseline)", latencies, seconds)


def _day(value: date) -> dates_pb2.Date:
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


async def _licensing(works: int, callers: int, seconds: float, folder: Path) -> dict[str, object]:
    keys = folder / "keys"
    auth.generate_signing_key(keys / "token-signing.pem", keys / "token-signing.pub.pem")
    private_key = auth.load_private_key(keys / "token-signing.pem")

    def token(kind: auth.PrincipalKind, **identity: str) -> tuple[tuple[str, str], ...]:
        minted = auth.mint_token(private_key, auth.principal_for(kind, **identity), timedelta(hours=1))
        return (("authorization", f"Bearer {minted}"),)

    today = datetime.now(UTC).date()
    start = today - timedelta(days=30)
    database_url = f"sqlite+aiosqlite:///{folder / 'licensing.sqlite3'}"
    filled_at = time.perf_counter()
    await fill_rights(database_url, works, start)
    fill_s = time.perf_counter() - filled_at
    port = free_port()
    process = start_licensing(folder, port, database_url, keys / "token-signing.pub.pem")
    try:
        address = f"127.0.0.1:{port}"
        await wait_serving(address)
        licensee = token(auth.PrincipalKind.LICENSEE, licensee_id="bench-ai")
        async with grpc.aio.insecure_channel(address) as channel:
            stub = pb_grpc.LicensingServiceStub(channel)
            await stub.RegisterLicensee(
                pb.RegisterLicenseeRequest(
                    request_id="r",
                    licensee=licence_pb2.Licensee(
                        legal_name="Bench AI",
                        country_code="SE",
                        contacts=[licence_pb2.Contact(name="B", email="b@b.se")],
                    ),
                ),
                metadata=licensee,
            )
            application = licence_pb2.Application(
                hub_society=codes_pb2.SOCIETY_STIM,
                model_name="Bench",
                model_version="1",
                stages=[codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_SERVICE, codes_pb2.AI_STAGE_OUTPUT],
                territories=[1, 2, 3, 4, 5],  # type: ignore[list-item]  # every Territory value
                term=dates_pb2.DateRange(start_date=_day(start), end_date=_day(today + timedelta(days=365))),
                expected_revenue=money_pb2.Money(currency_code="SEK", amount_minor=10_000_000),
                training_data=licence_pb2.TrainingDataDeclaration(
                    disclosure=licence_pb2.TRAINING_DATA_DISCLOSURE_NONE
                ),
            )
            quoted_at = time.perf_counter()
            applied = await stub.Apply(
                pb.ApplyRequest(request_id="a", application=application), metadata=licensee
            )
            apply_s = time.perf_counter() - quoted_at
            await stub.AcceptQuote(
                pb.AcceptQuoteRequest(request_id="c", quote_id=applied.quote.quote_id), metadata=licensee
            )
            issued_at = time.perf_counter()
            approved = await stub.ApproveApplication(
                pb.ApproveApplicationRequest(
                    request_id="o", application_id=applied.application.application_id
                ),
                metadata=token(auth.PrincipalKind.OPS, society="STIM"),
            )
            approve_s = time.perf_counter() - issued_at
            licence_id = approved.licence.licence_id
            rng = random.Random(7)  # noqa: S311 - load generation, not security
            covered = 0
            unseen = list(range(works))

            async def ask(number: int) -> None:
                nonlocal covered
                answer = await stub.CheckCoverage(
                    pb.CheckCoverageRequest(
                        licence_id=licence_id,
                        work=identifiers_pb2.WorkRef(work_id=f"W{number:08d}"),
                        stage=codes_pb2.AI_STAGE_TRAINING,
                        territory=codes_pb2.TERRITORY_SE,
                        date=_day(today),
                    ),
                    metadata=licensee,
                )
                covered += answer.covered

            async def first_ask() -> None:
                # Every work once: each answer reads the work and its consents from the database.
                while unseen:
                    started = time.perf_counter()
                    await ask(unseen.pop())
                    cold_latencies.append((time.perf_counter() - started) * 1000)

            cold_latencies: list[float] = []
            cold_started = time.perf_counter()
            await asyncio.gather(*(first_ask() for _ in range(callers)))
            cold_s = time.perf_counter() - cold_started
            covered = 0
            latencies = await _load(lambda: ask(rng.randrange(works)), callers, seconds)
    finally:
        process.terminate()
        process.wait()
    row = _summary("CheckCoverage, works in memory", latencies, seconds)
    return {
        "row": row,
        "cold": _summary("CheckCoverage, first ask per work", cold_latencies, cold_s),
        "covered_share": round(covered / max(1, len(latencies)), 3),
        "fill_s": round(fill_s, 2),
        "apply_quote_s": round(apply_s, 3),
        "approve_issue_s": round(approve_s, 3),
        "training_work_count": applied.quote.training_work_count,
        "quote_lines": len(applied.quote.lines),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=5_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--callers", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-licensing-") as folder:
        licensing = await _licensing(args.works, args.callers, args.seconds, Path(folder))
    baseline = await _echo_baseline(args.callers, args.seconds)
    row, cold = licensing["row"], licensing["cold"]
    assert isinstance(row, dict)
    assert isinstance(cold, dict)
    print(f"{'':34} {'calls/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for shown in (cold, row, baseline):
        print(f"{shown['name']:34} {shown['calls_per_s']:>10} {shown['p50_ms']:>8} {shown['p99_ms']:>8}")
    print(
        f"reference (repertoire lookup, BRIEF §7.1): >= {TARGET_CALLS_PER_S} calls/s, "
        f"p99 < {TARGET_P99_MS} ms "
        f"at {args.callers} callers; share of answers covered: {licensing['covered_share']}"
    )
    print(
        f"{args.works} works: read model filled in {licensing['fill_s']} s; Apply (presumption quote over "
        f"{licensing['training_work_count']} licensable works, {licensing['quote_lines']} lines) "
        f"{licensing['apply_quote_s']} s; ApproveApplication (shares, signature, events) "
        f"{licensing['approve_issue_s']} s"
    )
    figures = [
        Figure(
            "licensing CheckCoverage calls/s (10 callers)",
            float(row["calls_per_s"]),
            "calls/s",
            target=TARGET_CALLS_PER_S,
            baseline="bare gRPC echo",
            baseline_value=float(baseline["calls_per_s"]),
        ),
        Figure(
            "licensing CheckCoverage p99", float(row["p99_ms"]), "ms", target=TARGET_P99_MS, better="lower"
        ),
        Figure(
            "licensing Apply with presumption quote",
            float(str(licensing["apply_quote_s"])),
            "s",
            better="lower",
        ),
        Figure("licensing ApproveApplication", float(str(licensing["approve_issue_s"])), "s", better="lower"),
    ]
    print(
        summary_line(
            "licensing_coverage",
            figures,
            works=args.works,
            callers=args.callers,
            seconds=args.seconds,
            training_work_count=licensing["training_work_count"],
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
