"""Load run: the whole embedded stack under a steady mixed load for minutes, with memory watched.

Starts the clearing house exactly as ``make run`` does (broker and every service as its own process, each
on its own SQLite file), prepares a licence, then for ``--seconds`` keeps every service busy at once:

- repertoire: GetWork from several callers, and a writer registering works and recording consents (whose
  events flow on to matching, licensing and settlement);
- licensing: CheckCoverage per work, as a report line would ask it;
- matching: training manifests of ``--report-lines`` lines submitted one after another;
- settlement: ledger transfers posted in batches.

Every few seconds it samples each process's resident memory (RSS). After the warm-up (the first third)
memory should be flat: the figure per service is its RSS slope over the rest of the run, in MB per
minute, against a ceiling of 2 MB/min that we take as "steady" (the brief asks for steady memory and
sets no number). Rates achieved and calls refused are reported beside them.

    .venv/bin/python -m benchmarks.bench_load [--seconds 180] [--report-lines 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import grpc

from benchmarks.bench_repertoire_lookup import free_port
from benchmarks.figures import Figure, summary_line
from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, identifiers_pb2, money_pb2, usage_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as lpb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as lgrpc
from nordclear.gen.matching.v1 import matching_service_pb2 as mpb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as mgrpc
from nordclear.gen.matching.v1 import report_pb2
from nordclear.gen.repertoire.v1 import consent_pb2, work_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as rpb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as rgrpc
from nordclear.gen.settlement.v1 import settlement_pb2 as spb
from nordclear.gen.settlement.v1 import settlement_service_pb2 as sspb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as sgrpc
from nordclear.platform import auth
from nordclear.platform.domain.identifiers import iswc_check_digit
from nordclear.platform.topology import SERVICES
from nordclear.runtime.stack import EmbeddedStack, Ports

STEADY_MB_PER_MIN = 2.0
SAMPLE_EVERY_S = 5.0
SEED_WORKS = 300
LICENSEE = "load-ai"
Metadata = tuple[tuple[str, str], ...]


def _iswc(number: int) -> str:
    digits = f"{number:09d}"
    return f"T{digits}{iswc_check_digit(digits)}"


def _work(number: int) -> work_pb2.Work:
    """A Swedish work whose writer STIM administers in the Nordics, so it can be licensed and paid."""
    writer = work_pb2.InterestedParty(
        party_key="W1",
        name=f"Writer {number % 97}",
        first_name="Load",
        role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR,
        controlled=True,
        ownership_shares=[
            work_pb2.RightShare(right=codes_pb2.RIGHT_PERFORMING, share_bp=10_000),
            work_pb2.RightShare(right=codes_pb2.RIGHT_MECHANICAL, share_bp=10_000),
        ],
        mandates=[
            work_pb2.Mandate(right=right, tis_code=2127, society_code="079")
            for right in (codes_pb2.RIGHT_PERFORMING, codes_pb2.RIGHT_MECHANICAL)
        ],
    )
    return work_pb2.Work(title=f"Belastning {number}", iswc=_iswc(500_000 + number), parties=[writer])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per minute."""
    if len(samples) < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / len(samples)
    mean_m = sum(m for _, m in samples) / len(samples)
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    if spread == 0:
        return 0.0
    return 60 * sum((t - mean_t) * (m - mean_m) for t, m in samples) / spread


class Load:
    """The running stack, its tokens and what the load has done so far."""

    def __init__(self, stack: EmbeddedStack, channels: dict[str, grpc.aio.Channel]) -> None:
        assert stack.keys is not None
        key = auth.load_private_key(stack.keys.private_key_file)

        def token(principal: auth.Principal) -> Metadata:
            return (("authorization", f"Bearer {auth.mint_token(key, principal, timedelta(hours=2))}"),)

        self.stim = token(auth.principal_for(auth.PrincipalKind.SOCIETY, society="STIM"))
        self.stim_ops = token(auth.principal_for(auth.PrincipalKind.OPS, society="STIM"))
        self.ops = token(auth.principal_for(auth.PrincipalKind.OPS))
        self.licensee = token(auth.principal_for(auth.PrincipalKind.LICENSEE, licensee_id=LICENSEE))
        self.repertoire = rgrpc.RepertoireServiceStub(channels["repertoire"])
        self.licensing = lgrpc.LicensingServiceStub(channels["licensing"])
        self.matching = mgrpc.MatchingServiceStub(channels["matching"])
        self.settlement = sgrpc.SettlementServiceStub(channels["settlement"])
        self.work_ids: list[str] = []
        self.licence_id = ""
        self.calls: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.numbers = itertools.count()

    async def count(self, name: str, call: Awaitable[object]) -> None:
        try:
            await call
            self.calls[name] += 1
        except grpc.aio.AioRpcError as error:
            self.refused[f"{name}:{error.code().name}"] += 1

    async def register(self, number: int) -> str:
        answer = await self.repertoire.RegisterWork(
            rpb.RegisterWorkRequest(request_id=f"load-work-{number}", work=_work(number)), metadata=self.stim
        )
        work_id: str = answer.work.work_id
        await self.repertoire.RecordConsent(
            rpb.RecordConsentRequest(
                request_id=f"load-consent-{number}",
                subject=consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work_id)),
                stages=[codes_pb2.AI_STAGE_TRAINING],
                effective_from=dates_pb2.Date(year=2026, month=1, day=1),
                evidence=audit_pb2.Evidence(
                    description="opt-in form",
                    document_uri=f"stim://optin/{number}",
                    issued_on=dates_pb2.Date(year=2025, month=12, day=1),
                ),
            ),
            metadata=self.stim,
        )
        return work_id


async def _prepare(load: Load) -> None:
    """Works with consent, a licensee and an issued training licence that matching knows."""
    load.work_ids = [await load.register(number) for number in range(SEED_WORKS)]
    await load.licensing.RegisterLicensee(
        lpb.RegisterLicenseeRequest(
            request_id="load-licensee",
            licensee=licence_pb2.Licensee(
                legal_name="Load AI AB",
                country_code="SE",
                contacts=[licence_pb2.Contact(name="Ops", email="ops@load.example", role="operations")],
            ),
        ),
        metadata=load.licensee,
    )
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=30), today + timedelta(days=365)
    applied = await load.licensing.Apply(
        lpb.ApplyRequest(
            request_id="load-apply",
            application=licence_pb2.Application(
                hub_society=codes_pb2.SOCIETY_STIM,
                model_name="Load",
                model_version="1.0",
                stages=[codes_pb2.AI_STAGE_TRAINING],
                territories=[codes_pb2.TERRITORY_SE],
                term=dates_pb2.DateRange(start_date=_day(start), end_date=_day(end)),
                expected_revenue=money_pb2.Money(currency_code="SEK", amount_minor=10_000_000),
                training_data=licence_pb2.TrainingDataDeclaration(
                    disclosure=licence_pb2.TRAINING_DATA_DISCLOSURE_FULL_MANIFEST,
                    declared_item_count=SEED_WORKS,
                ),
            ),
        ),
        metadata=load.licensee,
    )
    await load.licensing.AcceptQuote(
        lpb.AcceptQuoteRequest(request_id="load-accept", quote_id=applied.quote.quote_id),
        metadata=load.licensee,
    )
    approved = await load.licensing.ApproveApplication(
        lpb.ApproveApplicationRequest(
            request_id="load-approve", application_id=applied.application.application_id
        ),
        metadata=load.stim_ops,
    )
    load.licence_id = approved.licence.licence_id


def _day(day: date) -> dates_pb2.Date:
    return dates_pb2.Date(year=day.year, month=day.month, day=day.day)


async def _until(deadline_s: float, step: Callable[[], Awaitable[None]]) -> None:
    while time.monotonic() < deadline_s:
        await step()


async def _lookups(load: Load, deadline_s: float, caller: int) -> None:
    numbers = itertools.count(caller)

    async def one() -> None:
        work_id = load.work_ids[next(numbers) % len(load.work_ids)]
        request = rpb.GetWorkRequest(work=identifiers_pb2.WorkRef(work_id=work_id))
        await load.count("GetWork", load.repertoire.GetWork(request, metadata=load.stim))

    await _until(deadline_s, one)


async def _writes(load: Load, deadline_s: float) -> None:
    async def one() -> None:
        number = SEED_WORKS + next(load.numbers)
        try:
            load.work_ids.append(await load.register(number))
            load.calls["RegisterWork+RecordConsent"] += 1
        except grpc.aio.AioRpcError as error:
            load.refused[f"RegisterWork:{error.code().name}"] += 1
        await asyncio.sleep(0.05)

    await _until(deadline_s, one)


async def _coverage(load: Load, deadline_s: float) -> None:
    numbers = itertools.count()

    async def one() -> None:
        work_id = load.work_ids[next(numbers) % len(load.work_ids)]
        request = lpb.CheckCoverageRequest(
            licence_id=load.licence_id,
            work=identifiers_pb2.WorkRef(work_id=work_id),
            stage=codes_pb2.AI_STAGE_TRAINING,
            territory=codes_pb2.TERRITORY_SE,
            date=_day(datetime.now(UTC).date()),
        )
        await load.count("CheckCoverage", load.licensing.CheckCoverage(request, metadata=load.stim))

    await _until(deadline_s, one)


async def _reports(load: Load, deadline_s: float, lines_per_report: int) -> None:
    reports = itertools.count()

    async def one() -> None:
        report_id = f"load-report-{next(reports)}"
        lines = [
            report_pb2.ReportLine(
                line_number=number + 1,
                training_manifest=report_pb2.TrainingManifestLine(
                    reference=report_pb2.UsageReference(iswc=_iswc(500_000 + number % SEED_WORKS)),
                    content_sha256=f"{number:064x}",
                ),
            )
            for number in range(lines_per_report)
        ]
        today = datetime.now(UTC).date()

        async def requests() -> AsyncIterator[mpb.SubmitReportRequest]:
            yield mpb.SubmitReportRequest(
                header=report_pb2.ReportHeader(
                    report_id=report_id,
                    kind=usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
                    licence_id=load.licence_id,
                    period=dates_pb2.DateRange(start_date=_day(today.replace(day=1)), end_date=_day(today)),
                    declared_line_count=lines_per_report,
                )
            )
            for start in range(0, len(lines), 500):
                yield mpb.SubmitReportRequest(lines=mpb.ReportLineBatch(lines=lines[start : start + 500]))
            yield mpb.SubmitReportRequest(trailer=mpb.ReportTrailer(line_count=lines_per_report))

        try:
            await load.matching.SubmitReport(requests(), metadata=load.licensee)
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.NOT_FOUND and not load.calls["SubmitReport"]:
                await asyncio.sleep(0.5)  # The licence has not reached matching's read model yet.
                return
            load.refused[f"SubmitReport:{error.code().name}"] += 1
            return
        load.calls["SubmitReport"] += 1
        load.calls["report lines"] += lines_per_report

    await _until(deadline_s, one)


async def _transfers(load: Load, deadline_s: float) -> None:
    async def one() -> None:
        batch = []
        for _ in range(200):
            number = next(load.numbers)
            batch.append(
                spb.LedgerTransfer(
                    transfer_id=f"load-{uuid.uuid4().hex}",
                    debit_account_id="society/079/collected/SEK",
                    credit_account_id="society/079/payable/040/SEK",
                    amount=money_pb2.Money(currency_code="SEK", amount_minor=1 + number % 1_000),
                    code="LOAD",
                )
            )
        await load.count(
            "PostTransfers",
            load.settlement.PostTransfers(sspb.PostTransfersRequest(transfers=batch), metadata=load.ops),
        )
        await asyncio.sleep(0.05)

    await _until(deadline_s, one)


async def _sample(
    stack: EmbeddedStack, deadline_s: float, started_s: float
) -> dict[str, list[tuple[float, float]]]:
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in stack.processes}
    while time.monotonic() < deadline_s:
        for name, process in stack.processes.items():
            samples[name].append((time.monotonic() - started_s, _rss_mb(process.pid)))
        await asyncio.sleep(SAMPLE_EVERY_S)
    return samples


async def _run(
    seconds: float, lines_per_report: int, folder: Path
) -> tuple[Load, dict[str, list[tuple[float, float]]]]:
    ports = Ports(
        kafka=free_port(),
        grpc={spec.name: free_port() for spec in SERVICES},
        metrics={spec.name: free_port() for spec in SERVICES},
    )
    quiet = {f"{spec.env_prefix}LOG_LEVEL": "WARNING" for spec in SERVICES}
    stack = EmbeddedStack(folder / "data", ports, log_dir=folder / "logs", extra_env=quiet)
    await stack.start()
    try:
        channels = {spec.name: grpc.aio.insecure_channel(stack.address(spec.name)) for spec in SERVICES}
        load = Load(stack, channels)
        await _prepare(load)
        started_s = time.monotonic()
        deadline_s = started_s + seconds
        workers = [
            *(_lookups(load, deadline_s, caller) for caller in range(6)),
            _writes(load, deadline_s),
            *(_coverage(load, deadline_s) for _ in range(2)),
            _reports(load, deadline_s, lines_per_report),
            _transfers(load, deadline_s),
        ]
        sampler = asyncio.create_task(_sample(stack, deadline_s, started_s))
        await asyncio.gather(*workers)
        samples = await sampler
        for channel in channels.values():
            await channel.close()
        exited = stack.exited()
        if exited:
            raise RuntimeError(f"a process exited during the load run: {exited}")
        return load, samples
    finally:
        stack.stop()


def main() -> None:
    """Run the load, print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--report-lines", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        load, samples = asyncio.run(_run(args.seconds, args.report_lines, Path(folder)))
    warm_up_s = args.seconds / 3
    print(f"load run: {args.seconds:.0f} s, memory judged after {warm_up_s:.0f} s of warm-up")
    print(f"{'process':12} {'RSS start MB':>13} {'RSS end MB':>11} {'slope MB/min':>13}")
    figures = []
    slopes = {}
    for name, points in samples.items():
        settled = [(t, mb) for t, mb in points if t >= warm_up_s]
        slopes[name] = round(_slope_mb_per_min(settled), 2)
        print(f"{name:12} {points[0][1]:>13.1f} {points[-1][1]:>11.1f} {slopes[name]:>13}")
        figures.append(
            Figure(
                f"{name} memory growth after warm-up",
                slopes[name],
                "MB/min",
                target=STEADY_MB_PER_MIN,
                better="lower",
            )
        )
    print("calls per second:")
    for name, calls in sorted(load.calls.items()):
        print(f"  {name:28} {calls / args.seconds:>10.1f}")
        figures.append(Figure(f"{name} under mixed load", round(calls / args.seconds, 1), "per s"))
    print(f"refused: {dict(load.refused) or 'none'}")
    figures.append(
        Figure(
            "calls refused under load", float(sum(load.refused.values())), "calls", target=0, better="lower"
        )
    )
    print(summary_line("load", figures, seconds=args.seconds, refused=dict(load.refused), rss_mb=samples))


if __name__ == "__main__":
    main()
