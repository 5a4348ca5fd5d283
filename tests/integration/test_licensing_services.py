"""Licensing use cases on a real database (SQLite, then PostgreSQL), with the repertoire in memory.

Bad input is refused whole with the field, the value and the rule, and leaves nothing written; retries
answer the first result; each principal sees only what it may; every transition is an event.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from nordclear.gen.events.v1 import envelope_pb2
from nordclear.licensing.adapters import orm
from nordclear.licensing.adapters.events import LicensingEventTranslator
from nordclear.licensing.adapters.seed import TariffBook, demo_book
from nordclear.licensing.adapters.signing import LicenceSigner, load_or_create_signer
from nordclear.licensing.adapters.unit_of_work import LicensingUnitOfWork
from nordclear.licensing.domain.coverage import CoverageIssue
from nordclear.licensing.domain.document import verify
from nordclear.licensing.domain.licence import LicenceStatus
from nordclear.licensing.domain.model import Contact, Licensee, Scope, TrainingDeclaration, TrainingDisclosure
from nordclear.licensing.domain.rights import RepertoireFigures, RightsView, WorkRights
from nordclear.licensing.domain.tariffs import TariffGap
from nordclear.licensing.service_layer import services
from nordclear.licensing.service_layer.services import ApplicationDraft, Caller, CoverageSubject, SubjectKind
from nordclear.platform.db.engine import create_engine
from nordclear.platform.db.migrations import upgrade_to_head
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import (
    Aborted,
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from nordclear.repertoire.domain.consent import (
    Actor,
    AiStage,
    ConsentAction,
    ConsentEntry,
    PrincipalKind,
    WorkSubject,
)
from nordclear.repertoire.domain.coverage import Coverage, licensable_shares
from nordclear.repertoire.domain.work import (
    InterestedParty,
    Mandate,
    PartyRole,
    Right,
    RightShare,
    Work,
    WriterRole,
)

STIM, KODA, TONO = society_by_name("STIM"), society_by_name("KODA"), society_by_name("TONO")
TODAY = datetime.now(UTC).date()
START, END = TODAY - timedelta(days=10), TODAY + timedelta(days=200)
SKALD = Caller(kind="licensee", principal_id="licensee:skald-ai", licensee_id="skald-ai")
OTHER = Caller(kind="licensee", principal_id="licensee:other-ai", licensee_id="other-ai")
STIM_OPS = Caller(kind="ops", principal_id="ops:STIM", society=STIM)
KODA_SOCIETY = Caller(kind="society", principal_id="society:KODA", society=KODA)
TONO_SOCIETY = Caller(kind="society", principal_id="society:TONO", society=TONO)


@dataclass(frozen=True, slots=True)
class Summary:
    licensable_work_count: int
    bp_by_society: dict[str, int]


@dataclass
class MemoryRights:
    """The repertoire as licensing sees it, in memory, answered by the repertoire's own coverage rules."""

    works: dict[str, Work] = field(default_factory=dict)
    consents: list[ConsentEntry] = field(default_factory=list)

    def add(self, work_id: str, society_code: str, *, consented: bool) -> None:
        party = InterestedParty(
            party_key="W1",
            role=PartyRole.writer(WriterRole.COMPOSER_AUTHOR),
            name="Writer",
            ownership_shares=(RightShare(Right.PERFORMING, 10_000), RightShare(Right.MECHANICAL, 10_000)),
            mandates=tuple(
                Mandate(right, 2127, society_code) for right in (Right.PERFORMING, Right.MECHANICAL)
            ),
        )
        self.works[work_id] = Work(work_id=work_id, title=work_id, submitting_society=STIM, parties=(party,))
        if consented:
            for stage in AiStage:
                self.consents.append(
                    ConsentEntry(
                        entry_id=f"{work_id}-{stage}",
                        subject=WorkSubject(work_id),
                        stage=stage,
                        action=ConsentAction.GRANT,
                        effective_from=START - timedelta(days=30),
                        recorded_by=Actor(PrincipalKind.SOCIETY, "society:STIM"),
                        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
                        society=STIM,
                    )
                )

    async def coverage(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> Coverage | None:
        work = self.works.get(work_id)
        return licensable_shares(work, self.consents, stage, territory, on) if work else None

    async def work_rights(self, work_id: str) -> WorkRights | None:
        work = self.works.get(work_id)
        return WorkRights(work, tuple(self.consents)) if work else None

    async def recording_work_ids(self, recording_id_or_isrc: str) -> tuple[str, ...]:
        return ()

    async def licensable(self, stage: AiStage, territory: Territory, on: date) -> AsyncIterator[Coverage]:
        for work_id in sorted(self.works):
            coverage = licensable_shares(self.works[work_id], self.consents, stage, territory, on)
            if coverage.licensable:
                yield coverage

    async def licensable_in(
        self, stages: Sequence[AiStage], territories: Sequence[Territory], on: date
    ) -> AsyncIterator[Coverage]:
        for work_id in sorted(self.works):
            for stage in stages:
                for territory in territories:
                    coverage = licensable_shares(self.works[work_id], self.consents, stage, territory, on)
                    if coverage.licensable:
                        yield coverage

    async def summary(self, stage: AiStage, territory: Territory, on: date) -> RepertoireFigures:
        count, bp = 0, dict[str, int]()
        async for coverage in self.licensable(stage, territory, on):
            count += 1
            for right in coverage.rights:
                for code, share in right.bp_by_society().items():
                    bp[code] = bp.get(code, 0) + share
        return Summary(count, bp)


@dataclass
class Licensing:
    """The use cases wired to a migrated database, an in-memory repertoire and a signing key."""

    engine: AsyncEngine
    rights: MemoryRights
    book: TariffBook
    signer: LicenceSigner

    def uow(self) -> LicensingUnitOfWork:
        def rights(_: object) -> RightsView:
            return self.rights

        return LicensingUnitOfWork(
            async_sessionmaker(self.engine, expire_on_commit=False),
            translate=LicensingEventTranslator("licensing.events"),
            rights=rights,
        )

    async def count(self, table_name: str) -> int:
        table = orm.metadata.tables[table_name]
        async with self.engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(table)) or 0)

    async def event_types(self) -> list[str]:
        outbox = orm.messaging.outbox
        async with self.engine.connect() as connection:
            rows = await connection.execute(select(outbox.c.payload).order_by(outbox.c.sequence_no))
            return [
                envelope_pb2.EventEnvelope.FromString(row.payload).event_type.rsplit(".", 1)[1]
                for row in rows
            ]

    async def register(self, caller: Caller = SKALD) -> Licensee:
        draft = Licensee(
            "", "Skald AI AB", "SE", "", (Contact("Astrid", "legal@skald.example"),), datetime.now(UTC)
        )
        written = await services.register_licensee(
            self.uow(),
            request_id=f"{caller.principal_id}/reg",
            fingerprint="f",
            draft=draft,
            caller=caller,
            now=_now(),
        )
        return written.value

    async def apply(
        self, draft: ApplicationDraft, request_id: str = "a1", caller: Caller = SKALD
    ) -> services.Quoted:
        return await services.apply(
            self.uow(),
            request_id=f"{caller.principal_id}/{request_id}",
            fingerprint=hashlib.sha256(repr(draft).encode()).hexdigest(),
            draft=draft,
            caller=caller,
            book=self.book,
            now=_now(),
        )

    async def issue(self, draft: ApplicationDraft, request_id: str = "a1") -> services.Issued:
        quoted = await self.apply(draft, request_id)
        await services.accept_quote(
            self.uow(),
            request_id=f"skald/{request_id}/accept",
            fingerprint="f",
            quote_id=quoted.quote.quote_id,
            caller=SKALD,
            now=_now(),
        )
        return await services.approve(
            self.uow(),
            request_id=f"ops/{request_id}/approve",
            fingerprint="f",
            application_id=quoted.application.application_id,
            caller=STIM_OPS,
            book=self.book,
            signer=self.signer,
            now=_now(),
        )


def _now() -> datetime:
    return datetime.now(UTC)


def draft(
    *,
    stages: Sequence[AiStage] = tuple(AiStage),
    territories: Iterable[Territory] = tuple(Territory),
    version: str = "2.1",
    start: date = START,
) -> ApplicationDraft:
    return ApplicationDraft(
        hub=STIM,
        scope=Scope("Skald", version, tuple(stages), tuple(sorted(territories)), start, END),
        expected_revenue=Money.of("SEK", 10_000_000),
        expected_output_count=1_000,
        training=TrainingDeclaration(TrainingDisclosure.NONE),
    )


@pytest.fixture
async def licensing(database_url: str, tmp_path: Path) -> AsyncIterator[Licensing]:
    engine = create_engine(database_url)
    await upgrade_to_head(engine, "nordclear.licensing:migrations")
    signer, _ = load_or_create_signer(tmp_path / "licence.pem")
    rights = MemoryRights()
    rights.add("W-stim-1", "079", consented=True)
    rights.add("W-stim-2", "079", consented=True)
    rights.add("W-koda-1", "040", consented=True)
    rights.add("W-koda-2", "040", consented=False)
    subject = Licensing(engine, rights, demo_book(), signer)
    await services.register_signing_key(subject.uow(), signer, _now())
    await services.publish_tariffs(subject.uow(), subject.book)
    await subject.register()
    try:
        yield subject
    finally:
        await engine.dispose()


async def test_issue_signs_a_document_and_announces_the_training_fee(licensing: Licensing) -> None:
    issued = await licensing.issue(draft())
    licence = issued.licence
    fee = next(line for line in await licensing.event_types() if line == "FeeDue")

    assert fee == "FeeDue"
    assert licence.status is LicenceStatus.ACTIVE
    assert [(s.society.name, s.repertoire_share_bp, s.licensable_work_count) for s in licence.societies] == [
        ("KODA", 3333, 1),
        ("STIM", 6667, 2),
    ]
    assert verify(
        issued.document.document,
        issued.document.signature,
        {licensing.signer.key_id: licensing.signer.public_key},
    ).valid
    assert (await licensing.event_types())[-3:] == ["QuoteAccepted", "LicenceIssued", "FeeDue"]
    assert (await licensing.event_types()).count("TariffPublished") == 15


async def test_a_tariff_gap_is_refused_and_nothing_is_written(licensing: Licensing) -> None:
    outbox_before = await licensing.count("outbox_events")
    with pytest.raises(TariffGap, match="stage training in territory DK"):
        await licensing.apply(draft(start=date(2024, 6, 1)))  # before any demo tariff is in force
    assert await licensing.count("applications") == 0
    assert await licensing.count("quotes") == 0
    assert await licensing.count("request_log") == 1  # the licensee's registration only
    assert await licensing.count("outbox_events") == outbox_before


async def test_a_second_licence_for_the_same_model_version_and_scope_is_refused(licensing: Licensing) -> None:
    first = await licensing.issue(draft())
    with pytest.raises(FailedPrecondition, match=first.licence.licence_id):
        await licensing.apply(draft(stages=[AiStage.TRAINING], territories=[Territory.SE]), request_id="a2")
    other_version = await licensing.apply(draft(version="2.2"), request_id="a3")
    assert other_version.application.scope.model_version == "2.2"
    assert await licensing.count("applications") == 2


async def test_a_retried_apply_answers_the_first_application_and_a_reused_id_is_refused(
    licensing: Licensing,
) -> None:
    first = await licensing.apply(draft())
    retried = await licensing.apply(draft())
    with pytest.raises(AlreadyExists, match="a1"):
        await licensing.apply(draft(territories=[Territory.SE]))
    assert retried.replayed
    assert retried.application == first.application
    assert retried.quote == first.quote
    assert await licensing.count("applications") == 1


async def test_nothing_licensable_is_refused(licensing: Licensing) -> None:
    licensing.rights.consents.clear()
    with pytest.raises(FailedPrecondition, match="nothing is licensable"):
        await licensing.apply(draft())
    assert await licensing.count("applications") == 0


async def test_an_unregistered_licensee_may_not_apply(licensing: Licensing) -> None:
    with pytest.raises(FailedPrecondition, match="not registered"):
        await licensing.apply(draft(), caller=OTHER)


async def test_each_principal_sees_only_its_own_or_involved_business(licensing: Licensing) -> None:
    issued = await licensing.issue(draft(territories=[Territory.SE, Territory.DK]))
    licence_id = issued.licence.licence_id
    application_id = issued.application.application_id

    with pytest.raises(NotFound):
        await services.get_application(licensing.uow(), application_id, OTHER)
    with pytest.raises(NotFound):
        await services.get_licence(licensing.uow(), licence_id, OTHER, include_document=False)
    with pytest.raises(NotFound):  # Tono's repertoire is not licensed and Tono is not the hub.
        await services.get_licence(licensing.uow(), licence_id, TONO_SOCIETY, include_document=False)
    koda_sees, _ = await services.get_licence(
        licensing.uow(), licence_id, KODA_SOCIETY, include_document=False
    )
    own = await services.list_licences(
        licensing.uow(),
        caller=OTHER,
        licensee_id=None,
        hub=None,
        involved=None,
        status=None,
        territory=None,
        stage=None,
        page_token="",
        limit=10,
    )
    koda_list = await services.list_licences(
        licensing.uow(),
        caller=KODA_SOCIETY,
        licensee_id=None,
        hub=None,
        involved=None,
        status=LicenceStatus.ACTIVE,
        territory=Territory.DK,
        stage=AiStage.OUTPUT,
        page_token="",
        limit=10,
    )
    assert koda_sees.licence_id == licence_id
    assert own.items == []
    assert [licence.licence_id for licence in koda_list.items] == [licence_id]
    with pytest.raises(PermissionDenied):
        await services.change_status(
            licensing.uow(),
            request_id="koda/s1",
            fingerprint="f",
            action="suspend",
            licence_id=licence_id,
            reason="no",
            effective_from=None,
            caller=Caller(kind="ops", principal_id="ops:KODA", society=KODA),
            now=_now(),
        )


async def test_only_the_hub_societys_ops_approve(licensing: Licensing) -> None:
    quoted = await licensing.apply(draft())
    await services.accept_quote(
        licensing.uow(),
        request_id="s/acc",
        fingerprint="f",
        quote_id=quoted.quote.quote_id,
        caller=SKALD,
        now=_now(),
    )
    clearing_house_ops = Caller(kind="ops", principal_id="ops:*")
    with pytest.raises(PermissionDenied, match="hub society STIM"):
        await services.approve(
            licensing.uow(),
            request_id="o/1",
            fingerprint="f",
            application_id=quoted.application.application_id,
            caller=clearing_house_ops,
            book=licensing.book,
            signer=licensing.signer,
            now=_now(),
        )
    assert await licensing.count("licences") == 0


async def test_an_expired_quote_cannot_be_accepted(licensing: Licensing) -> None:
    quoted = await licensing.apply(draft())
    later = quoted.quote.valid_until + timedelta(seconds=1)
    with pytest.raises(FailedPrecondition, match="apply again"):
        await services.accept_quote(
            licensing.uow(),
            request_id="s/acc",
            fingerprint="f",
            quote_id=quoted.quote.quote_id,
            caller=SKALD,
            now=later,
        )
    application = await services.get_application(licensing.uow(), quoted.application.application_id, SKALD)
    assert application.status.value == "quote_expired"


async def test_suspension_stops_coverage_from_its_day_and_every_change_is_an_event(
    licensing: Licensing,
) -> None:
    licence_id = (await licensing.issue(draft())).licence.licence_id
    tomorrow = TODAY + timedelta(days=1)

    async def covered(
        work_id: str, day: date
    ) -> tuple[bool, tuple[CoverageIssue, ...], tuple[CoverageIssue, ...]]:
        answer = await services.check_coverage(
            licensing.uow(),
            licence_id=licence_id,
            subject=CoverageSubject(SubjectKind.WORK_ID, work_id),
            stage=AiStage.TRAINING,
            territory=Territory.SE,
            day=day,
            caller=SKALD,
        )
        return answer.covered, answer.licence_issues, answer.works[0].issues

    async def change(action: str, effective: date) -> None:
        await services.change_status(
            licensing.uow(),
            request_id=f"ops/{action}/{effective}",
            fingerprint="f",
            action=action,
            licence_id=licence_id,
            reason=f"{action} for the test",
            effective_from=effective,
            caller=STIM_OPS,
            now=_now(),
        )

    await change("suspend", tomorrow)
    with pytest.raises(InvalidArgument, match="effective_from"):
        await services.change_status(
            licensing.uow(),
            request_id="ops/backdated",
            fingerprint="f",
            action="revoke",
            licence_id=licence_id,
            reason="backdated",
            effective_from=TODAY - timedelta(days=1),
            caller=STIM_OPS,
            now=_now(),
        )
    assert await covered("W-stim-1", TODAY) == (True, (), ())
    assert await covered("W-stim-1", tomorrow) == (False, (CoverageIssue.LICENCE_NOT_ACTIVE,), ())
    assert await covered("W-koda-2", TODAY) == (False, (), (CoverageIssue.NO_CONSENT,))
    assert await covered("W-unknown", TODAY) == (False, (), (CoverageIssue.NOT_IN_REPERTOIRE,))
    await change("reactivate", tomorrow + timedelta(days=1))
    await change("revoke", tomorrow + timedelta(days=2))
    with pytest.raises(FailedPrecondition, match="revoked"):
        await change("suspend", tomorrow + timedelta(days=3))
    assert (await licensing.event_types())[-3:] == [
        "LicenceSuspended",
        "LicenceReactivated",
        "LicenceRevoked",
    ]


async def test_licences_whose_term_ended_expire_with_an_event(licensing: Licensing) -> None:
    issued = await licensing.issue(draft())
    expired = await services.expire_licences(
        licensing.uow(), datetime.combine(END + timedelta(days=1), datetime.min.time(), UTC)
    )
    licence, _ = await services.get_licence(
        licensing.uow(), issued.licence.licence_id, SKALD, include_document=False
    )
    again = await services.expire_licences(
        licensing.uow(), datetime.combine(END + timedelta(days=2), datetime.min.time(), UTC)
    )
    assert expired == [issued.licence.licence_id]
    assert licence.status is LicenceStatus.EXPIRED
    assert again == []
    assert (await licensing.event_types())[-1] == "LicenceExpired"


async def test_the_fee_due_at_issue_splits_exactly_into_its_lines(licensing: Licensing) -> None:
    issued = await licensing.issue(draft())
    outbox = orm.messaging.outbox
    async with licensing.engine.connect() as connection:
        payloads = (await connection.execute(select(outbox.c.payload))).scalars().all()
    fees = [e.fee_due for e in map(envelope_pb2.EventEnvelope.FromString, payloads) if e.HasField("fee_due")]
    quote = await services.get_quote(licensing.uow(), issued.application.quote_id, SKALD)

    assert len(fees) == 1
    assert fees[0].amount.amount_minor == quote.due_at_issue.amount_minor
    assert sum(line.amount.amount_minor for line in fees[0].lines) == fees[0].amount.amount_minor
    assert len(fees[0].lines) == 5
    assert fees[0].presumption_applied


async def test_two_approvals_at_once_issue_one_licence(licensing: Licensing) -> None:
    quoted = await licensing.apply(draft())
    await services.accept_quote(
        licensing.uow(),
        request_id="s/acc",
        fingerprint="f",
        quote_id=quoted.quote.quote_id,
        caller=SKALD,
        now=_now(),
    )

    async def approve(request_id: str) -> str:
        try:
            issued = await services.approve(
                licensing.uow(),
                request_id=request_id,
                fingerprint="f",
                application_id=quoted.application.application_id,
                caller=STIM_OPS,
                book=licensing.book,
                signer=licensing.signer,
                now=_now(),
            )
        except (Aborted, FailedPrecondition) as refused:
            return type(refused).__name__
        return issued.licence.licence_id

    outcomes = await asyncio.gather(approve("ops/one"), approve("ops/two"))

    assert sorted(outcome.startswith("NC-") for outcome in outcomes) == [False, True]
    assert await licensing.count("licences") == 1
    assert (await licensing.event_types()).count("LicenceIssued") == 1
