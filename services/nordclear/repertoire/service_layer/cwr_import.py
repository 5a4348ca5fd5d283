"""Importing a society's CWR registration file, answered by a CWR acknowledgement file.

Three passes over the spooled file, none holding the file in memory:

1. read it whole: file- and group-level problems (trailer counts, a wrong kind of file) are only known at
   the end, and a file rejected as a whole must change nothing;
2. read it again and store each transaction on its own: valid works are registered (or, when the
   society already registered the same submitter work number, updated), invalid ones rejected with
   their problems, ISWC clashes answered as conflicts;
3. the acknowledgement, one ACK per transaction, written from the outcomes of pass 2.

Each stored transaction is its own idempotent write (request id = the import's request id, the group and
the transaction sequence), so a retried import never registers a work twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from sqlalchemy.exc import IntegrityError

from nordclear.platform.domain.societies import Society
from nordclear.platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument, PermissionDenied
from nordclear.repertoire.adapters.repository import encode_work
from nordclear.repertoire.adapters.unit_of_work import RepertoireUnitOfWork
from nordclear.repertoire.cwr.ack import (
    Accepted,
    AckEntry,
    Conflict,
    Outcome,
    Rejected,
    TransactionStatus,
    ack_entry,
    acknowledgement_lines,
    rejected_file_lines,
)
from nordclear.repertoire.cwr.envelope import CwrSender
from nordclear.repertoire.cwr.items import GroupSummary, Transaction
from nordclear.repertoire.cwr.problems import CwrFileRejected, CwrProblem, Level
from nordclear.repertoire.cwr.reader import read_cwr_stream
from nordclear.repertoire.cwr.records import FileKind, TransmissionHeader
from nordclear.repertoire.cwr.to_domain import work_from_transaction
from nordclear.repertoire.domain.work import Work
from nordclear.repertoire.service_layer.services import Caller, register_work_in, update_work_in

BATCH = 200


@dataclass
class ImportReport:
    """What an import did: the file's header, each transaction's ACK entry, the ACK file's lines."""

    header: TransmissionHeader | None
    rejected_file: CwrFileRejected | None
    entries: list[AckEntry] = field(default_factory=list)
    ack_lines: list[str] = field(default_factory=list)

    @property
    def status_counts(self) -> Counter[TransactionStatus]:
        """How many transactions got each status."""
        return Counter(entry.status for entry in self.entries)

    @property
    def problems(self) -> list[CwrProblem]:
        """Every problem reported, file-level ones first."""
        found = list(self.rejected_file.problems) if self.rejected_file else []
        for entry in self.entries:
            found += [CwrProblem(0, m.record_type, "", "", m.text, Level.TRANSACTION) for m in entry.messages]
        return found


async def import_cwr(
    uow_factory: Callable[[], RepertoireUnitOfWork],
    source: IO[bytes],
    *,
    request_id: str,
    society: Society,
    caller: Caller,
    dry_run: bool,
    now: datetime,
) -> ImportReport:
    """Import ``source`` (seekable) for ``society``; every transaction is accepted or rejected on its own."""
    if not caller.may_write_for(society):
        raise PermissionDenied(f"{caller.description} may not import works for {society.name}")
    sender = CwrSender.society(society.cisac_code, society.name)
    header, rejected_groups, rejection = await asyncio.to_thread(_check_whole_file, source)
    if rejection is not None:
        lines = list(
            rejected_file_lines(rejection, header, sender=sender, created_at=now, processing_date=now.date())
        )
        return ImportReport(header=header, rejected_file=rejection, ack_lines=lines)
    assert header is not None, "a file read to its end without rejection has a header"
    report = ImportReport(header=header, rejected_file=None)
    source.seek(0)
    transactions = (item for item in read_cwr_stream(source) if isinstance(item, Transaction))
    context = _Context(rejected_groups, request_id, society, caller, dry_run, now)
    while batch := await asyncio.to_thread(lambda: list(itertools.islice(transactions, BATCH))):
        outcomes = await _store_batch(uow_factory, batch, context)
        report.entries.extend(
            ack_entry(transaction, outcome) for transaction, outcome in zip(batch, outcomes, strict=True)
        )
    report.ack_lines = list(
        acknowledgement_lines(
            header, report.entries, sender=sender, created_at=now, processing_date=now.date()
        )
    )
    return report


def _check_whole_file(
    source: IO[bytes],
) -> tuple[TransmissionHeader | None, dict[int, tuple[CwrProblem, ...]], CwrFileRejected | None]:
    header: TransmissionHeader | None = None
    rejected_groups: dict[int, tuple[CwrProblem, ...]] = {}
    try:
        for item in read_cwr_stream(source, expect=FileKind.REGISTRATION):
            if isinstance(item, TransmissionHeader):
                header = item
            elif isinstance(item, GroupSummary) and item.rejected:
                rejected_groups[item.header.group_id or 0] = item.problems
    except CwrFileRejected as rejection:
        return header, rejected_groups, rejection
    return header, rejected_groups, None


@dataclass(frozen=True)
class _Context:
    rejected_groups: dict[int, tuple[CwrProblem, ...]]
    request_id: str
    society: Society
    caller: Caller
    dry_run: bool
    now: datetime


async def _store_batch(
    uow_factory: Callable[[], RepertoireUnitOfWork], batch: list[Transaction], context: _Context
) -> list[Outcome]:
    """Store a batch in one database transaction; each transaction still gets its own outcome.

    Every check of a write runs before it writes, so a refused transaction leaves the batch untouched.
    Only a write the checks could not foresee (another writer got there first) fails the batch, which is
    then stored again one transaction at a time.
    """
    try:
        async with uow_factory() as uow:
            outcomes = [await _store(uow, transaction, context) for transaction in batch]
            await uow.commit()
        return outcomes
    except IntegrityError:
        alone = []
        for transaction in batch:
            async with uow_factory() as uow:
                alone.append(await _store(uow, transaction, context))
                await uow.commit()
        return alone


async def _store(uow: RepertoireUnitOfWork, transaction: Transaction, context: _Context) -> Outcome:
    if transaction.group_id in context.rejected_groups:
        return Rejected(context.rejected_groups[transaction.group_id])
    try:
        imported = work_from_transaction(transaction, context.society)
    except ValueError as error:
        problem = CwrProblem(
            transaction.header.record_number,
            transaction.transaction_type,
            "record_type",
            transaction.transaction_type,
            str(error),
            Level.TRANSACTION,
        )
        return Rejected((*transaction.problems, problem))
    if imported.rejected:
        return Rejected(imported.problems)
    if context.dry_run:
        return Accepted("", imported.problems)
    sequence = transaction.header.transaction_sequence or 0
    transaction_id = f"{context.request_id}/{transaction.group_id}/{sequence}"
    fingerprint = hashlib.sha256(encode_work(imported.work)).hexdigest()
    try:
        existing = await _registered_as(uow, context.society, imported.submitter_work_number)
        if existing is None:
            written = await register_work_in(
                uow,
                request_id=transaction_id,
                fingerprint=fingerprint,
                draft=imported.work,
                caller=context.caller,
                now=context.now,
            )
        else:
            written = await update_work_in(
                uow,
                request_id=transaction_id,
                fingerprint=fingerprint,
                draft=_as_update(imported.work, existing),
                expected_revision=None,
                caller=context.caller,
                now=context.now,
            )
    except AlreadyExists as clash:
        return Conflict(str(clash)[:150], problems=imported.problems)
    except (InvalidArgument, FailedPrecondition) as refused:
        problem = CwrProblem(
            transaction.header.record_number,
            transaction.transaction_type,
            getattr(refused, "field", ""),
            str(getattr(refused, "value", "")),
            str(refused),
            Level.TRANSACTION,
        )
        return Rejected((*imported.problems, problem))
    return Accepted(written.work.work_id, imported.problems)


async def _registered_as(
    uow: RepertoireUnitOfWork, society: Society, submitter_work_number: str
) -> str | None:
    if not submitter_work_number:
        return None
    return await uow.works.work_id_for_society_id(society.cisac_code, submitter_work_number)


def _as_update(work: Work, work_id: str) -> Work:
    return dataclasses.replace(work, work_id=work_id)


def new_import_id() -> str:
    """A fresh import id."""
    return f"imp-{uuid.uuid4().hex[:16]}"


def lines_of(report: ImportReport) -> Iterator[bytes]:
    """The ACK file's bytes, a line at a time."""
    for line in report.ack_lines:
        yield line.encode()
