"""Importing real CWR files over gRPC: works stored, every transaction answered in the ACK file."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nordclear.gen.common.v1 import codes_pb2, identifiers_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.domain.societies import STIM
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire import bootstrap
from nordclear.repertoire.cwr.envelope import CwrSender
from nordclear.repertoire.cwr.items import Transaction
from nordclear.repertoire.cwr.reader import read_cwr
from nordclear.repertoire.cwr.writer import WorkToWrite, registration_lines
from nordclear.repertoire.domain.work import (
    InterestedParty,
    PartyRole,
    Right,
    RightShare,
    SocietyWorkId,
    Work,
    WriterRole,
)
from tests.conftest import Keys
from tests.integration.conftest import Serve
from tests.support.clients import bearer

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cwr"
CHUNK_BYTES = 1_000


@pytest.fixture
async def stub(serve: Serve) -> AsyncIterator[pb_grpc.RepertoireServiceAsyncStub]:
    async with serve(REPERTOIRE, bootstrap.build) as channel:
        yield pb_grpc.RepertoireServiceStub(channel)


async def _import(
    stub: pb_grpc.RepertoireServiceAsyncStub, token: str, file_name: str, request_id: str = "import-1"
) -> pb.ImportCwrResponse:
    content = (FIXTURES / file_name).read_bytes()

    async def parts() -> AsyncIterator[pb.ImportCwrRequest]:
        yield pb.ImportCwrRequest(header=pb.ImportCwrHeader(request_id=request_id, file_name=file_name))
        for offset in range(0, len(content), CHUNK_BYTES):
            yield pb.ImportCwrRequest(chunk=content[offset : offset + CHUNK_BYTES])

    response: pb.ImportCwrResponse = await stub.ImportCwr(parts(), metadata=bearer(token))
    return response


def _ack_statuses(ack_file: bytes) -> list[str]:
    transactions = [
        item for item in read_cwr(ack_file.splitlines(keepends=True)) if isinstance(item, Transaction)
    ]
    return [transaction.header.transaction_status for transaction in transactions]  # type: ignore[union-attr]


async def test_a_registration_file_is_imported_and_acknowledged(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))

    response = await _import(stub, stim, "CW220001DMP_000.V21")
    retried = await _import(stub, stim, "CW220001DMP_000.V21")

    assert response.outcome == pb.CWR_IMPORT_OUTCOME_ACCEPTED
    assert response.file.cwr_version == "2.1"
    assert response.transactions_total == 1
    assert _ack_statuses(response.ack_file) in (["AS"], ["AC"])
    assert retried.replayed is True
    assert retried.import_id == response.import_id
    work = await stub.GetWork(
        pb.GetWorkRequest(
            work=identifiers_pb2.WorkRef(
                society_work_id=identifiers_pb2.SocietyWorkId(society_code="079", work_code="DMP000001")
            )
        ),
        metadata=bearer(stim),
    )
    assert work.work.title
    assert work.work.submitting_society == codes_pb2.SOCIETY_STIM


async def test_an_acknowledgement_file_sent_as_a_registration_is_refused_and_changes_nothing(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    response = await _import(stub, stim, "ackexample.V21")
    listed = await stub.ListWorks(pb.ListWorksRequest(), metadata=bearer(stim))

    assert response.outcome == pb.CWR_IMPORT_OUTCOME_REJECTED
    assert response.problems_total >= 1
    assert "ACK" in response.problems[0].rule or "acknowledg" in response.problems[0].rule.lower()
    assert list(listed.works) == []
    assert _ack_statuses(response.ack_file) == ["RJ"]


async def test_a_transaction_breaking_a_share_rule_is_rejected_on_its_own(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    tono = keys.token(principal_for(PrincipalKind.SOCIETY, society="TONO"))
    response = await _import(stub, tono, "CW220004DMP_000.V21")
    assert response.transactions_total == 1
    assert response.outcome == pb.CWR_IMPORT_OUTCOME_REJECTED
    assert _ack_statuses(response.ack_file) == ["RJ"]


async def test_an_imported_file_exports_back_as_cwr_that_imports_to_the_same_work(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    await _import(stub, stim, "CW220001DMP_000.V21")

    parts = [part async for part in stub.ExportCwr(pb.ExportCwrRequest(), metadata=bearer(stim))]
    exported = b"".join(part.chunk for part in parts if part.WhichOneof("part") == "chunk")
    summary = parts[-1].summary
    transactions = [
        item for item in read_cwr(exported.splitlines(keepends=True)) if isinstance(item, Transaction)
    ]

    assert parts[0].header.cwr_version == "2.1"
    assert summary.works_exported == 1
    assert len(transactions) == 1
    assert not [p for p in transactions[0].problems if p.severity.rejects_transaction]
    assert transactions[0].header.title == "MUSIC PUB CARTOONS"  # type: ignore[union-attr]


async def test_an_export_holds_only_the_asking_society_s_works_changed_since_the_given_time(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    teosto = keys.token(principal_for(PrincipalKind.SOCIETY, society="Teosto"))
    await _import(stub, stim, "CW220001DMP_000.V21")
    imported_before = datetime.now(UTC)

    async def export(token: str, since: datetime | None = None) -> tuple[bytes, pb.ExportCwrSummary]:
        request = pb.ExportCwrRequest()
        if since is not None:
            request.changed_since.FromDatetime(since)
        parts = [part async for part in stub.ExportCwr(request, metadata=bearer(token))]
        return b"".join(part.chunk for part in parts if part.WhichOneof("part") == "chunk"), parts[-1].summary

    teosto_file, teosto_summary = await export(teosto)
    later_file, later_summary = await export(stim, since=imported_before)
    teosto_records = list(read_cwr(teosto_file.splitlines(keepends=True)))

    assert teosto_summary.works_exported == 0
    assert [item for item in teosto_records if isinstance(item, Transaction)] == []
    assert teosto_summary.records_total == len(teosto_file.splitlines()) == 2  # HDR and TRL only.
    assert later_summary.works_exported == 0
    assert later_summary.file_sha256 == hashlib.sha256(later_file).hexdigest()


def _cwr_file(works: list[Work]) -> bytes:
    lines = registration_lines(
        [WorkToWrite(work) for work in works],
        sender=CwrSender.society("079", "STIM"),
        created_at=datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
    )
    return "".join(lines).encode()


def _work(title: str, number: str, iswc: str) -> Work:
    writer = InterestedParty(
        party_key="W1",
        role=PartyRole.writer(WriterRole.COMPOSER_AUTHOR),
        name="Taube",
        first_name="Evert",
        ownership_shares=(RightShare(Right.PERFORMING, 10_000), RightShare(Right.MECHANICAL, 10_000)),
    )
    return Work(
        work_id="",
        title=title,
        submitting_society=STIM,
        parties=(writer,),
        iswc=iswc,
        society_work_ids=(SocietyWorkId("079", number),),
    )


async def test_within_one_file_a_second_work_with_the_same_iswc_is_a_conflict_and_the_rest_stand(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    content = _cwr_file(
        [
            _work("Första", "S-1", "T0700000049"),
            _work("Andra", "S-2", "T0700000049"),  # Same ISWC as the first.
            _work("Tredje", "S-3", ""),
        ]
    )

    async def parts() -> AsyncIterator[pb.ImportCwrRequest]:
        yield pb.ImportCwrRequest(header=pb.ImportCwrHeader(request_id="batch", file_name="batch.V21"))
        yield pb.ImportCwrRequest(chunk=content)

    response = await stub.ImportCwr(parts(), metadata=bearer(stim))
    listed = await stub.ListWorks(pb.ListWorksRequest(), metadata=bearer(stim))

    assert response.outcome == pb.CWR_IMPORT_OUTCOME_PARTIALLY_ACCEPTED
    assert _ack_statuses(response.ack_file) == ["AS", "CO", "AS"]
    assert sorted(work.title for work in listed.works) == ["Första", "Tredje"]
