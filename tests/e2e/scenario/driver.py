"""Plays the scenario on a running stack over gRPC, as the societies, the AI companies and ops would.

Every write carries a request id derived from what it is (``work-<index>``, the report id, the run id),
so a retry after a crash is recognised by the service and counted once. Reading back collects what the
expectation is compared with: statements, suspense, obligations, net positions, payments and the ledger.
"""

from __future__ import annotations

import asyncio
import signal
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

import grpc
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import OffsetAndMetadata
from prometheus_client.parser import text_string_to_metric_families

from nordclear.gen.common.v1 import (
    audit_pb2,
    codes_pb2,
    dates_pb2,
    identifiers_pb2,
    money_pb2,
    paging_pb2,
    usage_pb2,
)
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as lpb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as lgrpc
from nordclear.gen.matching.v1 import matching_service_pb2 as mpb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as mgrpc
from nordclear.gen.matching.v1 import report_pb2 as rep
from nordclear.gen.repertoire.v1 import consent_pb2, work_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as rpb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as rgrpc
from nordclear.gen.settlement.v1 import settlement_pb2 as spbm
from nordclear.gen.settlement.v1 import settlement_service_pb2 as spb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as sgrpc
from nordclear.platform.auth import PrincipalKind, load_private_key, mint_token, principal_for
from nordclear.platform.topology import DEFAULT_PARTITIONS, SERVICES_BY_NAME, KafkaNames
from nordclear.runtime.stack import EmbeddedStack
from tests.e2e.scenario.inputs import (
    CWR_FIXTURES,
    CWR_IMPORTS,
    CWR_WORK_ISWC,
    FX_SOURCE,
    NORDIC_TIS,
    SETTLEMENT_CURRENCY,
    SETTLEMENT_FX_PER_EUR,
    CatalogueWork,
    LicencePlan,
    Report,
    Scenario,
)
from tests.support.clients import bearer
from tests.support.polling import eventually

T = TypeVar("T")
CHUNK_BYTES = 16 * 1024
LINES_PER_BATCH = 500
RETRIED_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.ABORTED})
"""What a client retries with the same ids: the service is down or restarting, or asks to retry later."""

WRITER_ROLES = {
    "CA": codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR,
    "C": codes_pb2.PARTY_ROLE_COMPOSER,
    "A": codes_pb2.PARTY_ROLE_AUTHOR,
    "AR": codes_pb2.PARTY_ROLE_ARRANGER,
    "E": codes_pb2.PARTY_ROLE_ORIGINAL_PUBLISHER,
}
RIGHTS = {"PR": codes_pb2.RIGHT_PERFORMING, "MR": codes_pb2.RIGHT_MECHANICAL}
RIGHT_NAMES = {
    codes_pb2.RIGHT_PERFORMING: "PR",
    codes_pb2.RIGHT_MECHANICAL: "MR",
    codes_pb2.RIGHT_UNSPECIFIED: "",
}
STAGES = {
    "training": codes_pb2.AI_STAGE_TRAINING,
    "service": codes_pb2.AI_STAGE_SERVICE,
    "output": codes_pb2.AI_STAGE_OUTPUT,
}
STAGE_NAMES = {value: name for name, value in STAGES.items()}
KINDS = {
    "training_manifest": usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
    "service_revenue": usage_pb2.USAGE_REPORT_KIND_SERVICE_REVENUE,
    "output_attribution": usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION,
}
SOCIETIES = ("KODA", "STEF", "STIM", "TEOSTO", "TONO")


def day(value: date) -> dates_pb2.Date:
    """A protobuf date."""
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


def territory(code: str) -> codes_pb2.Territory.ValueType:
    """The Territory enum value of an ISO code."""
    return codes_pb2.Territory.Value(f"TERRITORY_{code}")


def society(name: str) -> codes_pb2.Society.ValueType:
    """The Society enum value of a member's name."""
    return codes_pb2.Society.Value(f"SOCIETY_{name}")


def society_name(value: int) -> str:
    """A Society enum value's member name."""
    return codes_pb2.Society.Name(value).removeprefix("SOCIETY_")  # type: ignore[arg-type]


def territory_name(value: int) -> str:
    """A Territory enum value's ISO code."""
    return codes_pb2.Territory.Name(value).removeprefix("TERRITORY_")  # type: ignore[arg-type]


async def retrying(call: Callable[[], Awaitable[T]], *, timeout_s: float = 90) -> T:
    """``call`` until it answers, retrying while the service is down (same request ids every time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        try:
            return await call()
        except grpc.aio.AioRpcError as error:
            if not _retried(error) or loop.time() > deadline:
                raise
        await asyncio.sleep(0.3)


CLIENT_CORE_WRITE_FAILURE = "Internal error from Core"
"""What grpc's Python client says, in place of the server's status, when the server ended a client
stream (e.g. ABORTED at its header) while the client was still writing lines to it."""


def _retried(error: grpc.aio.AioRpcError) -> bool:
    if error.code() in RETRIED_CODES:
        return True
    # Not the server's INTERNAL (that names what failed): the client's own write to a stream the server
    # had already ended; its real answer is lost, so the stream is sent again like any cut-off stream.
    return error.code() is grpc.StatusCode.INTERNAL and error.details() == CLIENT_CORE_WRITE_FAILURE


def work_message(work: CatalogueWork) -> work_pb2.Work:
    """A catalogue work as its society registers it: shares and Nordic mandates per party."""
    message = work_pb2.Work(title=work.title, iswc=work.iswc)
    chain = 0
    for party in work.parties:
        publisher = party.role == "E"
        chain += 1 if publisher else 0
        added = message.parties.add(
            party_key=party.party_key,
            name=party.name,
            first_name=party.first_name,
            ipi_name_number=party.ipi_name_number,
            role=WRITER_ROLES[party.role],
            chain_sequence=chain if publisher else 0,
        )
        for right, share_bp in party.shares_bp.items():
            added.ownership_shares.add(right=RIGHTS[right], share_bp=share_bp)
            added.mandates.add(
                right=RIGHTS[right],
                tis_code=NORDIC_TIS,
                inclusion=codes_pb2.TERRITORY_INCLUSION_INCLUDE,
                society_code=party.mandates[right],
            )
    return message


def _line(number: int, report: Report, index: int, period: dates_pb2.DateRange) -> rep.ReportLine:
    if report.kind == "training_manifest":
        return rep.ReportLine(
            line_number=number,
            training_manifest=rep.TrainingManifestLine(
                reference=rep.UsageReference(iswc=report.manifest_iswcs[index])
            ),
        )
    if report.kind == "service_revenue":
        line = report.service_lines[index]
        return rep.ReportLine(
            line_number=number,
            service_revenue=rep.ServiceRevenueLine(
                period=period,
                territory=territory(line.territory),
                revenue=money_pb2.Money(currency_code=line.currency, amount_minor=line.revenue_minor),
                active_users=line.active_users,
                service_name="chat",
            ),
        )
    output = report.outputs[index]
    return rep.ReportLine(
        line_number=number,
        output_attribution=rep.OutputAttributionLine(
            output_id=output.output_id,
            territory=territory(output.territory),
            use_type=rep.OUTPUT_USE_TYPE_STREAMING,
            revenue=money_pb2.Money(currency_code=output.currency, amount_minor=output.revenue_minor),
            label_applied=True,
            used_on=period.end_date,
            influences=[
                rep.AttributionInfluence(
                    reference=rep.UsageReference(iswc=i.iswc),
                    share_bp=i.share_bp,
                    confidence_bp=i.confidence_bp,
                )
                for i in output.influences
            ],
        ),
    )


def line_count(report: Report) -> int:
    """How many lines ``report`` has."""
    return len(report.manifest_iswcs) + len(report.service_lines) + len(report.outputs)


@dataclass
class Outcome:
    """What the stack reports after the run, in the expectation's terms (licensee ids, names, codes)."""

    run: spbm.SettlementRun
    statement: dict[tuple[str, str, str, str, str, str, str, str], tuple[str, int]] = field(
        default_factory=dict
    )
    earned_settlement: dict[tuple[str, str, str], int] = field(default_factory=dict)
    suspense: dict[tuple[str, str, str, str, str, str, str], tuple[str, int]] = field(default_factory=dict)
    obligations: dict[tuple[str, str, str], tuple[int, int]] = field(default_factory=dict)
    net_positions: dict[str, int] = field(default_factory=dict)
    payments: list[tuple[str, str, int]] = field(default_factory=list)
    balances: dict[str, int] = field(default_factory=dict)
    ledger: list[tuple[str, str, str, str, int, str]] = field(default_factory=list)
    statement_files: dict[str, bytes] = field(default_factory=dict)


class Driver:
    """The scenario's actors, talking to one stack."""

    def __init__(self, stack: EmbeddedStack, scenario: Scenario) -> None:
        assert stack.keys is not None
        self.stack = stack
        self.scenario = scenario
        self._key = load_private_key(stack.keys.private_key_file)
        self.work_ids: dict[str, str] = {}
        self.licence_ids: dict[str, str] = {}
        self.quotes: dict[str, licence_pb2.Quote] = {}
        self.issued_on: dict[str, date] = {}

    def token(self, kind: PrincipalKind, **identity: str) -> tuple[tuple[str, str], ...]:
        """Call metadata for a fresh token of the principal."""
        return bearer(mint_token(self._key, principal_for(kind, **identity), timedelta(hours=2)))

    def ops(self, society_name_: str | None = None) -> tuple[tuple[str, str], ...]:
        """Clearing-house ops, or one society's ops."""
        if society_name_ is None:
            return self.token(PrincipalKind.OPS)
        return self.token(PrincipalKind.OPS, society=society_name_)

    def _channel(self, service: str) -> grpc.aio.Channel:
        return grpc.aio.insecure_channel(
            self.stack.address(service),
            # No transparent retries: a call cut off by a crash fails at once and the driver retries it
            # itself, with the same ids, so every retry is visible.
            options=[("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.enable_retries", 0)],
        )

    # Repertoire -----------------------------------------------------------------------------------

    async def bring_repertoire(self) -> int:
        """CWR files and the catalogue with consents; returns how many works the repertoire holds."""
        d = self.scenario.dates
        async with self._channel("repertoire") as channel:
            stub = rgrpc.RepertoireServiceStub(channel)
            for name, file_name in CWR_IMPORTS:
                content = (CWR_FIXTURES / file_name).read_bytes()

                async def parts(
                    content: bytes = content, file_name: str = file_name
                ) -> AsyncIterator[rpb.ImportCwrRequest]:
                    yield rpb.ImportCwrRequest(
                        header=rpb.ImportCwrHeader(request_id=f"cwr-{file_name}", file_name=file_name)
                    )
                    for offset in range(0, len(content), CHUNK_BYTES):
                        yield rpb.ImportCwrRequest(chunk=content[offset : offset + CHUNK_BYTES])

                await stub.ImportCwr(parts(), metadata=self.token(PrincipalKind.SOCIETY, society=name))
            for work in self.scenario.works:
                metadata = self.token(PrincipalKind.SOCIETY, society=work.society)
                registered = await stub.RegisterWork(
                    rpb.RegisterWorkRequest(request_id=f"work-{work.index}", work=work_message(work)),
                    metadata=metadata,
                )
                self.work_ids[work.iswc] = registered.work.work_id
                if work.consented:
                    await stub.RecordConsent(
                        rpb.RecordConsentRequest(
                            request_id=f"consent-{work.index}",
                            subject=consent_pb2.ConsentSubject(
                                work=identifiers_pb2.WorkRef(work_id=registered.work.work_id)
                            ),
                            stages=list(STAGES.values()),
                            effective_from=day(d.consent_from),
                            evidence=audit_pb2.Evidence(
                                description="AI opt-in signed by every rightsholder",
                                document_uri=f"{work.society.lower()}://ai-optin/{work.index}",
                                issued_on=day(d.consent_from),
                            ),
                        ),
                        metadata=metadata,
                    )
            cwr = await stub.GetWork(
                rpb.GetWorkRequest(work=identifiers_pb2.WorkRef(iswc=CWR_WORK_ISWC)),
                metadata=self.token(PrincipalKind.SOCIETY, society="KODA"),
            )
            self.work_ids[CWR_WORK_ISWC] = cwr.work.work_id
            total = 0
            token = ""
            while True:
                page = await stub.ListWorks(
                    rpb.ListWorksRequest(page=paging_pb2.PageRequest(page_size=500, page_token=token)),
                    metadata=self.ops(),
                )
                total += len(page.works)
                token = page.page.next_page_token
                if not token:
                    return total

    async def wait_indexed(self, works: int) -> None:
        """Until matching's index holds every work of the repertoire."""
        async with self._channel("matching") as channel:
            stub = mgrpc.MatchingServiceStub(channel)

            async def indexed() -> int:
                status = await retrying(
                    lambda: stub.GetIndexStatus(mpb.GetIndexStatusRequest(), metadata=self.ops())
                )
                return int(status.works_indexed)

            await eventually(
                indexed, lambda n: n == works, what=f"{works} works in matching's index", timeout_s=90
            )

    # Licensing ------------------------------------------------------------------------------------

    async def license(self, plan: LicencePlan, presumption_works: int) -> lpb.ApproveApplicationResponse:
        """Register, apply, accept and have the hub's ops approve; the issued licence."""
        d = self.scenario.dates
        licensee = self.token(PrincipalKind.LICENSEE, licensee_id=plan.licensee_id)
        async with self._channel("licensing") as channel:
            stub = lgrpc.LicensingServiceStub(channel)
            await stub.RegisterLicensee(
                lpb.RegisterLicenseeRequest(
                    request_id=f"register-{plan.licensee_id}",
                    licensee=licence_pb2.Licensee(
                        legal_name=plan.legal_name,
                        country_code=plan.country_code,
                        contacts=[
                            licence_pb2.Contact(
                                name="Licensing desk", email=f"legal@{plan.licensee_id}.example", role="legal"
                            )
                        ],
                    ),
                ),
                metadata=licensee,
            )
            application = licence_pb2.Application(
                hub_society=society(plan.hub),
                model_name=plan.model_name,
                model_version="1.0",
                stages=[STAGES[s] for s in plan.stages],
                territories=[territory(t) for t in plan.territories],
                term=dates_pb2.DateRange(start_date=day(d.term_start), end_date=day(d.term_end)),
                expected_revenue=money_pb2.Money(
                    currency_code={"STIM": "SEK", "KODA": "DKK", "TEOSTO": "EUR"}[plan.hub],
                    amount_minor=plan.expected_revenue_minor,
                ),
                expected_output_count=plan.expected_output_count,
                training_data=licence_pb2.TrainingDataDeclaration(
                    disclosure=(
                        licence_pb2.TRAINING_DATA_DISCLOSURE_FULL_MANIFEST
                        if plan.full_manifest
                        else licence_pb2.TRAINING_DATA_DISCLOSURE_NONE
                    ),
                    declared_item_count=plan.declared_item_count,
                ),
            )
            attempt = 0

            async def apply() -> lpb.ApplyResponse | None:
                # Licensing learns the consents through the repertoire's events; until it has them all,
                # the presumption rule would price a smaller repertoire, so the test asks again.
                nonlocal attempt
                attempt += 1
                try:
                    response: lpb.ApplyResponse = await stub.Apply(
                        lpb.ApplyRequest(
                            request_id=f"apply-{plan.licensee_id}-{attempt}", application=application
                        ),
                        metadata=licensee,
                    )
                except grpc.aio.AioRpcError as error:
                    if error.code() is grpc.StatusCode.FAILED_PRECONDITION:
                        return None
                    raise
                return response

            wanted = presumption_works if ("training" in plan.stages and not plan.full_manifest) else None
            applied = await eventually(
                apply,
                lambda r: r is not None and (wanted is None or r.quote.training_work_count == wanted),
                what=f"{plan.licensee_id}'s quote on the whole licensable repertoire",
                timeout_s=60,
            )
            assert applied is not None
            await stub.AcceptQuote(
                lpb.AcceptQuoteRequest(
                    request_id=f"accept-{plan.licensee_id}", quote_id=applied.quote.quote_id
                ),
                metadata=licensee,
            )
            approved: lpb.ApproveApplicationResponse = await stub.ApproveApplication(
                lpb.ApproveApplicationRequest(
                    request_id=f"approve-{plan.licensee_id}",
                    application_id=applied.application.application_id,
                ),
                metadata=self.ops(plan.hub),
            )
        self.licence_ids[plan.licensee_id] = approved.licence.licence_id
        self.quotes[plan.licensee_id] = applied.quote
        return approved

    # Matching -------------------------------------------------------------------------------------

    async def submit(
        self,
        report: Report,
        *,
        after_batch: Callable[[int], Awaitable[None]] | None = None,
        retry: bool = True,
        deadline_s: float | None = None,
    ) -> mpb.SubmitReportResponse:
        """Stream ``report`` to matching (once the licence is known there); the stored report.

        ``after_batch`` is awaited after each batch of lines is handed to the stream, with the batch's
        number (fault tests act there); a broken stream is sent again whole, under the same report id,
        unless ``retry`` is false.
        """
        d = self.scenario.dates
        period = dates_pb2.DateRange(start_date=day(d.usage_start), end_date=day(d.usage_end))
        count = line_count(report)
        header = rep.ReportHeader(
            report_id=report.report_id,
            kind=KINDS[report.kind],
            licence_id=self.licence_ids[report.licensee_id],
            period=period,
            declared_line_count=count,
            attribution_provider="Independent Attribution Lab" if report.kind == "output_attribution" else "",
        )
        licensee = self.token(PrincipalKind.LICENSEE, licensee_id=report.licensee_id)

        async def parts() -> AsyncIterator[mpb.SubmitReportRequest]:
            yield mpb.SubmitReportRequest(header=header)
            for start in range(0, count, LINES_PER_BATCH):
                lines = [
                    _line(i + 1, report, i, period) for i in range(start, min(count, start + LINES_PER_BATCH))
                ]
                yield mpb.SubmitReportRequest(lines=mpb.ReportLineBatch(lines=lines))
                if after_batch is not None:
                    await after_batch(start // LINES_PER_BATCH + 1)
            yield mpb.SubmitReportRequest(trailer=mpb.ReportTrailer(line_count=count))

        async with self._channel("matching") as channel:
            stub = mgrpc.MatchingServiceStub(channel)

            async def once() -> mpb.SubmitReportResponse | None:
                try:
                    response: mpb.SubmitReportResponse = await stub.SubmitReport(
                        parts(), metadata=licensee, timeout=deadline_s
                    )
                except grpc.aio.AioRpcError as error:
                    # Matching learns of the licence through the licensing events.
                    if error.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
                        return None
                    raise
                return response

            submitted = await eventually(
                (lambda: retrying(once)) if retry else once,
                lambda r: r is not None,
                what=f"{report.report_id} accepted",
                timeout_s=90,
            )
        assert submitted is not None
        return submitted

    async def wait_matched(self, report: Report) -> rep.Report:
        """Until every unit of ``report`` is matched."""
        licensee = self.token(PrincipalKind.LICENSEE, licensee_id=report.licensee_id)
        async with self._channel("matching") as channel:
            stub = mgrpc.MatchingServiceStub(channel)

            async def get() -> rep.Report:
                response = await retrying(
                    lambda: stub.GetReport(
                        mpb.GetReportRequest(report_id=report.report_id), metadata=licensee
                    )
                )
                return response.report

            found: rep.Report = await eventually(
                get,
                lambda r: r.status == rep.REPORT_STATUS_MATCHED,
                what=f"{report.report_id} matched",
                timeout_s=90,
            )
            return found

    # Settlement -----------------------------------------------------------------------------------

    async def load_rates(self) -> None:
        """The period's reference rates, as ops load them."""
        rates = spb.FxRateList(
            rates=[
                money_pb2.FxRate(
                    base_currency_code="EUR",
                    quote_currency_code=code,
                    rate_ppb=_ppb(text),
                    rate_date=day(self.scenario.dates.fx_rate_date),
                    source=FX_SOURCE,
                )
                for code, text in sorted(SETTLEMENT_FX_PER_EUR.items())
            ]
        )
        async with self._channel("settlement") as channel:
            stub = sgrpc.SettlementServiceStub(channel)
            await retrying(
                lambda: stub.LoadFxRates(
                    spb.LoadFxRatesRequest(request_id="rates-scenario", rates=rates), metadata=self.ops()
                )
            )

    def run_request(self, run_id: str, *, dry_run: bool = False) -> spb.RunPeriodRequest:
        """The period's run request."""
        d = self.scenario.dates
        return spb.RunPeriodRequest(
            run_id=run_id,
            period=dates_pb2.DateRange(start_date=day(d.settle_start), end_date=day(d.settle_end)),
            settlement_currency_code=SETTLEMENT_CURRENCY,
            fx_rate_date=day(d.fx_rate_date),
            dry_run=dry_run,
        )

    async def dry_run(self) -> spbm.SettlementRun:
        """What the run would be now."""
        async with self._channel("settlement") as channel:
            stub = sgrpc.SettlementServiceStub(channel)
            response = await retrying(
                lambda: stub.RunPeriod(self.run_request("scenario-dry", dry_run=True), metadata=self.ops())
            )
            return response.run

    async def wait_inputs(self, collected: dict[str, int]) -> spbm.SettlementRun:
        """Until settlement holds every fee and report line: its dry run collects what was reported."""

        def totals(run: spbm.SettlementRun) -> dict[str, int]:
            return {t.currency_code: t.collected.amount_minor for t in run.totals}

        run: spbm.SettlementRun = await eventually(
            self.dry_run,
            lambda r: totals(r) == collected,
            what=f"settlement to hold every input (collected {collected})",
            timeout_s=120,
        )
        return run

    async def run(self, run_id: str) -> spb.RunPeriodResponse:
        """Settle the period (retried with the same run id while settlement is down)."""
        async with self._channel("settlement") as channel:
            stub = sgrpc.SettlementServiceStub(channel)
            response: spb.RunPeriodResponse = await retrying(
                lambda: stub.RunPeriod(self.run_request(run_id), metadata=self.ops(), timeout=120)
            )
            return response

    async def read_outcome(self, run_id: str) -> Outcome:
        """Everything the run produced, as each society and ops read it."""
        licensee_of = {licence_id: licensee for licensee, licence_id in self.licence_ids.items()}
        async with self._channel("settlement") as channel:
            stub = sgrpc.SettlementServiceStub(channel)
            got = await stub.GetRun(spb.GetRunRequest(run_id=run_id), metadata=self.ops())
            outcome = Outcome(run=got.run)
            for name in SOCIETIES:
                metadata = self.token(PrincipalKind.SOCIETY, society=name)
                request = spb.StreamStatementRequest(
                    run_id=run_id, society=society(name), format=spbm.STATEMENT_FORMAT_LINES
                )
                async for part in stub.StreamStatement(request, metadata=metadata):
                    if part.HasField("lines"):
                        for line in part.lines.lines:
                            key = (
                                name,
                                licensee_of[line.licence_id],
                                line.report_id,
                                line.work_id,
                                line.party_key,
                                RIGHT_NAMES[line.right],
                                STAGE_NAMES[line.stage],
                                territory_name(line.territory),
                            )
                            assert key not in outcome.statement, f"statement line {key} appears twice"
                            outcome.statement[key] = (line.amount.currency_code, line.amount.amount_minor)
                            hub = self.scenario.licence(licensee_of[line.licence_id]).hub
                            group = (name, hub, line.amount.currency_code)
                            outcome.earned_settlement[group] = (
                                outcome.earned_settlement.get(group, 0) + line.settlement_amount.amount_minor
                            )
                csv_request = spb.StreamStatementRequest(
                    run_id=run_id, society=society(name), format=spbm.STATEMENT_FORMAT_CSV
                )
                chunks = [p.file_chunk async for p in stub.StreamStatement(csv_request, metadata=metadata)]
                outcome.statement_files[name] = b"".join(chunks)
            for item in await _all_pages(
                lambda page: stub.ListSuspense(
                    spb.ListSuspenseRequest(run_id=run_id, page=page), metadata=self.ops()
                ),
                "items",
            ):
                held = (
                    licensee_of[item.licence_id],
                    item.work_id,
                    item.party_key,
                    RIGHT_NAMES[item.right],
                    STAGE_NAMES[item.stage],
                    territory_name(item.territory),
                    spbm.SuspenseReason.Name(item.reason).removeprefix("SUSPENSE_REASON_"),
                )
                before = outcome.suspense.get(held, (item.amount.currency_code, 0))[1]
                outcome.suspense[held] = (item.amount.currency_code, before + item.amount.amount_minor)
            for obligation in await _all_pages(
                lambda page: stub.ListObligations(
                    spb.ListObligationsRequest(run_id=run_id, page=page), metadata=self.ops()
                ),
                "obligations",
            ):
                outcome.obligations[
                    (
                        society_name(obligation.debtor),
                        society_name(obligation.creditor),
                        obligation.amount.currency_code,
                    )
                ] = (obligation.amount.amount_minor, obligation.settlement_amount.amount_minor)
            positions = await stub.GetNetPositions(
                spb.GetNetPositionsRequest(run_id=run_id), metadata=self.ops()
            )
            outcome.net_positions = {
                society_name(p.society): p.net.amount_minor for p in positions.net_positions
            }
            for payment in await _all_pages(
                lambda page: stub.ListPaymentInstructions(
                    spb.ListPaymentInstructionsRequest(run_id=run_id, page=page), metadata=self.ops()
                ),
                "payment_instructions",
            ):
                outcome.payments.append(
                    (society_name(payment.payer), society_name(payment.payee), payment.amount.amount_minor)
                )
            balances = await stub.GetLedgerBalances(spb.GetLedgerBalancesRequest(), metadata=self.ops())
            outcome.balances = {b.account_id: b.balance.amount_minor for b in balances.balances}
            for transfer in await _all_pages(
                lambda page: stub.ListLedgerEntries(
                    spb.ListLedgerEntriesRequest(page=page), metadata=self.ops()
                ),
                "transfers",
            ):
                outcome.ledger.append(
                    (
                        transfer.transfer_id,
                        transfer.debit_account_id,
                        transfer.credit_account_id,
                        transfer.amount.currency_code,
                        transfer.amount.amount_minor,
                        transfer.code,
                    )
                )
        return outcome


async def _all_pages(call: Callable[[paging_pb2.PageRequest], Awaitable[Any]], field_name: str) -> list[Any]:
    items: list[Any] = []
    token = ""
    while True:
        response = await call(paging_pb2.PageRequest(page_size=500, page_token=token))
        items.extend(getattr(response, field_name))
        token = response.page.next_page_token
        if not token:
            return items


def _ppb(text: str) -> int:
    whole, _, fraction = text.partition(".")
    return int(whole) * 10**9 + int((fraction + "0" * 9)[:9])


def licensee_reports(scenario: Scenario, licensee_id: str) -> Iterable[Report]:
    """The reports of one licensee."""
    return (report for report in scenario.reports if report.licensee_id == licensee_id)


def _metric_total(metrics_port: int, name: str, **labels: str) -> float:
    """The sum of metric ``name``'s samples carrying ``labels``, scraped from a service's /metrics."""
    url = f"http://127.0.0.1:{metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == name
        for sample in family.samples
        if sample.name.endswith("_total") or family.type == "gauge"
        if all(sample.labels.get(key) == value for key, value in labels.items())
    )


async def wait_caught_up(stack: EmbeddedStack, consumer: str, source: str, *, timeout_s: float = 90) -> None:
    """Until ``consumer`` has handled every event ``source`` published since it started.

    What operations staff watch before they settle: a run on a read model that lags would hold money in
    suspense for works it has not heard of yet.
    """
    group = f"nordclear.{consumer}.from-{source}"

    def progress() -> tuple[float, float, float]:
        published = _metric_total(stack.ports.metrics[source], "nordclear_outbox_published")
        depth = _metric_total(stack.ports.metrics[source], "nordclear_outbox_depth")
        handled = _metric_total(
            stack.ports.metrics[consumer], "nordclear_events_handled", consumer_group=group
        )
        return published, depth, handled

    await eventually(
        lambda: asyncio.to_thread(progress),
        lambda p: p[1] == 0 and p[0] > 0 and p[2] >= p[0],
        what=f"{group} to handle every event {source} published (published, outbox depth, handled)",
        timeout_s=timeout_s,
    )


CONSUMERS: tuple[tuple[str, str], ...] = (
    ("licensing", "repertoire"),
    ("matching", "repertoire"),
    ("matching", "licensing"),
    ("matching", "settlement"),
    ("settlement", "repertoire"),
    ("settlement", "licensing"),
    ("settlement", "matching"),
)
"""(consumer, source): every read model fed by another service's events."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one consumer group did with one source's events since both processes started."""

    published: float
    waiting: float
    """Events still in the source's outbox."""
    handled: float
    applied: float


def delivery(stack: EmbeddedStack, consumer: str, source: str) -> Delivery:
    """Scraped from both services' /metrics."""
    group = f"nordclear.{consumer}.from-{source}"
    consumer_port = stack.ports.metrics[consumer]
    return Delivery(
        published=_metric_total(stack.ports.metrics[source], "nordclear_outbox_published"),
        waiting=_metric_total(stack.ports.metrics[source], "nordclear_outbox_depth"),
        handled=_metric_total(consumer_port, "nordclear_events_handled", consumer_group=group),
        applied=_metric_total(
            consumer_port, "nordclear_events_handled", consumer_group=group, outcome="applied"
        ),
    )


def stop_service(stack: EmbeddedStack, name: str) -> None:
    """SIGTERM one service and wait for its graceful stop (offsets committed, outbox flushed)."""
    process = stack.processes[name]
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


async def rewind_consumer_group(stack: EmbeddedStack, consumer: str, source: str) -> int:
    """Commit offset 0 on every partition of ``source``'s topic for ``consumer``'s group, as an operator
    resets a group to replay a topic from its beginning; returns how many messages the topic holds.

    The consumer's service must be stopped: the group is joined (not written to behind its members'
    backs), so the commit is the group's own.
    """
    topic = KafkaNames().events_topic(SERVICES_BY_NAME[source])
    group = f"nordclear.{consumer}.from-{source}"
    kafka = AIOKafkaConsumer(
        bootstrap_servers=stack.broker.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await kafka.start()
    try:
        kafka.subscribe([topic])
        for _ in range(120):
            await kafka.getmany(timeout_ms=500)
            if kafka.assignment():
                break
        partitions = sorted(kafka.assignment())
        assert len(partitions) == DEFAULT_PARTITIONS, f"{group} was assigned {partitions}"
        ends = await kafka.end_offsets(partitions)
        await kafka.commit({partition: OffsetAndMetadata(0, "") for partition in partitions})
    finally:
        await kafka.stop()
    return sum(ends.values())
