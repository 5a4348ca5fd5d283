"""End to end: a report of a million lines from submission to settled statements, on the embedded default.

Starts the clearing house as ``make run`` does (broker and every service as its own process on SQLite),
registers works with consent and issues a training licence, then times, from the first byte of the
report:

1. the training manifest streamed to matching and accepted (every line validated, matched, stored);
2. its matched usage reaching settlement through the broker (settlement's events-handled metric);
3. the settlement run over the period;
4. every society's statement streamed back.

The figure is the sum, against the BRIEF §7.1 target of 60 s; each step is printed beside it.

    .venv/bin/python -m benchmarks.bench_end_to_end [--lines 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.bench_load import SEED_WORKS, Load, _day, _iswc, _prepare
from benchmarks.bench_repertoire_lookup import free_port
from benchmarks.figures import Figure, summary_line
from nordclear.gen.common.v1 import codes_pb2, dates_pb2, usage_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as mpb
from nordclear.gen.matching.v1 import report_pb2
from nordclear.gen.settlement.v1 import settlement_service_pb2 as sspb
from nordclear.platform.topology import SERVICES
from nordclear.runtime.stack import EmbeddedStack, Ports

TARGET_S = 60.0
BATCH_LINES = 2_000
REPORT_ID = "e2e-manifest-1"
COMPLETED = "nordclear.events.v1.ReportMatchingCompleted"
MEMBERS = (
    codes_pb2.SOCIETY_KODA,
    codes_pb2.SOCIETY_STEF,
    codes_pb2.SOCIETY_STIM,
    codes_pb2.SOCIETY_TEOSTO,
    codes_pb2.SOCIETY_TONO,
)


def _completed_reports_handled(metrics_port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        families = text_string_to_metric_families(response.read().decode())
    return sum(
        sample.value
        for family in families
        if family.name == "nordclear_events_handled"
        for sample in family.samples
        if sample.name.endswith("_total")
        and sample.labels.get("event_type") == COMPLETED
        and sample.labels.get("outcome") == "applied"
    )


def _batches(lines: int) -> list[mpb.SubmitReportRequest]:
    """The report's lines, built before the clock starts (a client's own work, not the service's)."""
    batches = []
    for start in range(0, lines, BATCH_LINES):
        batch = mpb.ReportLineBatch(
            lines=[
                report_pb2.ReportLine(
                    line_number=number + 1,
                    training_manifest=report_pb2.TrainingManifestLine(
                        reference=report_pb2.UsageReference(iswc=_iswc(500_000 + number % SEED_WORKS)),
                        content_sha256=f"{number:064x}",
                    ),
                )
                for number in range(start, min(start + BATCH_LINES, lines))
            ]
        )
        batches.append(mpb.SubmitReportRequest(lines=batch))
    return batches


async def _submit(load: Load, lines: int, batches: list[mpb.SubmitReportRequest]) -> None:
    today = datetime.now(UTC).date()
    header = report_pb2.ReportHeader(
        report_id=REPORT_ID,
        kind=usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
        licence_id=load.licence_id,
        period=dates_pb2.DateRange(start_date=_day(today.replace(day=1)), end_date=_day(today)),
        declared_line_count=lines,
    )

    async def requests() -> AsyncIterator[mpb.SubmitReportRequest]:
        yield mpb.SubmitReportRequest(header=header)
        for batch in batches:
            yield batch
        yield mpb.SubmitReportRequest(trailer=mpb.ReportTrailer(line_count=lines))

    await load.matching.SubmitReport(requests(), metadata=load.licensee, timeout=900)


async def _wait_licence_in_matching(load: Load) -> None:
    """Matching learns of the licence through licensing's events; an empty manifest probes for it."""
    today = datetime.now(UTC).date()
    for attempt in range(600):
        header = report_pb2.ReportHeader(
            report_id=f"probe-{attempt}",
            kind=usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
            licence_id=load.licence_id,
            period=dates_pb2.DateRange(start_date=_day(today.replace(day=1)), end_date=_day(today)),
            declared_line_count=1,
        )
        line = report_pb2.ReportLine(
            line_number=1,
            training_manifest=report_pb2.TrainingManifestLine(
                reference=report_pb2.UsageReference(iswc=_iswc(500_000)), content_sha256="0" * 64
            ),
        )

        async def probe(
            header: report_pb2.ReportHeader = header, line: report_pb2.ReportLine = line
        ) -> AsyncIterator[mpb.SubmitReportRequest]:
            yield mpb.SubmitReportRequest(header=header)
            yield mpb.SubmitReportRequest(lines=mpb.ReportLineBatch(lines=[line]))
            yield mpb.SubmitReportRequest(trailer=mpb.ReportTrailer(line_count=1))

        try:
            await load.matching.SubmitReport(probe(), metadata=load.licensee)
            return
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.NOT_FOUND:
                raise
        await asyncio.sleep(0.2)
    raise TimeoutError("matching never learned of the licence")


async def _run_period(load: Load) -> sspb.RunPeriodResponse:
    today = datetime.now(UTC).date()
    request = sspb.RunPeriodRequest(
        run_id="e2e-run-1",
        # The licence's fee at issue falls due after its payment terms: the period reaches past them.
        period=dates_pb2.DateRange(
            start_date=_day(today - timedelta(days=30)), end_date=_day(today + timedelta(days=90))
        ),
        settlement_currency_code="SEK",
    )
    while True:
        try:
            response: sspb.RunPeriodResponse = await load.settlement.RunPeriod(
                request, metadata=load.ops, timeout=900
            )
            return response
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.UNAVAILABLE:
                raise
            await asyncio.sleep(0.2)  # Still reading the events it settles from.


async def _statements(load: Load, run_id: str) -> int:
    lines = 0
    for society in MEMBERS:
        request = sspb.StreamStatementRequest(run_id=run_id, society=society)
        async for part in load.settlement.StreamStatement(request, metadata=load.ops, timeout=900):
            lines += len(part.lines.lines) if part.HasField("lines") else 0
    return lines


async def _measure(lines: int, folder: Path) -> dict[str, float]:
    ports = Ports(
        kafka=free_port(),
        grpc={spec.name: free_port() for spec in SERVICES},
        metrics={spec.name: free_port() for spec in SERVICES},
    )
    quiet = {f"{spec.env_prefix}LOG_LEVEL": "WARNING" for spec in SERVICES}
    stack = EmbeddedStack(folder / "data", ports, log_dir=folder / "logs", extra_env=quiet)
    await stack.start()
    options = [
        ("grpc.max_send_message_length", 64 * 1024 * 1024),
        ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ]
    channels = {
        spec.name: grpc.aio.insecure_channel(stack.address(spec.name), options=options) for spec in SERVICES
    }
    try:
        load = Load(stack, channels)
        await _prepare(load)
        await _wait_licence_in_matching(load)
        batches = _batches(lines)
        handled_before = _completed_reports_handled(ports.metrics["settlement"])
        started = time.perf_counter()
        await _submit(load, lines, batches)
        submitted = time.perf_counter()
        while (  # noqa: ASYNC110 - polling another process's metrics, there is no event to wait on
            await asyncio.to_thread(_completed_reports_handled, ports.metrics["settlement"]) <= handled_before
        ):
            await asyncio.sleep(0.2)
        arrived = time.perf_counter()
        run = await _run_period(load)
        settled = time.perf_counter()
        statement_lines = await _statements(load, run.run.run_id)
        finished = time.perf_counter()
    finally:
        for channel in channels.values():
            await channel.close()
        stack.stop()
    return {
        "submit_s": round(submitted - started, 1),
        "to_settlement_s": round(arrived - submitted, 1),
        "run_s": round(settled - arrived, 1),
        "statements_s": round(finished - settled, 1),
        "total_s": round(finished - started, 1),
        "statement_lines": statement_lines,
        "collected_minor": sum(total.collected.amount_minor for total in run.run.totals),
    }


def main() -> None:
    """Measure, print the steps and the JSON line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        steps = asyncio.run(_measure(args.lines, Path(folder)))
    print(f"a {args.lines:,}-line training manifest, submission to settled statements (embedded default)")
    for name in ("submit_s", "to_settlement_s", "run_s", "statements_s"):
        print(f"  {name:18} {steps[name]:>8} s")
    print(f"  {'total':18} {steps['total_s']:>8} s   (target < {TARGET_S:.0f} s)")
    figures = [
        Figure(
            f"{args.lines:,}-line report, submission to settled statements",
            steps["total_s"],
            "s",
            target=TARGET_S,
            better="lower",
        ),
        Figure("of which: stream to accepted report", steps["submit_s"], "s"),
        Figure("of which: settlement run", steps["run_s"], "s"),
    ]
    print(summary_line("end_to_end", figures, lines=args.lines, **steps))


if __name__ == "__main__":
    main()
