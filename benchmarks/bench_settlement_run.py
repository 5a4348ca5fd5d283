"""Benchmark: a full settlement period over 1,000,000 matched output lines (BRIEF §7.1).

In-process on SQLite, through the code the service runs: a repertoire of N works (two writers each,
mandated to two member societies, with consent for every stage) is applied to the rights view as the
repertoire's own events; a licence, its tariffs and its training fee arrive as licensing events; the
matched lines arrive as UsageMatched batches through the matching consumer's handler (each line one
output in one of the five territories, revenue in SEK, one to three influences, some below the
confidence threshold so they fall back to the training split). Then ``RunPeriod`` runs the quarter:
it loads the lines, asks the rights view, computes every pot, share and suspense item, checks the
invariants and writes the ledger, statements, obligations, positions and payment instructions in one
transaction. BRIEF §7.1 sets no figure for the run itself; the end-to-end target (a 1,000,000-line report
from submission to settled statements in < 60 s) is shown beside it for the settlement part.

    .venv/bin/python -m benchmarks.bench_settlement_run [--lines 1000000] [--works 5000]

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker

from benchmarks.figures import Figure, summary_line
from nordclear.gen.common.v1 import codes_pb2, dates_pb2, money_pb2, tariff_pb2, usage_pb2
from nordclear.gen.events.v1 import licensing_events_pb2 as lic
from nordclear.gen.events.v1 import matching_events_pb2 as match
from nordclear.platform.db.engine import create_engine
from nordclear.platform.db.migrations import upgrade_to_head
from nordclear.platform.domain.societies import MEMBER_SOCIETIES, society_by_name
from nordclear.platform.messaging.envelope import new_envelope
from nordclear.repertoire.adapters.events import RepertoireEventTranslator
from nordclear.repertoire.domain.consent import (
    Actor,
    AiStage,
    ConsentAction,
    ConsentEntry,
    PrincipalKind,
    WorkSubject,
)
from nordclear.repertoire.domain.events import ConsentChanged, WorkChanged
from nordclear.repertoire.domain.work import (
    InterestedParty,
    Mandate,
    PartyRole,
    Right,
    RightShare,
    Work,
    WriterRole,
)
from nordclear.settlement.adapters import orm
from nordclear.settlement.adapters.consumers import handle_licensing_event, handle_matching_event
from nordclear.settlement.adapters.events_out import SettlementEventTranslator
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.domain.fx import FxRate
from nordclear.settlement.service_layer import fx_ops, runs

END_TO_END_TARGET_S = 60.0
LINES_PER_BATCH = 10_000
START, END = date(2026, 1, 1), date(2026, 3, 31)
TERRITORIES = [
    codes_pb2.TERRITORY_DK,
    codes_pb2.TERRITORY_FI,
    codes_pb2.TERRITORY_IS,
    codes_pb2.TERRITORY_NO,
    codes_pb2.TERRITORY_SE,
]
STIM = society_by_name("STIM")


def _sek(minor: int) -> money_pb2.Money:
    return money_pb2.Money(currency_code="SEK", amount_minor=minor)


def _day(value: date) -> dates_pb2.Date:
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


def _work(number: int, rng: random.Random) -> Work:
    def writer(key: str, society_code: str, share_bp: int) -> InterestedParty:
        return InterestedParty(
            party_key=key,
            role=PartyRole.writer(WriterRole.COMPOSER_AUTHOR),
            name=f"Writer {key}",
            ownership_shares=(RightShare(Right.PERFORMING, share_bp), RightShare(Right.MECHANICAL, share_bp)),
            mandates=(
                Mandate(Right.PERFORMING, 2127, society_code),
                Mandate(Right.MECHANICAL, 2127, society_code),
            ),
        )

    first, second = rng.sample([s.cisac_code for s in MEMBER_SOCIETIES], 2)
    return Work(
        work_id=f"w{number:07d}",
        title=f"Benchmark work {number}",
        submitting_society=STIM,
        parties=(writer(f"{number}-a", first, 6_000), writer(f"{number}-b", second, 4_000)),
        revision=1,
        updated_at=datetime(2025, 12, 1, tzinfo=UTC),
    )


async def _repertoire(uow_factory: object, works: int, rng: random.Random) -> None:
    translate = RepertoireEventTranslator("repertoire")
    actor = Actor(PrincipalKind.SOCIETY, "society:STIM", society=STIM)
    events: list[object] = []
    for number in range(works):
        events.append(WorkChanged(_work(number, rng), 0, "bench"))
        for index, stage in enumerate(AiStage):
            entry = ConsentEntry(
                entry_id=f"c{number}-{index}",
                subject=WorkSubject(f"w{number:07d}"),
                stage=stage,
                action=ConsentAction.GRANT,
                effective_from=date(2025, 12, 1),
                recorded_by=actor,
                recorded_at=datetime(2025, 12, 1, tzinfo=UTC),
                society=STIM,
            )
            events.append(ConsentChanged(entry, "bench"))
    envelopes = [envelope for event in events for _, envelope in translate(event)]
    for start in range(0, len(envelopes), 2_000):
        async with uow_factory() as uow:  # type: ignore[operator]
            for envelope in envelopes[start : start + 2_000]:
                await uow.rights.apply(envelope)
            await uow.commit()


async def _licensing(uow_factory: object) -> None:
    output = lic.TariffPublished(
        tariff_id="stim-output",
        version="1",
        society=codes_pb2.SOCIETY_STIM,
        stage=codes_pb2.AI_STAGE_OUTPUT,
        validity=dates_pb2.DateRange(start_date=_day(START)),
        currency_code="SEK",
        components=[
            tariff_pb2.TariffComponent(
                kind=tariff_pb2.TARIFF_COMPONENT_KIND_OUTPUT_REVENUE_SHARE, rate_bp=2_500
            )
        ],
    )
    issued = lic.LicenceIssued(
        licence_id="lic-bench",
        licensee_id="bench-ai",
        hub_society=codes_pb2.SOCIETY_STIM,
        hub_admin_fee_bp=500,
        currency_code="SEK",
        stages=[codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_SERVICE, codes_pb2.AI_STAGE_OUTPUT],
        territories=TERRITORIES,
        presumption_applied=True,
        term=dates_pb2.DateRange(start_date=_day(START), end_date=_day(date(2026, 12, 31))),
        tariffs=[lic.TariffVersionRef(tariff_id="stim-output", version="1")],
    )
    fee = lic.FeeDue(
        fee_id="lic-bench/training",
        licence_id="lic-bench",
        licensee_id="bench-ai",
        hub_society=codes_pb2.SOCIETY_STIM,
        stage=codes_pb2.AI_STAGE_TRAINING,
        amount=_sek(100_000_000),
        due_on=_day(date(2026, 2, 1)),
        presumption_applied=True,
        lines=[
            lic.FeeDueLine(society=codes_pb2.SOCIETY_STIM, territory=t, amount=_sek(20_000_000))
            for t in TERRITORIES
        ],
    )
    for payload, key in ((output, "stim-output"), (issued, "lic-bench"), (fee, "lic-bench")):
        async with uow_factory() as uow:  # type: ignore[operator]
            await handle_licensing_event(new_envelope(payload, producer="licensing", aggregate_id=key), uow)
            await uow.commit()


def _batch(first_line: int, count: int, works: int, rng: random.Random, sequence: int) -> match.UsageMatched:
    period = dates_pb2.DateRange(start_date=_day(START), end_date=_day(END))
    lines = []
    for number in range(first_line, first_line + count):
        influences = [
            match.MatchedWork(
                influence_index=index,
                work_id=f"w{rng.randrange(works):07d}",
                share_bp=share,
                method=usage_pb2.MATCH_METHOD_ISRC,
                match_confidence_bp=10_000,
                attribution_confidence_bp=rng.choice((9_500, 9_000, 4_000)),
            )
            for index, share in enumerate(rng.choice(((10_000,), (6_000, 4_000), (5_000, 3_000, 1_000))))
        ]
        lines.append(
            match.MatchedUsageLine(
                line_number=number,
                revision=1,
                stage=codes_pb2.AI_STAGE_OUTPUT,
                territory=rng.choice(TERRITORIES),
                period=period,
                amount=money_pb2.Money(currency_code="SEK", amount_minor=rng.randrange(1, 100_000)),
                output_id=f"o{number}",
                label_applied=True,
                works=influences,
            )
        )
    return match.UsageMatched(
        report_id="outputs-q1",
        licensee_id="bench-ai",
        licence_id="lic-bench",
        kind=usage_pb2.USAGE_REPORT_KIND_OUTPUT_ATTRIBUTION,
        period=period,
        batch_sequence=sequence,
        lines=lines,
    )


async def _usage(uow_factory: object, lines: int, works: int, rng: random.Random) -> float:
    ingest_s = 0.0
    for sequence, first in enumerate(range(0, lines, LINES_PER_BATCH), start=1):
        batch = _batch(first, min(LINES_PER_BATCH, lines - first), works, rng, sequence)
        envelope = new_envelope(batch, producer="matching", aggregate_id="outputs-q1")
        started = time.perf_counter()
        async with uow_factory() as uow:  # type: ignore[operator]
            await handle_matching_event(envelope, uow)
            await uow.commit()
        ingest_s += time.perf_counter() - started
    return ingest_s


async def _main(lines: int, works: int) -> None:
    rng = random.Random(5)  # noqa: S311 - synthetic data
    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(directory) / 'settlement.sqlite3'}")
        await upgrade_to_head(engine, "nordclear.settlement:migrations")
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        translate = SettlementEventTranslator("settlement")

        def uow_factory() -> SettlementUnitOfWork:
            return SettlementUnitOfWork(sessions, orm.messaging, translate=translate)

        started = time.perf_counter()
        await _repertoire(uow_factory, works, rng)
        repertoire_s = time.perf_counter() - started
        await _licensing(uow_factory)
        ingest_s = await _usage(uow_factory, lines, works, rng)
        rates = [
            FxRate("EUR", "SEK", 11_123_400_000, END, "ECB"),
            FxRate("EUR", "DKK", 7_460_400_000, END, "ECB"),
            FxRate("EUR", "NOK", 11_654_000_000, END, "ECB"),
            FxRate("EUR", "ISK", 150_100_000_000, END, "ECB"),
        ]
        await fx_ops.load_rates(uow_factory, request_id="bench", fingerprint="bench", rates=rates)
        run_started = time.perf_counter()
        outcome = await runs.run_period(
            uow_factory,
            run_id="bench-q1",
            period=(START, END),
            settlement_currency_code="EUR",
            fx_rate_date=None,
            dry_run=False,
            started_by="ops:*",
        )
        run_s = time.perf_counter() - run_started
        await engine.dispose()
    run = outcome.run
    assert all(check.passed for check in run.invariants), run.invariants
    (totals,) = run.totals
    print(f"settlement run over {lines:,} matched output lines, {works:,} works, SQLite, in-process")
    print(f"  rights view filled   {repertoire_s:.1f} s ({works * 4:,} repertoire events)")
    print(f"  lines ingested       {ingest_s:.1f} s ({lines / ingest_s:,.0f} lines/s, consumer handler)")
    print(f"  RunPeriod            {run_s:.1f} s ({lines / run_s:,.0f} lines/s)")
    print(f"                       end-to-end target (report to statements) < {END_TO_END_TARGET_S:.0f} s")
    print(f"  transfers posted     {run.transfers_posted:,}; payments {run.payment_instruction_count}")
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory          {peak_rss_mb:,.0f} MB (the whole benchmark process)")
    print(
        f"  collected {totals.collected.amount_minor:,} öre = distributed {totals.distributed.amount_minor:,}"
        f" + admin fees {totals.admin_fees.amount_minor:,} + suspense {totals.suspense.amount_minor:,}"
    )
    print(
        summary_line(
            "settlement_run",
            [
                Figure(
                    "settlement RunPeriod over 1M matched lines",
                    round(run_s, 2),
                    "s",
                    END_TO_END_TARGET_S,
                    better="lower",
                ),
                Figure("settlement matched lines ingested", round(lines / ingest_s), "lines/s"),
            ],
            lines=lines,
            works=works,
            transfers=run.transfers_posted,
            ingest_s=round(ingest_s, 2),
            peak_rss_mb=round(peak_rss_mb),
            database="sqlite",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--works", type=int, default=5_000)
    arguments = parser.parse_args()
    asyncio.run(_main(arguments.lines, arguments.works))


if __name__ == "__main__":
    main()
