"""Usage reports through the matching service over real gRPC, a real broker and a real database.

The licence and the works arrive the way they do in production, as licensing and repertoire events on
the broker, consumed by the service's own inbox consumers; what the service tells settlement is read from
its outbox. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import grpc
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from nordclear.cli.main import app as cli_app
from nordclear.gen.common.v1 import codes_pb2, dates_pb2, identifiers_pb2, money_pb2, usage_pb2
from nordclear.gen.events.v1 import (
    envelope_pb2,
    licensing_events_pb2,
    repertoire_events_pb2,
    settlement_events_pb2,
)
from nordclear.gen.events.v1 import matching_events_pb2 as events_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as pb_grpc
from nordclear.gen.matching.v1 import report_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as repertoire_pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as repertoire_grpc
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.matching import bootstrap
from nordclear.matching.adapters import orm
from nordclear.matching.adapters.consumers import (
    handle_licensing_event,
    handle_repertoire_event,
    handle_settlement_event,
)
from nordclear.matching.bootstrap import MatchingRuntime
from nordclear.matching.domain.model import MatchMethod, UsageReference
from nordclear.matching.settings import MatchingSettings
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.platform.service_runtime import ServiceRuntime
from nordclear.platform.settings import load_settings
from nordclear.platform.topology import LICENSING, MATCHING, REPERTOIRE, KafkaNames
from nordclear.repertoire import bootstrap as repertoire_bootstrap
from tests.conftest import DatabaseFactory, Keys
from tests.support import clients
from tests.support.clients import bearer
from tests.support.polling import eventually
from tests.support.services import running_service, service_environment

pytestmark = pytest.mark.integration
T = TypeVar("T")

EXAMPLES = Path(__file__).parents[2] / "docs" / "report-formats"
LICENSEE = "acme-ai"
LICENCE = "lic-acme-2026"
PERIOD = dates_pb2.DateRange(
    start_date=dates_pb2.Date(year=2026, month=3, day=1), end_date=dates_pb2.Date(year=2026, month=3, day=31)
)


@dataclass
class Matching:
    """The running service, a stub, tokens, and a way to publish upstream events."""

    runtime: MatchingRuntime
    stub: pb_grpc.MatchingServiceAsyncStub
    licensee_token: str
    other_licensee_token: str
    ops_token: str
    names: KafkaNames
    bootstrap_servers: str

    @property
    def licensee(self) -> tuple[tuple[str, str], ...]:
        """Call metadata of the licensee."""
        return bearer(self.licensee_token)

    @property
    def ops(self) -> tuple[tuple[str, str], ...]:
        """Call metadata of clearing-house ops."""
        return bearer(self.ops_token)

    async def publish(self, topic: str, envelopes: Sequence[envelope_pb2.EventEnvelope]) -> None:
        """Put envelopes on a topic, as their producing service's relay would."""
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap_servers)
        await producer.start()
        try:
            for envelope in envelopes:
                await producer.send_and_wait(
                    topic, value=envelope.SerializeToString(), key=envelope.aggregate_id.encode()
                )
        finally:
            await producer.stop()

    async def register_works(self, works: Sequence[repertoire_events_pb2.WorkRegistered]) -> None:
        """Apply WorkRegistered events through the service's own handler, as its consumer does."""
        for work in works:
            await self.apply(new_envelope(work, producer="repertoire", aggregate_id=work.work_id))

    async def apply(self, envelope: envelope_pb2.EventEnvelope) -> None:
        """Apply an upstream event in one transaction, exactly as the inbox consumer would."""
        handler = {
            "licensing": handle_licensing_event,
            "settlement": handle_settlement_event,
        }.get(envelope.producer, handle_repertoire_event)
        async with self.runtime.unit_of_work() as uow:
            await handler(envelope, uow)
            await uow.commit()

    async def index_status(self) -> pb.GetIndexStatusResponse:
        """The read model's status."""
        answer: pb.GetIndexStatusResponse = await self.stub.GetIndexStatus(
            pb.GetIndexStatusRequest(), metadata=self.ops
        )
        return answer

    async def outbox(self) -> list[envelope_pb2.EventEnvelope]:
        """Every event the service wrote to its outbox, in order."""
        outbox = self.runtime.tables.outbox
        async with self.runtime.engine.connect() as connection:
            rows = await connection.execute(select(outbox.c.payload).order_by(outbox.c.sequence_no))
            return [envelope_pb2.EventEnvelope.FromString(row.payload) for row in rows]


def a_work(
    work_id: str,
    title: str,
    writers: Sequence[tuple[str, str]],
    *,
    iswc: str = "",
    isrc: str = "",
    artist: str = "",
    society_work_id: tuple[str, str] | None = None,
) -> repertoire_events_pb2.WorkRegistered:
    """A WorkRegistered event."""
    work = repertoire_events_pb2.WorkRegistered(
        work_id=work_id,
        iswc=iswc,
        title=title,
        revision=1,
        creators=[
            repertoire_events_pb2.WorkParty(
                first_name=first, name=last, role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR
            )
            for first, last in writers
        ],
    )
    if isrc:
        work.recordings.append(
            repertoire_events_pb2.WorkRecording(
                recording_id=f"rec-{work_id}", isrc=isrc, title=title, main_artist=artist, duration_ms=187_000
            )
        )
    if society_work_id:
        work.society_work_ids.append(
            identifiers_pb2.SocietyWorkId(society_code=society_work_id[0], work_code=society_work_id[1])
        )
    return work


CATALOGUE = (
    a_work("wrk-vem-kan-segla", "Vem kan segla förutan vind", [("Evert", "Taube")], iswc="T0700000049",
           isrc="SEAAA2400001", artist="Sofia Karlsson"),
    a_work("wrk-sommarnatt", "Sommarnatt i Malmö", [("Lisa", "Nilsson")], iswc="T1234567894"),
    a_work("wrk-dansa", "Dansa i Dalarna", [("Anna", "Berg"), ("Olle", "Lind")],
           society_work_id=("079", "STIM-4711")),
)  # fmt: skip


def licence_issued(licence_id: str = LICENCE, licensee_id: str = LICENSEE) -> envelope_pb2.EventEnvelope:
    """A LicenceIssued envelope: training, service and output in DK, SE, NO and IS for 2026."""
    event = licensing_events_pb2.LicenceIssued(
        licence_id=licence_id,
        licensee_id=licensee_id,
        stages=[codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_SERVICE, codes_pb2.AI_STAGE_OUTPUT],
        territories=[
            codes_pb2.TERRITORY_DK,
            codes_pb2.TERRITORY_SE,
            codes_pb2.TERRITORY_NO,
            codes_pb2.TERRITORY_IS,
        ],
        term=dates_pb2.DateRange(
            start_date=dates_pb2.Date(year=2026, month=1, day=1),
            end_date=dates_pb2.Date(year=2026, month=12, day=31),
        ),
        output_label_iptc_digital_source_type="trainedAlgorithmicMedia",
    )
    return new_envelope(event, producer="licensing", aggregate_id=licence_id)


async def start_matching(
    database_url: str,
    kafka_bootstrap_servers: str,
    kafka_namespace: str,
    keys: Keys,
    *,
    consume: str = "false",
) -> AsyncIterator[Matching]:
    """The matching service with the licence and the catalogue in its read models.

    Upstream events are applied through the service's own handlers (``consume="false"``: no consumer
    group to join, which saves seconds per test); one test sends them through the broker instead.
    """
    env = service_environment(
        MATCHING,
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
        retry_interval_ms="200",
        consume_topics_from_services=consume,
    )
    runtime = bootstrap.build(load_settings(MatchingSettings, MATCHING, env))
    assert isinstance(runtime, MatchingRuntime)
    await runtime.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runtime.bound_port}") as channel:
            matching = Matching(
                runtime=runtime,
                stub=pb_grpc.MatchingServiceStub(channel),
                licensee_token=keys.token(principal_for(PrincipalKind.LICENSEE, licensee_id=LICENSEE)),
                other_licensee_token=keys.token(
                    principal_for(PrincipalKind.LICENSEE, licensee_id="other-ai")
                ),
                ops_token=keys.token(principal_for(PrincipalKind.OPS)),
                names=KafkaNames(kafka_namespace),
                bootstrap_servers=kafka_bootstrap_servers,
            )
            if consume == "false":
                await matching.apply(licence_issued())
                await matching.register_works(CATALOGUE)
                await runtime.view.catch_up()
            yield matching
    finally:
        await runtime.stop()


async def _licence_known(runtime: ServiceRuntime) -> bool:
    assert isinstance(runtime, MatchingRuntime)
    async with runtime.read_unit_of_work() as uow:
        return await uow.licences.get(LICENCE) is not None


def header(
    report_id: str | None = None,
    kind: usage_pb2.UsageReportKind.ValueType = usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
    licence_id: str = LICENCE,
) -> report_pb2.ReportHeader:
    """A report header for March 2026 under the test licence."""
    return report_pb2.ReportHeader(
        report_id=report_id or f"rep-{uuid.uuid4().hex[:8]}", kind=kind, licence_id=licence_id, period=PERIOD
    )


def manifest_line(number: int, **reference: object) -> report_pb2.ReportLine:
    """A training manifest line."""
    return report_pb2.ReportLine(
        line_number=number,
        training_manifest=report_pb2.TrainingManifestLine(reference=report_pb2.UsageReference(**reference)),  # type: ignore[arg-type]
    )


async def stream(*messages: T) -> AsyncIterator[T]:
    """A request stream of the given messages."""
    for message in messages:
        yield message


def submission(
    report_header: report_pb2.ReportHeader, lines: Sequence[report_pb2.ReportLine]
) -> list[pb.SubmitReportRequest]:
    """Header, one batch of lines, trailer."""
    return [
        pb.SubmitReportRequest(header=report_header),
        pb.SubmitReportRequest(lines=pb.ReportLineBatch(lines=list(lines))),
        pb.SubmitReportRequest(trailer=pb.ReportTrailer(line_count=len(lines))),
    ]


# --- The tests -----------------------------------------------------------------------------------


@pytest.fixture
async def matching(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[Matching]:
    """The matching service with a licence and a small repertoire."""
    async for running in start_matching(
        await new_database("matching"), kafka_bootstrap_servers, kafka_namespace, keys
    ):
        yield running


async def test_a_manifest_is_matched_by_identifiers_and_by_title_and_sent_to_settlement(
    matching: Matching,
) -> None:
    lines = [
        manifest_line(1, isrc="SE-AAA-24-00001"),
        manifest_line(2, iswc="T-123.456.789-4", title="Sommarnatt i Malmö"),
        manifest_line(
            3, society_work_id=identifiers_pb2.SocietyWorkId(society_code="STIM", work_code="STIM-4711")
        ),
        manifest_line(4, title="Sommarnatt i Malmo (Live)", writers=["Nilsson, Lisa"]),
        manifest_line(5, title="En sång som inte finns", writers=["Ingen Alls"]),
        manifest_line(6, title="Vem kan segla", main_artist="Sofia Karlsson"),
    ]
    report_header = header()

    answer = await matching.stub.SubmitReport(
        stream(*submission(report_header, lines)), metadata=matching.licensee
    )

    report = answer.report
    assert (report.status, answer.duplicate) == (report_pb2.REPORT_STATUS_MATCHED, False)
    assert (report.lines_total, report.units_total) == (6, 6)
    assert (report.units_matched, report.units_in_review, report.units_unmatched) == (4, 1, 1)
    methods = {count.method: count.count for count in report.method_counts}
    assert methods == {
        usage_pb2.MATCH_METHOD_ISRC: 1,
        usage_pb2.MATCH_METHOD_ISWC: 1,
        usage_pb2.MATCH_METHOD_SOCIETY_WORK_ID: 1,
        usage_pb2.MATCH_METHOD_FUZZY: 1,
    }
    listed = await matching.stub.ListReportLines(
        pb.ListReportLinesRequest(report_id=report_header.report_id), metadata=matching.licensee
    )
    works = [result.matches[0].work_id for result in listed.lines]
    assert works == ["wrk-vem-kan-segla", "wrk-sommarnatt", "wrk-dansa", "wrk-sommarnatt", "", ""]
    assert listed.lines[0].matches[0].recording_id == "rec-wrk-vem-kan-segla"
    assert (
        listed.lines[3].matches[0].confidence_bp
        >= matching.runtime.matching_settings.auto_accept_threshold_bp
    )

    events = [e for e in await matching.outbox() if e.aggregate_id == report_header.report_id]
    assert [e.event_type.rsplit(".", 1)[1] for e in events] == [
        "ReportAccepted",
        "UsageMatched",
        "ReportMatchingCompleted",
    ]
    usage = events[1].usage_matched
    assert (usage.licensee_id, usage.licence_id, usage.batch_sequence) == (LICENSEE, LICENCE, 1)
    assert [line.works[0].work_id for line in usage.lines] == works
    assert all(line.stage == codes_pb2.AI_STAGE_TRAINING and line.revision == 1 for line in usage.lines)
    assert usage.lines[0].works[0].share_bp == 10_000
    completed = events[2].report_matching_completed
    assert (completed.batch_count, completed.units_matched, completed.units_in_review) == (1, 4, 1)


async def test_a_resent_report_is_recognised_and_a_changed_one_refused(matching: Matching) -> None:
    report_header = header()
    lines = [manifest_line(1, isrc="SEAAA2400001")]
    first = await matching.stub.SubmitReport(
        stream(*submission(report_header, lines)), metadata=matching.licensee
    )

    again = await matching.stub.SubmitReport(
        stream(*submission(report_header, lines)), metadata=matching.licensee
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await matching.stub.SubmitReport(
            stream(*submission(report_header, [manifest_line(1, isrc="SEAAA2400002")])),
            metadata=matching.licensee,
        )

    assert again.duplicate is True
    assert again.report.content_sha256 == first.report.content_sha256
    settled = settlement_events_pb2.ReportsSettled(
        run_id="run-1",
        reports=[
            settlement_events_pb2.SettledReport(licensee_id=LICENSEE, report_id=report_header.report_id)
        ],
    )
    await matching.apply(new_envelope(settled, producer="settlement", aggregate_id="run-1"))
    shown = await matching.stub.GetReport(
        pb.GetReportRequest(report_id=report_header.report_id), metadata=matching.licensee
    )
    assert shown.report.status == report_pb2.REPORT_STATUS_SETTLED
    assert refused.value.code() == grpc.StatusCode.ALREADY_EXISTS
    accepted = [e for e in await matching.outbox() if e.WhichOneof("payload") == "report_accepted"]
    assert len(accepted) == 1, "the re-sent report is not counted twice"


async def test_bad_lines_reject_the_whole_report_with_line_numbered_errors(matching: Matching) -> None:
    report_header = header(kind=usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION)

    def output(number: int, revenue: money_pb2.Money, *influences: tuple[str, int]) -> report_pb2.ReportLine:
        return report_pb2.ReportLine(
            line_number=number,
            output_attribution=report_pb2.OutputAttributionLine(
                output_id=f"out-{number}",
                territory=codes_pb2.TERRITORY_SE,
                use_type=report_pb2.OUTPUT_USE_TYPE_STREAMING,
                revenue=revenue,
                label_applied=True,
                influences=[
                    report_pb2.AttributionInfluence(
                        reference=report_pb2.UsageReference(isrc=isrc), share_bp=share, confidence_bp=9000
                    )
                    for isrc, share in influences
                ],
            ),
        )

    sek = money_pb2.Money(currency_code="SEK", amount_minor=100)
    lines = [
        output(1, sek, ("SEAAA2400001", 5000)),
        output(2, sek, ("SE-AAA-24", 5000)),
        output(3, money_pb2.Money(currency_code="SEK", amount_minor=-1), ("SEAAA2400001", 5000)),
        output(4, money_pb2.Money(currency_code="XYZ", amount_minor=1), ("SEAAA2400001", 5000)),
        output(5, sek, ("SEAAA2400001", 6000), ("SEAAA2400001", 5000)),
    ]

    answer = await matching.stub.SubmitReport(
        stream(*submission(report_header, lines)), metadata=matching.licensee
    )

    report = answer.report
    assert report.status == report_pb2.REPORT_STATUS_REJECTED
    assert [(e.line_number, e.field) for e in report.errors] == [
        (2, "output_attribution.influences[0].reference.isrc"),
        (3, "output_attribution.revenue.amount_minor"),
        (4, "output_attribution.revenue.currency_code"),
        (5, "output_attribution.influences.share_bp"),
    ]
    assert report.errors[0].value == "SE-AAA-24"
    assert report.units_total == 0
    listed = await matching.stub.ListReportLines(
        pb.ListReportLinesRequest(report_id=report_header.report_id), metadata=matching.licensee
    )
    assert list(listed.lines) == [], "nothing of a rejected report is kept"
    kinds = [
        e.WhichOneof("payload") for e in await matching.outbox() if e.aggregate_id == report_header.report_id
    ]
    assert kinds == ["report_rejected"]


async def test_a_report_under_someone_elses_licence_is_permission_denied(matching: Matching) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await matching.stub.SubmitReport(
            stream(*submission(header(), [manifest_line(1, isrc="SEAAA2400001")])),
            metadata=bearer(matching.other_licensee_token),
        )

    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_stream_that_breaks_off_keeps_nothing(matching: Matching) -> None:
    report_header = header()
    lines = [manifest_line(n, isrc="SEAAA2400001") for n in range(1, 4)]

    async def broken() -> AsyncIterator[pb.SubmitReportRequest]:
        yield pb.SubmitReportRequest(header=report_header)
        yield pb.SubmitReportRequest(lines=pb.ReportLineBatch(lines=lines))
        raise ConnectionResetError("the client went away")

    # The client's stream fails: grpc cancels the call on both sides.
    with pytest.raises((grpc.aio.AioRpcError, asyncio.CancelledError)):
        await matching.stub.SubmitReport(broken(), metadata=matching.licensee)
    no_trailer = submission(report_header, lines)[:2]
    with pytest.raises(grpc.aio.AioRpcError) as without_trailer:
        await matching.stub.SubmitReport(stream(*no_trailer), metadata=matching.licensee)

    assert without_trailer.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await matching.stub.GetReport(
            pb.GetReportRequest(report_id=report_header.report_id), metadata=matching.licensee
        )
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    async with matching.runtime.engine.connect() as connection:
        for table in (orm.match_units, orm.report_line_chunks, orm.staged_events, orm.reports):
            assert await connection.scalar(select(func.count()).select_from(table)) == 0, table.name
    retried = await matching.stub.SubmitReport(
        stream(*submission(report_header, lines)), metadata=matching.licensee
    )
    assert retried.report.status == report_pb2.REPORT_STATUS_MATCHED


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "tsv"])
async def test_every_documented_file_format_is_accepted(matching: Matching, suffix: str) -> None:
    formats = {
        "csv": report_pb2.REPORT_FORMAT_CSV,
        "jsonl": report_pb2.REPORT_FORMAT_JSON_LINES,
        "tsv": report_pb2.REPORT_FORMAT_DSR_TSV,
    }
    kinds = {
        "training_manifest": usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
        "service_revenue": usage_pb2.USAGE_REPORT_KIND_SERVICE_REVENUE,
        "output_attribution": usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION,
    }
    digests = set()
    for name, kind in kinds.items():
        content = (EXAMPLES / f"{name}.{suffix}").read_bytes()
        file_header = pb.ReportFileHeader(
            report=header(kind=kind), format=formats[suffix], file_name=f"{name}.{suffix}",
            file_sha256=hashlib.sha256(content).hexdigest(),
        )  # fmt: skip
        requests = [pb.SubmitReportFileRequest(header=file_header)] + [
            pb.SubmitReportFileRequest(chunk=content[start : start + 100])
            for start in range(0, len(content), 100)
        ]

        answer = await matching.stub.SubmitReportFile(stream(*requests), metadata=matching.licensee)

        assert answer.report.status == report_pb2.REPORT_STATUS_MATCHED, list(answer.report.errors)
        digests.add(answer.report.content_sha256)
    assert len(digests) == 3
    usage = [e for e in await matching.outbox() if e.WhichOneof("payload") == "usage_matched"]
    manifest = usage[0].usage_matched
    assert [line.works[0].work_id for line in manifest.lines] == [
        "wrk-vem-kan-segla", "wrk-sommarnatt", "wrk-dansa", "wrk-sommarnatt", "",
    ]  # fmt: skip


async def test_a_file_not_in_its_declared_format_is_rejected(matching: Matching) -> None:
    content = (EXAMPLES / "training_manifest.jsonl").read_bytes()
    file_header = pb.ReportFileHeader(report=header(), format=report_pb2.REPORT_FORMAT_CSV)
    requests = [pb.SubmitReportFileRequest(header=file_header), pb.SubmitReportFileRequest(chunk=content)]

    answer = await matching.stub.SubmitReportFile(stream(*requests), metadata=matching.licensee)

    assert answer.report.status == report_pb2.REPORT_STATUS_REJECTED
    assert answer.report.errors[0].field == "header"
    assert "training_manifest CSV file starts with the header row" in answer.report.errors[0].rule


async def test_review_resolution_and_repertoire_changes_send_lines_again(matching: Matching) -> None:
    report_header = header()
    lines = [
        manifest_line(1, title="Vem kan segla", main_artist="Sofia Karlsson"),
        manifest_line(2, title="Visan om Nordens ljus", writers=["Karin Ek"]),
        manifest_line(3, title="Dansa i Dalarna"),
    ]
    await matching.stub.SubmitReport(stream(*submission(report_header, lines)), metadata=matching.licensee)
    queue = await matching.stub.ListReviewQueue(
        pb.ListReviewQueueRequest(report_id=report_header.report_id), metadata=matching.ops
    )
    by_line = {item.line_number: item for item in queue.items}
    assert set(by_line) == {1, 3}
    assert by_line[1].candidates[0].work_id == "wrk-vem-kan-segla"

    accept = pb.ResolveReviewItemRequest(
        request_id="r-1", review_item_id=by_line[1].review_item_id, decision=pb.REVIEW_DECISION_ACCEPT,
        work_id="wrk-vem-kan-segla", note="same song, shortened title",
    )  # fmt: skip
    resolved = await matching.stub.ResolveReviewItem(accept, metadata=matching.ops)
    replayed = await matching.stub.ResolveReviewItem(accept, metadata=matching.ops)
    await matching.stub.ResolveReviewItem(
        pb.ResolveReviewItemRequest(
            request_id="r-2",
            review_item_id=by_line[3].review_item_id,
            decision=pb.REVIEW_DECISION_MARK_UNMATCHED,
        ),
        metadata=matching.ops,
    )
    assert (resolved.match.status, resolved.match.method, resolved.match.revision) == (
        report_pb2.MATCH_STATUS_MATCHED, usage_pb2.MATCH_METHOD_MANUAL, 2,
    )  # fmt: skip
    assert resolved.item.status == report_pb2.REVIEW_ITEM_STATUS_ACCEPTED
    assert replayed.replayed is True

    # The work of line 2 joins the repertoire: the unit is matched without anyone asking.
    await matching.register_works([a_work("wrk-nordens-ljus", "Visan om Nordens ljus", [("Karin", "Ek")])])

    async def usage_batches() -> list[events_pb2.UsageMatched]:
        return [e.usage_matched for e in await matching.outbox() if e.WhichOneof("payload") == "usage_matched"
                and e.aggregate_id == report_header.report_id]  # fmt: skip

    batches = await eventually(usage_batches, lambda found: len(found) == 3, what="the re-tried line")
    assert [b.batch_sequence for b in batches] == [1, 2, 3]
    assert [(line.line_number, line.revision, line.works[0].work_id) for line in batches[1].lines] == [
        (1, 2, "wrk-vem-kan-segla")
    ]
    assert [(line.line_number, line.revision, line.works[0].work_id) for line in batches[2].lines] == [
        (2, 2, "wrk-nordens-ljus")
    ]
    report = await matching.stub.GetReport(
        pb.GetReportRequest(report_id=report_header.report_id), metadata=matching.licensee
    )
    assert (report.report.units_matched, report.report.units_unmatched) == (2, 1)


async def test_licences_and_works_arrive_as_events_through_the_broker(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> None:
    async for matching in start_matching(
        await new_database("matching"), kafka_bootstrap_servers, kafka_namespace, keys, consume="true"
    ):
        await matching.publish(matching.names.events_topic(LICENSING), [licence_issued()])
        await matching.publish(
            matching.names.events_topic(REPERTOIRE),
            [new_envelope(work, producer="repertoire", aggregate_id=work.work_id) for work in CATALOGUE],
        )
        await eventually(partial(_licence_known, matching.runtime), bool, what="the licence in matching")
        await eventually(matching.index_status, lambda s: s.works_indexed == 3, what="the works in matching")

        answer = await matching.stub.SubmitReport(
            stream(*submission(header(), [manifest_line(1, isrc="SEAAA2400001")])), metadata=matching.licensee
        )

        assert answer.report.units_matched == 1


async def test_the_command_line_submits_a_file_and_works_the_review_queue(
    matching: Matching, tmp_path: Path
) -> None:
    runner = CliRunner()
    address = f"127.0.0.1:{matching.runtime.bound_port}"
    report_file = tmp_path / "march.csv"
    report_file.write_text(
        (EXAMPLES / "training_manifest.csv").read_text().splitlines()[0] + "\n"
        "SEAAA2400001,,,,,,,,,\n"
        ",,,,,Sommarnatt i Malmö,,,,\n"
    )

    def run(token: str, *arguments: str) -> Result:
        return runner.invoke(cli_app, ["matching", *arguments, "--address", address, "--token", token])

    submit = ["submit", str(report_file), "--kind", "training_manifest", "--licence-id", LICENCE]
    period = ["--period-start", "2026-03-01", "--period-end", "2026-03-31"]
    submitted = await asyncio.to_thread(run, matching.licensee_token, *submit, *period)
    shown = await asyncio.to_thread(run, matching.licensee_token, "report", "march")
    queue = await asyncio.to_thread(run, matching.ops_token, "review", "list", "--report-id", "march")

    assert submitted.exit_code == 0, submitted.output
    assert '"status": "REPORT_STATUS_MATCHED"' in shown.output
    assert '"units_in_review": "1"' in shown.output
    item_ids = re.findall(r'"review_item_id": "(rvw_[0-9a-f]+)"', queue.output)
    assert len(set(item_ids)) == 1
    accepted = await asyncio.to_thread(
        run,
        matching.ops_token,
        "review",
        "accept",
        item_ids[0],
        "--work-id",
        "wrk-sommarnatt",
        "--note",
        "checked",
    )
    assert accepted.exit_code == 0, accepted.output
    assert '"status": "REVIEW_ITEM_STATUS_ACCEPTED"' in accepted.output
    refused = await asyncio.to_thread(run, matching.licensee_token, "review", "list")
    assert refused.exit_code == 1
    assert "PERMISSION_DENIED" in refused.output


async def test_an_empty_read_model_is_filled_from_the_repertoire_snapshot(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> None:
    repertoire_env = service_environment(
        REPERTOIRE,
        database_url=await new_database("repertoire"),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
    )
    async with (
        running_service(REPERTOIRE, repertoire_bootstrap.build, repertoire_env) as repertoire,
        grpc.aio.insecure_channel(f"127.0.0.1:{repertoire.bound_port}") as channel,
    ):
        society = bearer(keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM")))
        stub = repertoire_grpc.RepertoireServiceStub(channel)
        registered = await stub.RegisterWork(
            repertoire_pb.RegisterWorkRequest(request_id="snap-1", work=clients.a_work()), metadata=society
        )
        await stub.RegisterRecording(
            repertoire_pb.RegisterRecordingRequest(
                request_id="snap-2",
                recording=work_pb2.Recording(
                    isrc="SEAAA2400007", title="Vem kan segla förutan vind", main_artist="Sofia Karlsson",
                    work_ids=[registered.work.work_id],
                ),
            ),
            metadata=society,
        )  # fmt: skip
        env = service_environment(
            MATCHING,
            database_url=await new_database("matching"),
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_namespace=kafka_namespace,
            public_key_file=keys.public_key_file,
            consume_topics_from_services="false",
            snapshot_repertoire_address=f"127.0.0.1:{repertoire.bound_port}",
            service_signing_key_file=str(keys.private_key_file),
        )
        runtime = bootstrap.build(load_settings(MatchingSettings, MATCHING, env))
        assert isinstance(runtime, MatchingRuntime)
        await runtime.start()
        try:
            match = runtime.view.matcher.match(UsageReference(isrc="SEAAA2400007"))
            by_title = runtime.view.matcher.match(
                UsageReference(title="Vem kan segla förutan vind", writers=("Taube",))
            )
        finally:
            await runtime.stop()

    assert (match.work_id, match.method) == (registered.work.work_id, MatchMethod.ISRC)
    assert by_title.work_id == registered.work.work_id
