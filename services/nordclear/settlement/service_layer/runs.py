"""Running a settlement period: load the inputs, ask the rights view, compute, check, post, publish.

A run is all or nothing: it is computed in full in memory, its invariants are checked, and only then
are its transfers, statements, suspense items, obligations, positions and payment instructions written,
in the same transaction as its events. A missing FX rate, an unknown licence or tariff, or an overlap with
a completed period refuses the run before anything is written. A run whose invariants fail is recorded
as FAILED (with the figures) and posts nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from nordclear.gen.settlement.v1 import settlement_pb2 as pb
from nordclear.platform import metrics
from nordclear.platform.domain.money import Currency
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from nordclear.repertoire.domain.consent import AiStage
from nordclear.settlement.adapters.rights_snapshot import RightsSnapshot
from nordclear.settlement.adapters.run_proto import run_to_proto
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.domain import ledger
from nordclear.settlement.domain.deadlines import DEFAULT_FINANCIAL_YEARS, YearEnd
from nordclear.settlement.domain.events import RunCompleted, RunFailed
from nordclear.settlement.domain.fx import FxTable
from nordclear.settlement.domain.model import Licence, ReportKind, RunPolicy, UsageLine
from nordclear.settlement.domain.royalties import (
    Inputs,
    PotBuilder,
    SuspenseReason,
    WorkRights,
    manifest_work_ids,
    rights_needed,
    work_rights_from_coverage,
)
from nordclear.settlement.domain.run import RunRequest, RunResult, compute_run

MAX_RIGHTS_PASSES = 5
"""Rights are fetched in passes (training sets decide which fallbacks are needed); 3 suffice in practice."""

RightsKey = tuple[str, AiStage, Territory, date]
DEFAULT_POLICY = RunPolicy()


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """A run as the caller sees it, and whether it answers a retry."""

    run: pb.SettlementRun
    replayed: bool


@dataclass(frozen=True, slots=True)
class RunSettings:
    """Data a run depends on that is not an event: financial years and the fallback thresholds."""

    financial_years: Mapping[str, YearEnd] = field(default_factory=lambda: DEFAULT_FINANCIAL_YEARS)
    policy: RunPolicy = DEFAULT_POLICY


async def run_period(
    uow_factory: Callable[[], SettlementUnitOfWork],
    *,
    run_id: str,
    period: tuple[date, date],
    settlement_currency_code: str,
    fx_rate_date: date | None,
    dry_run: bool,
    started_by: str,
    settings: RunSettings | None = None,
) -> RunOutcome:
    """Run (or replay) the settlement of ``period``; see the module docstring."""
    settings = settings or RunSettings()
    ledger.check_transfer_id(run_id, "run_id")
    currency = Currency.of(settlement_currency_code, "settlement_currency_code").code
    request = RunRequest(
        run_id, period[0], period[1], currency, fx_rate_date or period[1], settings.financial_years
    )
    started_s = time.perf_counter()
    started_at = datetime.now(UTC)
    async with uow_factory() as uow:
        if not dry_run:
            await uow.repo.lock_runs()
        replay = await _replay(uow, request)
        if replay is not None:
            return RunOutcome(replay, True)
        overlapping = await uow.repo.overlapping_completed_run(request.period_start, request.period_end)
        if overlapping is not None:
            raise FailedPrecondition(
                f"period {request.period_start.isoformat()}..{request.period_end.isoformat()} overlaps "
                f"completed run {overlapping}: a period is settled once; corrections are reversing transfers"
            )
        result = await _compute(uow, request, settings.policy)
        failed = result.failed_invariants
        finished_at = datetime.now(UTC)
        if failed:
            for check in failed:
                metrics.SETTLEMENT_INVARIANT_FAILURES.labels(check.name).inc()
            reason = "invariants failed: " + "; ".join(f"{c.name} ({c.detail})" for c in failed)
            run = run_to_proto(
                result,
                status="failed",
                started_at=started_at,
                finished_at=finished_at,
                started_by=started_by,
                transfers_posted=0,
                failure_reason=reason,
            )
            if not dry_run:
                await uow.repo.add_run(
                    run_id, period, currency, "failed", started_at, run.SerializeToString(deterministic=True)
                )
                uow.record(RunFailed(run_id, period, reason, run_id))
                await uow.commit()
            metrics.SETTLEMENT_RUN_DURATION.labels("failed").observe(time.perf_counter() - started_s)
            return RunOutcome(run, False)
        transfers_posted = 0 if dry_run else len(result.transfers)
        run = run_to_proto(
            result,
            status="completed",
            started_at=started_at,
            finished_at=finished_at,
            started_by=started_by,
            transfers_posted=transfers_posted,
        )
        if dry_run:
            return RunOutcome(run, False)
        clashing = await uow.repo.transfers_by_id([t.transfer_id for t in result.transfers])
        if clashing:
            raise AlreadyExists(
                f"transfer id {min(clashing)} of run {run_id} is taken by a transfer posted directly; "
                "choose another run id"
            )
        await uow.repo.post(result.transfers, finished_at)
        labels = await uow.repo.work_labels({line.work_id for line in result.statement}, uow.rights_tables)
        await uow.repo.add_run_results(result, labels, finished_at)
        await uow.repo.add_run(
            run_id, period, currency, "completed", started_at, run.SerializeToString(deterministic=True)
        )
        uow.record(RunCompleted(result, transfers_posted, run_id))
        await uow.commit()
        earliest = await earliest_deadline_timestamp(uow)
    metrics.LEDGER_TRANSFERS.inc(transfers_posted)
    metrics.SETTLEMENT_RUN_DURATION.labels("completed").observe(time.perf_counter() - started_s)
    metrics.EARLIEST_OPEN_DEADLINE.set(earliest)
    return RunOutcome(run, False)


async def earliest_deadline_timestamp(uow: SettlementUnitOfWork) -> float:
    """Unix time of the earliest deadline of an unpaid obligation, 0 when there is none (for the gauge)."""
    deadline = await uow.repo.earliest_open_deadline()
    if deadline is None:
        return 0
    return datetime(deadline.year, deadline.month, deadline.day, tzinfo=UTC).timestamp()


async def _replay(uow: SettlementUnitOfWork, request: RunRequest) -> pb.SettlementRun | None:
    document = await uow.repo.run_document(request.run_id)
    if document is None:
        return None
    stored = pb.SettlementRun.FromString(document)
    same = (
        (stored.period.start_date.year, stored.period.start_date.month, stored.period.start_date.day)
        == (request.period_start.year, request.period_start.month, request.period_start.day)
        and (stored.period.end_date.year, stored.period.end_date.month, stored.period.end_date.day)
        == (request.period_end.year, request.period_end.month, request.period_end.day)
        and stored.settlement_currency_code == request.settlement_currency_code
        and (stored.fx_rate_date.year, stored.fx_rate_date.month, stored.fx_rate_date.day)
        == (request.fx_rate_date.year, request.fx_rate_date.month, request.fx_rate_date.day)
    )
    if not same:
        raise AlreadyExists(
            f"run {request.run_id} exists for another period, settlement currency or FX date; "
            "choose another run id"
        )
    return stored


async def _compute(uow: SettlementUnitOfWork, request: RunRequest, policy: RunPolicy) -> RunResult:
    licences = await uow.repo.licences()
    tariffs = await uow.repo.tariffs()
    fees = await uow.repo.fees_due_in(request.period_start, request.period_end)
    usage, usage_sha256 = await uow.repo.usage_lines(request.period_start, request.period_end)
    rates = await uow.repo.rates_on([request.fx_rate_date])
    fx = FxTable(request.fx_rate_date, rates)
    rights = _RightsCache(RightsSnapshot(uow.session, uow.rights_tables))
    licensable = await _presumption_sets(licences, rights)
    inputs = Inputs(
        licences=licences,
        tariffs=tariffs,
        fees=tuple(fees),
        usage=tuple(usage),
        manifest_work_ids=manifest_work_ids(usage),
        licensable_work_ids=licensable,
        policy=policy,
        usage_sha256=usage_sha256,
    )
    await rights.fetch(_likely_keys(licences, usage, inputs.manifest_work_ids))
    for _ in range(MAX_RIGHTS_PASSES):
        # Pots first: they name every work whose rights the split needs, so all are fetched in one go
        # and the expensive part (the split over shares) runs once.
        # The computing is pure and CPU-bound: off the event loop, so the server keeps answering
        # (health checks, other RPCs) while a large period is settled.
        pots = await asyncio.to_thread(PotBuilder(inputs, rights.lookup, fx).build)
        if rights.missing:
            await rights.fetch(rights.missing)
            continue
        await rights.fetch(rights_needed(pots))
        result = await asyncio.to_thread(compute_run, request, inputs, rights.lookup, fx, pots)
        if not rights.missing:
            return result
        await rights.fetch(rights.missing)
    raise FailedPrecondition(
        f"run {request.run_id}: the rights of its works could not be settled in {MAX_RIGHTS_PASSES} passes"
    )


class _RightsCache:
    """Answers the pure run from the rights snapshot; remembers what it lacked, for the next pass."""

    def __init__(self, snapshot: RightsSnapshot) -> None:
        self.snapshot = snapshot
        self.answers: dict[RightsKey, WorkRights] = {}
        self.missing: set[RightsKey] = set()

    def lookup(self, work_id: str, stage: AiStage, territory: Territory, on: date) -> WorkRights:
        key = (work_id, stage, territory, on)
        answer = self.answers.get(key)
        if answer is None:
            self.missing.add(key)
            # A placeholder: the pass that needed it is recomputed once the answer is fetched.
            return WorkRights(work_id, False, SuspenseReason.UNKNOWN_WORK, "pending", {})
        return answer

    async def fetch(self, keys: set[RightsKey]) -> None:
        wanted = [key for key in keys if key not in self.answers]
        await self.snapshot.load(work_id for work_id, _, _, _ in wanted)
        for work_id, stage, territory, on in wanted:
            coverage = self.snapshot.coverage(work_id, stage, territory, on)
            self.answers[(work_id, stage, territory, on)] = work_rights_from_coverage(work_id, coverage)
        self.missing = set()


async def _presumption_sets(
    licences: Mapping[str, Licence], rights: _RightsCache
) -> dict[tuple[Territory, date], tuple[str, ...]]:
    sets: dict[tuple[Territory, date], tuple[str, ...]] = {}
    for licence in sorted(licences.values(), key=lambda item: item.licence_id):
        if not licence.presumption_applied:
            continue
        await rights.snapshot.load_all()
        for territory in sorted(licence.territories or set(Territory)):
            key = (territory, licence.term_start)
            if key in sets:
                continue
            works = []
            for coverage in rights.snapshot.licensable(AiStage.TRAINING, territory, licence.term_start):
                works.append(coverage.work_id)
                rights.answers[(coverage.work_id, AiStage.TRAINING, territory, licence.term_start)] = (
                    work_rights_from_coverage(coverage.work_id, coverage)
                )
            sets[key] = tuple(works)
    return sets


def _likely_keys(
    licences: Mapping[str, Licence], usage: list[UsageLine], manifests: Mapping[str, tuple[str, ...]]
) -> set[RightsKey]:
    keys: set[RightsKey] = set()
    for line in usage:
        if line.kind is ReportKind.OUTPUT_ATTRIBUTION and line.territory is not None:
            for unit in line.units:
                if unit.work_id:
                    keys.add((unit.work_id, AiStage.OUTPUT, line.territory, line.period_end))
    for licence_id, works in manifests.items():
        licence = licences.get(licence_id)
        if licence is None:
            continue
        for territory in licence.territories or set(Territory):
            keys.update((work_id, AiStage.TRAINING, territory, licence.term_start) for work_id in works)
    return keys


def check_period(start: date | None, end: date | None) -> tuple[date, date]:
    """A settlement period with both ends."""
    if start is None or end is None:
        raise InvalidArgument("period", None, "a settlement period needs both start_date and end_date")
    if end < start:
        raise InvalidArgument("period.end_date", end.isoformat(), "must not be before period.start_date")
    return start, end
