"""The licensing contract over real gRPC: precise errors for bad input, access rules, and no INTERNAL ever.

The service runs in-process on a free port with its own database (SQLite, then PostgreSQL) and an empty
repertoire read model: what is tested here is what a caller sees at the edge.
"""

from __future__ import annotations

import random
import string
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from nordclear.gen.common.v1 import codes_pb2, dates_pb2, identifiers_pb2, money_pb2, paging_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as pb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from nordclear.licensing import bootstrap
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.topology import LICENSING
from tests.conftest import DatabaseFactory, Keys
from tests.support.clients import bearer
from tests.support.services import running_service, service_environment

TODAY = datetime.now(UTC).date()


@dataclass
class Client:
    """A stub and tokens."""

    stub: pb_grpc.LicensingServiceAsyncStub
    keys: Keys

    def token(self, kind: PrincipalKind, **identity: str) -> tuple[tuple[str, str], ...]:
        return bearer(self.keys.token(principal_for(kind, **identity)))

    @property
    def licensee(self) -> tuple[tuple[str, str], ...]:
        return self.token(PrincipalKind.LICENSEE, licensee_id="skald-ai")


@pytest.fixture
async def client(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[Client]:
    # The repertoire's events are not needed here: without the consumer the service stops at once.
    env = service_environment(
        LICENSING,
        database_url=await new_database("licensing"),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
        consume_topics_from_services="false",
    )
    async with (
        running_service(LICENSING, bootstrap.build, env) as runtime,
        grpc.aio.insecure_channel(f"127.0.0.1:{runtime.bound_port}") as channel,
    ):
        yield Client(pb_grpc.LicensingServiceStub(channel), keys)


async def _code(call: Awaitable[object]) -> tuple[grpc.StatusCode, str]:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code(), error.details() or ""
    return grpc.StatusCode.OK, ""


def _day(days: int) -> dates_pb2.Date:
    value = TODAY + timedelta(days=days)
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


def _application() -> licence_pb2.Application:
    return licence_pb2.Application(
        hub_society=codes_pb2.SOCIETY_STIM,
        model_name="Skald",
        model_version="2.1",
        stages=[codes_pb2.AI_STAGE_TRAINING],
        territories=[codes_pb2.TERRITORY_SE],
        term=dates_pb2.DateRange(start_date=_day(0), end_date=_day(365)),
        expected_revenue=money_pb2.Money(currency_code="SEK", amount_minor=0),
        training_data=licence_pb2.TrainingDataDeclaration(
            disclosure=licence_pb2.TRAINING_DATA_DISCLOSURE_NONE
        ),
    )


async def _register(client: Client) -> None:
    await client.stub.RegisterLicensee(
        pb.RegisterLicenseeRequest(
            request_id="reg",
            licensee=licence_pb2.Licensee(
                legal_name="Skald AI AB",
                country_code="SE",
                contacts=[licence_pb2.Contact(name="Astrid", email="legal@skald.example")],
            ),
        ),
        metadata=client.licensee,
    )


def _without(field: str) -> Callable[[licence_pb2.Application], None]:
    return lambda application: application.ClearField(field)  # type: ignore[arg-type]


def _set(**values: object) -> Callable[[licence_pb2.Application], None]:
    def change(application: licence_pb2.Application) -> None:
        for name, value in values.items():
            if isinstance(value, list):
                application.ClearField(name)  # type: ignore[arg-type]
                getattr(application, name).extend(value)
            else:
                setattr(application, name, value)

    return change


def _term_backwards(application: licence_pb2.Application) -> None:
    application.term.end_date.CopyFrom(_day(-1))


def _negative_revenue(application: licence_pb2.Application) -> None:
    application.expected_revenue.amount_minor = -100


BAD_APPLICATIONS: list[tuple[Callable[[licence_pb2.Application], None], str]] = [
    (_set(territories=[]), "application.territories"),
    (_set(territories=[codes_pb2.TERRITORY_SE, 77]), "application.territories[1]"),
    (_set(territories=[codes_pb2.TERRITORY_UNSPECIFIED]), "application.territories[0]"),
    (_set(stages=[]), "application.stages"),
    (_set(model_version=""), "application.model_version"),
    (_term_backwards, "application.term"),
    (_without("term"), "application.term.start_date"),
    (_negative_revenue, "application.expected_revenue.amount_minor"),
    (_set(hub_society=0), "application.hub_society"),
    (_set(application_id="app_mine"), "application.application_id"),
]


async def test_bad_applications_are_refused_naming_the_field_and_nothing_is_stored(client: Client) -> None:
    await _register(client)
    refusals = []
    for number, (change, _field) in enumerate(BAD_APPLICATIONS):
        application = _application()
        change(application)
        request = pb.ApplyRequest(request_id=f"a{number}", application=application)
        code, details = await _code(client.stub.Apply(request, metadata=client.licensee))
        refusals.append((code, details.split(":", 1)[0]))
    listed = await client.stub.ListApplications(pb.ListApplicationsRequest(), metadata=client.licensee)
    assert refusals == [(grpc.StatusCode.INVALID_ARGUMENT, field) for _, field in BAD_APPLICATIONS]
    assert list(listed.applications) == []


async def test_applying_needs_a_registration_and_some_licensable_repertoire(client: Client) -> None:
    unregistered, why_unregistered = await _code(
        client.stub.Apply(
            pb.ApplyRequest(request_id="a1", application=_application()), metadata=client.licensee
        )
    )
    await _register(client)
    empty, why_empty = await _code(
        client.stub.Apply(
            pb.ApplyRequest(request_id="a2", application=_application()), metadata=client.licensee
        )
    )
    assert unregistered is grpc.StatusCode.FAILED_PRECONDITION
    assert "RegisterLicensee" in why_unregistered
    assert empty is grpc.StatusCode.FAILED_PRECONDITION
    assert "nothing is licensable" in why_empty


async def test_access_rules_hold_at_the_edge(client: Client) -> None:
    anonymous, _ = await _code(client.stub.ListTariffs(pb.ListTariffsRequest()))
    licensee_approves, _ = await _code(
        client.stub.ApproveApplication(
            pb.ApproveApplicationRequest(request_id="x", application_id="app_x"), metadata=client.licensee
        )
    )
    society_applies, _ = await _code(
        client.stub.Apply(
            pb.ApplyRequest(request_id="x", application=_application()),
            metadata=client.token(PrincipalKind.SOCIETY, society="STIM"),
        )
    )
    someone_elses, _ = await _code(
        client.stub.GetLicensee(pb.GetLicenseeRequest(licensee_id="other-ai"), metadata=client.licensee)
    )
    assert anonymous is grpc.StatusCode.UNAUTHENTICATED
    assert licensee_approves is grpc.StatusCode.PERMISSION_DENIED
    assert society_applies is grpc.StatusCode.PERMISSION_DENIED
    assert someone_elses is grpc.StatusCode.NOT_FOUND


async def test_a_reused_request_id_with_other_content_is_refused(client: Client) -> None:
    await _register(client)
    ops = client.token(PrincipalKind.OPS)
    first = pb.RegisterLicenseeRequest(
        request_id="same",
        licensee=licence_pb2.Licensee(
            legal_name="A", country_code="NO", contacts=[licence_pb2.Contact(name="A", email="a@a.no")]
        ),
    )
    created = await client.stub.RegisterLicensee(first, metadata=ops)
    again = await client.stub.RegisterLicensee(first, metadata=ops)
    first.licensee.legal_name = "B"
    reused, details = await _code(client.stub.RegisterLicensee(first, metadata=ops))
    assert created.licensee.licensee_id.startswith("lic_")
    assert again.replayed
    assert again.licensee.licensee_id == created.licensee.licensee_id
    assert reused is grpc.StatusCode.ALREADY_EXISTS
    assert "same" in details


async def test_tariffs_are_listed_as_illustrative_data(client: Client) -> None:
    every = await client.stub.ListTariffs(pb.ListTariffsRequest(), metadata=client.licensee)
    stim = await client.stub.ListTariffs(
        pb.ListTariffsRequest(society=codes_pb2.SOCIETY_STIM, in_force_on=_day(0)), metadata=client.licensee
    )
    assert len(every.tariffs) == 15
    assert all(tariff.illustrative for tariff in every.tariffs)
    assert {tariff.currency_code for tariff in every.tariffs} == {"DKK", "EUR", "ISK", "NOK", "SEK"}
    assert [tariff.tariff_id for tariff in stim.tariffs] == ["stim-output", "stim-service", "stim-training"]


async def test_verification_of_garbage_is_an_answer_and_unknown_licences_are_not_found(
    client: Client,
) -> None:
    garbage = await client.stub.VerifyLicence(
        pb.VerifyLicenceRequest(document=b"{not json", signature=b"\x00" * 64), metadata=client.licensee
    )
    missing, _ = await _code(
        client.stub.GetLicence(pb.GetLicenceRequest(licence_id="NC-2026-999999"), metadata=client.licensee)
    )
    no_subject, _ = await _code(
        client.stub.CheckCoverage(
            pb.CheckCoverageRequest(
                licence_id="NC-1", stage=codes_pb2.AI_STAGE_TRAINING, territory=codes_pb2.TERRITORY_DK
            ),
            metadata=client.licensee,
        )
    )
    bad_iswc, why_bad_iswc = await _code(
        client.stub.CheckCoverage(
            pb.CheckCoverageRequest(
                licence_id="NC-1",
                work=identifiers_pb2.WorkRef(iswc="T-070.000.004-8"),
                stage=codes_pb2.AI_STAGE_TRAINING,
                territory=codes_pb2.TERRITORY_SE,
            ),
            metadata=client.licensee,
        )
    )
    assert garbage.valid is False
    assert garbage.failure == pb.VERIFICATION_FAILURE_MALFORMED_DOCUMENT
    assert missing is grpc.StatusCode.NOT_FOUND
    assert no_subject is grpc.StatusCode.INVALID_ARGUMENT
    assert bad_iswc is grpc.StatusCode.INVALID_ARGUMENT
    assert why_bad_iswc.startswith("work.iswc:")


def _noise(rng: random.Random) -> str:
    return "".join(rng.choice(string.printable) for _ in range(rng.randrange(0, 12)))


async def test_malformed_requests_never_answer_internal(client: Client) -> None:
    await _register(client)
    rng = random.Random(20261121)
    ops = client.token(PrincipalKind.OPS, society="STIM")
    codes: set[grpc.StatusCode] = set()
    for attempt in range(60):
        application = licence_pb2.Application(
            hub_society=rng.randrange(-1, 8),  # type: ignore[arg-type]
            model_name=_noise(rng),
            model_version=_noise(rng),
            stages=[rng.randrange(-1, 5) for _ in range(rng.randrange(0, 4))],  # type: ignore[misc]
            territories=[rng.randrange(-1, 8) for _ in range(rng.randrange(0, 6))],  # type: ignore[misc]
            term=dates_pb2.DateRange(
                start_date=dates_pb2.Date(
                    year=rng.randrange(0, 3000), month=rng.randrange(0, 14), day=rng.randrange(0, 33)
                ),
                end_date=_day(rng.randrange(-400, 400)),
            ),
            expected_revenue=money_pb2.Money(
                currency_code=rng.choice(["SEK", "XXX", ""]), amount_minor=rng.randrange(-5, 5)
            ),
            expected_output_count=rng.randrange(-5, 5),
            training_data=licence_pb2.TrainingDataDeclaration(
                disclosure=rng.randrange(-1, 4),  # type: ignore[arg-type]
                declared_item_count=rng.randrange(-2, 3),
            ),
        )
        calls: list[Awaitable[object]] = [
            client.stub.Apply(
                pb.ApplyRequest(request_id=f"f{attempt}", application=application), metadata=client.licensee
            ),
            client.stub.CheckCoverage(
                pb.CheckCoverageRequest(
                    licence_id=_noise(rng),
                    work=identifiers_pb2.WorkRef(work_id=_noise(rng)),
                    stage=rng.randrange(-1, 5),  # type: ignore[arg-type]
                    territory=rng.randrange(-1, 8),  # type: ignore[arg-type]
                    date=dates_pb2.Date(
                        year=rng.randrange(0, 3000), month=rng.randrange(0, 14), day=rng.randrange(0, 33)
                    ),
                ),
                metadata=client.licensee,
            ),
            client.stub.SuspendLicence(
                pb.SuspendLicenceRequest(
                    request_id=f"s{attempt}", licence_id=_noise(rng), reason=_noise(rng)
                ),
                metadata=ops,
            ),
            client.stub.ListLicences(
                pb.ListLicencesRequest(
                    status=rng.randrange(-1, 7),  # type: ignore[arg-type]
                    territory=rng.randrange(-1, 8),  # type: ignore[arg-type]
                    page=paging_pb2.PageRequest(page_size=rng.randrange(-5, 5000), page_token=_noise(rng)),
                ),
                metadata=ops,
            ),
            client.stub.VerifyLicence(
                pb.VerifyLicenceRequest(
                    document=rng.randbytes(rng.randrange(0, 80)), signature=rng.randbytes(64)
                ),
                metadata=ops,
            ),
        ]
        for call in calls:
            code, _ = await _code(call)
            codes.add(code)
    assert grpc.StatusCode.INTERNAL not in codes
    assert grpc.StatusCode.UNKNOWN not in codes
    assert grpc.StatusCode.INVALID_ARGUMENT in codes
