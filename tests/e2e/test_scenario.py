"""The clearing house as a whole, on the stack ``make run`` starts (BRIEF §7): a real scenario end to end.

Five societies bring repertoire (real CWR files and a generated Nordic catalogue with AI opt-ins), three
AI companies are licensed (presumption rule in five territories; a full manifest in two; output only),
they report a training manifest, service revenue and output attribution, and one period is settled.
Every society's statement, the suspense, the obligations and the net positions are compared with an
expectation computed in the test from the inputs, the tariff file and the rates alone
(``tests/e2e/scenario/expected.py``), and the money invariants are checked on what the services say.

The same scenario then proves the reliability promises of BRIEF §7.2: every Kafka message delivered
again (every outbox republished; every consumer group reset to the topics' beginning) changes neither
the run's inputs nor the ledger; services killed with SIGKILL in the middle of a report stream and of
the settlement run, restarted and retried with the same ids, settle exactly as without faults.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import grpc
import pytest

from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as sgrpc
from nordclear.platform.topology import SERVICES, SERVICES_BY_NAME
from nordclear.runtime.stack import EmbeddedStack
from tests.e2e.scenario import inputs
from tests.e2e.scenario.driver import (
    CONSUMERS,
    Delivery,
    Driver,
    Outcome,
    delivery,
    rewind_consumer_group,
    stop_service,
    wait_caught_up,
)
from tests.e2e.scenario.expected import Calculator, Expected, load_tariffs, rates_from_text
from tests.support.polling import eventually

pytestmark = pytest.mark.e2e

StartStack = Callable[..., AbstractAsyncContextManager[EmbeddedStack]]
RUN_ID = "2026-scenario"


async def bring_repertoire_and_license(driver: Driver) -> None:
    """Repertoire with consents, then the three licences, each once its service has what it needs."""
    scenario = driver.scenario
    works = await driver.bring_repertoire()
    await driver.wait_indexed(works)
    # Settlement splits by the rights it has heard of: it must have read the whole repertoire first.
    await wait_caught_up(driver.stack, "settlement", "repertoire")
    presumption_works = sum(1 for work in scenario.works if work.consented)
    for plan in scenario.licences:
        await driver.license(plan, presumption_works)


def expectation(driver: Driver) -> Expected:
    """The independent expectation for the driver's scenario, with the work ids the repertoire gave."""
    calculator = Calculator(
        driver.scenario,
        driver.work_ids,
        load_tariffs(),
        rates_from_text(inputs.SETTLEMENT_FX_PER_EUR),
        inputs.SETTLEMENT_CURRENCY,
    )
    expected = calculator.compute()
    for plan in driver.scenario.licences:
        quote = driver.quotes[plan.licensee_id]
        assert quote.due_at_issue.amount_minor == expected.fees_at_issue[plan.licensee_id], plan.licensee_id
    return expected


async def report_and_wait(driver: Driver, expected: Expected, reports: Sequence[inputs.Report]) -> None:
    """Submit ``reports``; wait until matching matched them all and settlement holds every input."""
    for report in reports:
        await driver.submit(report)
    for report in driver.scenario.reports:
        matched = await driver.wait_matched(report)
        assert matched.units_in_review == 0, matched
        assert matched.units_unmatched == 0, matched
    await driver.load_rates()
    await driver.wait_inputs(dict(expected.collected))


async def prepare(driver: Driver) -> Expected:
    """Repertoire, licences and reports on the stack; the expectation for them, once settlement has all."""
    await bring_repertoire_and_license(driver)
    expected = expectation(driver)
    await report_and_wait(driver, expected, driver.scenario.reports)
    return expected


def assert_settled_as_expected(outcome: Outcome, expected: Expected) -> None:
    """The services' figures are the independent expectation's, line for line and öre for öre."""
    assert outcome.run.status == 2, outcome.run.failure_reason  # RUN_STATUS_COMPLETED
    assert outcome.statement == expected.statement
    assert outcome.suspense == expected.suspense
    assert outcome.earned_settlement == expected.earned_settlement
    assert {k: v[0] for k, v in outcome.obligations.items()} == dict(expected.obligations)
    assert {k: v[1] for k, v in outcome.obligations.items()} == expected.obligations_settlement
    assert outcome.net_positions == expected.net_positions
    totals = {
        t.currency_code: (
            t.collected.amount_minor,
            t.distributed.amount_minor,
            t.admin_fees.amount_minor,
            t.suspense.amount_minor,
        )
        for t in outcome.run.totals
    }
    assert totals == {
        currency: (
            expected.collected[currency],
            expected.distributed[currency],
            expected.admin_fees[currency],
            expected.suspended[currency],
        )
        for currency in expected.collected
    }
    assert_money_invariants(outcome)


def assert_money_invariants(outcome: Outcome) -> None:
    """BRIEF §5.4 and §7.2 on the services' own figures."""
    for totals in outcome.run.totals:
        assert totals.collected.amount_minor == (
            totals.distributed.amount_minor + totals.admin_fees.amount_minor + totals.suspense.amount_minor
        ), totals
    assert sum(outcome.net_positions.values()) == 0
    assert len(outcome.payments) <= 4
    settled = dict(outcome.net_positions)
    for payer, payee, amount in outcome.payments:
        assert amount > 0
        settled[payer] += amount
        settled[payee] -= amount
    assert set(settled.values()) == {0}, f"the payment instructions leave {settled}"
    by_currency: dict[str, int] = {}
    for _, _, _, currency, amount, _ in outcome.ledger:
        by_currency[currency] = by_currency.get(currency, 0) + amount
    balance_sums: dict[str, int] = {}
    for account, balance in outcome.balances.items():
        currency = account.rsplit("/", 1)[-1] if "/" in account else ""
        balance_sums[currency] = balance_sums.get(currency, 0) + balance
    assert all(total == 0 for total in balance_sums.values()), f"debits and credits differ: {balance_sums}"
    assert all(check.passed for check in outcome.run.invariants), list(outcome.run.invariants)


async def test_the_period_settles_exactly_as_computed_from_the_inputs(start_stack: StartStack) -> None:
    scenario = inputs.build(datetime.now(UTC).date())
    async with start_stack() as stack:
        driver = Driver(stack, scenario)
        expected = await prepare(driver)
        response = await driver.run(RUN_ID)
        assert not response.replayed
        outcome = await driver.read_outcome(RUN_ID)
        assert stack.exited() == {}

    assert_settled_as_expected(outcome, expected)
    # The scenario reaches every rule it was built for.
    reasons = {key[6] for key in expected.suspense}
    assert reasons == {"NO_CONSENT", "NON_MEMBER_SOCIETY", "UNKNOWN_WORK"}
    assert {key[0] for key in expected.statement} == set(inputs.MEMBER_CODES.values())
    assert all(outcome.statement_files[name] for name in inputs.MEMBER_CODES.values())


async def redeliver_everything(stack: EmbeddedStack) -> dict[tuple[str, str], Delivery]:
    """Restart every service: each publishes its whole outbox again at start, so every event already
    handled reaches every consumer a second time. Returns, per consumer and source, what was delivered."""
    for spec in SERVICES:
        stop_service(stack, spec.name)
    for spec in SERVICES:
        stack.start_service(spec)
    await asyncio.gather(*(stack.wait_serving(spec) for spec in SERVICES))

    def everything_redelivered() -> dict[tuple[str, str], Delivery]:
        return {(c, s): delivery(stack, c, s) for c, s in CONSUMERS}

    delivered: dict[tuple[str, str], Delivery] = await eventually(
        lambda: asyncio.to_thread(everything_redelivered),
        lambda found: all(d.waiting == 0 and d.handled >= d.published for d in found.values()),
        what="every republished event handled by every consumer",
        timeout_s=120,
    )
    return delivered


async def replay_topics_from_the_beginning(
    stack: EmbeddedStack,
) -> dict[tuple[str, str], tuple[int, Delivery]]:
    """Stop every consumer, reset each of its groups to offset 0, restart: every message of every topic
    is delivered to its consumers again. Per consumer and source: the messages replayed and what the
    consumer did with them."""
    consumers = sorted({consumer for consumer, _ in CONSUMERS})
    for name in consumers:
        stop_service(stack, name)
    messages = {(c, s): await rewind_consumer_group(stack, c, s) for c, s in CONSUMERS}
    for name in consumers:
        stack.start_service(SERVICES_BY_NAME[name])
    await asyncio.gather(*(stack.wait_serving(SERVICES_BY_NAME[name]) for name in consumers))

    def replayed() -> dict[tuple[str, str], tuple[int, Delivery]]:
        return {(c, s): (messages[(c, s)], delivery(stack, c, s)) for c, s in CONSUMERS}

    found: dict[tuple[str, str], tuple[int, Delivery]] = await eventually(
        lambda: asyncio.to_thread(replayed),
        lambda seen: all(d.handled >= count for count, d in seen.values()),
        what="every message of every topic handled again by its consumers",
        timeout_s=120,
    )
    return found


async def test_every_event_delivered_twice_leaves_inputs_and_ledger_identical(
    start_stack: StartStack,
) -> None:
    scenario = inputs.build(datetime.now(UTC).date())
    async with start_stack() as stack:
        driver = Driver(stack, scenario)
        expected = await prepare(driver)
        before = await driver.dry_run()

        first = await redeliver_everything(stack)
        await driver.wait_inputs(dict(expected.collected))
        after = await driver.dry_run()

        await driver.run(RUN_ID)
        settled = await driver.read_outcome(RUN_ID)
        from_the_beginning = await replay_topics_from_the_beginning(stack)
        replayed = await driver.read_outcome(RUN_ID)
        again = await driver.run(RUN_ID)
        assert stack.exited() == {}

    for (consumer, source), delivered in first.items():
        assert delivered.applied == 0, f"{consumer} applied a republished {source} event again"
    # Every source published its events again (settlement had none before its first run).
    assert all(d.published > 0 for (_, s), d in first.items() if s != "settlement")
    for (consumer, source), (messages, delivered) in from_the_beginning.items():
        assert delivered.applied == 0, f"{consumer} applied a replayed {source} event again"
        assert delivered.handled >= messages
    assert all(messages > 0 for messages, _ in from_the_beginning.values())
    assert after.inputs_sha256 == before.inputs_sha256, "the run's inputs are unchanged by the redelivery"
    assert list(after.totals) == list(before.totals)
    assert list(after.net_positions) == list(before.net_positions)
    assert_settled_as_expected(settled, expected)
    assert replayed == settled, "ledger, statements, suspense and positions unchanged by the redelivery"
    assert again.replayed
    assert again.run == settled.run


BULK_LINES = 12_000
"""Lines of the long output report the fault test streams (24 batches)."""
KILL_AFTER_BATCH = {4: "repertoire", 8: "licensing", 12: "matching"}
"""Which service is killed (SIGKILL) after which batch of the stream has been sent."""
CUT_OFF = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
"""How a client sees its stream cut off by the server's death: at once, or at its deadline."""
STREAM_DEADLINE_S = 30.0
"""The licensee's deadline for the stream (it takes a few seconds when nothing fails)."""
RUN_KILL_DELAY_S = 0.3
"""How long after the run request settlement is killed: well inside the run over the bulk report."""


async def test_services_killed_mid_stream_and_mid_run_settle_exactly_as_without_faults(
    start_stack: StartStack,
) -> None:
    base = inputs.build(datetime.now(UTC).date())
    bulk = inputs.large_output_report("saga-bulk", base.works, BULK_LINES)
    scenario = dataclasses.replace(base, reports=(*base.reports, bulk))
    async with start_stack() as stack:
        driver = Driver(stack, scenario)
        await bring_repertoire_and_license(driver)
        expected = expectation(driver)
        killed: list[str] = []

        async def kill(batch: int) -> None:
            name = KILL_AFTER_BATCH.get(batch)
            if name is not None and name not in killed:
                stack.kill_service(name)
                killed.append(name)

        async def restart(*names: str) -> None:
            # Started only while no call is in flight: a fork beside a live gRPC stream is not safe.
            for name in names:
                stack.start_service(SERVICES_BY_NAME[name])
            await asyncio.gather(*(stack.wait_serving(SERVICES_BY_NAME[name]) for name in names))

        # The small reports first: once one is in, matching knows the licences, and the bulk stream below
        # is cut by nothing but the kills.
        for report in base.reports:
            await driver.submit(report)
        with pytest.raises(grpc.aio.AioRpcError) as cut:
            await driver.submit(bulk, after_batch=kill, retry=False, deadline_s=STREAM_DEADLINE_S)
        await restart("repertoire", "licensing", "matching")
        # The licensee sends the report again, whole, under the same id.
        accepted = await driver.submit(bulk)
        # Settlement dies while it takes in the bulk report's matched lines.
        stack.kill_service("settlement")
        killed.append("settlement")
        await restart("settlement")
        await report_and_wait(driver, expected, ())

        async with grpc.aio.insecure_channel(stack.address("settlement")) as channel:
            stub = sgrpc.SettlementServiceStub(channel)
            call = stub.RunPeriod(driver.run_request(RUN_ID), metadata=driver.ops(), timeout=120)
            await asyncio.sleep(RUN_KILL_DELAY_S)
            stack.kill_service("settlement")
            killed.append("settlement")
            with pytest.raises(grpc.aio.AioRpcError) as broken:
                await call
        await restart("settlement")
        retried = await driver.run(RUN_ID)
        outcome = await driver.read_outcome(RUN_ID)
        assert stack.exited() == {}

    assert killed == ["repertoire", "licensing", "matching", "settlement", "settlement"]
    assert cut.value.code() in CUT_OFF, "the stream was cut off by the kill"
    assert accepted.report.lines_total == BULK_LINES
    assert broken.value.code() is grpc.StatusCode.UNAVAILABLE, "the run was cut off by the kill"
    assert not retried.replayed, "nothing of the killed run was posted: the retry computes it afresh"
    assert_settled_as_expected(outcome, expected)
    assert len(outcome.ledger) == outcome.run.transfers_posted, "no transfer of the killed run remains"
