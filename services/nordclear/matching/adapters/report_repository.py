"""Reading and writing reports, their lines, match units and review items, and licences (SQLAlchemy Core).

Lines are stored as received, a chunk of them per row; match units one per row, so that a report's
counts, its open units and the review queue are plain indexed queries. Inserts are batched
(``executemany``): a million-line report is a thousand statements, not a million.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Table, and_, delete, func, insert, literal, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.gen.common.v1 import audit_pb2
from nordclear.gen.events.v1 import envelope_pb2
from nordclear.gen.matching.v1 import report_pb2
from nordclear.matching.adapters import report_proto
from nordclear.matching.adapters.orm import (
    licences,
    line_flags,
    match_units,
    messaging,
    report_line_chunks,
    reports,
    request_log,
    review_items,
    staged_events,
)
from nordclear.matching.domain.licence import Licence, LicenceStatus
from nordclear.matching.domain.model import (
    DateRange,
    LineFlag,
    MatchMethod,
    MatchStatus,
    ReportFormat,
    ReportKind,
    ReportStatus,
    Stage,
    Violation,
)
from nordclear.matching.domain.report import (
    Report,
    ReportHeader,
    ReviewCandidate,
    Reviewer,
    ReviewItem,
    ReviewStatus,
    StoredUnit,
    UnitCounts,
)
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import Aborted
from nordclear.platform.protoconv import timestamp_to_proto

_PRINCIPAL_KINDS = {
    "society": audit_pb2.PRINCIPAL_KIND_SOCIETY,
    "licensee": audit_pb2.PRINCIPAL_KIND_LICENSEE,
    "ops": audit_pb2.PRINCIPAL_KIND_OPS,
    "service": audit_pb2.PRINCIPAL_KIND_SERVICE,
}
_PRINCIPAL_KIND_NAMES = {value: name for name, value in _PRINCIPAL_KINDS.items()}
_REVIEW_STATUS_TO_PROTO = {
    ReviewStatus.OPEN: report_pb2.REVIEW_ITEM_STATUS_OPEN,
    ReviewStatus.ACCEPTED: report_pb2.REVIEW_ITEM_STATUS_ACCEPTED,
    ReviewStatus.MARKED_UNMATCHED: report_pb2.REVIEW_ITEM_STATUS_MARKED_UNMATCHED,
    ReviewStatus.SUPERSEDED: report_pb2.REVIEW_ITEM_STATUS_SUPERSEDED,
}


class LicenceRepository:
    """The licence read model."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, licence_id: str) -> Licence | None:
        """The licence, or None when matching has not heard of it."""
        row = (
            await self._session.execute(select(licences).where(licences.c.licence_id == licence_id))
        ).one_or_none()
        if row is None:
            return None
        return Licence(
            licence_id=row.licence_id,
            licensee_id=row.licensee_id,
            stages=frozenset(Stage(name) for name in row.stages.split(",") if name),
            territories=frozenset(Territory(code) for code in row.territories.split(",") if code),
            term=DateRange(row.term_start, row.term_end),
            status=LicenceStatus(row.status),
            status_since=row.status_since,
            output_label=row.output_label,
        )

    async def put(self, licence: Licence) -> None:
        """Insert or replace the licence."""
        await self._session.execute(delete(licences).where(licences.c.licence_id == licence.licence_id))
        await self._session.execute(
            insert(licences).values(
                licence_id=licence.licence_id,
                licensee_id=licence.licensee_id,
                stages=",".join(sorted(stage.value for stage in licence.stages)),
                territories=",".join(sorted(territory.value for territory in licence.territories)),
                term_start=licence.term.start,
                term_end=licence.term.end,
                status=licence.status.value,
                status_since=licence.status_since,
                output_label=licence.output_label,
            )
        )


class RequestLog:
    """Request ids already answered, with the answer, for idempotent retries."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, request_id: str) -> tuple[str, str, bytes] | None:
        """(operation, fingerprint, stored answer) of an earlier request with this id, or None."""
        row = (
            await self._session.execute(select(request_log).where(request_log.c.request_id == request_id))
        ).one_or_none()
        return None if row is None else (row.operation, row.fingerprint, row.result)

    async def add(self, request_id: str, operation: str, fingerprint: str, result: bytes) -> None:
        """Remember the answer to ``request_id``."""
        await self._session.execute(
            insert(request_log).values(
                request_id=request_id, operation=operation, fingerprint=fingerprint, result=result
            )
        )


class ReportRepository:
    """Reports with their chunks of lines, flags, match units, staged events and review items."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # Reports -------------------------------------------------------------------------------------

    async def find(self, licensee_id: str, report_id: str) -> Report | None:
        """The licensee's report with this id (in any status), or None."""
        row = (
            await self._session.execute(
                select(reports).where(reports.c.licensee_id == licensee_id, reports.c.report_id == report_id)
            )
        ).one_or_none()
        return None if row is None else _report(row)

    async def find_by_report_id(self, report_id: str) -> Report | None:
        """The accepted report with this id when exactly one licensee has one, else None."""
        rows = list(
            await self._session.execute(
                select(reports)
                .where(reports.c.report_id == report_id, reports.c.status != ReportStatus.RECEIVING.value)
                .limit(2)
            )
        )
        return _report(rows[0]) if len(rows) == 1 else None

    async def get(self, report_pk: str) -> Report | None:
        """The report by its internal key."""
        row = (
            await self._session.execute(select(reports).where(reports.c.report_pk == report_pk))
        ).one_or_none()
        return None if row is None else _report(row)

    async def create_receiving(self, report_pk: str, header: ReportHeader, now: datetime) -> None:
        """Claim the report id while its lines arrive; Aborted when another stream holds it."""
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(reports).values(
                        report_pk=report_pk,
                        licensee_id=header.licensee_id,
                        report_id=header.report_id,
                        kind=header.kind.value,
                        licence_id=header.licence_id,
                        period_start=header.period.start,
                        period_end=header.period.end,
                        attribution_provider=header.attribution_provider,
                        format=header.format.value,
                        status=ReportStatus.RECEIVING.value,
                        content_sha256="",
                        lines_total=0,
                        lines_flagged=0,
                        units_total=0,
                        errors_total=0,
                        errors="[]",
                        batch_count=0,
                        received_at=now,
                        status_changed_at=now,
                    )
                )
        except IntegrityError:
            raise Aborted(
                f"report_id {header.report_id!r} is being submitted by another stream right now; retry later"
            ) from None

    async def touch(self, report_pk: str, now: datetime) -> None:
        """Mark a receiving report as alive (a stale one is purged)."""
        await self._session.execute(
            update(reports).where(reports.c.report_pk == report_pk).values(status_changed_at=now)
        )

    async def finish(
        self,
        report_pk: str,
        *,
        status: ReportStatus,
        content_sha256: str,
        lines_total: int,
        lines_flagged: int,
        units_total: int,
        errors: Sequence[Violation],
        errors_total: int,
        batch_count: int,
        now: datetime,
    ) -> None:
        """Record how the report ended."""
        await self._session.execute(
            update(reports)
            .where(reports.c.report_pk == report_pk)
            .values(
                status=status.value,
                content_sha256=content_sha256,
                lines_total=lines_total,
                lines_flagged=lines_flagged,
                units_total=units_total,
                errors=json.dumps([[v.line_number, v.field, v.value, v.rule] for v in errors]),
                errors_total=errors_total,
                batch_count=batch_count,
                received_at=now,
                status_changed_at=now,
            )
        )

    async def mark_settled(self, licensee_id: str, report_id: str, now: datetime) -> bool:
        """Move a matched report to settled; False when there is no such matched report."""
        result = await self._session.execute(
            update(reports)
            .where(
                reports.c.licensee_id == licensee_id,
                reports.c.report_id == report_id,
                reports.c.status == ReportStatus.MATCHED.value,
            )
            .values(status=ReportStatus.SETTLED.value, status_changed_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_batch_count(self, report_pk: str, batch_count: int) -> None:
        """Record that the report's usage went out in ``batch_count`` batches so far."""
        await self._session.execute(
            update(reports).where(reports.c.report_pk == report_pk).values(batch_count=batch_count)
        )

    async def list_reports(
        self,
        *,
        licensee_id: str,
        licence_id: str,
        kind: ReportKind | None,
        status: ReportStatus | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Report]:
        """Reports newest first (received time, then key), never those still being received."""
        query = select(reports).where(reports.c.status != ReportStatus.RECEIVING.value)
        if licensee_id:
            query = query.where(reports.c.licensee_id == licensee_id)
        if licence_id:
            query = query.where(reports.c.licence_id == licence_id)
        if kind is not None:
            query = query.where(reports.c.kind == kind.value)
        if status is not None:
            query = query.where(reports.c.status == status.value)
        if after is not None:
            received_at, report_pk = after
            query = query.where(
                or_(
                    reports.c.received_at < received_at,
                    and_(reports.c.received_at == received_at, reports.c.report_pk < report_pk),
                )
            )
        query = query.order_by(reports.c.received_at.desc(), reports.c.report_pk.desc()).limit(limit)
        return [_report(row) for row in await self._session.execute(query)]

    async def purge_stale_receiving(self, before: datetime) -> int:
        """Delete reports whose stream stopped arriving before ``before`` (a crash mid-stream)."""
        stale = [
            row.report_pk
            for row in await self._session.execute(
                select(reports.c.report_pk).where(
                    reports.c.status == ReportStatus.RECEIVING.value, reports.c.status_changed_at < before
                )
            )
        ]
        for report_pk in stale:
            await self.discard(report_pk, keep_report=False)
        return len(stale)

    async def discard(self, report_pk: str, *, keep_report: bool) -> None:
        """Delete everything stored for a report's lines (and the report itself unless kept)."""
        for table in (staged_events, review_items, match_units, line_flags, report_line_chunks):
            await self._session.execute(delete(table).where(table.c.report_pk == report_pk))
        if not keep_report:
            await self._session.execute(delete(reports).where(reports.c.report_pk == report_pk))

    # Lines and units -----------------------------------------------------------------------------

    async def add_chunk(
        self, report_pk: str, chunk_no: int, first_line: int, last_line: int, payload: bytes
    ) -> None:
        """Store a chunk of lines as received."""
        await self._session.execute(
            insert(report_line_chunks).values(
                report_pk=report_pk,
                chunk_no=chunk_no,
                first_line=first_line,
                last_line=last_line,
                payload=payload,
            )
        )

    async def add_flags(self, report_pk: str, flags: Sequence[tuple[int, LineFlag]]) -> None:
        """Store the flags of lines."""
        if flags:
            rows: list[dict[str, object]] = [
                {"report_pk": report_pk, "line_number": n, "flag": flag.value} for n, flag in flags
            ]
            await _bulk_insert(self._session, line_flags, rows)

    async def add_units(self, report_pk: str, units: Sequence[StoredUnit]) -> None:
        """Store match units (through the driver directly: this is the hot path of a large report)."""
        if units:
            rows = [_unit_row(report_pk, unit) for unit in units]
            await _bulk_insert(self._session, match_units, rows)

    async def chunks(self, report_pk: str, from_line: int, to_line: int) -> list[bytes]:
        """The stored chunks holding lines ``from_line``..``to_line``, in order."""
        rows = await self._session.execute(
            select(report_line_chunks.c.payload)
            .where(
                report_line_chunks.c.report_pk == report_pk,
                report_line_chunks.c.last_line >= from_line,
                report_line_chunks.c.first_line <= to_line,
            )
            .order_by(report_line_chunks.c.chunk_no)
        )
        return [row.payload for row in rows]

    async def flags(self, report_pk: str, from_line: int, to_line: int) -> dict[int, set[LineFlag]]:
        """Flags of the lines in the range."""
        result: dict[int, set[LineFlag]] = {}
        for row in await self._session.execute(
            select(line_flags.c.line_number, line_flags.c.flag).where(
                line_flags.c.report_pk == report_pk,
                line_flags.c.line_number.between(from_line, to_line),
            )
        ):
            result.setdefault(row.line_number, set()).add(LineFlag(row.flag))
        return result

    async def units(self, report_pk: str, from_line: int, to_line: int) -> list[StoredUnit]:
        """Units of the lines in the range, in line and influence order."""
        rows = await self._session.execute(
            select(match_units)
            .where(
                match_units.c.report_pk == report_pk, match_units.c.line_number.between(from_line, to_line)
            )
            .order_by(match_units.c.line_number, match_units.c.influence_index)
        )
        return [_unit(row) for row in rows]

    async def line_numbers(
        self, report_pk: str, after_line: int, limit: int, status: MatchStatus | None, flagged_only: bool
    ) -> list[int]:
        """Line numbers after ``after_line`` passing the filters, in order (None: every line)."""
        if status is not None:
            query = (
                select(match_units.c.line_number)
                .where(
                    match_units.c.report_pk == report_pk,
                    match_units.c.status == status.value,
                    match_units.c.line_number > after_line,
                )
                .group_by(match_units.c.line_number)
            )
            if flagged_only:
                query = query.where(
                    match_units.c.line_number.in_(
                        select(line_flags.c.line_number).where(line_flags.c.report_pk == report_pk)
                    )
                )
            query = query.order_by(match_units.c.line_number).limit(limit)
        else:
            query = (
                select(line_flags.c.line_number)
                .where(line_flags.c.report_pk == report_pk, line_flags.c.line_number > after_line)
                .group_by(line_flags.c.line_number)
                .order_by(line_flags.c.line_number)
                .limit(limit)
            )
        return [row[0] for row in await self._session.execute(query)]

    async def unit_counts(self, report_pk: str) -> UnitCounts:
        """Units per status, and matched units per method."""
        counts = dict.fromkeys(MatchStatus, 0)
        by_method: dict[MatchMethod, int] = {}
        for row in await self._session.execute(
            select(match_units.c.status, match_units.c.method, func.count())
            .where(match_units.c.report_pk == report_pk)
            .group_by(match_units.c.status, match_units.c.method)
        ):
            status = MatchStatus(row[0])
            counts[status] += row[2]
            if status is MatchStatus.MATCHED and row[1]:
                method = MatchMethod(row[1])
                by_method[method] = by_method.get(method, 0) + row[2]
        return UnitCounts(
            counts[MatchStatus.MATCHED],
            counts[MatchStatus.IN_REVIEW],
            counts[MatchStatus.UNMATCHED],
            by_method,
        )

    async def open_units(
        self, report_pk: str | None, after: tuple[str, int, int], limit: int
    ) -> list[tuple[str, StoredUnit]]:
        """(report key, unit) of units unmatched or in review, of accepted reports, in key order."""
        query = (
            select(match_units)
            .join(reports, reports.c.report_pk == match_units.c.report_pk)
            .where(
                match_units.c.status.in_([MatchStatus.UNMATCHED.value, MatchStatus.IN_REVIEW.value]),
                reports.c.status.in_([ReportStatus.MATCHED.value, ReportStatus.SETTLED.value]),
                tuple_(match_units.c.report_pk, match_units.c.line_number, match_units.c.influence_index)
                > tuple_(literal(after[0]), literal(after[1]), literal(after[2])),
            )
            .order_by(match_units.c.report_pk, match_units.c.line_number, match_units.c.influence_index)
            .limit(limit)
        )
        if report_pk is not None:
            query = query.where(match_units.c.report_pk == report_pk)
        return [(row.report_pk, _unit(row)) for row in await self._session.execute(query)]

    async def update_unit(self, report_pk: str, unit: StoredUnit) -> None:
        """Replace a unit's match."""
        row = _unit_row(report_pk, unit)
        await self._session.execute(
            update(match_units)
            .where(
                match_units.c.report_pk == report_pk,
                match_units.c.line_number == unit.line_number,
                match_units.c.influence_index == unit.influence_index,
            )
            .values(
                **{
                    key: value
                    for key, value in row.items()
                    if key not in ("report_pk", "line_number", "influence_index")
                }
            )
        )

    async def max_revision(self, report_pk: str, line_number: int) -> int:
        """The highest revision among a line's units."""
        return int(
            await self._session.scalar(
                select(func.coalesce(func.max(match_units.c.revision), 0)).where(
                    match_units.c.report_pk == report_pk, match_units.c.line_number == line_number
                )
            )
            or 0
        )

    # Events held until the report is accepted ----------------------------------------------------

    async def stage_events(
        self, report_pk: str, staged: Sequence[tuple[int, str, envelope_pb2.EventEnvelope]]
    ) -> None:
        """Hold (sequence, topic, envelope) events of a report until it is accepted."""
        if staged:
            await self._session.execute(
                insert(staged_events),
                [
                    {
                        "report_pk": report_pk,
                        "seq": seq,
                        "event_id": envelope.event_id,
                        "event_type": envelope.event_type,
                        "topic": topic,
                        "message_key": envelope.aggregate_id,
                        "payload": envelope.SerializeToString(deterministic=True),
                    }
                    for seq, topic, envelope in staged
                ],
            )

    async def release_staged_events(self, report_pk: str, now: datetime) -> None:
        """Move a report's held events to the outbox, in sequence order, and forget them."""
        outbox = messaging.outbox
        source = (
            select(
                staged_events.c.event_id,
                staged_events.c.event_type,
                staged_events.c.topic,
                staged_events.c.message_key,
                staged_events.c.payload,
                literal(now, outbox.c.created_at.type).label("created_at"),
            )
            .where(staged_events.c.report_pk == report_pk)
            .order_by(staged_events.c.seq)
        )
        await self._session.execute(
            insert(outbox).from_select(
                ["event_id", "event_type", "topic", "message_key", "payload", "created_at"], source
            )
        )
        await self._session.execute(delete(staged_events).where(staged_events.c.report_pk == report_pk))

    # Review items --------------------------------------------------------------------------------

    async def add_review_items(self, items: Sequence[ReviewItem]) -> None:
        """Queue review items."""
        if items:
            await self._session.execute(insert(review_items), [_review_row(item) for item in items])

    async def review_item(self, review_item_id: str) -> ReviewItem | None:
        """One review item."""
        row = (
            await self._session.execute(
                select(review_items).where(review_items.c.review_item_id == review_item_id)
            )
        ).one_or_none()
        return None if row is None else review_from_document(row.document)

    async def save_review_item(self, item: ReviewItem) -> None:
        """Replace a review item's state."""
        row = _review_row(item)
        await self._session.execute(
            update(review_items)
            .where(review_items.c.review_item_id == item.review_item_id)
            .values(status=row["status"], resolved_at=row["resolved_at"], document=row["document"])
        )

    async def review_items(
        self,
        *,
        report_pk: str | None,
        licence_id: str,
        status: ReviewStatus,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[ReviewItem]:
        """Review items oldest first."""
        query = select(review_items.c.document, review_items.c.created_at).where(
            review_items.c.status == status.value,
            review_items.c.report_pk.in_(
                select(reports.c.report_pk).where(
                    reports.c.status.in_([ReportStatus.MATCHED.value, ReportStatus.SETTLED.value])
                )
            ),
        )
        if report_pk is not None:
            query = query.where(review_items.c.report_pk == report_pk)
        if licence_id:
            query = query.where(
                review_items.c.report_pk.in_(
                    select(reports.c.report_pk).where(reports.c.licence_id == licence_id)
                )
            )
        if after is not None:
            query = query.where(
                or_(
                    review_items.c.created_at > after[0],
                    and_(review_items.c.created_at == after[0], review_items.c.review_item_id > after[1]),
                )
            )
        query = query.order_by(review_items.c.created_at, review_items.c.review_item_id).limit(limit)
        return [review_from_document(row.document) for row in await self._session.execute(query)]

    async def open_review_count(self) -> int:
        """Items waiting for a person, over every report."""
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(review_items)
                .join(reports, reports.c.report_pk == review_items.c.report_pk)
                .where(
                    review_items.c.status == ReviewStatus.OPEN.value,
                    reports.c.status != ReportStatus.RECEIVING.value,
                )
            )
            or 0
        )


def _report(r: Row[Any]) -> Report:
    errors = tuple(Violation(*entry) for entry in json.loads(r.errors))
    return Report(
        report_pk=r.report_pk,
        header=ReportHeader(
            report_id=r.report_id,
            licensee_id=r.licensee_id,
            kind=ReportKind(r.kind),
            licence_id=r.licence_id,
            period=DateRange(r.period_start, r.period_end),
            attribution_provider=r.attribution_provider,
            format=ReportFormat(r.format),
        ),
        status=ReportStatus(r.status),
        content_sha256=r.content_sha256,
        lines_total=r.lines_total,
        lines_flagged=r.lines_flagged,
        units_total=r.units_total,
        errors=errors,
        errors_total=r.errors_total,
        batch_count=r.batch_count,
        received_at=r.received_at,
        status_changed_at=r.status_changed_at,
    )


async def _bulk_insert(session: AsyncSession, table: Table, rows: list[dict[str, object]]) -> None:
    """INSERT ``rows`` with the driver's own executemany, skipping SQLAlchemy's per-row statement work.

    Values still pass through each column type's bind processor (how SQLite stores a datetime, say), so
    what is stored is exactly what an ORM insert would store.
    """
    columns = list(rows[0])
    connection = await session.connection()
    dialect = connection.dialect
    processors = [table.c[column].type.bind_processor(dialect) for column in columns]
    style = dialect.paramstyle
    if style == "qmark":
        markers = ", ".join("?" for _ in columns)
    elif style == "numeric_dollar":
        markers = ", ".join(f"${number}" for number in range(1, len(columns) + 1))
    else:  # format / pyformat
        markers = ", ".join("%s" for _ in columns)
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({markers})"  # noqa: S608 - our own names
    values = [
        tuple(
            value if process is None or value is None else process(value)
            for value, process in zip((row[column] for column in columns), processors, strict=True)
        )
        for row in rows
    ]
    await connection.exec_driver_sql(statement, values)


def _unit_row(report_pk: str, unit: StoredUnit) -> dict[str, object]:
    # A matched unit's reference is not kept: only open units are matched again (the line is stored).
    reference = (
        b""
        if unit.status is MatchStatus.MATCHED
        else report_proto.reference_to_proto(unit.reference).SerializeToString(deterministic=True)
    )
    return {
        "report_pk": report_pk,
        "line_number": unit.line_number,
        "influence_index": unit.influence_index,
        # The enums are strings already: no .value lookup on the hot path.
        "status": unit.status,
        "work_id": unit.work_id,
        "recording_id": unit.recording_id,
        "method": unit.method or "",
        "confidence_bp": unit.confidence_bp,
        "revision": unit.revision,
        "review_item_id": unit.review_item_id,
        "matched_at": unit.matched_at,
        "reference": reference,
    }


def _unit(r: Row[Any]) -> StoredUnit:
    return StoredUnit(
        line_number=r.line_number,
        influence_index=r.influence_index,
        status=MatchStatus(r.status),
        work_id=r.work_id,
        recording_id=r.recording_id,
        method=MatchMethod(r.method) if r.method else None,
        confidence_bp=r.confidence_bp,
        revision=r.revision,
        review_item_id=r.review_item_id,
        matched_at=r.matched_at,
        reference=report_proto.reference_from_proto(report_pb2.UsageReference.FromString(r.reference)),
    )


def review_to_proto(item: ReviewItem) -> report_pb2.ReviewItem:
    """The protobuf form of a review item (also its stored document)."""
    message = report_pb2.ReviewItem(
        review_item_id=item.review_item_id,
        report_id=item.report_id,
        licence_id=item.licence_id,
        line_number=item.line_number,
        influence_index=item.influence_index,
        reference=report_proto.reference_to_proto(item.reference),
        candidates=[
            report_pb2.MatchCandidate(
                work_id=c.work_id,
                iswc=c.iswc,
                title=c.title,
                creator_names=list(c.creator_names),
                recording_id=c.recording_id,
                method=report_proto.METHOD_TO_PROTO[c.method],
                score_bp=c.score_bp,
            )
            for c in item.candidates
        ],
        status=_REVIEW_STATUS_TO_PROTO[item.status],
        resolved_work_id=item.resolved_work_id,
        note=item.note,
    )
    message.created_at.CopyFrom(timestamp_to_proto(item.created_at))
    if item.resolved_at is not None:
        message.resolved_at.CopyFrom(timestamp_to_proto(item.resolved_at))
    if item.resolved_by is not None:
        message.resolved_by.CopyFrom(
            audit_pb2.Actor(
                kind=_PRINCIPAL_KINDS.get(item.resolved_by.kind, audit_pb2.PRINCIPAL_KIND_UNSPECIFIED),
                principal_id=item.resolved_by.principal_id,
                display_name=item.resolved_by.principal_id,
            )
        )
    return message


def review_from_document(document: bytes) -> ReviewItem:
    """A review item from its stored document (the report key travels in a length-prefixed header)."""
    size = int.from_bytes(document[:2], "big")
    report_pk = document[2 : 2 + size].decode()
    message = report_pb2.ReviewItem.FromString(document[2 + size :])
    status = {value: key for key, value in _REVIEW_STATUS_TO_PROTO.items()}[message.status]
    resolved_by = (
        Reviewer(_PRINCIPAL_KIND_NAMES.get(message.resolved_by.kind, "ops"), message.resolved_by.principal_id)
        if message.HasField("resolved_by")
        else None
    )
    return ReviewItem(
        review_item_id=message.review_item_id,
        report_pk=report_pk,
        report_id=message.report_id,
        licence_id=message.licence_id,
        line_number=message.line_number,
        influence_index=message.influence_index,
        reference=report_proto.reference_from_proto(message.reference),
        candidates=tuple(
            ReviewCandidate(
                work_id=c.work_id,
                iswc=c.iswc,
                title=c.title,
                creator_names=tuple(c.creator_names),
                recording_id=c.recording_id,
                method=report_proto.METHOD_FROM_PROTO[c.method],
                score_bp=c.score_bp,
            )
            for c in message.candidates
        ),
        status=status,
        created_at=message.created_at.ToDatetime(tzinfo=UTC),
        resolved_at=message.resolved_at.ToDatetime(tzinfo=UTC) if message.HasField("resolved_at") else None,
        resolved_by=resolved_by,
        resolved_work_id=message.resolved_work_id,
        note=message.note,
    )


def _review_row(item: ReviewItem) -> dict[str, object]:
    key = item.report_pk.encode()
    document = len(key).to_bytes(2, "big") + key + review_to_proto(item).SerializeToString(deterministic=True)
    return {
        "review_item_id": item.review_item_id,
        "report_pk": item.report_pk,
        "line_number": item.line_number,
        "influence_index": item.influence_index,
        "status": item.status.value,
        "created_at": item.created_at,
        "resolved_at": item.resolved_at,
        "document": document,
    }
