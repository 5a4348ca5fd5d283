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
import io
import itertools
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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
    AckFileWriter,
    Conflict,
    Outcome,
    Rejected,
    TransactionStatus,
    ack_entry,
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


KEPT_PROBLEMS = 1_000
"""Problems kept for the import's answer; all of them are in the ACK file, however many there are."""

ACK_SPOOL_BYTES = 8 * 1024 * 1024
"""An ACK file up to this size stays in memory; a larger one goes to a temporary file."""


@dataclass
class ImportReport:
    """What an import did: the file's header, counts, the first problems and the ACK file itself.

    Nothing here grows with the file but ``ack``, which spills to disk beyond ``ACK_SPOOL_BYTES``.
    """

    header: TransmissionHeader | None
    rejected_file: CwrFileRejected | None
    ack: IO[bytes]
    status_counts: Counter[TransactionStatus] = field(default_factory=Counter)
    transactions_total: int = 0
    problems: list[CwrProblem] = field(default_factory=list)
    """The first ``KEPT_PROBLEMS`` problems, file-level ones first."""
    problems_total: int = 0

    def append_ack(self, lines: Iterable[str]) -> None:
        self.ack.write("".join(lines).encode())

    def tally(self, entry: AckEntry) -> None:
        self.transactions_total += 1
        self.status_counts[entry.status] += 1
        for message in entry.messages:
            self.problems_total += 1
            if len(self.problems) < KEPT_PROBLEMS:
                self.problems.append(
                    CwrProblem(0, message.record_type, "", "", message.text, Level.TRANSACTION)
                )

    def ack_size_bytes(self) -> int:
        """The ACK file's length."""
        self.ack.seek(0, io.SEEK_END)
        return self.ack.tell()

    def ack_chunks(self, chunk_bytes: int) -> Iterator[bytes]:
        """The ACK file from its start, in pieces of at most ``chunk_bytes``."""
        self.ack.seek(0)
        while chunk := self.ack.read(chunk_bytes):
            yield chunk


def new_ack_spool() -> IO[bytes]:
    """Where an import writes its ACK file (memory first, disk when large); the caller closes it."""
    return tempfile.SpooledTemporaryFile(max_size=ACK_SPOOL_BYTES, mode="w+b")


async def import_cwr(
    uow_factory: Callable[[], RepertoireUnitOfWork],
    source: IO[bytes],
    ack: IO[bytes],
    *,
    request_id: str,
    society: Society,
    caller: Caller,
    dry_run: bool,
    now: datetime,
) -> ImportReport:
    """Import ``source`` (seekable) for ``society``, writing the ACK file to ``ack``.

    Every transaction is accepted or rejected on its own.
    """
    if not caller.may_write_for(society):
        raise PermissionDenied(f"{caller.description} may not import works for {society.name}")
    sender = CwrSender.society(society.cisac_code, society.name)
    header, rejected_groups, rejection = await asyncio.to_thread(_check_whole_file, source)
    if rejection is not None:
        report = ImportReport(header=header, rejected_file=rejection, ack=ack)
        report.problems = list(rejection.problems[:KEPT_PROBLEMS])
        report.problems_total = len(rejection.problems)
        report.append_ack(
            rejected_file_lines(rejection, header, sender=sender, created_at=now, processing_date=now.date())
        )
        return report
    assert header is not None, "a file read to its end without rejection has a header"
    report = ImportReport(header=header, rejected_file=None, ack=ack)
    writer = AckFileWriter(header, sender=sender, created_at=now, processing_date=now.date())
    report.append_ack(writer.begin())
    source.seek(0)
    transactions = (item for item in read_cwr_stream(source) if isinstance(item, Transaction))
    context = _Context(rejected_groups, request_id, society, caller, dry_run, now)
    while batch := await asyncio.to_thread(lambda: list(itertools.islice(transactions, BATCH))):
        outcomes = await _store_batch(uow_factory, batch, context)
        for transaction, outcome in zip(batch, outcomes, strict=True):
            entry = ack_entry(transaction, outcome)
            report.tally(entry)
            report.append_ack(writer.add(entry))
    report.append_ack(writer.end())
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
