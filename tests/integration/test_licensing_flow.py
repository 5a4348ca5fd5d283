"""The licensing flow end to end: repertoire and licensing in-process over a real broker and real gRPC.

A licensee registers and applies for all five territories and all three stages without a training
manifest (the presumption rule); the application is quoted, accepted and approved by the hub society's
ops; the issued licence verifies offline with the published key; coverage answers for a consented and a
non-consented work; and a consent revoked in the repertoire changes coverage from its effective date
only — all of it through the repertoire's events into licensing's own read model.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select

from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, identifiers_pb2, money_pb2, tariff_pb2
from nordclear.gen.events.v1 import envelope_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as lpb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as lgrpc
from nordclear.gen.repertoire.v1 import consent_pb2, work_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as rpb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as rgrpc
from nordclear.licensing import bootstrap as licensing_bootstrap
from nordclear.licensing.adapters import orm
from nordclear.licensing.settings import LicensingSettings
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.service_runtime import ServiceRuntime
from nordclear.platform.settings import load_settings
from nordclear.platform.topology import LICENSING, REPERTOIRE
from nordclear.repertoire import bootstrap as repertoire_bootstrap
from tests.conftest import DatabaseFactory, Keys
from tests.support.clients import bearer
from tests.support.polling import eventually
from tests.support.services import running_service, service_environment

STAGES = [codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_SERVICE, codes_pb2.AI_STAGE_OUTPUT]
TERRITORIES = [
    codes_pb2.TERRITORY_DK,
    codes_pb2.TERRITORY_FI,
    codes_pb2.TERRITORY_IS,
    codes_pb2.TERRITORY_NO,
    codes_pb2.TERRITORY_SE,
]
NORDIC_TIS = 2127


@dataclass
class Stack:
    """Repertoire and licensing in-process, with clients and tokens."""

    repertoire: rgrpc.RepertoireServiceAsyncStub
    licensing: lgrpc.LicensingServiceAsyncStub
    licensing_runtime: ServiceRuntime
    keys: Keys

    def token(self, kind: PrincipalKind, **identity: str) -> str:
        return self.keys.token(principal_for(kind, **identity))

    async def rights_rows(self) -> tuple[int, int]:
        """(works, consent entries) in licensing's rights read model."""
        async with self.licensing_runtime.engine.connect() as connection:
            works = await connection.scalar(select(func.count()).select_from(orm.rights.works))
            consents = await connection.scalar(select(func.count()).select_from(orm.rights.consents))
            return int(works or 0), int(consents or 0)

    async def outbox_types(self) -> list[str]:
        async with self.licensing_runtime.engine.connect() as connection:
            rows = await connection.execute(
                select(orm.messaging.outbox.c.payload).order_by(orm.messaging.outbox.c.sequence_no)
            )
            return [envelope_pb2.EventEnvelope.FromString(row.payload).event_type for row in rows]


def licensing_environment(base: dict[str, str], key_file: Path) -> dict[str, str]:
    """The licensing environment with its own licence signing key file."""
    return {**base, f"{LICENSING.env_prefix}LICENCE_SIGNING_KEY_FILE": str(key_file)}


@pytest.fixture
async def stack(
    new_database: DatabaseFactory,
    kafka_bootstrap_servers: str,
    kafka_namespace: str,
    keys: Keys,
    tmp_path: Path,
) -> AsyncIterator[Stack]:
    def environment(spec_name: str, database_url: str) -> dict[str, str]:
        spec = {"repertoire": REPERTOIRE, "licensing": LICENSING}[spec_name]
        return service_environment(
            spec,
            database_url=database_url,
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_namespace=kafka_namespace,
            public_key_file=keys.public_key_file,
        )

    repertoire_env = environment("repertoire", await new_database("repertoire"))
    licensing_env = licensing_environment(
        environment("licensing", await new_database("licensing")), tmp_path / "licence-signing.pem"
    )
    licensing_runtime = licensing_bootstrap.build(load_settings(LicensingSettings, LICENSING, licensing_env))
    await licensing_runtime.start()
    try:
        async with (
            running_service(REPERTOIRE, repertoire_bootstrap.build, repertoire_env) as repertoire,
            grpc.aio.insecure_channel(f"127.0.0.1:{repertoire.bound_port}") as repertoire_channel,
            grpc.aio.insecure_channel(f"127.0.0.1:{licensing_runtime.bound_port}") as licensing_channel,
        ):
            yield Stack(
                repertoire=rgrpc.RepertoireServiceStub(repertoire_channel),
                licensing=lgrpc.LicensingServiceStub(licensing_channel),
                licensing_runtime=licensing_runtime,
                keys=keys,
            )
    finally:
        await licensing_runtime.stop()


def _day(value: date) -> dates_pb2.Date:
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


def _work(title: str, iswc: str, society_code: str, writer_ipi: str) -> work_pb2.Work:
    """A work whose one writer owns everything, administered by ``society_code`` in the Nordic countries."""
    work = work_pb2.Work(title=title, iswc=iswc)
    writer = work.parties.add(
        party_key="W1",
        name=title.split()[0],
        role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR,
        ipi_name_number=writer_ipi,
    )
    for right in (codes_pb2.RIGHT_PERFORMING, codes_pb2.RIGHT_MECHANICAL):
        writer.ownership_shares.add(right=right, share_bp=10_000)
        writer.mandates.add(right=right, tis_code=NORDIC_TIS, society_code=society_code)
    return work


async def _register(stack: Stack, token: str, work: work_pb2.Work) -> str:
    response = await stack.repertoire.RegisterWork(
        rpb.RegisterWorkRequest(request_id=str(uuid.uuid4()), work=work), metadata=bearer(token)
    )
    return response.work.work_id


async def _consent(stack: Stack, token: str, work_id: str, start: date) -> None:
    await stack.repertoire.RecordConsent(
        rpb.RecordConsentRequest(
            request_id=str(uuid.uuid4()),
            subject=consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work_id)),
            stages=STAGES,
            effective_from=_day(start),
            evidence=audit_pb2.Evidence(
                description="opt-in signed by all rightsholders",
                document_uri=f"society://optin/{work_id}",
                issued_on=_day(start),
            ),
        ),
        metadata=bearer(token),
    )


async def _coverage(
    stack: Stack, token: str, licence_id: str, work_id: str, on: date, *, by_iswc: str = ""
) -> lpb.CheckCoverageResponse:
    reference = identifiers_pb2.WorkRef(iswc=by_iswc) if by_iswc else identifiers_pb2.WorkRef(work_id=work_id)
    response: lpb.CheckCoverageResponse = await stack.licensing.CheckCoverage(
        lpb.CheckCoverageRequest(
            licence_id=licence_id,
            work=reference,
            stage=codes_pb2.AI_STAGE_TRAINING,
            territory=codes_pb2.TERRITORY_SE,
            date=_day(on),
        ),
        metadata=bearer(token),
    )
    return response


def _application(start: date, end: date) -> licence_pb2.Application:
    return licence_pb2.Application(
        hub_society=codes_pb2.SOCIETY_STIM,
        model_name="Skald",
        model_version="2.1",
        stages=STAGES,
        territories=TERRITORIES,
        term=dates_pb2.DateRange(start_date=_day(start), end_date=_day(end)),
        expected_revenue=money_pb2.Money(currency_code="SEK", amount_minor=100_000_000),
        expected_output_count=50_000,
        training_data=licence_pb2.TrainingDataDeclaration(
            disclosure=licence_pb2.TRAINING_DATA_DISCLOSURE_NONE
        ),
    )


async def test_apply_quote_accept_issue_verify_and_coverage_follows_consent(stack: Stack) -> None:
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=30), today + timedelta(days=365)
    stim, koda = (
        stack.token(PrincipalKind.SOCIETY, society="STIM"),
        stack.token(PrincipalKind.SOCIETY, society="KODA"),
    )
    consented = await _register(stack, stim, _work("Sommarpsalm", "T0700000049", "079", "00014107338"))
    koda_work = await _register(stack, koda, _work("Kalinka vals", "T0000000010", "040", "00014107338"))
    not_consented = await _register(
        stack, stim, _work("Vårvindar friska", "T0000000021", "079", "00014107338")
    )
    await _consent(stack, stim, consented, start)
    await _consent(stack, koda, koda_work, start)
    # A recording embodying a consented and a non-consented work: covered only if every work is.
    await stack.repertoire.RegisterRecording(
        rpb.RegisterRecordingRequest(
            request_id="rec-1",
            recording=work_pb2.Recording(
                isrc="SE-ABC-26-00001", title="Sommarpsalm / Vårvindar", work_ids=[consented, not_consented]
            ),
        ),
        metadata=bearer(stim),
    )
    await eventually(stack.rights_rows, lambda rows: rows == (3, 6), what="works and consents in licensing")

    licensee = stack.token(PrincipalKind.LICENSEE, licensee_id="skald-ai")
    registered = await stack.licensing.RegisterLicensee(
        lpb.RegisterLicenseeRequest(
            request_id="reg-1",
            licensee=licence_pb2.Licensee(
                legal_name="Skald AI AB",
                country_code="SE",
                contacts=[licence_pb2.Contact(name="Astrid Berg", email="legal@skald.example", role="legal")],
            ),
        ),
        metadata=bearer(licensee),
    )
    applied = await stack.licensing.Apply(
        lpb.ApplyRequest(request_id="apply-1", application=_application(start, end)),
        metadata=bearer(licensee),
    )
    retried = await stack.licensing.Apply(
        lpb.ApplyRequest(request_id="apply-1", application=_application(start, end)),
        metadata=bearer(licensee),
    )
    quote = applied.quote

    assert registered.licensee.licensee_id == "skald-ai"
    assert retried.replayed is True
    assert retried.application.application_id == applied.application.application_id
    assert applied.application.status == licence_pb2.APPLICATION_STATUS_QUOTED
    assert quote.presumption_applied is True
    assert "presumption rule" in quote.presumption_statement
    assert quote.training_work_count == 2
    assert quote.total.currency_code == "SEK"
    assert quote.total.amount_minor == sum(line.amount.amount_minor for line in quote.lines)
    assert quote.due_at_issue.amount_minor == sum(
        line.amount.amount_minor for line in quote.lines if line.due_at_issue
    )
    assert {(line.stage, line.territory) for line in quote.lines} == {
        (s, t) for s in STAGES for t in TERRITORIES
    }
    assert {rate.quote_currency_code for rate in quote.fx_basis} == {"DKK", "ISK", "NOK", "SEK"}
    per_work = [
        line for line in quote.lines if line.component == tariff_pb2.TARIFF_COMPONENT_KIND_TRAINING_PER_WORK
    ]
    assert {line.basis_work_count for line in per_work} == {2}

    accepted = await stack.licensing.AcceptQuote(
        lpb.AcceptQuoteRequest(request_id="accept-1", quote_id=quote.quote_id), metadata=bearer(licensee)
    )
    stim_ops = stack.token(PrincipalKind.OPS, society="STIM")
    with pytest.raises(grpc.aio.AioRpcError) as not_hub:
        await stack.licensing.ApproveApplication(
            lpb.ApproveApplicationRequest(
                request_id="ok-1", application_id=applied.application.application_id
            ),
            metadata=bearer(stack.token(PrincipalKind.OPS, society="TONO")),
        )
    approved = await stack.licensing.ApproveApplication(
        lpb.ApproveApplicationRequest(request_id="ok-1", application_id=applied.application.application_id),
        metadata=bearer(stim_ops),
    )
    licence, document = approved.licence, approved.document

    assert accepted.application.status == licence_pb2.APPLICATION_STATUS_ACCEPTED
    assert not_hub.value.code() is grpc.StatusCode.NOT_FOUND  # Tono's ops do not even see STIM's application.
    assert approved.application.status == licence_pb2.APPLICATION_STATUS_ISSUED
    assert licence.status == licence_pb2.LICENCE_STATUS_ACTIVE
    assert licence.licence_id.startswith(f"NC-{datetime.now(UTC).year}-")
    assert licence.presumption_applied is True
    assert licence.output_labelling.iptc_digital_source_type.endswith("trainedAlgorithmicMedia")
    assert sum(entry.repertoire_share_bp for entry in licence.societies) == 10_000
    assert {entry.society for entry in licence.societies} == {codes_pb2.SOCIETY_STIM, codes_pb2.SOCIETY_KODA}

    # Offline verification: the published key and the cryptography library, no clearing-house code.
    published = await stack.licensing.GetPublicKey(
        lpb.GetPublicKeyRequest(key_id=document.key_id), metadata=bearer(stim)
    )
    public_key = serialization.load_pem_public_key(published.key.public_key_pem.encode())
    assert isinstance(public_key, Ed25519PublicKey)
    public_key.verify(document.signature, document.document)  # Raises InvalidSignature if it does not match.
    online = await stack.licensing.VerifyLicence(
        lpb.VerifyLicenceRequest(document=document.document, signature=document.signature),
        metadata=bearer(stim),
    )
    tampered = await stack.licensing.VerifyLicence(
        lpb.VerifyLicenceRequest(
            document=document.document.replace(b'"version":"2.1"', b'"version":"9.9"'),
            signature=document.signature,
        ),
        metadata=bearer(stim),
    )
    assert online.valid is True
    assert online.licence_id == licence.licence_id
    assert online.current_status == licence_pb2.LICENCE_STATUS_ACTIVE
    assert tampered.valid is False
    assert tampered.failure == lpb.VERIFICATION_FAILURE_SIGNATURE_MISMATCH

    covered = await _coverage(stack, licensee, licence.licence_id, consented, today)
    by_iswc = await _coverage(stack, licensee, licence.licence_id, "", today, by_iswc="T-070.000.004-9")
    uncovered = await _coverage(stack, licensee, licence.licence_id, not_consented, today)
    medley = await eventually(
        lambda: stack.licensing.CheckCoverage(
            lpb.CheckCoverageRequest(
                licence_id=licence.licence_id,
                recording=identifiers_pb2.RecordingRef(isrc="SEABC2600001"),
                stage=codes_pb2.AI_STAGE_TRAINING,
                territory=codes_pb2.TERRITORY_SE,
                date=_day(today),
            ),
            metadata=bearer(licensee),
        ),
        lambda answer: len(answer.works) == 2,
        what="the recording in licensing",
    )
    assert medley.covered is False
    assert {work.work_id: work.covered for work in medley.works} == {consented: True, not_consented: False}
    assert covered.covered is True
    assert by_iswc.covered is True
    assert [work.work_id for work in by_iswc.works] == [consented]
    assert uncovered.covered is False
    assert list(uncovered.works[0].issues) == [lpb.COVERAGE_ISSUE_NO_CONSENT]

    # The rightsholders withdraw from tomorrow: coverage changes from that day on, never before it.
    tomorrow = today + timedelta(days=1)
    await stack.repertoire.RevokeConsent(
        rpb.RevokeConsentRequest(
            request_id="revoke-1",
            subject=consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=consented)),
            stages=[codes_pb2.AI_STAGE_TRAINING],
            effective_from=_day(tomorrow),
            note="withdrawn by the rightsholders",
        ),
        metadata=bearer(stim),
    )
    after = await eventually(
        lambda: _coverage(stack, licensee, licence.licence_id, consented, tomorrow),
        lambda answer: not answer.covered,
        what="the revocation in licensing",
    )
    still = await _coverage(stack, licensee, licence.licence_id, consented, today)
    assert list(after.works[0].issues) == [lpb.COVERAGE_ISSUE_CONSENT_REVOKED]
    assert still.covered is True

    types = await stack.outbox_types()
    assert "nordclear.events.v1.TariffPublished" in types
    assert types[-3:] == [
        "nordclear.events.v1.QuoteAccepted",
        "nordclear.events.v1.LicenceIssued",
        "nordclear.events.v1.FeeDue",
    ]
