"""Benchmark: usage matching throughput, in the matcher and from a gRPC stream to the database (BRIEF §7.1).

1. **Identifier lines in the matcher** (target ≥ 1,000,000 lines/s): a ``MatchIndex`` of a generated
   catalogue, then a million validated lines naming a random recording by ISRC, matched one by one in
   one thread. Beside it, lines naming the ISRC *and* the title (the title is cross-checked against the
   work's titles, which costs a normalisation per line).
2. **gRPC stream to persisted matches** (target ≥ 100,000 lines/s): the matching service as its own
   process on SQLite (real socket, interceptor, token check; no broker, none is needed to take in a
   report: its events wait in the outbox), its read models filled with a licence and the catalogue
   beforehand; a training manifest of ISRC lines is streamed with SubmitReport in batches of 10,000 lines
   and timed from the first message to the answer, by which time every line, its match and its usage
   events are committed. Lines are built before the clock starts.

    .venv/bin/python -m benchmarks.bench_matching_throughput [--works N] [--lines N] [--report-lines N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc

from benchmarks.figures import Figure, summary_line
from nordclear.gen.common.v1 import codes_pb2, dates_pb2, usage_pb2
from nordclear.gen.events.v1 import licensing_events_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as pb_grpc
from nordclear.gen.matching.v1 import report_pb2
from nordclear.matching.adapters.consumers import handle_licensing_event
from nordclear.matching.bootstrap import MatchingRuntime, build
from nordclear.matching.domain.matcher import Matcher, MatchIndex
from nordclear.matching.domain.model import UsageReference
from nordclear.matching.service_layer.read_model import index_work
from nordclear.matching.settings import MatchingSettings
from nordclear.matching.usage_generator import indexed_work
from nordclear.platform import auth
from nordclear.platform.db.migrations import upgrade_to_head
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.platform.rpc.health import serving_status
from nordclear.platform.settings import load_settings
from nordclear.platform.topology import MATCHING
from nordclear.repertoire.catalogue.generator import iter_works

MATCHER_TARGET = 1_000_000
STREAM_TARGET = 100_000
BATCH_LINES = 10_000
LICENCE = "lic-bench"
LICENSEE = "bench-ai"


def _matcher_rates(works: int, line_count: int, seed: int) -> tuple[float, float, int]:
    index = MatchIndex()
    catalogue = [indexed_work(work) for work in iter_works(seed, works)]
    for work in catalogue:
        index.upsert(work)
    matcher = Matcher(index)
    recordings = [(recording.isrc, recording.title) for work in catalogue for recording in work.recordings]
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    bare = [UsageReference(isrc=rng.choice(recordings)[0]) for _ in range(line_count)]
    started = time.perf_counter()
    matched = sum(1 for reference in bare if matcher.match(reference).work_id)
    bare_rate = line_count / (time.perf_counter() - started)
    titled_count = max(1, line_count // 10)
    titled = [
        UsageReference(isrc=isrc, title=title)
        for isrc, title in (rng.choice(recordings) for _ in range(titled_count))
    ]
    started = time.perf_counter()
    for reference in titled:
        matcher.match(reference)
    titled_rate = titled_count / (time.perf_counter() - started)
    return bare_rate, titled_rate, matched


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(folder: Path, port: int) -> dict[str, str]:
    prefix = MATCHING.env_prefix
    return {
        f"{prefix}GRPC_ADDRESS": f"127.0.0.1:{port}",
        f"{prefix}METRICS_ADDRESS": f"127.0.0.1:{_free_port()}",
        f"{prefix}DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'matching.sqlite3'}",
        # No broker: taking in a report needs none, its events wait in the outbox.
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{_free_port()}",
        f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(folder / "key.pub.pem"),
        f"{prefix}CONSUME_TOPICS_FROM_SERVICES": "false",
        f"{prefix}LOG_LEVEL": "ERROR",
        f"{prefix}LOG_FORMAT": "json",
    }


async def _prepare(environment: dict[str, str], works: int, seed: int) -> list[str]:
    """Migrate the database and fill its read models; the ISRCs of the catalogue's recordings."""
    runtime = build(load_settings(MatchingSettings, MATCHING, environment))
    assert isinstance(runtime, MatchingRuntime)
    await upgrade_to_head(runtime.engine, "nordclear.matching:migrations")
    licence = licensing_events_pb2.LicenceIssued(
        licence_id=LICENCE,
        licensee_id=LICENSEE,
        stages=[codes_pb2.AI_STAGE_TRAINING],
        territories=[codes_pb2.TERRITORY_SE],
        term=dates_pb2.DateRange(
            start_date=dates_pb2.Date(year=2026, month=1, day=1),
            end_date=dates_pb2.Date(year=2026, month=12, day=31),
        ),
    )
    isrcs: list[str] = []
    async with runtime.unit_of_work() as uow:
        await handle_licensing_event(new_envelope(licence, producer="licensing", aggregate_id=LICENCE), uow)
        for number, work in enumerate(iter_works(seed, works)):
            indexed = indexed_work(work)
            await index_work(uow, indexed, f"bench-{number}", datetime.now(UTC))
            isrcs.extend(recording.isrc for recording in indexed.recordings)
        await uow.commit()
    await runtime.engine.dispose()
    await runtime.read_engine.dispose()
    await runtime.producer.stop()
    return isrcs


async def _wait_serving(address: str) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        for _ in range(600):
            if await serving_status(channel, MATCHING.grpc_service, timeout_ms=1_000) == "SERVING":
                return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"matching on {address} did not start")


async def _stream_rate(
    report_lines: int, works: int, seed: int
) -> tuple[float, pb.SubmitReportResponse, int]:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        auth.generate_signing_key(folder / "key.pem", folder / "key.pub.pem")
        token = auth.mint_token(
            auth.load_private_key(folder / "key.pem"),
            auth.principal_for(auth.PrincipalKind.LICENSEE, licensee_id=LICENSEE),
            timedelta(hours=1),
        )
        port = _free_port()
        environment = _environment(folder, port)
        isrcs = await _prepare(environment, works, seed)
        # A manifest names each recording once: distinct ISRCs, as many as the catalogue has.
        random.Random(seed).shuffle(isrcs)  # noqa: S311 - reproducible test data
        report_lines = min(report_lines, len(isrcs))
        batches = []
        for start in range(0, report_lines, BATCH_LINES):
            lines = [
                report_pb2.ReportLine(
                    line_number=number + 1,
                    training_manifest=report_pb2.TrainingManifestLine(
                        reference=report_pb2.UsageReference(isrc=isrcs[number])
                    ),
                )
                for number in range(start, min(start + BATCH_LINES, report_lines))
            ]
            batches.append(pb.SubmitReportRequest(lines=pb.ReportLineBatch(lines=lines)))
        header = report_pb2.ReportHeader(
            report_id="bench-1",
            kind=usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
            licence_id=LICENCE,
            period=dates_pb2.DateRange(
                start_date=dates_pb2.Date(year=2026, month=3, day=1),
                end_date=dates_pb2.Date(year=2026, month=3, day=31),
            ),
            declared_line_count=report_lines,
        )

        async def requests() -> AsyncIterator[pb.SubmitReportRequest]:
            yield pb.SubmitReportRequest(header=header)
            for batch in batches:
                yield batch
            yield pb.SubmitReportRequest(trailer=pb.ReportTrailer(line_count=report_lines))

        process = subprocess.Popen(  # noqa: ASYNC220 - started before the clock, our own module
            [sys.executable, "-m", "nordclear.matching"],
            env={**os.environ, **environment},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            address = f"127.0.0.1:{port}"
            await _wait_serving(address)
            options = [("grpc.max_send_message_length", 16 * 1024 * 1024)]
            async with grpc.aio.insecure_channel(address, options=options) as channel:
                stub = pb_grpc.MatchingServiceStub(channel)
                started = time.perf_counter()
                answer: pb.SubmitReportResponse = await stub.SubmitReport(
                    requests(), metadata=(("authorization", f"Bearer {token}"),)
                )
                elapsed = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
        return report_lines / elapsed, answer, report_lines


def main() -> int:
    """Run both measurements; the exit status is 0 whatever the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000, help="catalogue works (default 100,000)")
    parser.add_argument(
        "--lines", type=int, default=1_000_000, help="lines for the matcher (default 1,000,000)"
    )
    parser.add_argument(
        "--report-lines",
        type=int,
        default=100_000,
        help="lines of the streamed report (at most one per recording)",
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    bare_rate, titled_rate, matched = _matcher_rates(args.works, args.lines, args.seed)
    print(f"matcher, ISRC-only lines:         {bare_rate:>11,.0f} lines/s   (target >= {MATCHER_TARGET:,})")
    print(f"matcher, ISRC + title lines:      {titled_rate:>11,.0f} lines/s   (title cross-checked)")
    stream_rate, answer, streamed = asyncio.run(_stream_rate(args.report_lines, args.works, args.seed))
    report = answer.report
    status = report_pb2.ReportStatus.Name(report.status)
    print(f"gRPC stream to persisted matches: {stream_rate:>11,.0f} lines/s   (target >= {STREAM_TARGET:,})")
    print(f"  {streamed:,} lines, {report.units_matched:,} of {report.units_total:,} units matched, {status}")
    figures = [
        Figure("identifier matching in the matcher", round(bare_rate), "lines/s", MATCHER_TARGET),
        Figure("identifier + title matching in the matcher", round(titled_rate), "lines/s"),
        Figure("gRPC stream to persisted matches", round(stream_rate), "lines/s", STREAM_TARGET),
    ]
    print(
        summary_line(
            "matching_throughput",
            figures,
            works=args.works,
            matcher_lines=args.lines,
            report_lines=streamed,
            units_matched=report.units_matched,
            report_status=status,
            matcher_lines_matched=matched,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
