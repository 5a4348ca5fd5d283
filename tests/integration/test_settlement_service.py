"""The settlement service layer on a real database (SQLite and PostgreSQL): events in, a run, its results.

Events are applied through the same handlers the Kafka consumers call; the run is the one RunPeriod
calls. Every test checks the money invariants: debits = credits per currency, collected = distributed +
admin fees + suspense, net positions sum to zero.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker

from nordclear.gen.events.v1.envelope_pb2 import EventEnvelope
from nordclear.gen.settlement.v1 import settlement_pb2 as pb
from nordclear.gen.settlement.v1 import settlement_service_pb2 as service_pb
from nordclear.platform.db.engine import create_engine
from nordclear.platform.db.migrations import upgrade_to_head
from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from nordclear.settlement.adapters import orm
from nordclear.settlement.adapters.consumers import (
    handle_licensing_event,
    handle_matching_event,
    handle_repertoire_event,
)
from nordclear.settlement.adapters.events_out import SettlementEventTranslator
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.domain import ledger
from nordclear.settlement.domain.fx import parse_rates_csv
from nordclear.settlement.service_layer import fx_ops, ledger_ops, payments, runs, suspense_ops
from tests.unit.settlement import envelopes as scenario

pytestmark = pytest.mark.integration

Handler = Callable[[EventEnvelope, SettlementUnitOfWork], Awaitable[None]]


@dataclass
class Settlement:
    """The settlement service's database and a unit-of-work factory on it."""

    uow: Callable[[], SettlementUnitOfWork]

    async def apply(self, handler: Handler, envelopes: list[EventEnvelope]) -> None:
        for envelope in envelopes:
            async with self.uow() as uow:
                await handler(envelope, uow)
                await uow.commit()

    async def load_scenario(self, *, rates: bool = True) -> None:
        await self.apply(handle_repertoire_event, scenario.repertoire_envelopes("repertoire"))
        await self.apply(handle_licensing_event, scenario.licensing_envelopes())
        await self.apply(handle_matching_event, scenario.matching_envelopes())
        if rates:
            await fx_ops.load_rates(
                self.uow,
                request_id="ops/rates-q1",
                fingerprint="f",
                rates=parse_rates_csv(scenario.ECB_CSV, "ECB"),
            )

    async def run(self, run_id: str = "2026-Q1", **overrides: object) -> runs.RunOutcome:
        arguments: dict[str, object] = {
            "run_id": run_id,
            "period": (scenario.PERIOD_START, scenario.PERIOD_END),
            "settlement_currency_code": "EUR",
            "fx_rate_date": None,
            "dry_run": False,
            "started_by": "ops:*",
        }
        arguments.update(overrides)
        return await runs.run_period(self.uow, **arguments)  # type: ignore[arg-type]

    async def transfers(self) -> list[ledger.Transfer]:
        async with self.uow() as uow:
            return [t for _, t, _ in await uow.repo.list_transfers(None, None, 0, 100_000)]

    async def count(self, table: object) -> int:
        async with self.uow() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


@pytest.fixture
async def settlement(database_url: str) -> AsyncIterator[Settlement]:
    engine = create_engine(database_url)
    await upgrade_to_head(engine, "nordclear.settlement:migrations")
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    translate = SettlementEventTranslator("nordclear.settlement.events.v1")
    yield Settlement(lambda: SettlementUnitOfWork(sessions, orm.messaging, translate=translate))
    await engine.dispose()


def _invariants_hold(run: pb.SettlementRun) -> None:
    assert {check.name: check.passed for check in run.invariants} == {
        "DEBITS_EQUAL_CREDITS": True,
        "CONSERVATION": True,
        "NET_POSITIONS_SUM_TO_ZERO": True,
        "PAYMENTS_SETTLE_NET_POSITIONS": True,
    }
    for totals in run.totals:
        assert totals.collected.amount_minor == (
            totals.distributed.amount_minor + totals.admin_fees.amount_minor + totals.suspense.amount_minor
        )
    assert sum(p.net.amount_minor for p in run.net_positions) == 0


def _ledger_balances(transfers: list[ledger.Transfer]) -> dict[str, int]:
    return {b.account_id: b.balance_minor for b in ledger.balances(transfers).values()}


async def test_a_period_settles_every_source_into_an_exact_ledger(settlement: Settlement) -> None:
    await settlement.load_scenario()

    outcome = await settlement.run()

    run = outcome.run
    assert run.status == pb.RUN_STATUS_COMPLETED
    assert not outcome.replayed
    _invariants_hold(run)
    (sek,) = run.totals
    assert sek.currency_code == "SEK"
    # Training 100,000.00 + service 10 % of 200,000.00 + two outputs: 25 % of the revenue converted at
    # 11.1234 SEK/EUR (1,000.00 EUR = 11,123.40 SEK; 333.33 EUR = 3,707.76 SEK) plus 1.00 SEK per use.
    assert sek.collected.amount_minor == 10_000_000 + 2_000_000 + (278_085 + 100) + (92_694 + 100)
    assert sek.admin_fees.amount_minor > 0
    assert sek.suspense.amount_minor > 0
    assert run.payment_instruction_count <= 4
    transfers = await settlement.transfers()
    assert len(transfers) == run.transfers_posted
    balances = _ledger_balances(transfers)
    assert balances["society/079/collected/SEK"] == 0, "every pot leaves the hub's collected account at zero"
    assert sum(balances.values()) == 0
    assert -balances["society/079/suspense/SEK"] == sek.suspense.amount_minor
    assert -balances["society/079/admin-fee/SEK"] == sek.admin_fees.amount_minor


async def test_money_without_consent_or_mandate_is_held_with_its_reason(settlement: Settlement) -> None:
    await settlement.load_scenario()
    await settlement.run()

    async with settlement.uow() as uow:
        items = await uow.repo.list_suspense(
            society_code=None, reason=None, status=None, run_id=None, after=0, limit=100
        )
    reasons = {(item.work_id, item.party_key, item.reason) for item in items}
    assert ("w-no", "", "NO_CONSENT") in reasons, "w-no has no output consent"
    assert ("w-dk", "pub", "NO_MANDATE") in reasons, "the publisher of w-dk has no mandate"
    assert all(item.status == "held" and item.amount_minor > 0 for item in items)


async def test_a_run_is_idempotent_and_replays_byte_for_byte(
    settlement: Settlement, new_database: Callable[[str], Awaitable[str]]
) -> None:
    await settlement.load_scenario()
    first = await settlement.run()
    again = await settlement.run()
    assert again.replayed
    assert again.run.SerializeToString(deterministic=True) == first.run.SerializeToString(deterministic=True)

    # The same inputs in another database, run under the same id: the same postings, byte for byte.
    engine = create_engine(await new_database("settlement-replay"))
    await upgrade_to_head(engine, "nordclear.settlement:migrations")
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    translate = SettlementEventTranslator("t")
    other = Settlement(lambda: SettlementUnitOfWork(sessions, orm.messaging, translate=translate))
    try:
        await other.load_scenario()
        replayed = await other.run()
        assert replayed.run.inputs_sha256 == first.run.inputs_sha256
        assert [repr(t) for t in await other.transfers()] == [repr(t) for t in await settlement.transfers()]
    finally:
        await engine.dispose()


async def test_the_same_run_id_for_another_period_is_refused(settlement: Settlement) -> None:
    await settlement.load_scenario()
    await settlement.run()
    with pytest.raises(AlreadyExists, match="exists for another period"):
        await settlement.run(period=(scenario.PERIOD_START, date(2026, 2, 28)))


async def test_a_period_overlapping_a_settled_one_is_refused_and_posts_nothing(
    settlement: Settlement,
) -> None:
    await settlement.load_scenario()
    await settlement.run()
    posted = len(await settlement.transfers())
    with pytest.raises(FailedPrecondition, match="overlaps completed run 2026-Q1"):
        await settlement.run("2026-03", period=(date(2026, 3, 1), date(2026, 3, 31)))
    assert len(await settlement.transfers()) == posted


async def test_a_missing_fx_rate_names_the_pair_and_posts_nothing(settlement: Settlement) -> None:
    await settlement.load_scenario(rates=False)
    with pytest.raises(FailedPrecondition, match=r"no FX rate EUR/SEK .* for 2026-03-31"):
        await settlement.run()
    assert await settlement.transfers() == []
    assert await settlement.count(orm.settlement_runs) == 0
    assert await settlement.count(orm.statement_lines) == 0


async def test_a_dry_run_checks_everything_and_posts_nothing(settlement: Settlement) -> None:
    await settlement.load_scenario()
    outcome = await settlement.run(dry_run=True)
    _invariants_hold(outcome.run)
    assert outcome.run.transfers_posted == 0
    assert await settlement.transfers() == []
    assert await settlement.count(orm.settlement_runs) == 0


async def test_a_reversal_undoes_a_transfer_and_cannot_itself_be_reversed(settlement: Settlement) -> None:
    await settlement.load_scenario()
    await settlement.run()
    original = (await settlement.transfers())[0]

    reversed_ = await ledger_ops.reverse_transfer(
        settlement.uow, reversal_transfer_id="fix-1", transfer_id=original.transfer_id, reason="wrong fee"
    )
    retried = await ledger_ops.reverse_transfer(
        settlement.uow, reversal_transfer_id="fix-1", transfer_id=original.transfer_id, reason="wrong fee"
    )

    assert retried.replayed
    assert retried.transfer == reversed_.transfer
    assert reversed_.transfer.debit_account_id == original.credit_account_id
    with pytest.raises(FailedPrecondition, match="a reversal cannot be reversed"):
        await ledger_ops.reverse_transfer(
            settlement.uow, reversal_transfer_id="fix-2", transfer_id="fix-1", reason="oops"
        )
    with pytest.raises(FailedPrecondition, match="already reversed by fix-1"):
        await ledger_ops.reverse_transfer(
            settlement.uow, reversal_transfer_id="fix-3", transfer_id=original.transfer_id, reason="again"
        )
    with pytest.raises(NotFound):
        await ledger_ops.reverse_transfer(
            settlement.uow, reversal_transfer_id="fix-4", transfer_id="nope", reason="x"
        )
    assert sum(_ledger_balances(await settlement.transfers()).values()) == 0


async def test_posted_transfers_are_idempotent_on_their_ids_and_all_or_nothing(
    settlement: Settlement,
) -> None:
    transfer = ledger.Transfer(
        "t-1", "society/079/admin-fee/SEK", "society/079/payable/040/SEK", "SEK", 1_000, "CORRECTION"
    )
    first = await ledger_ops.post_transfers(settlement.uow, [transfer])
    again = await ledger_ops.post_transfers(settlement.uow, [transfer])
    changed = ledger.Transfer(
        "t-1", "society/079/admin-fee/SEK", "society/079/payable/040/SEK", "SEK", 1_001, "CORRECTION"
    )
    new = ledger.Transfer(
        "t-2", "society/079/admin-fee/SEK", "society/079/payable/040/SEK", "SEK", 5, "CORRECTION"
    )
    refused = await ledger_ops.post_transfers(settlement.uow, [new, changed])
    isk_in_sek = ledger.Transfer(
        "t-3", "society/077/admin-fee/ISK", "society/079/payable/040/SEK", "ISK", 5, "CORRECTION"
    )
    invalid = await ledger_ops.post_transfers(settlement.uow, [isk_in_sek])

    assert first.results == (ledger.TransferResult.CREATED,)
    assert again.results == (ledger.TransferResult.EXISTS,)
    assert again.created == 0
    assert refused.results == (
        ledger.TransferResult.BATCH_FAILED,
        ledger.TransferResult.EXISTS_WITH_DIFFERENT_CONTENT,
    )
    assert invalid.results == (ledger.TransferResult.INVALID_ACCOUNT,)
    assert [t.transfer_id for t in await settlement.transfers()] == ["t-1"]


async def test_two_runs_of_overlapping_periods_at_once_settle_the_period_once(settlement: Settlement) -> None:
    await settlement.load_scenario()

    outcomes = await asyncio.gather(
        settlement.run("2026-Q1-a"), settlement.run("2026-Q1-b"), return_exceptions=True
    )

    completed = [o for o in outcomes if isinstance(o, runs.RunOutcome)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(completed) == 1
    # PostgreSQL serialises the runs (the second finds the period settled); SQLite refuses the second
    # writer outright. Either way nothing of the second is written.
    assert len(refused) == 1
    assert isinstance(refused[0], FailedPrecondition | OperationalError), refused[0]
    assert await settlement.count(orm.settlement_runs) == 1
    assert {t.run_id for t in await settlement.transfers()} == {completed[0].run.run_id}


async def test_obligations_are_paid_once_every_payment_of_their_run_is_confirmed(
    settlement: Settlement,
) -> None:
    await settlement.load_scenario()
    await settlement.run()
    async with settlement.uow() as uow:
        instructions = await uow.repo.payment_instructions(
            run_id="2026-Q1", society_code=None, after=0, limit=10
        )
        obligations = await uow.repo.obligations(
            society_code=None, run_id="2026-Q1", deadline_on_or_before=None, after=0, limit=100
        )
    assert len(instructions) >= 2

    async def confirm(instruction_id: object, request_id: str, day: date) -> payments.Confirmed:
        return await payments.confirm_payment(
            settlement.uow,
            request_id=request_id,
            fingerprint=f"{instruction_id}/{day}",
            instruction_id=str(instruction_id),
            paid_on=day,
            bank_reference=f"BANK-{request_id}",
            confirmed_by="ops:*",
        )

    first = await confirm(instructions[0]["instruction_id"], "pay-1", date(2026, 5, 4))
    retried = await confirm(instructions[0]["instruction_id"], "pay-1", date(2026, 5, 4))
    with pytest.raises(FailedPrecondition, match="already confirmed paid on 2026-05-04"):
        await confirm(instructions[0]["instruction_id"], "pay-1b", date(2026, 5, 5))
    last = [
        await confirm(i["instruction_id"], f"pay-{n}", date(2026, 5, 6))
        for n, i in enumerate(instructions[1:], 2)
    ]

    assert first.obligations_settled == 0, "the run's other payments are still open"
    assert retried.replayed
    assert retried.instruction["bank_reference"] == "BANK-pay-1"
    assert last[-1].obligations_settled == len(obligations)
    async with settlement.uow() as uow:
        settled = await uow.repo.obligations(
            society_code=None, run_id="2026-Q1", deadline_on_or_before=None, after=0, limit=100
        )
        assert await uow.repo.earliest_open_deadline() is None
    assert {row["paid_on"] for row in settled} == {date(2026, 5, 6)}, "settled on the day of the last payment"
    with pytest.raises(InvalidArgument, match="paid_on"):
        await confirm(instructions[0]["instruction_id"], "pay-future", date(2999, 1, 1))


async def test_every_event_applied_twice_gives_the_same_run(
    settlement: Settlement, new_database: Callable[[str], Awaitable[str]]
) -> None:
    # Copies of events under new ids (a producer that re-emits a fact) must change nothing either:
    # licences, fees and tariffs are replaced by their ids, lines by their revisions, works by revisions.
    await settlement.load_scenario()
    await settlement.load_scenario(rates=False)
    twice = await settlement.run()

    engine = create_engine(await new_database("settlement-once"))
    await upgrade_to_head(engine, "nordclear.settlement:migrations")
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    translate = SettlementEventTranslator("t")
    once = Settlement(lambda: SettlementUnitOfWork(sessions, orm.messaging, translate=translate))
    try:
        await once.load_scenario()
        single = await once.run()
        assert twice.run.inputs_sha256 == single.run.inputs_sha256
        assert [repr(t) for t in await settlement.transfers()] == [repr(t) for t in await once.transfers()]
    finally:
        await engine.dispose()


async def test_released_suspense_is_owed_with_its_own_deadline_and_payment(settlement: Settlement) -> None:
    await settlement.load_scenario()
    await settlement.run()
    async with settlement.uow() as uow:
        held = await uow.repo.list_suspense(
            society_code=None, reason="NO_MANDATE", status=None, run_id=None, after=0, limit=10
        )
    item = next(i for i in held if i.party_key == "pub")

    def answer(
        released: object, transfer: ledger.Transfer, at: datetime
    ) -> service_pb.ReleaseSuspenseResponse:
        return service_pb.ReleaseSuspenseResponse()

    await suspense_ops.release_suspense(
        settlement.uow,
        request_id="ops/release-1",
        fingerprint="f",
        suspense_id=item.suspense_id,
        release_to="040",
        reason="publisher's mandate registered with KODA",
        released_by="ops:*",
        answer=answer,
    )

    group = f"release:{item.suspense_id}"
    async with settlement.uow() as uow:
        (obligation,) = await uow.repo.obligations(
            society_code=None, run_id=group, deadline_on_or_before=None, after=0, limit=10
        )
        (instruction,) = await uow.repo.payment_instructions(
            run_id=group, society_code=None, after=0, limit=10
        )
    assert (obligation["debtor_code"], obligation["creditor_code"]) == ("079", "040")
    assert obligation["amount_minor"] == item.amount_minor
    assert obligation["paid_on"] is None
    assert instruction["amount_minor"] == item.amount_minor
    assert instruction["due_date"] == obligation["deadline"]
    confirmed = await payments.confirm_payment(
        settlement.uow,
        request_id="ops/pay-release-1",
        fingerprint="f",
        instruction_id=str(instruction["instruction_id"]),
        paid_on=date(2026, 6, 1),
        bank_reference="SEB-1",
        confirmed_by="ops:*",
    )
    assert confirmed.obligations_settled == 1
    assert sum(_ledger_balances(await settlement.transfers()).values()) == 0
