"""The shared rights view: repertoire events in, the repertoire's own coverage answers out.

Works and consents are published with the repertoire's event translator, applied to the view in a real
database (SQLite and PostgreSQL), and every answer is compared with ``licensable_shares`` over the
original domain objects: the view must agree with the repertoire, and replays must change nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nordclear.gen.events.v1.envelope_pb2 import EventEnvelope
from nordclear.platform.db.engine import create_engine
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.platform.rights import RightsStore, RightsTables, define_rights_tables
from nordclear.repertoire.adapters.events import RepertoireEventTranslator
from nordclear.repertoire.domain.consent import (
    Actor,
    AiStage,
    ConsentAction,
    ConsentEntry,
    PrincipalKind,
    WorkSubject,
)
from nordclear.repertoire.domain.coverage import NotLicensable, licensable_shares
from nordclear.repertoire.domain.events import ConsentChanged, RecordingChanged, WorkChanged
from nordclear.repertoire.domain.work import (
    Inclusion,
    InterestedParty,
    Mandate,
    PartyRole,
    PublisherType,
    Recording,
    Right,
    RightShare,
    Work,
    WriterRole,
)

pytestmark = pytest.mark.integration

STIM, TONO = society_by_name("stim"), society_by_name("tono")
TOPIC = "nordclear.repertoire.events.v1"
MAY_1, JUNE_1 = date(2026, 5, 1), date(2026, 6, 1)


def _work(work_id: str, *, revision: int = 1) -> Work:
    """A Swedish work: a writer with STIM mandates in the Nordics, a publisher unmandated in Norway."""
    nordic = 2127
    writer = InterestedParty(
        party_key="writer",
        role=PartyRole.writer(WriterRole.COMPOSER_AUTHOR),
        name="Taube",
        first_name="Evert",
        ipi_name_number="00014107338",
        ownership_shares=(RightShare(Right.PERFORMING, 5_000), RightShare(Right.MECHANICAL, 5_000)),
        mandates=(
            Mandate(Right.PERFORMING, nordic, STIM.cisac_code),
            Mandate(Right.MECHANICAL, nordic, STIM.cisac_code),
        ),
    )
    publisher = InterestedParty(
        party_key="publisher",
        role=PartyRole.publisher(PublisherType.ORIGINAL_PUBLISHER),
        name="Nordiska Musikförlaget",
        ipi_name_number="00042110213",
        ownership_shares=(RightShare(Right.PERFORMING, 5_000), RightShare(Right.MECHANICAL, 5_000)),
        mandates=(
            Mandate(Right.MECHANICAL, nordic, TONO.cisac_code),
            Mandate(Right.MECHANICAL, Territory.NO.tis_code, TONO.cisac_code, inclusion=Inclusion.EXCLUDE),
            Mandate(Right.PERFORMING, nordic, TONO.cisac_code, valid_until=date(2026, 5, 31)),
        ),
    )
    return Work(
        work_id=work_id,
        title="Vem kan segla förutan vind",
        submitting_society=STIM,
        parties=(writer, publisher),
        iswc="T0700000049",
        revision=revision,
        updated_at=datetime(2026, 1, 2, tzinfo=UTC),
    )


def _consent(entry_id: str, work_id: str, action: ConsentAction, effective_from: date) -> ConsentEntry:
    return ConsentEntry(
        entry_id=entry_id,
        subject=WorkSubject(work_id),
        stage=AiStage.TRAINING,
        action=action,
        effective_from=effective_from,
        recorded_by=Actor(PrincipalKind.SOCIETY, "society:stim", society=STIM),
        recorded_at=datetime(2026, 1, int(entry_id[-1]) + 2, tzinfo=UTC),
        society=STIM,
    )


def _envelopes(*events: object) -> list[EventEnvelope]:
    translate = RepertoireEventTranslator(TOPIC)
    return [envelope for event in events for _, envelope in translate(event)]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], RightsTables]]:
    metadata = MetaData()
    tables = define_rights_tables(metadata)
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False), tables
    await engine.dispose()


async def _apply(
    sessions: tuple[async_sessionmaker[AsyncSession], RightsTables], envelopes: Sequence[EventEnvelope]
) -> None:
    factory, tables = sessions
    async with factory() as session, session.begin():
        store = RightsStore(session, tables)
        for envelope in envelopes:
            await store.apply(envelope)


@pytest.fixture
def history() -> tuple[Work, list[ConsentEntry], list[EventEnvelope]]:
    work = _work("W0000000000000000001")
    consents = [
        _consent("c1", work.work_id, ConsentAction.GRANT, MAY_1),
        _consent("c2", work.work_id, ConsentAction.REVOKE, JUNE_1),
    ]
    recording = Recording(
        "R0000000000000000001", "Vem kan segla", isrc="SEAAA2600001", work_ids=(work.work_id,)
    )
    envelopes = _envelopes(
        WorkChanged(work, previous_revision=0, request_id="r1"),
        RecordingChanged(recording, request_id="r2"),
        *(ConsentChanged(entry, request_id=entry.entry_id) for entry in consents),
    )
    return work, consents, envelopes


@pytest.mark.parametrize("territory", list(Territory))
@pytest.mark.parametrize("on", [date(2026, 4, 30), MAY_1, date(2026, 5, 31), JUNE_1])
async def test_coverage_agrees_with_the_repertoire(
    sessions: tuple[async_sessionmaker[AsyncSession], RightsTables],
    history: tuple[Work, list[ConsentEntry], list[EventEnvelope]],
    territory: Territory,
    on: date,
) -> None:
    work, consents, envelopes = history
    await _apply(sessions, envelopes)
    factory, tables = sessions
    async with factory() as session:
        store = RightsStore(session, tables)
        for stage in AiStage:
            answer = await store.coverage(work.work_id, stage, territory, on)
            expected = licensable_shares(work, consents, stage, territory, on)
            assert answer is not None
            assert answer.licensable == expected.licensable
            assert [r.code for r in answer.reasons] == [r.code for r in expected.reasons]
            assert [r.bp_by_society() for r in answer.rights] == [r.bp_by_society() for r in expected.rights]
            assert [r.unmandated_bp for r in answer.rights] == [r.unmandated_bp for r in expected.rights]


async def test_revocation_stops_coverage_from_its_effective_date_only(
    sessions: tuple[async_sessionmaker[AsyncSession], RightsTables],
    history: tuple[Work, list[ConsentEntry], list[EventEnvelope]],
) -> None:
    work, _, envelopes = history
    await _apply(sessions, envelopes)
    factory, tables = sessions
    async with factory() as session:
        store = RightsStore(session, tables)
        before = await store.coverage(work.work_id, AiStage.TRAINING, Territory.SE, date(2026, 5, 31))
        after = await store.coverage(work.work_id, AiStage.TRAINING, Territory.SE, JUNE_1)
        never = await store.coverage(work.work_id, AiStage.SERVICE, Territory.SE, date(2026, 5, 31))
    assert before is not None
    assert before.licensable
    assert before.rights[0].bp_by_society() == {STIM.cisac_code: 5_000, TONO.cisac_code: 5_000}
    assert after is not None
    assert [r.code for r in after.reasons] == [NotLicensable.CONSENT_REVOKED]
    assert never is not None
    assert [r.code for r in never.reasons] == [NotLicensable.NO_CONSENT]


async def test_replays_and_older_revisions_change_nothing(
    sessions: tuple[async_sessionmaker[AsyncSession], RightsTables],
    history: tuple[Work, list[ConsentEntry], list[EventEnvelope]],
) -> None:
    work, _, envelopes = history
    newer = replace(work, parties=work.parties[:1], revision=2)
    [update] = _envelopes(WorkChanged(newer, previous_revision=1, request_id="r3"))
    await _apply(sessions, [*envelopes, update])
    await _apply(sessions, [*envelopes, update])  # Every event again, the older revision after the newer.
    factory, tables = sessions
    async with factory() as session:
        store = RightsStore(session, tables)
        answer = await store.coverage(work.work_id, AiStage.TRAINING, Territory.NO, MAY_1)
        summary = await store.summary(AiStage.TRAINING, Territory.NO, MAY_1)
        works_of_recording = await store.recording_work_ids("SEAAA2600001")
    assert answer is not None
    assert answer.rights[0].bp_by_society() == {STIM.cisac_code: 5_000}
    assert summary.licensable_work_count == 1
    assert dict(summary.bp_by_society) == {STIM.cisac_code: 5_000}
    assert works_of_recording == (work.work_id,)


async def test_deleted_works_are_not_licensable_and_unknown_works_are_absent(
    sessions: tuple[async_sessionmaker[AsyncSession], RightsTables],
    history: tuple[Work, list[ConsentEntry], list[EventEnvelope]],
) -> None:
    work, _, envelopes = history
    second = _work("W0000000000000000002")
    grant = _consent("c3", second.work_id, ConsentAction.GRANT, MAY_1)
    deleted = replace(work, deleted=True, revision=2)
    await _apply(
        sessions,
        [
            *envelopes,
            *_envelopes(
                WorkChanged(second, previous_revision=0, request_id="r4"),
                ConsentChanged(grant, request_id="r5"),
                WorkChanged(deleted, previous_revision=1, request_id="r6", reason="duplicate"),
            ),
        ],
    )
    factory, tables = sessions
    async with factory() as session:
        store = RightsStore(session, tables)
        answers = await store.coverage_many(
            [work.work_id, second.work_id, "W_UNKNOWN"], AiStage.TRAINING, Territory.DK, MAY_1
        )
        licensable = [c.work_id async for c in store.licensable(AiStage.TRAINING, Territory.DK, MAY_1)]
    assert set(answers) == {work.work_id, second.work_id}
    assert NotLicensable.DELETED in [r.code for r in answers[work.work_id].reasons]
    assert licensable == [second.work_id]
