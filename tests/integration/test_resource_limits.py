"""Oversized, cancelled, expired and slow calls: each ends on its own, keeps nothing, and blocks no one.

Against real in-process services (matching with its licence and catalogue, repertoire with its CWR
import and export): a message beyond the server's receive limit is RESOURCE_EXHAUSTED; a client stream
cancelled half-way, or whose deadline passes half-way, leaves nothing stored (checked through the API)
and its id can be used again at once; a cancelled file upload that had spilled to a temporary file
closes it (the process's open file descriptors, the service being in-process, return to their number
before); a client that reads a server stream slowly holds no one else up. After each, the service
answers other callers as before. SQLite only: what is shown is the server's
handling of the call, which the database kind does not change.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from nordclear.gen.matching.v1 import matching_service_pb2 as pb
from nordclear.gen.matching.v1 import report_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as rpb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as rpb_grpc
from nordclear.matching.adapters import orm
from nordclear.matching.entrypoints.grpc_servicer import MAX_FILE_CHUNK_BYTES, SPOOL_IN_MEMORY_BYTES
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.service_runtime import MAX_MESSAGE_BYTES
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire import bootstrap as repertoire_bootstrap
from tests.conftest import Keys
from tests.integration.test_matching_reports import (
    Matching,
    header,
    manifest_line,
    start_matching,
    stream,
    submission,
)
from tests.support.clients import bearer
from tests.support.polling import eventually
from tests.support.services import running_service, service_environment

pytestmark = pytest.mark.integration

CWR_FILE = Path(__file__).parent.parent / "fixtures" / "cwr" / "CW220001DMP_000.V21"
CHUNK_BYTES = 1_000
CSV_HEADER = (
    "isrc,iswc,society_code,society_work_code,work_id,title,main_artist,writers,duration_ms,content_sha256\n"
)
CSV_ROW = ",T0700000049,,,,Vem kan segla forutan vind,,,,\n"


@pytest.fixture
async def matching(
    tmp_path: Path, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[Matching]:
    """Matching on SQLite with a licence and a small repertoire."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'matching.sqlite3'}"
    async for running in start_matching(url, kafka_bootstrap_servers, kafka_namespace, keys):
        yield running


@pytest.fixture
async def repertoire(
    tmp_path: Path, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[rpb_grpc.RepertoireServiceAsyncStub]:
    """Repertoire on SQLite."""
    env = service_environment(
        REPERTOIRE,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'repertoire.sqlite3'}",
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
    )
    async with (
        running_service(REPERTOIRE, repertoire_bootstrap.build, env) as runtime,
        grpc.aio.insecure_channel(f"127.0.0.1:{runtime.bound_port}") as channel,
    ):
        yield rpb_grpc.RepertoireServiceStub(channel)


def _stim(keys: Keys) -> tuple[tuple[str, str], ...]:
    return bearer(keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM")))


async def _report_status(matching: Matching, report_id: str) -> grpc.StatusCode | int:
    """The report's status if it is stored, else the status code GetReport answered with."""
    try:
        response = await matching.stub.GetReport(
            pb.GetReportRequest(report_id=report_id), metadata=matching.licensee
        )
    except grpc.aio.AioRpcError as error:
        return error.code()
    return response.report.status


async def _receiving(matching: Matching, report_id: str) -> bool:
    """Whether the service holds lines of the report from a stream still open (not visible in the API)."""
    async with matching.runtime.engine.connect() as connection:
        rows = await connection.execute(
            orm.reports.select().where(
                orm.reports.c.report_id == report_id, orm.reports.c.status == "receiving"
            )
        )
        return rows.first() is not None


async def _submit(matching: Matching, report_id: str) -> pb.SubmitReportResponse:
    """The whole two-line report; ABORTED ("retry later") is retried while a lost stream is discarded."""
    lines = [manifest_line(1, iswc="T0700000049"), manifest_line(2, iswc="T1234567894")]
    for _ in range(50):
        try:
            response: pb.SubmitReportResponse = await matching.stub.SubmitReport(
                stream(*submission(header(report_id), lines)), metadata=matching.licensee
            )
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.ABORTED:
                raise
            await asyncio.sleep(0.1)
            continue
        return response
    raise AssertionError(f"report {report_id} was still being received on a lost stream")


async def _stalled(
    first: list[pb.SubmitReportRequest], sent: asyncio.Event
) -> AsyncIterator[pb.SubmitReportRequest]:
    """A request stream that sends ``first``, then never another message (its sender hangs)."""
    for message in first:
        yield message
    sent.set()
    await asyncio.Event().wait()


async def test_a_message_over_the_receive_limit_is_refused_and_the_service_keeps_serving(
    matching: Matching,
) -> None:
    too_long = "x" * (MAX_MESSAGE_BYTES + 1)
    with pytest.raises(grpc.aio.AioRpcError) as unary:
        await matching.stub.GetReport(pb.GetReportRequest(report_id=too_long), metadata=matching.licensee)
    # In a stream: the oversized batch follows the header, and the sender then waits for the answer.
    sent = asyncio.Event()
    oversized = submission(header("too-big"), [manifest_line(1, title=too_long)])[:2]
    with pytest.raises(grpc.aio.AioRpcError) as streamed:
        await matching.stub.SubmitReport(_stalled(oversized, sent), metadata=matching.licensee)

    assert unary.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert streamed.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert await eventually(
        lambda: _report_status(matching, "too-big"),
        lambda status: status == grpc.StatusCode.NOT_FOUND,
        what="nothing kept of the refused stream",
    )
    accepted = await _submit(matching, "too-big")
    assert accepted.report.status == report_pb2.REPORT_STATUS_MATCHED
    assert accepted.report.lines_total == 2


async def test_a_report_stream_cancelled_half_way_keeps_nothing_and_its_id_can_be_sent_again(
    matching: Matching,
) -> None:
    report_header = header("cancelled-1")
    sent = asyncio.Event()
    # The header and the lines, but no trailer.
    half = submission(report_header, [manifest_line(1, iswc="T0700000049")])[:2]
    call = matching.stub.SubmitReport(_stalled(half, sent), metadata=matching.licensee)
    # The server has begun receiving (the report exists, invisible, as "receiving") before the cancel.
    await sent.wait()
    await eventually(lambda: _receiving(matching, "cancelled-1"), bool, what="the half stream received")
    call.cancel()

    with pytest.raises(asyncio.CancelledError):
        await call
    assert await eventually(
        lambda: _report_status(matching, "cancelled-1"),
        lambda status: status == grpc.StatusCode.NOT_FOUND,
        what="nothing kept of the cancelled stream",
    )
    resent = await _submit(matching, "cancelled-1")
    assert resent.report.status == report_pb2.REPORT_STATUS_MATCHED
    assert resent.report.lines_total == 2
    assert not resent.duplicate


async def test_a_report_stream_whose_deadline_passes_half_way_ends_deadline_exceeded_and_keeps_nothing(
    matching: Matching,
) -> None:
    sent = asyncio.Event()
    half = submission(header("expired-1"), [manifest_line(1, iswc="T0700000049")])[:2]
    call = matching.stub.SubmitReport(_stalled(half, sent), metadata=matching.licensee, timeout=3.0)
    await eventually(lambda: _receiving(matching, "expired-1"), bool, what="the half stream received")
    # Another caller is answered while the stalled stream is open.
    other = await _submit(matching, "meanwhile-1")
    still_open = not call.done()

    with pytest.raises(grpc.aio.AioRpcError) as expired:
        await call
    assert expired.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert still_open
    assert other.report.status == report_pb2.REPORT_STATUS_MATCHED
    assert await eventually(
        lambda: _report_status(matching, "expired-1"),
        lambda status: status == grpc.StatusCode.NOT_FOUND,
        what="nothing kept of the expired stream",
    )
    assert (await _submit(matching, "expired-1")).report.lines_total == 2


def _open_files() -> int:
    """Temporary files this process holds open (the service runs in it).

    Only descriptors into the temporary directory are counted: sockets and pipes that earlier tests'
    clients are still closing come and go on their own and would make a plain count meaningless.
    """
    temporary = tempfile.gettempdir()
    count = 0
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # A descriptor closed while we look.
            if os.readlink(f"/proc/self/fd/{name}").startswith(temporary):
                count += 1
    return count


async def test_a_report_file_upload_cancelled_after_it_spilled_to_disk_releases_its_spool(
    matching: Matching,
) -> None:
    # More than the servicer keeps in memory, so the upload is spooled to a temporary file on disk.
    chunk = (CSV_ROW * (MAX_FILE_CHUNK_BYTES // len(CSV_ROW))).encode()
    chunks = SPOOL_IN_MEMORY_BYTES // len(chunk) + 2
    await _report_status(matching, "warm-up")  # connections the service keeps open anyway
    before = _open_files()
    sent = asyncio.Event()

    async def upload_then_hang() -> AsyncIterator[pb.SubmitReportFileRequest]:
        yield pb.SubmitReportFileRequest(
            header=pb.ReportFileHeader(report=header("file-1"), format=report_pb2.REPORT_FORMAT_CSV)
        )
        yield pb.SubmitReportFileRequest(chunk=CSV_HEADER.encode())
        for _ in range(chunks):
            yield pb.SubmitReportFileRequest(chunk=chunk)
        sent.set()
        await asyncio.Event().wait()

    call = matching.stub.SubmitReportFile(upload_then_hang(), metadata=matching.licensee)
    # Bounded: had the service refused the upload early, it would stop taking chunks and this fails.
    await asyncio.wait_for(sent.wait(), 60)
    spooled = await eventually(_opened, lambda count: count > before, what="the upload spooled to disk")
    call.cancel()

    with pytest.raises(asyncio.CancelledError):
        await call
    after = await eventually(_opened, lambda count: count <= before, what="the spool file closed")
    assert spooled > before >= after
    assert await _report_status(matching, "file-1") == grpc.StatusCode.NOT_FOUND
    assert (await _submit(matching, "file-1")).report.lines_total == 2


async def _opened() -> int:
    return _open_files()


async def _import_parts(request_id: str, content: bytes) -> AsyncIterator[rpb.ImportCwrRequest]:
    yield rpb.ImportCwrRequest(header=rpb.ImportCwrHeader(request_id=request_id, file_name=CWR_FILE.name))
    for offset in range(0, len(content), CHUNK_BYTES):
        yield rpb.ImportCwrRequest(chunk=content[offset : offset + CHUNK_BYTES])


async def _work_count(
    stub: rpb_grpc.RepertoireServiceAsyncStub, metadata: tuple[tuple[str, str], ...]
) -> int:
    return len((await stub.ListWorks(rpb.ListWorksRequest(), metadata=metadata)).works)


async def test_a_cwr_import_cut_off_half_way_keeps_nothing_and_its_request_id_imports_the_file(
    repertoire: rpb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = _stim(keys)
    content = CWR_FILE.read_bytes()
    sent = asyncio.Event()

    async def half_then_hang() -> AsyncIterator[rpb.ImportCwrRequest]:
        parts = [part async for part in _import_parts("import-1", content[: len(content) // 2])]
        for part in parts:
            yield part
        sent.set()
        await asyncio.Event().wait()

    cancelled = repertoire.ImportCwr(half_then_hang(), metadata=stim)
    expired = repertoire.ImportCwr(_import_parts_then_hang("import-2", content), metadata=stim, timeout=1.0)
    await sent.wait()
    cancelled.cancel()

    with pytest.raises(asyncio.CancelledError):
        await cancelled
    with pytest.raises(grpc.aio.AioRpcError) as deadline:
        await expired
    assert deadline.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert await _work_count(repertoire, stim) == 0
    imported = await repertoire.ImportCwr(_import_parts("import-1", content), metadata=stim)
    assert imported.transactions_total == 1
    assert await _work_count(repertoire, stim) == 1
    again = await repertoire.ImportCwr(_import_parts("import-2", content), metadata=stim)
    assert again.transactions_total == 1


async def _import_parts_then_hang(request_id: str, content: bytes) -> AsyncIterator[rpb.ImportCwrRequest]:
    """All but the last chunk of the file, then nothing more (the sender hangs)."""
    parts = [part async for part in _import_parts(request_id, content)]
    for part in parts[:-1]:
        yield part
    await asyncio.Event().wait()


async def test_a_slow_reader_of_an_export_holds_no_one_else_up(
    repertoire: rpb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = _stim(keys)
    await repertoire.ImportCwr(_import_parts("seed", CWR_FILE.read_bytes()), metadata=stim)
    export = repertoire.ExportCwr(rpb.ExportCwrRequest(), metadata=stim)
    first = await export.read()
    go_on = asyncio.Event()

    async def slow_reader() -> list[rpb.ExportCwrResponse]:
        await go_on.wait()
        parts = []
        while (part := await export.read()) is not grpc.aio.EOF:
            assert isinstance(part, rpb.ExportCwrResponse)
            parts.append(part)
            await asyncio.sleep(0.05)  # a consumer slower than the server
        return parts

    reading = asyncio.ensure_future(slow_reader())
    # While the export's reader takes nothing more, others read, write and export, and are answered.
    listed = await repertoire.ListWorks(rpb.ListWorksRequest(), metadata=stim)
    second = await repertoire.ImportCwr(
        _import_parts("second", (CWR_FILE.parent / "nwrexample2.V21").read_bytes()), metadata=stim
    )
    other_export = await _collect(repertoire.ExportCwr(rpb.ExportCwrRequest(), metadata=stim))
    still_reading = not reading.done()
    go_on.set()
    rest = await reading

    assert isinstance(first, rpb.ExportCwrResponse)
    assert first.WhichOneof("part") == "header"
    assert still_reading
    assert len(listed.works) == 1
    assert second.transactions_total >= 1
    assert other_export[-1].summary.works_exported >= 1
    assert rest[-1].summary.works_exported == 1


async def _collect(call: grpc.aio.UnaryStreamCall) -> list[rpb.ExportCwrResponse]:  # type: ignore[type-arg]
    parts = []
    while (part := await call.read()) is not grpc.aio.EOF:
        assert isinstance(part, rpb.ExportCwrResponse)
        parts.append(part)
    return parts
