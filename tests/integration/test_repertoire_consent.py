"""The AI consent register over gRPC: opt-in, revocation from a date, history, and licensability."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

import grpc
import pytest

from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, identifiers_pb2, paging_pb2
from nordclear.gen.repertoire.v1 import consent_pb2, work_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire import bootstrap
from tests.conftest import Keys
from tests.integration.conftest import Serve
from tests.support.clients import bearer

TRAINING = codes_pb2.AI_STAGE_TRAINING
SERVICE = codes_pb2.AI_STAGE_SERVICE
SWEDEN_TIS = 752
NORDIC_TIS = 2127


@pytest.fixture
async def stub(serve: Serve) -> AsyncIterator[pb_grpc.RepertoireServiceAsyncStub]:
    async with serve(REPERTOIRE, bootstrap.build) as channel:
        yield pb_grpc.RepertoireServiceStub(channel)


def _day(year: int, month: int, day: int) -> dates_pb2.Date:
    return dates_pb2.Date(year=year, month=month, day=day)


def _mandated_work() -> work_pb2.Work:
    """A writer (STIM mandate in the Nordic countries) and a publisher without any mandate."""
    work = work_pb2.Work(title="Sommarpsalm", iswc="T-070.000.004-9")
    writer = work.parties.add(
        party_key="W1", name="Lagerkvist", role=codes_pb2.PARTY_ROLE_AUTHOR, ipi_name_number="00014107338"
    )
    publisher = work.parties.add(
        party_key="P1", name="Förlaget", role=codes_pb2.PARTY_ROLE_ORIGINAL_PUBLISHER, chain_sequence=1
    )
    writer.publisher_party_keys.append("P1")
    for right in (codes_pb2.RIGHT_PERFORMING, codes_pb2.RIGHT_MECHANICAL):
        writer.ownership_shares.add(right=right, share_bp=7500)
        publisher.ownership_shares.add(right=right, share_bp=2500)
        writer.mandates.add(right=right, tis_code=NORDIC_TIS, society_code="079")
    return work


def _evidence() -> audit_pb2.Evidence:
    return audit_pb2.Evidence(
        description="opt-in signed by all rightsholders",
        document_uri="stim://optin/2026/118",
        issued_on=_day(2026, 1, 5),
    )


async def _register(stub: pb_grpc.RepertoireServiceAsyncStub, token: str) -> str:
    response = await stub.RegisterWork(
        pb.RegisterWorkRequest(request_id="w1", work=_mandated_work()), metadata=bearer(token)
    )
    return response.work.work_id


async def _licensable(
    stub: pb_grpc.RepertoireServiceAsyncStub, token: str, work_id: str, on: dates_pb2.Date
) -> pb.CheckLicensabilityResponse:
    response: pb.CheckLicensabilityResponse = await stub.CheckLicensability(
        pb.CheckLicensabilityRequest(
            work=identifiers_pb2.WorkRef(work_id=work_id),
            stage=TRAINING,
            territory=codes_pb2.TERRITORY_SE,
            date=on,
        ),
        metadata=bearer(token),
    )
    return response


async def test_consent_is_opt_in_and_a_revocation_never_rewrites_the_past(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    work_id = await _register(stub, stim)
    subject = consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work_id))

    before = await _licensable(stub, stim, work_id, _day(2026, 3, 1))
    granted = await stub.RecordConsent(
        pb.RecordConsentRequest(
            request_id="c1",
            subject=subject,
            stages=[TRAINING, SERVICE],
            effective_from=_day(2026, 2, 1),
            evidence=_evidence(),
        ),
        metadata=bearer(stim),
    )
    retried = await stub.RecordConsent(
        pb.RecordConsentRequest(
            request_id="c1",
            subject=subject,
            stages=[TRAINING, SERVICE],
            effective_from=_day(2026, 2, 1),
            evidence=_evidence(),
        ),
        metadata=bearer(stim),
    )
    await stub.RevokeConsent(
        pb.RevokeConsentRequest(
            request_id="r1",
            subject=subject,
            stages=[TRAINING],
            effective_from=_day(2099, 6, 1),
            note="withdrawn",
        ),
        metadata=bearer(stim),
    )
    during = await _licensable(stub, stim, work_id, _day(2026, 3, 1))
    after = await _licensable(stub, stim, work_id, _day(2099, 6, 1))
    history = await stub.GetConsentHistory(
        pb.GetConsentHistoryRequest(subject=subject), metadata=bearer(stim)
    )

    assert before.licensable is False
    assert pb.LICENSABILITY_ISSUE_NO_CONSENT in before.issues
    assert [c.stage for c in granted.consents] == [TRAINING, SERVICE]
    assert retried.replayed is True
    assert [c.consent_id for c in retried.consents] == [c.consent_id for c in granted.consents]
    assert during.licensable is True
    assert after.licensable is False
    assert pb.LICENSABILITY_ISSUE_CONSENT_REVOKED in after.issues
    assert [(c.stage, c.action) for c in history.consents] == [
        (TRAINING, consent_pb2.CONSENT_ACTION_GRANT),
        (SERVICE, consent_pb2.CONSENT_ACTION_GRANT),
        (TRAINING, consent_pb2.CONSENT_ACTION_REVOKE),
    ]
    assert history.consents[0].recorded_by.principal_id == "society:STIM"


async def test_licensability_names_the_society_of_each_share_and_the_unmandated_ones(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    work_id = await _register(stub, stim)
    subject = consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(iswc="T0700000049"))
    await stub.RecordConsent(
        pb.RecordConsentRequest(
            request_id="c1",
            subject=subject,
            stages=[TRAINING],
            effective_from=_day(2026, 1, 1),
            evidence=_evidence(),
        ),
        metadata=bearer(stim),
    )

    answer = await _licensable(stub, stim, work_id, _day(2026, 5, 1))

    assert answer.licensable is True
    # Training uses the reproduction (MR) right: the writer's 75 % via STIM, the publisher's 25 % unmandated.
    assert [(a.party_key, a.right, a.share_bp, a.society_code, a.society) for a in answer.allocations] == [
        ("W1", codes_pb2.RIGHT_MECHANICAL, 7500, "079", codes_pb2.SOCIETY_STIM),
        ("P1", codes_pb2.RIGHT_MECHANICAL, 2500, "", codes_pb2.SOCIETY_UNSPECIFIED),
    ]
    assert list(answer.issues) == [pb.LICENSABILITY_ISSUE_NO_MANDATE]


async def test_only_the_administering_society_records_consent_for_a_work(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    work_id = await _register(stub, keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM")))
    tono = keys.token(principal_for(PrincipalKind.SOCIETY, society="TONO"))
    request = pb.RecordConsentRequest(
        request_id="c1",
        subject=consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work_id)),
        stages=[TRAINING],
        effective_from=_day(2026, 1, 1),
        evidence=_evidence(),
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.RecordConsent(request, metadata=bearer(tono))
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_a_grant_without_evidence_or_a_revocation_without_a_grant_is_refused(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    work_id = await _register(stub, stim)
    subject = consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work_id))
    calls: list[Awaitable[object]] = [
        stub.RecordConsent(
            pb.RecordConsentRequest(
                request_id="c1", subject=subject, stages=[TRAINING], effective_from=_day(2026, 1, 1)
            ),
            metadata=bearer(stim),
        ),
        stub.RevokeConsent(
            pb.RevokeConsentRequest(
                request_id="r1", subject=subject, stages=[SERVICE], effective_from=_day(2099, 1, 1)
            ),
            metadata=bearer(stim),
        ),
        stub.RecordConsent(
            pb.RecordConsentRequest(
                request_id="c2", subject=subject, stages=[], effective_from=_day(2026, 1, 1)
            ),
            metadata=bearer(stim),
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    history = await stub.GetConsentHistory(
        pb.GetConsentHistoryRequest(subject=subject), metadata=bearer(stim)
    )
    assert list(history.consents) == []


async def test_performer_consent_is_separate_from_work_consent(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    voice = consent_pb2.ConsentSubject(
        performer_attribute=consent_pb2.PerformerAttributeRef(
            ipi_name_number="00014107338", name="Evert Taube", attribute=codes_pb2.PERFORMER_ATTRIBUTE_VOICE
        )
    )
    await stub.RecordConsent(
        pb.RecordConsentRequest(
            request_id="v1",
            subject=voice,
            stages=[codes_pb2.AI_STAGE_OUTPUT],
            effective_from=_day(2026, 1, 1),
            evidence=_evidence(),
        ),
        metadata=bearer(stim),
    )
    status = await stub.GetConsentStatus(
        pb.GetConsentStatusRequest(subject=voice, as_of=_day(2026, 6, 1)), metadata=bearer(stim)
    )
    likeness = consent_pb2.ConsentSubject()
    likeness.CopyFrom(voice)
    likeness.performer_attribute.attribute = codes_pb2.PERFORMER_ATTRIBUTE_LIKENESS
    other = await stub.GetConsentStatus(
        pb.GetConsentStatusRequest(subject=likeness, as_of=_day(2026, 6, 1)), metadata=bearer(stim)
    )

    assert {(s.stage, s.consented) for s in status.states} == {
        (TRAINING, False),
        (SERVICE, False),
        (codes_pb2.AI_STAGE_OUTPUT, True),
    }
    assert not any(s.consented for s in other.states)


async def test_the_whole_register_reads_a_page_at_a_time_filtered_and_each_society_sees_its_own(
    stub: pb_grpc.RepertoireServiceAsyncStub, keys: Keys
) -> None:
    stim = keys.token(principal_for(PrincipalKind.SOCIETY, society="STIM"))
    koda = keys.token(principal_for(PrincipalKind.SOCIETY, society="KODA"))
    ops = keys.token(principal_for(PrincipalKind.OPS))
    recorded: list[str] = []
    for number, token in enumerate([stim, koda, stim]):
        work = _mandated_work()
        work.iswc = ""
        work.title = f"Visa {number}"
        work_id = (
            await stub.RegisterWork(
                pb.RegisterWorkRequest(request_id=f"w{number}", work=work), metadata=bearer(token)
            )
        ).work.work_id
        answer = await stub.RecordConsent(
            pb.RecordConsentRequest(
                request_id=f"c{number}",
                subject=consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work_id)),
                stages=[TRAINING, SERVICE],
                effective_from=_day(2026, 2, 1),
                evidence=_evidence(),
            ),
            metadata=bearer(token),
        )
        recorded += [entry.consent_id for entry in answer.consents]

    async def read_all(token: str, **filters: object) -> tuple[list[str], list[int]]:
        ids, totals, page_token = [], [], ""
        while True:
            request = pb.GetConsentHistoryRequest(
                page=paging_pb2.PageRequest(page_size=2, page_token=page_token),
                **filters,  # type: ignore[arg-type]
            )
            answer = await stub.GetConsentHistory(request, metadata=bearer(token))
            ids += [entry.consent_id for entry in answer.consents]
            totals.append(answer.page.total_size)
            page_token = answer.page.next_page_token
            if not page_token:
                return ids, totals

    everything, totals = await read_all(ops)
    training, _ = await read_all(ops, stage=TRAINING)
    koda_only, _ = await read_all(ops, society=codes_pb2.SOCIETY_KODA)
    as_stim, _ = await read_all(stim)
    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await read_all(stim, society=codes_pb2.SOCIETY_KODA)
    with pytest.raises(grpc.aio.AioRpcError) as bad_token:
        await stub.GetConsentHistory(
            pb.GetConsentHistoryRequest(page=paging_pb2.PageRequest(page_token="not-a-position")),
            metadata=bearer(ops),
        )
    impossible = pb.GetConsentHistoryRequest()
    impossible.recorded_since.seconds = -(2**62)
    with pytest.raises(grpc.aio.AioRpcError) as bad_time:
        await stub.GetConsentHistory(impossible, metadata=bearer(ops))

    assert everything == recorded  # In recorded order, across pages of two.
    assert totals == [6, 6, 6]
    assert training == recorded[0::2]  # Each request recorded training, then service.
    assert koda_only == recorded[2:4]
    assert as_stim == recorded[0:2] + recorded[4:6]
    assert foreign.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert bad_token.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "page.page_token" in (bad_token.value.details() or "")
    assert bad_time.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "recorded_since" in (bad_time.value.details() or "")
