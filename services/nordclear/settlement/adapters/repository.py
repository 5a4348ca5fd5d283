"""Reading and writing settlement's tables through SQLAlchemy Core.

Bulk paths (usage lines, statement lines, transfers) insert in executemany batches; reads of a run's
inputs stream rows in primary-key order so that the run sees them in a stable order.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.gen.events.v1 import licensing_events_pb2 as lic_events
from nordclear.gen.events.v1 import matching_events_pb2 as match_events
from nordclear.gen.events.v1 import repertoire_events_pb2 as rep_events
from nordclear.platform.rights import RightsTables
from nordclear.platform.rights.translate import work_from_event
from nordclear.settlement.adapters import orm
from nordclear.settlement.adapters.events_in import (
    fee_from_event,
    licence_from_event,
    tariff_from_event,
    usage_line_from_proto,
)
from nordclear.settlement.domain import ledger
from nordclear.settlement.domain.fx import FxRate
from nordclear.settlement.domain.model import FeeDue, Licence, ReportKind, Tariff, UsageLine
from nordclear.settlement.domain.run import RunResult
from nordclear.settlement.domain.statement_files import StatementRow

RUN_LOCK_KEY = 0x5E771E  # "settle": any fixed number of our own; only this service uses its database
INSERT_BATCH_ROWS = 5_000
"""Rows per executemany: large enough to amortise round trips, small enough for PostgreSQL's limits."""


@dataclass(frozen=True, slots=True)
class WorkLabel:
    """What a statement line shows about a work and its parties."""

    iswc: str
    title: str
    parties: Mapping[str, tuple[str, str]]
    """party key -> (name, IPI name number)."""


@dataclass(frozen=True, slots=True)
class StoredSuspense:
    """A suspense item as stored, with its release if any."""

    suspense_id: str
    run_id: str
    hub_code: str
    licence_id: str
    work_id: str
    party_key: str
    right_code: str
    stage: str
    territory: str
    currency_code: str
    amount_minor: int
    reason: str
    detail: str
    status: str
    held_at: datetime
    released_to: str | None
    released_by: str | None
    released_at: datetime | None
    release_reason: str | None
    release_transfer_id: str | None


class SettlementRepository:
    """Every table of the settlement service, through one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- read models from events --------------------------------------------------------------

    async def put_licence(self, event: lic_events.LicenceIssued) -> None:
        """Store (or replace, on a re-issued event) a licence."""
        licence = licence_from_event(event)
        await self._session.execute(
            delete(orm.licences).where(orm.licences.c.licence_id == licence.licence_id)
        )
        await self._session.execute(
            insert(orm.licences).values(
                licence_id=licence.licence_id,
                licensee_id=licence.licensee_id,
                hub_code=licence.hub_code,
                status="active",
                status_changed_on=licence.term_start,
                document=event.SerializeToString(deterministic=True),
            )
        )

    async def set_licence_status(self, licence_id: str, status: str, on: date | None) -> None:
        """Record a lifecycle change (nothing to do for a licence settlement never saw issued)."""
        await self._session.execute(
            update(orm.licences)
            .where(orm.licences.c.licence_id == licence_id)
            .values(status=status, status_changed_on=on)
        )

    async def put_tariff(self, event: lic_events.TariffPublished) -> None:
        """Store a tariff version (a version never changes; a repeat replaces it with itself)."""
        tariff = tariff_from_event(event)
        table = orm.tariffs
        await self._session.execute(
            delete(table).where(
                and_(table.c.tariff_id == tariff.tariff_id, table.c.version == tariff.version)
            )
        )
        await self._session.execute(
            insert(table).values(
                tariff_id=tariff.tariff_id,
                version=tariff.version,
                document=event.SerializeToString(deterministic=True),
            )
        )

    async def put_fee(self, event: lic_events.FeeDue) -> None:
        """Store a fee due (its id is the idempotency key)."""
        fee = fee_from_event(event)
        await self._session.execute(delete(orm.fees_due).where(orm.fees_due.c.fee_id == fee.fee_id))
        await self._session.execute(
            insert(orm.fees_due).values(
                fee_id=fee.fee_id,
                licence_id=fee.licence_id,
                due_on=fee.due_on,
                document=event.SerializeToString(deterministic=True),
            )
        )

    async def put_usage(self, event: match_events.UsageMatched, kind: ReportKind) -> None:
        """Store a batch of matched lines; a line replaces a stored one only with a higher revision."""
        table = orm.usage_lines
        numbers = [line.line_number for line in event.lines]
        stored: dict[int, int] = {}
        for start in range(0, len(numbers), INSERT_BATCH_ROWS):
            rows = await self._session.execute(
                select(table.c.line_number, table.c.revision).where(
                    table.c.licensee_id == event.licensee_id,
                    table.c.report_id == event.report_id,
                    table.c.line_number.in_(numbers[start : start + INSERT_BATCH_ROWS]),
                )
            )
            stored.update({row.line_number: row.revision for row in rows})
        newer = [line for line in event.lines if stored.get(line.line_number, -1) < line.revision]
        replaced = [line.line_number for line in newer if line.line_number in stored]
        for start in range(0, len(replaced), INSERT_BATCH_ROWS):
            await self._session.execute(
                delete(table).where(
                    table.c.licensee_id == event.licensee_id,
                    table.c.report_id == event.report_id,
                    table.c.line_number.in_(replaced[start : start + INSERT_BATCH_ROWS]),
                )
            )
        rows_to_insert = []
        for line in newer:
            # Validate now: a line settlement could never read must be refused while its event is at hand.
            usage = usage_line_from_proto(
                line,
                licence_id=event.licence_id,
                licensee_id=event.licensee_id,
                report_id=event.report_id,
                kind=kind,
            )
            rows_to_insert.append(
                {
                    "licensee_id": event.licensee_id,
                    "report_id": event.report_id,
                    "line_number": line.line_number,
                    "licence_id": event.licence_id,
                    "kind": kind.value,
                    "revision": line.revision,
                    "period_end": usage.period_end,
                    "document": line.SerializeToString(deterministic=True),
                }
            )
        for start in range(0, len(rows_to_insert), INSERT_BATCH_ROWS):
            await self._session.execute(insert(table), rows_to_insert[start : start + INSERT_BATCH_ROWS])

    async def put_report(
        self,
        licensee_id: str,
        report_id: str,
        licence_id: str,
        kind: ReportKind,
        period: tuple[date, date],
        completed: bool,
        lines_total: int,
    ) -> None:
        """Record what settlement knows of a report (matching completed or not)."""
        table = orm.usage_reports
        await self._session.execute(
            delete(table).where(table.c.licensee_id == licensee_id, table.c.report_id == report_id)
        )
        await self._session.execute(
            insert(table).values(
                licensee_id=licensee_id,
                report_id=report_id,
                licence_id=licence_id,
                kind=kind.value,
                period_start=period[0],
                period_end=period[1],
                matching_completed=completed,
                lines_total=lines_total,
            )
        )

    # --- a run's inputs -----------------------------------------------------------------------

    async def licences(self) -> dict[str, Licence]:
        """Every licence settlement knows."""
        rows = await self._session.execute(
            select(orm.licences.c.document).order_by(orm.licences.c.licence_id)
        )
        result = {}
        for row in rows:
            licence = licence_from_event(lic_events.LicenceIssued.FromString(row.document))
            result[licence.licence_id] = licence
        return result

    async def tariffs(self) -> dict[tuple[str, str], Tariff]:
        """Every tariff version."""
        rows = await self._session.execute(select(orm.tariffs.c.document))
        tariffs = [tariff_from_event(lic_events.TariffPublished.FromString(row.document)) for row in rows]
        return {(t.tariff_id, t.version): t for t in tariffs}

    async def fees_due_in(self, start: date, end: date) -> list[FeeDue]:
        """Fees due in the period, by id."""
        table = orm.fees_due
        rows = await self._session.execute(
            select(table.c.document)
            .where(table.c.due_on >= start, table.c.due_on <= end)
            .order_by(table.c.fee_id)
        )
        return [fee_from_event(lic_events.FeeDue.FromString(row.document)) for row in rows]

    async def usage_lines(self, start: date, end: date) -> tuple[list[UsageLine], str]:
        """Service and output lines whose usage period ends in the period, and every manifest line.

        Manifest lines of any period count: a licence's training set is what it trained on, whenever
        the manifest was reported.
        """
        table = orm.usage_lines
        query = (
            select(table.c.licensee_id, table.c.report_id, table.c.licence_id, table.c.kind, table.c.document)
            .where(
                or_(
                    and_(table.c.period_end >= start, table.c.period_end <= end),
                    table.c.kind == ReportKind.TRAINING_MANIFEST.value,
                )
            )
            .order_by(table.c.licensee_id, table.c.report_id, table.c.line_number)
        )
        lines: list[UsageLine] = []
        # The lines' canonical form is their stored (deterministically serialised) document: hashing
        # it in key order gives the run's usage digest without rendering a million lines again.
        digest = hashlib.sha256()
        # Read in one go: a row at a time through the async driver costs more than the rows' memory.
        for row in (await self._session.execute(query)).all():
            kind = ReportKind(row.kind)
            message = match_events.MatchedUsageLine.FromString(row.document)
            line = usage_line_from_proto(
                message,
                licence_id=row.licence_id,
                licensee_id=row.licensee_id,
                report_id=row.report_id,
                kind=kind,
            )
            if kind is ReportKind.TRAINING_MANIFEST or start <= line.period_end <= end:
                lines.append(line)
                digest.update(f"{row.licensee_id}\n{row.report_id}\n{row.licence_id}\n{row.kind}\n".encode())
                digest.update(len(row.document).to_bytes(8, "big"))
                digest.update(row.document)
        return lines, digest.hexdigest()

    async def work_labels(self, work_ids: Iterable[str], tables: RightsTables) -> dict[str, WorkLabel]:
        """ISWC, title and party names of works, from the rights view (for statements)."""
        wanted = sorted(set(work_ids))
        labels: dict[str, WorkLabel] = {}
        for start in range(0, len(wanted), INSERT_BATCH_ROWS):
            rows = await self._session.execute(
                select(tables.works.c.work_id, tables.works.c.document).where(
                    tables.works.c.work_id.in_(wanted[start : start + INSERT_BATCH_ROWS])
                )
            )
            for row in rows:
                if row.document is None:
                    continue
                work = work_from_event(rep_events.WorkRegistered.FromString(row.document))
                parties = {
                    p.party_key: (" ".join(x for x in (p.first_name, p.name) if x), p.ipi_name_number or "")
                    for p in work.parties
                }
                labels[row.work_id] = WorkLabel(work.iswc or "", work.title, parties)
        return labels

    # --- runs ---------------------------------------------------------------------------------

    async def lock_runs(self) -> None:
        """Serialise runs on PostgreSQL until this transaction ends.

        Two replicas could otherwise both find a period unsettled and settle it twice. SQLite has one
        writer at a time already.
        """
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(select(func.pg_advisory_xact_lock(RUN_LOCK_KEY)))

    async def run_document(self, run_id: str) -> bytes | None:
        """The stored SettlementRun message of a run."""
        found: bytes | None = await self._session.scalar(
            select(orm.settlement_runs.c.document).where(orm.settlement_runs.c.run_id == run_id)
        )
        return found

    async def overlapping_completed_run(self, start: date, end: date) -> str | None:
        """A completed run whose period overlaps ``start`` to ``end``."""
        table = orm.settlement_runs
        found: str | None = await self._session.scalar(
            select(table.c.run_id)
            .where(table.c.status == "completed", table.c.period_start <= end, table.c.period_end >= start)
            .order_by(table.c.period_start)
            .limit(1)
        )
        return found

    async def list_run_documents(self, status: str | None, after: int, limit: int) -> list[bytes]:
        """Stored runs, newest period first."""
        table = orm.settlement_runs
        query = select(table.c.document).order_by(table.c.period_start.desc(), table.c.run_id)
        if status is not None:
            query = query.where(table.c.status == status)
        rows = await self._session.execute(query.offset(after).limit(limit))
        return [row.document for row in rows]

    async def add_run(
        self,
        run_id: str,
        result_period: tuple[date, date],
        currency: str,
        status: str,
        started_at: datetime,
        document: bytes,
    ) -> None:
        """Store a run's summary document."""
        await self._session.execute(
            insert(orm.settlement_runs).values(
                run_id=run_id,
                period_start=result_period[0],
                period_end=result_period[1],
                settlement_currency_code=currency,
                status=status,
                started_at=started_at,
                document=document,
            )
        )

    async def add_run_results(
        self, result: RunResult, labels: Mapping[str, WorkLabel], now: datetime
    ) -> None:
        """Store everything a completed run produced (its transfers are posted separately)."""
        statement_rows = []
        sequence_by_society: dict[str, int] = {}
        for line in result.statement:
            seq = sequence_by_society[line.society_code] = sequence_by_society.get(line.society_code, 0) + 1
            label = labels.get(line.work_id)
            party_name, ipi = label.parties.get(line.party_key, ("", "")) if label else ("", "")
            statement_rows.append(
                {
                    "run_id": result.run_id,
                    "society_code": line.society_code,
                    "line_seq": seq,
                    "hub_code": line.hub_code,
                    "licence_id": line.licence_id,
                    "licensee_id": line.licensee_id,
                    "report_id": line.report_id,
                    "work_id": line.work_id,
                    "iswc": label.iswc if label else "",
                    "title": (label.title if label else "")[:200],
                    "party_key": line.party_key,
                    "party_name": party_name[:200],
                    "ipi_name_number": ipi,
                    "right_code": line.right.value,
                    "share_bp": line.share_bp,
                    "stage": line.stage.value,
                    "territory": line.territory.value,
                    "period_start": line.period_start,
                    "period_end": line.period_end,
                    "currency_code": line.currency_code,
                    "amount_minor": line.amount_minor,
                    "settlement_amount_minor": line.settlement_amount_minor,
                }
            )
        await self._insert_many(orm.statement_lines, statement_rows)
        await self._insert_many(
            orm.suspense_items,
            [
                {
                    "suspense_id": s.suspense_id,
                    "run_id": result.run_id,
                    "hub_code": s.hub_code,
                    "licence_id": s.licence_id,
                    "work_id": s.work_id,
                    "party_key": s.party_key,
                    "right_code": s.right.value if s.right else "",
                    "stage": s.stage.value,
                    "territory": s.territory.value,
                    "currency_code": s.currency_code,
                    "amount_minor": s.amount_minor,
                    "reason": s.reason.value,
                    "detail": s.detail,
                    "status": "held",
                    "held_at": now,
                    "released_to": None,
                    "released_by": None,
                    "released_at": None,
                    "release_reason": None,
                    "release_transfer_id": None,
                }
                for s in result.suspense
            ],
        )
        await self._insert_many(
            orm.obligations,
            [
                {
                    "obligation_id": o.obligation_id,
                    "run_id": result.run_id,
                    "debtor_code": o.debtor_code,
                    "creditor_code": o.creditor_code,
                    "currency_code": o.currency_code,
                    "amount_minor": o.amount_minor,
                    "settlement_currency_code": result.settlement_currency_code,
                    "settlement_amount_minor": o.settlement_amount_minor,
                    "financial_year_end": o.financial_year_end,
                    "deadline": o.deadline,
                    "paid_on": None,
                }
                for o in result.obligations
            ],
        )
        await self._insert_many(
            orm.net_positions,
            [
                {
                    "run_id": result.run_id,
                    "society_code": p.society_code,
                    "currency_code": result.settlement_currency_code,
                    "receivable_minor": p.receivable_minor,
                    "payable_minor": p.payable_minor,
                }
                for p in result.positions
            ],
        )
        await self._insert_many(
            orm.payment_instructions,
            [
                {
                    "instruction_id": p.instruction_id,
                    "run_id": result.run_id,
                    "payer_code": p.payer_code,
                    "payee_code": p.payee_code,
                    "currency_code": result.settlement_currency_code,
                    "amount_minor": p.amount_minor,
                    "due_date": p.due_date,
                    "reference": p.reference,
                    "paid_on": None,
                    "bank_reference": None,
                    "confirmed_by": None,
                }
                for p in result.payments
            ],
        )
        if result.obligations and not result.payments:
            # Netting cancelled every obligation against another: they are settled by the run itself.
            await self.settle_obligations(result.run_id, now.date())

    async def _insert_many(self, table: Table, rows: Sequence[Mapping[str, object]]) -> None:
        for start in range(0, len(rows), INSERT_BATCH_ROWS):
            await self._session.execute(insert(table), list(rows[start : start + INSERT_BATCH_ROWS]))

    # --- ledger -------------------------------------------------------------------------------

    async def transfers_by_id(self, transfer_ids: Sequence[str]) -> dict[str, ledger.Transfer]:
        """Stored transfers among ``transfer_ids``."""
        table = orm.ledger_transfers
        found: dict[str, ledger.Transfer] = {}
        unique = sorted(set(transfer_ids))
        for start in range(0, len(unique), INSERT_BATCH_ROWS):
            rows = await self._session.execute(
                select(table).where(table.c.transfer_id.in_(unique[start : start + INSERT_BATCH_ROWS]))
            )
            for row in rows:
                found[row.transfer_id] = _transfer_of(row)
        return found

    async def reversal_of(self, transfer_id: str) -> str | None:
        """The id of the transfer reversing ``transfer_id``, if any."""
        table = orm.ledger_transfers
        found: str | None = await self._session.scalar(
            select(table.c.transfer_id).where(table.c.reverses_transfer_id == transfer_id)
        )
        return found

    async def post(self, transfers: Sequence[ledger.Transfer], now: datetime) -> None:
        """Append transfers in order (their checks were done by the caller)."""
        await self._insert_many(
            orm.ledger_transfers,
            [
                {
                    "transfer_id": t.transfer_id,
                    "debit_account_id": t.debit_account_id,
                    "credit_account_id": t.credit_account_id,
                    "currency_code": t.currency_code,
                    "amount_minor": t.amount_minor,
                    "run_id": t.run_id,
                    "reverses_transfer_id": t.reverses_transfer_id or None,
                    "code": t.code,
                    "description": t.description,
                    "posted_at": now,
                }
                for t in transfers
            ],
        )

    async def balances(self, as_of: datetime | None, account_prefix: str | None) -> list[ledger.Balance]:
        """Every account's totals, derived from the transfers (posted at or before ``as_of``)."""
        table = orm.ledger_transfers
        sums: dict[str, list[int]] = {}
        currencies: dict[str, str] = {}
        for side, column in ((0, table.c.debit_account_id), (1, table.c.credit_account_id)):
            query = select(
                column.label("account"), table.c.currency_code, func.sum(table.c.amount_minor).label("total")
            ).group_by(column, table.c.currency_code)
            if as_of is not None:
                query = query.where(table.c.posted_at <= as_of)
            if account_prefix is not None:
                query = query.where(column.startswith(account_prefix, autoescape=True))
            for row in await self._session.execute(query):
                sums.setdefault(row.account, [0, 0])[side] += int(row.total)
                currencies[row.account] = row.currency_code
        return [ledger.Balance(a, currencies[a], sums[a][0], sums[a][1]) for a in sorted(sums)]

    async def list_transfers(
        self, account_id: str | None, run_id: str | None, after_seq: int, limit: int
    ) -> list[tuple[int, ledger.Transfer, datetime]]:
        """Transfers in posting order after ``after_seq``."""
        table = orm.ledger_transfers
        query = select(table).where(table.c.seq > after_seq).order_by(table.c.seq).limit(limit)
        if account_id:
            query = query.where(
                or_(table.c.debit_account_id == account_id, table.c.credit_account_id == account_id)
            )
        if run_id:
            query = query.where(table.c.run_id == run_id)
        rows = await self._session.execute(query)
        return [(row.seq, _transfer_of(row), _utc(row.posted_at)) for row in rows]

    async def run_transfers(self, run_id: str) -> list[ledger.Transfer]:
        """A run's transfers in posting order."""
        table = orm.ledger_transfers
        rows = await self._session.execute(
            select(table).where(table.c.run_id == run_id).order_by(table.c.seq)
        )
        return [_transfer_of(row) for row in rows]

    async def posted_at(self, transfer_id: str) -> datetime | None:
        """When a transfer was posted."""
        table = orm.ledger_transfers
        found = await self._session.scalar(
            select(table.c.posted_at).where(table.c.transfer_id == transfer_id)
        )
        return _utc(found) if found is not None else None

    # --- suspense -----------------------------------------------------------------------------

    async def suspense(self, suspense_id: str) -> StoredSuspense | None:
        """One suspense item."""
        row = (
            await self._session.execute(
                select(orm.suspense_items).where(orm.suspense_items.c.suspense_id == suspense_id)
            )
        ).one_or_none()
        return None if row is None else _suspense_of(row)

    async def list_suspense(
        self,
        *,
        society_code: str | None,
        reason: str | None,
        status: str | None,
        run_id: str | None,
        after: int,
        limit: int,
    ) -> list[StoredSuspense]:
        """Suspense items, oldest first."""
        table = orm.suspense_items
        query = select(table).order_by(table.c.held_at, table.c.suspense_id).offset(after).limit(limit)
        if society_code:
            query = query.where(or_(table.c.hub_code == society_code, table.c.released_to == society_code))
        if reason:
            query = query.where(table.c.reason == reason)
        if status:
            query = query.where(table.c.status == status)
        if run_id:
            query = query.where(table.c.run_id == run_id)
        return [_suspense_of(row) for row in await self._session.execute(query)]

    async def release_suspense(
        self, suspense_id: str, *, to: str, by: str, at: datetime, reason: str, transfer_id: str
    ) -> None:
        """Record a release on its item."""
        table = orm.suspense_items
        await self._session.execute(
            update(table)
            .where(table.c.suspense_id == suspense_id, table.c.status == "held")
            .values(
                status="released",
                released_to=to,
                released_by=by,
                released_at=at,
                release_reason=reason,
                release_transfer_id=transfer_id,
            )
        )

    # --- obligations, positions, payments, statements -----------------------------------------------

    async def obligations(
        self,
        *,
        society_code: str | None,
        run_id: str | None,
        deadline_on_or_before: date | None,
        after: int,
        limit: int,
    ) -> list[Mapping[str, object]]:
        """Obligations, earliest deadline first."""
        table = orm.obligations
        query = select(table).order_by(table.c.deadline, table.c.obligation_id)
        if society_code:
            query = query.where(
                or_(table.c.debtor_code == society_code, table.c.creditor_code == society_code)
            )
        if run_id:
            query = query.where(table.c.run_id == run_id)
        if deadline_on_or_before:
            query = query.where(table.c.deadline <= deadline_on_or_before)
        rows = await self._session.execute(query.offset(after).limit(limit))
        return [dict(row._mapping) for row in rows]

    async def add_direct_obligation(
        self,
        *,
        group_id: str,
        debtor_code: str,
        creditor_code: str,
        currency_code: str,
        amount_minor: int,
        financial_year_end: date,
        deadline: date,
        reference: str,
    ) -> None:
        """An obligation outside any netting (released suspense) and the one payment that settles it.

        ``group_id`` stands where a run id stands, so the payment's confirmation settles the obligation
        exactly as a run's last payment settles the run's.
        """
        await self._session.execute(
            insert(orm.obligations).values(
                obligation_id=f"{group_id}/obl/0001",
                run_id=group_id,
                debtor_code=debtor_code,
                creditor_code=creditor_code,
                currency_code=currency_code,
                amount_minor=amount_minor,
                settlement_currency_code=currency_code,
                settlement_amount_minor=amount_minor,
                financial_year_end=financial_year_end,
                deadline=deadline,
                paid_on=None,
            )
        )
        await self._session.execute(
            insert(orm.payment_instructions).values(
                instruction_id=f"{group_id}/pay/1",
                run_id=group_id,
                payer_code=debtor_code,
                payee_code=creditor_code,
                currency_code=currency_code,
                amount_minor=amount_minor,
                due_date=deadline,
                reference=reference,
                paid_on=None,
                bank_reference=None,
                confirmed_by=None,
            )
        )

    async def payment_instruction(self, instruction_id: str) -> Mapping[str, object] | None:
        """One payment instruction."""
        table = orm.payment_instructions
        row = (
            await self._session.execute(select(table).where(table.c.instruction_id == instruction_id))
        ).one_or_none()
        return None if row is None else dict(row._mapping)

    async def confirm_payment(
        self, instruction_id: str, *, paid_on: date, bank_reference: str, by: str
    ) -> None:
        """Record that an unpaid instruction was paid."""
        table = orm.payment_instructions
        await self._session.execute(
            update(table)
            .where(table.c.instruction_id == instruction_id, table.c.paid_on.is_(None))
            .values(paid_on=paid_on, bank_reference=bank_reference, confirmed_by=by)
        )

    async def unpaid_instructions(self, run_id: str) -> int:
        """How many of a run's payment instructions are not confirmed paid."""
        table = orm.payment_instructions
        count = await self._session.scalar(
            select(func.count()).select_from(table).where(table.c.run_id == run_id, table.c.paid_on.is_(None))
        )
        return int(count or 0)

    async def last_payment_day(self, run_id: str) -> date | None:
        """The day the last of a run's payments was made."""
        table = orm.payment_instructions
        found: date | None = await self._session.scalar(
            select(func.max(table.c.paid_on)).where(table.c.run_id == run_id)
        )
        return found

    async def settle_obligations(self, run_id: str, paid_on: date) -> int:
        """Mark a run's open obligations paid; how many were."""
        table = orm.obligations
        result = await self._session.execute(
            update(table).where(table.c.run_id == run_id, table.c.paid_on.is_(None)).values(paid_on=paid_on)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def earliest_open_deadline(self) -> date | None:
        """The earliest deadline of an unpaid obligation."""
        table = orm.obligations
        found: date | None = await self._session.scalar(
            select(func.min(table.c.deadline)).where(table.c.paid_on.is_(None))
        )
        return found

    async def net_positions(self, run_id: str) -> list[Mapping[str, object]]:
        """A run's net positions, by society code."""
        table = orm.net_positions
        rows = await self._session.execute(
            select(table).where(table.c.run_id == run_id).order_by(table.c.society_code)
        )
        return [dict(row._mapping) for row in rows]

    async def payment_instructions(
        self, *, run_id: str | None, society_code: str | None, after: int, limit: int
    ) -> list[Mapping[str, object]]:
        """Payment instructions by due date."""
        table = orm.payment_instructions
        query = select(table).order_by(table.c.due_date, table.c.instruction_id)
        if run_id:
            query = query.where(table.c.run_id == run_id)
        if society_code:
            query = query.where(or_(table.c.payer_code == society_code, table.c.payee_code == society_code))
        rows = await self._session.execute(query.offset(after).limit(limit))
        return [dict(row._mapping) for row in rows]

    async def statement_lines(self, run_id: str, society_code: str) -> AsyncIterator[StatementRow]:
        """A society's statement lines for a run, in order, streamed."""
        table = orm.statement_lines
        query = (
            select(table)
            .where(table.c.run_id == run_id, table.c.society_code == society_code)
            .order_by(table.c.line_seq)
        )
        result = await self._session.stream(query.execution_options(yield_per=INSERT_BATCH_ROWS))
        async for row in result:
            values = dict(row._mapping)
            del values["run_id"]
            yield StatementRow(**values)

    # --- FX rates -----------------------------------------------------------------------------

    async def rates_on(self, dates: Iterable[date]) -> list[FxRate]:
        """Stored rates of the given reference dates."""
        table = orm.fx_rates
        rows = await self._session.execute(select(table).where(table.c.rate_date.in_(sorted(set(dates)))))
        return [_rate_of(row) for row in rows]

    async def list_rates(self, rate_date: date | None, after: int, limit: int) -> list[FxRate]:
        """Stored rates by date, base and quote."""
        table = orm.fx_rates
        query = select(table).order_by(
            table.c.rate_date, table.c.base_currency_code, table.c.quote_currency_code, table.c.source
        )
        if rate_date is not None:
            query = query.where(table.c.rate_date == rate_date)
        return [_rate_of(row) for row in await self._session.execute(query.offset(after).limit(limit))]

    async def add_rates(self, rates: Sequence[FxRate], now: datetime) -> None:
        """Store new rates."""
        await self._insert_many(
            orm.fx_rates,
            [
                {
                    "rate_date": r.rate_date,
                    "base_currency_code": r.base_currency_code,
                    "quote_currency_code": r.quote_currency_code,
                    "source": r.source,
                    "rate_ppb": r.rate_ppb,
                    "loaded_at": now,
                }
                for r in rates
            ],
        )

    # --- request log --------------------------------------------------------------------------

    async def logged_request(self, request_id: str) -> tuple[str, str, bytes] | None:
        """(operation, fingerprint, response) of an earlier request with this id."""
        row = (
            await self._session.execute(
                select(orm.request_log).where(orm.request_log.c.request_id == request_id)
            )
        ).one_or_none()
        return None if row is None else (row.operation, row.fingerprint, row.response)

    async def log_request(self, request_id: str, operation: str, fingerprint: str, response: bytes) -> None:
        """Remember a request's answer."""
        await self._session.execute(
            insert(orm.request_log).values(
                request_id=request_id, operation=operation, fingerprint=fingerprint, response=response
            )
        )


def _utc(stamp: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def _transfer_of(row: object) -> ledger.Transfer:
    return ledger.Transfer(
        transfer_id=row.transfer_id,  # type: ignore[attr-defined]
        debit_account_id=row.debit_account_id,  # type: ignore[attr-defined]
        credit_account_id=row.credit_account_id,  # type: ignore[attr-defined]
        currency_code=row.currency_code,  # type: ignore[attr-defined]
        amount_minor=row.amount_minor,  # type: ignore[attr-defined]
        code=row.code,  # type: ignore[attr-defined]
        description=row.description,  # type: ignore[attr-defined]
        run_id=row.run_id,  # type: ignore[attr-defined]
        reverses_transfer_id=row.reverses_transfer_id or "",  # type: ignore[attr-defined]
    )


def _suspense_of(row: object) -> StoredSuspense:
    values = dict(row._mapping)  # type: ignore[attr-defined]
    values["held_at"] = _utc(values["held_at"])
    if values["released_at"] is not None:
        values["released_at"] = _utc(values["released_at"])
    return StoredSuspense(**values)


def _rate_of(row: object) -> FxRate:
    return FxRate(
        row.base_currency_code,  # type: ignore[attr-defined]
        row.quote_currency_code,  # type: ignore[attr-defined]
        row.rate_ppb,  # type: ignore[attr-defined]
        row.rate_date,  # type: ignore[attr-defined]
        row.source,  # type: ignore[attr-defined]
    )
