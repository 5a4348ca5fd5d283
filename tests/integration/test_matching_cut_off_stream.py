"""A report whose stream was cut off (the client or the service died mid-stream) can be sent again.

While lines of the first stream may still be arriving, a re-send under the same id is told to retry
later (ABORTED); once nothing has arrived for matching's cut-off, the re-send takes the lost stream's
place and the report is accepted once. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import update

from nordclear.gen.matching.v1 import matching_service_pb2 as pb
from nordclear.gen.matching.v1 import report_pb2
from nordclear.matching.adapters import orm
from nordclear.matching.service_layer.intake import CUT_OFF_AFTER
from tests.conftest import DatabaseFactory, Keys
from tests.integration.test_matching_reports import (
    Matching,
    header,
    manifest_line,
    start_matching,
    stream,
    submission,
)
from tests.support.polling import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def matching(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[Matching]:
    """The matching service with a licence and a small repertoire."""
    async for running in start_matching(
        await new_database("matching"), kafka_bootstrap_servers, kafka_namespace, keys
    ):
        yield running


async def _receiving_since(matching: Matching, report_id: str) -> datetime | None:
    async with matching.runtime.engine.connect() as connection:
        rows = await connection.execute(
            orm.reports.select().where(
                orm.reports.c.report_id == report_id, orm.reports.c.status == "receiving"
            )
        )
        row = rows.first()
    return None if row is None else row.status_changed_at


async def test_a_cut_off_stream_is_replaced_by_its_resend_once_silent(matching: Matching) -> None:
    report_header = header("cut-off-1")
    lines = [manifest_line(1, iswc="T0700000049"), manifest_line(2, iswc="T1234567894")]
    # The first stream: its header and lines arrive, then it goes silent (its sender died).
    pending: asyncio.Queue[pb.SubmitReportRequest | None] = asyncio.Queue()
    for message in submission(report_header, lines)[:2]:
        pending.put_nowait(message)

    async def silent_stream() -> AsyncIterator[pb.SubmitReportRequest]:
        while (message := await pending.get()) is not None:
            yield message

    first = asyncio.ensure_future(matching.stub.SubmitReport(silent_stream(), metadata=matching.licensee))
    await eventually(
        lambda: _receiving_since(matching, "cut-off-1"),
        lambda since: since is not None,
        what="lines received",
    )

    with pytest.raises(grpc.aio.AioRpcError) as alive:
        await matching.stub.SubmitReport(
            stream(pb.SubmitReportRequest(header=report_header)), metadata=matching.licensee
        )

    # Nothing more arrives for longer than the cut-off (the clock is moved, not waited for).
    async with matching.runtime.engine.begin() as connection:
        await connection.execute(
            update(orm.reports)
            .where(orm.reports.c.report_id == "cut-off-1")
            .values(status_changed_at=datetime.now(UTC) - CUT_OFF_AFTER - timedelta(seconds=1))
        )
    resent = await matching.stub.SubmitReport(
        stream(*submission(report_header, lines)), metadata=matching.licensee
    )
    again = await matching.stub.SubmitReport(
        stream(*submission(report_header, lines)), metadata=matching.licensee
    )
    first.cancel()

    assert alive.value.code() is grpc.StatusCode.ABORTED
    assert "retry later" in (alive.value.details() or "")
    assert resent.report.status == report_pb2.REPORT_STATUS_MATCHED
    assert resent.report.lines_total == len(lines)
    assert not resent.duplicate
    assert again.duplicate, "the accepted report is recognised when sent once more"
    assert again.report.report_id == resent.report.report_id
