"""The repertoire's RPCs over a real socket: who may call them, idempotent retries, clear refusals.

These run the whole gRPC stack in-process (interceptor, access policy, servicer, unit of work) against a
real database, without Kafka consumers; the broker is still real because the outbox relay publishes.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from nordclear.gen.common.v1 import codes_pb2, identifiers_pb2, paging_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.auth import PrincipalKind, load_private_key, mint_token, principal_for
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire import bootstrap as repertoire_bootstrap
from tests.conftest import DatabaseFactory, Keys
from tests.integration.conftest import Serve
from tests.support.clients import a_work, bearer


@dataclass
class Repertoire:
    """A running repertoire service and a client."""

    stub: pb_grpc.RepertoireServiceAsyncStub
    keys: Keys

    def token(self, kind: PrincipalKind, **identity: str) -> str:
        return self.keys.token(principal_for(kind, **identity))

    async def register(
        self, token: str, work: work_pb2.Work, request_id: str = ""
    ) -> pb.RegisterWorkResponse:
        response: pb.RegisterWorkResponse = await self.stub.RegisterWork(
            pb.RegisterWorkRequest(request_id=request_id or str(uuid.uuid4()), work=work),
            metadata=bearer(token),
        )
        return response


@pytest.fixture
async def repertoire(serve: Serve, keys: Keys) -> AsyncIterator[Repertoire]:
    async with serve(REPERTOIRE, repertoire_bootstrap.build) as channel:
        yield Repertoire(pb_grpc.RepertoireServiceStub(channel), keys)


async def _code_of(call: object) -> tuple[grpc.StatusCode, str]:
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as error:
        return error.code(), error.details() or ""
    return grpc.StatusCode.OK, ""


async def test_a_society_registers_a_work_and_reads_it_back(repertoire: Repertoire) -> None:
    stim = repertoire.token(PrincipalKind.SOCIETY, society="STIM")
    registered = await repertoire.register(stim, a_work())

    by_id = await repertoire.stub.GetWork(
        pb.GetWorkRequest(work=identifiers_pb2.WorkRef(work_id=registered.work.work_id)),
        metadata=bearer(stim),
    )
    by_iswc = await repertoire.stub.GetWork(
        pb.GetWorkRequest(work=identifiers_pb2.WorkRef(iswc="T-070.000.004-9")), metadata=bearer(stim)
    )

    assert registered.work.submitting_society == codes_pb2.SOCIETY_STIM
    assert registered.replayed is False
    assert by_id.work == registered.work
    assert by_iswc.work == registered.work


async def test_a_retried_request_returns_the_same_work_and_a_reused_id_is_refused(
    repertoire: Repertoire,
) -> None:
    koda = repertoire.token(PrincipalKind.SOCIETY, society="KODA")
    first = await repertoire.register(koda, a_work(), request_id="koda-0001")
    retry = await repertoire.register(koda, a_work(), request_id="koda-0001")

    code, details = await _code_of(
        repertoire.register(koda, a_work("Another title", ""), request_id="koda-0001")
    )

    assert retry.replayed is True
    assert retry.work.work_id == first.work.work_id
    assert code is grpc.StatusCode.ALREADY_EXISTS
    assert "koda-0001" in details


async def test_the_same_request_id_from_two_societies_registers_two_works(repertoire: Repertoire) -> None:
    koda = await repertoire.register(
        repertoire.token(PrincipalKind.SOCIETY, society="KODA"), a_work("Én", ""), "0001"
    )
    tono = await repertoire.register(
        repertoire.token(PrincipalKind.SOCIETY, society="TONO"), a_work("To", ""), "0001"
    )
    assert koda.work.work_id != tono.work.work_id


async def test_a_second_work_with_the_same_iswc_is_refused(repertoire: Repertoire) -> None:
    teosto = repertoire.token(PrincipalKind.SOCIETY, society="TEOSTO")
    await repertoire.register(teosto, a_work())
    code, details = await _code_of(repertoire.register(teosto, a_work("Different title")))
    assert code is grpc.StatusCode.ALREADY_EXISTS
    assert "T0700000049" in details


@pytest.mark.parametrize(
    ("work", "field"),
    [
        (a_work(iswc="T-070.000.004-2"), "work.iswc"),
        (a_work(title="   "), "work.title"),
        (work_pb2.Work(title="Visa"), "work.parties"),
    ],
    ids=["bad-iswc-check-digit", "blank-title", "no-writer"],
)
async def test_invalid_works_are_refused_naming_the_field(
    repertoire: Repertoire, work: work_pb2.Work, field: str
) -> None:
    code, details = await _code_of(
        repertoire.register(repertoire.token(PrincipalKind.SOCIETY, society="STEF"), work)
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert details.startswith(field)


async def test_recordings_inside_a_registration_are_refused_and_nothing_is_registered(
    repertoire: Repertoire,
) -> None:
    stim = repertoire.token(PrincipalKind.SOCIETY, society="STIM")
    work = a_work()
    work.recordings.add(isrc="SE-ABC-26-00001", title="Vem kan segla")

    code, details = await _code_of(repertoire.register(stim, work))
    lookup_code, _ = await _code_of(
        repertoire.stub.GetWork(
            pb.GetWorkRequest(work=identifiers_pb2.WorkRef(iswc="T0700000049")), metadata=bearer(stim)
        )
    )

    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert details.startswith("work.recordings")
    assert lookup_code is grpc.StatusCode.NOT_FOUND


def _expired_token(keys: Keys) -> str:
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    principal = principal_for(PrincipalKind.SOCIETY, society="STIM")
    return mint_token(
        load_private_key(keys.private_key_file), principal, timedelta(minutes=5), now=an_hour_ago
    )


def _foreign_token() -> str:
    return mint_token(
        Ed25519PrivateKey.generate(), principal_for(PrincipalKind.SOCIETY, society="STIM"), timedelta(hours=1)
    )


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("none", grpc.StatusCode.UNAUTHENTICATED),
        ("expired", grpc.StatusCode.UNAUTHENTICATED),
        ("foreign-key", grpc.StatusCode.UNAUTHENTICATED),
        ("licensee", grpc.StatusCode.PERMISSION_DENIED),
        ("service", grpc.StatusCode.PERMISSION_DENIED),
        ("other-society", grpc.StatusCode.PERMISSION_DENIED),
        ("society", grpc.StatusCode.OK),
        ("clearing-house-ops", grpc.StatusCode.OK),
    ],
)
async def test_who_may_register_a_stim_work(
    repertoire: Repertoire, caller: str, expected: grpc.StatusCode
) -> None:
    tokens = {
        "expired": _expired_token(repertoire.keys),
        "foreign-key": _foreign_token(),
        "licensee": repertoire.token(PrincipalKind.LICENSEE, licensee_id="acme-ai"),
        "service": repertoire.token(PrincipalKind.SERVICE, service="matching"),
        "other-society": repertoire.token(PrincipalKind.SOCIETY, society="TONO"),
        "society": repertoire.token(PrincipalKind.SOCIETY, society="STIM"),
        "clearing-house-ops": repertoire.token(PrincipalKind.OPS),
    }
    work = a_work()
    work.submitting_society = codes_pb2.SOCIETY_STIM
    request = pb.RegisterWorkRequest(request_id=str(uuid.uuid4()), work=work)
    metadata = bearer(tokens[caller]) if caller in tokens else ()

    code, _ = await _code_of(repertoire.stub.RegisterWork(request, metadata=metadata))

    assert code is expected


def _shared_work(title: str = "Vem kan segla förutan vind") -> work_pb2.Work:
    """A work with a writer and a publisher sharing every right, and a society work id."""
    work = work_pb2.Work(title=title, iswc="T-070.000.004-9")
    work.society_work_ids.add(society_code="079", work_code="STIM-0001")
    writer = work.parties.add(
        party_key="W1", name="Taube", first_name="Evert", role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR
    )
    publisher = work.parties.add(
        party_key="P1",
        name="Nordisk Musikförlag",
        role=codes_pb2.PARTY_ROLE_ORIGINAL_PUBLISHER,
        chain_sequence=1,
    )
    writer.publisher_party_keys.append("P1")
    for right in (codes_pb2.RIGHT_PERFORMING, codes_pb2.RIGHT_MECHANICAL):
        writer.ownership_shares.add(right=right, share_bp=6667)
        publisher.ownership_shares.add(right=right, share_bp=3333)
    return work


async def test_a_work_with_shares_is_found_by_its_society_work_id(repertoire: Repertoire) -> None:
    stim = repertoire.token(PrincipalKind.SOCIETY, society="STIM")
    registered = await repertoire.register(stim, _shared_work())
    reference = identifiers_pb2.WorkRef(
        society_work_id=identifiers_pb2.SocietyWorkId(society_code="79", work_code="STIM-0001")
    )

    found = await repertoire.stub.GetWork(pb.GetWorkRequest(work=reference), metadata=bearer(stim))

    assert found.work.work_id == registered.work.work_id
    assert [(p.party_key, [s.share_bp for s in p.ownership_shares]) for p in found.work.parties] == [
        ("W1", [6667, 6667]),
        ("P1", [3333, 3333]),
    ]


async def test_shares_that_do_not_add_up_are_refused_naming_the_right(repertoire: Repertoire) -> None:
    work = _shared_work()
    work.parties[1].ownership_shares[0].share_bp = 2000  # PR now totals 86.67 %.
    code, details = await _code_of(
        repertoire.register(repertoire.token(PrincipalKind.SOCIETY, society="STIM"), work)
    )
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "PR" in details
    assert "8667" in details


async def test_an_update_is_a_new_revision_and_a_stale_one_is_aborted(repertoire: Repertoire) -> None:
    stim = repertoire.token(PrincipalKind.SOCIETY, society="STIM")
    first = (await repertoire.register(stim, _shared_work())).work
    changed = work_pb2.Work()
    changed.CopyFrom(first)
    changed.title = "Vem kan segla"
    for name in ("revision", "created_at", "updated_at"):
        changed.ClearField(name)

    updated = await repertoire.stub.UpdateWork(
        pb.UpdateWorkRequest(request_id="u1", work=changed, expected_revision=1), metadata=bearer(stim)
    )
    stale, _ = await _code_of(
        repertoire.stub.UpdateWork(
            pb.UpdateWorkRequest(request_id="u2", work=changed, expected_revision=1), metadata=bearer(stim)
        )
    )
    foreign, _ = await _code_of(
        repertoire.stub.UpdateWork(
            pb.UpdateWorkRequest(request_id="u3", work=changed),
            metadata=bearer(repertoire.token(PrincipalKind.SOCIETY, society="KODA")),
        )
    )

    assert updated.work.revision == 2
    assert updated.work.title == "Vem kan segla"
    assert updated.work.created_at == first.created_at
    assert stale is grpc.StatusCode.ABORTED
    assert foreign is grpc.StatusCode.PERMISSION_DENIED


async def test_a_deleted_work_stays_readable_but_cannot_change(repertoire: Repertoire) -> None:
    stim = repertoire.token(PrincipalKind.SOCIETY, society="STIM")
    work = (await repertoire.register(stim, _shared_work())).work
    await repertoire.stub.DeleteWork(
        pb.DeleteWorkRequest(request_id="d1", work_id=work.work_id, reason="registered twice"),
        metadata=bearer(stim),
    )

    read = await repertoire.stub.GetWork(
        pb.GetWorkRequest(work=identifiers_pb2.WorkRef(work_id=work.work_id)), metadata=bearer(stim)
    )
    again, _ = await _code_of(
        repertoire.stub.DeleteWork(
            pb.DeleteWorkRequest(request_id="d2", work_id=work.work_id), metadata=bearer(stim)
        )
    )

    assert read.work.deleted is True
    assert read.work.revision == 2
    assert again is grpc.StatusCode.FAILED_PRECONDITION


async def test_works_are_listed_a_page_at_a_time_without_repeats(repertoire: Repertoire) -> None:
    tono = repertoire.token(PrincipalKind.SOCIETY, society="TONO")
    registered = {(await repertoire.register(tono, a_work(f"Vise {n}", ""))).work.work_id for n in range(5)}
    seen: list[str] = []
    token = ""
    while True:
        page = await repertoire.stub.ListWorks(
            pb.ListWorksRequest(page=paging_pb2.PageRequest(page_size=2, page_token=token)),
            metadata=bearer(tono),
        )
        seen += [work.work_id for work in page.works]
        token = page.page.next_page_token
        if not token:
            break
    assert sorted(seen) == sorted(registered)


async def test_a_recording_links_to_its_work_and_is_found_by_isrc(repertoire: Repertoire) -> None:
    stim = repertoire.token(PrincipalKind.SOCIETY, society="STIM")
    work = (await repertoire.register(stim, a_work())).work
    recording = work_pb2.Recording(
        isrc="se-abc-26-00001", title="Vem kan segla", main_artist="Sofia Karlsson", duration_ms=192_000
    )
    recording.work_ids.append(work.work_id)

    registered = await repertoire.stub.RegisterRecording(
        pb.RegisterRecordingRequest(request_id="rec-1", recording=recording), metadata=bearer(stim)
    )
    by_isrc = await repertoire.stub.GetWork(
        pb.GetWorkRequest(work=identifiers_pb2.WorkRef(isrc="SEABC2600001")), metadata=bearer(stim)
    )
    relinked = await repertoire.stub.RegisterRecording(
        pb.RegisterRecordingRequest(request_id="rec-2", recording=recording), metadata=bearer(stim)
    )
    unlinked, _ = await _code_of(
        repertoire.stub.RegisterRecording(
            pb.RegisterRecordingRequest(request_id="rec-3", recording=work_pb2.Recording(title="Orphan")),
            metadata=bearer(stim),
        )
    )

    assert registered.recording.isrc == "SEABC2600001"
    assert by_isrc.work.work_id == work.work_id
    assert [r.isrc for r in by_isrc.work.recordings] == ["SEABC2600001"]
    assert relinked.recording.recording_id == registered.recording.recording_id
    assert relinked.recording.revision == 2
    assert unlinked is grpc.StatusCode.INVALID_ARGUMENT


async def test_batch_lookup_answers_every_key_in_order_and_never_fails_the_batch(
    repertoire: Repertoire,
) -> None:
    stim = repertoire.token(PrincipalKind.SOCIETY, society="STIM")
    first = (await repertoire.register(stim, a_work("Första", ""))).work
    second = (await repertoire.register(stim, a_work("Andra", "T-070.000.004-9"))).work

    def key(client_key: str, **reference: str) -> pb.LookupKey:
        if "ipi" in reference:
            return pb.LookupKey(
                client_key=client_key, party=identifiers_pb2.PartyRef(ipi_name_number=reference["ipi"])
            )
        work = identifiers_pb2.WorkRef()
        for name, value in reference.items():
            setattr(work, name, value)
        return pb.LookupKey(client_key=client_key, work=work)

    async def requests() -> AsyncIterator[pb.BatchLookupRequest]:
        yield pb.BatchLookupRequest(keys=[key("a", work_id=first.work_id), key("b", iswc="T0700000049")])
        yield pb.BatchLookupRequest(
            keys=[key("c", iswc="T-070.000.004-2"), key("d", work_id="nope"), key("e", ipi="014107338")],
            max_works_per_key=1,
            view=pb.WORK_VIEW_SUMMARY,
        )

    answers = [answer async for answer in repertoire.stub.BatchLookup(requests(), metadata=bearer(stim))]

    assert [[(r.key.client_key, r.status) for r in answer.results] for answer in answers] == [
        [("a", pb.LOOKUP_STATUS_FOUND), ("b", pb.LOOKUP_STATUS_FOUND)],
        [("c", pb.LOOKUP_STATUS_INVALID), ("d", pb.LOOKUP_STATUS_NOT_FOUND), ("e", pb.LOOKUP_STATUS_FOUND)],
    ]
    assert answers[0].results[1].works[0].work_id == second.work_id
    assert answers[1].results[0].error.field == "work.iswc"
    by_ipi = answers[1].results[2]
    assert by_ipi.truncated is True  # Both works have the writer; one per key was asked for.
    assert len(by_ipi.works) == 1
    assert not by_ipi.works[0].parties  # The summary view leaves the parties out…
    full = (
        answers[0].results[0].works[0]
        if by_ipi.works[0].work_id == first.work_id
        else answers[0].results[1].works[0]
    )
    summary = by_ipi.works[0]
    assert (summary.title, summary.iswc, summary.submitting_society, summary.revision) == (
        full.title,
        full.iswc,
        full.submitting_society,
        full.revision,
    )  # …and keeps what identifies the work, as stored.


async def test_search_finds_works_despite_typos_and_nordic_spellings(repertoire: Repertoire) -> None:
    stim = repertoire.token(PrincipalKind.SOCIETY, society="STIM")
    koda = repertoire.token(PrincipalKind.SOCIETY, society="KODA")
    wanted = (await repertoire.register(stim, a_work("Flickorna i Småland", ""))).work
    await repertoire.register(stim, a_work("Flickan från Backafall", ""))
    danish = (await repertoire.register(koda, a_work("Flickorna i Smaaland", ""))).work

    found = await repertoire.stub.SearchWorks(
        pb.SearchWorksRequest(title="flikorna i smaland", creator_names=["Taube, Evert"], top_k=3),
        metadata=bearer(stim),
    )
    only_koda = await repertoire.stub.SearchWorks(
        pb.SearchWorksRequest(title="Flickorna i Småland", society=codes_pb2.SOCIETY_KODA),
        metadata=bearer(stim),
    )

    assert {hit.work.work_id for hit in found.hits[:2]} == {wanted.work_id, danish.work_id}
    assert all(hit.score_bp > 8000 for hit in found.hits[:2])
    assert [hit.work.work_id for hit in only_koda.hits] == [danish.work_id]


async def test_the_search_index_follows_updates_and_deletions(repertoire: Repertoire) -> None:
    tono = repertoire.token(PrincipalKind.SOCIETY, society="TONO")
    work = (await repertoire.register(tono, a_work("Nordlandsbåten", ""))).work
    await repertoire.stub.DeleteWork(
        pb.DeleteWorkRequest(request_id="gone", work_id=work.work_id), metadata=bearer(tono)
    )
    found = await repertoire.stub.SearchWorks(
        pb.SearchWorksRequest(title="Nordlandsbåten"), metadata=bearer(tono)
    )
    assert list(found.hits) == []


async def test_a_restarted_service_rebuilds_its_search_index_from_the_database(
    serve: Serve, new_database: DatabaseFactory, keys: Keys
) -> None:
    database_url = await new_database("repertoire")
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    async with serve(REPERTOIRE, repertoire_bootstrap.build, database_url) as channel:
        registered = await pb_grpc.RepertoireServiceStub(channel).RegisterWork(
            pb.RegisterWorkRequest(request_id="w", work=a_work("Sjösala vals", "")), metadata=bearer(stim)
        )
    async with serve(REPERTOIRE, repertoire_bootstrap.build, database_url) as channel:
        found = await pb_grpc.RepertoireServiceStub(channel).SearchWorks(
            pb.SearchWorksRequest(title="Sjosala vals"), metadata=bearer(stim)
        )
    assert [hit.work.work_id for hit in found.hits] == [registered.work.work_id]
