"""A society's statement as files it can load: CSV, and a fixed-width file shaped like CISAC CRD.

Both are rendered from the stored statement lines, in their stored order, with no clock or random input,
so the same run gives the same bytes. ``docs/settlement-formats.md`` documents every column and record.

The CRD-shaped file follows the structure of the CISAC Common Royalty Distribution format (header,
group, a distribution notification, then per work a work record, its interested parties and their
royalty records, group and file trailers), with record layouts of our own: it is CRD-shaped, not a
certified CRD 3.0 file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from nordclear.platform.domain.money import Money
from nordclear.platform.domain.territories import Territory


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One stored statement line, with the work's and party's names for display."""

    line_seq: int
    society_code: str
    hub_code: str
    licence_id: str
    licensee_id: str
    report_id: str
    work_id: str
    iswc: str
    title: str
    party_key: str
    party_name: str
    ipi_name_number: str
    right_code: str
    share_bp: int
    stage: str
    territory: str
    period_start: date
    period_end: date
    currency_code: str
    amount_minor: int
    settlement_amount_minor: int


@dataclass(frozen=True, slots=True)
class StatementHead:
    """What the whole file is about."""

    run_id: str
    society_code: str
    period_start: date
    period_end: date
    settlement_currency_code: str
    created_on: date


CSV_COLUMNS = (
    "run_id",
    "society_code",
    "line",
    "hub_society_code",
    "licence_id",
    "licensee_id",
    "report_id",
    "work_id",
    "iswc",
    "title",
    "party_key",
    "party_name",
    "ipi_name_number",
    "right",
    "share_bp",
    "stage",
    "territory",
    "period_start",
    "period_end",
    "currency",
    "amount",
    "amount_minor",
    "settlement_currency",
    "settlement_amount",
    "settlement_amount_minor",
)


class CsvStatement:
    """The CSV file, written incrementally: ``start()``, ``rows(...)`` as often as needed, ``finish()``."""

    def __init__(self, head: StatementHead) -> None:
        self._head = head
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def start(self) -> bytes:
        """The header row."""
        self._writer.writerow(CSV_COLUMNS)
        return self._take()

    def rows(self, rows: Iterable[StatementRow]) -> bytes:
        """The rows' lines."""
        head = self._head
        for row in rows:
            self._writer.writerow(
                (
                    head.run_id,
                    row.society_code,
                    row.line_seq,
                    row.hub_code,
                    row.licence_id,
                    row.licensee_id,
                    row.report_id,
                    row.work_id,
                    row.iswc,
                    row.title,
                    row.party_key,
                    row.party_name,
                    row.ipi_name_number,
                    row.right_code,
                    row.share_bp,
                    row.stage,
                    row.territory,
                    row.period_start.isoformat(),
                    row.period_end.isoformat(),
                    row.currency_code,
                    Money.of(row.currency_code, row.amount_minor).to_decimal_string(),
                    row.amount_minor,
                    head.settlement_currency_code,
                    Money.of(head.settlement_currency_code, row.settlement_amount_minor).to_decimal_string(),
                    row.settlement_amount_minor,
                )
            )
        return self._take()

    def finish(self) -> bytes:
        """Nothing: a CSV file has no trailer."""
        return b""

    def _take(self) -> bytes:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode()


def _alpha(value: str, width: int) -> str:
    # Fixed-width text: ASCII-safe is not required (UTF-8 file), but the width is in characters.
    text = value.replace("\r", " ").replace("\n", " ")
    return text[:width].ljust(width)


def _number(value: int, width: int) -> str:
    if value < 0:
        return "-" + str(-value).rjust(width - 1, "0")
    return str(value).rjust(width, "0")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


class CrdStatement:
    """The CRD-shaped file, written incrementally: ``start()``, ``rows(...)``, ``finish()``."""

    def __init__(self, head: StatementHead) -> None:
        self._head = head
        self._out: list[str] = []
        self._transaction = self._record = 0
        self._group_records = 0
        self._totals: dict[str, int] = {}
        self._settlement_total = 0
        self._previous_work: tuple[str, str, str, str] | None = None
        self._previous_party: tuple[str, str, int] | None = None
        self._currency = _alpha(head.settlement_currency_code, 3)

    def start(self) -> bytes:
        """HDR, GRH and SDN."""
        head = self._head
        self._emit(
            "HDR",
            "SO",
            _alpha("NORDCLEAR", 9),
            _alpha("NORDIC AI CLEARING HOUSE", 45),
            "01.00",
            _day(head.created_on),
            _alpha(head.society_code, 3),
        )
        self._emit("GRH", "SDN", _number(1, 5), "01.00")
        self._emit(
            "SDN",
            _number(0, 8),
            _number(0, 8),
            _alpha(head.run_id, 40),
            _day(head.period_start),
            _day(head.period_end),
            self._currency,
            _alpha(head.society_code, 3),
        )
        self._group_records = 2
        return self._take()

    def rows(self, rows: Iterable[StatementRow]) -> bytes:
        """MWN, MIP and WER records for the rows."""
        for row in rows:
            work_key = (row.licence_id, row.report_id, row.work_id, row.stage)
            if work_key != self._previous_work:
                self._transaction += 1
                self._record = 0
                self._emit(
                    "MWN",
                    _number(self._transaction, 8),
                    _number(self._record, 8),
                    _alpha(row.work_id, 36),
                    _alpha(row.iswc, 11),
                    _alpha(row.title, 60),
                    _alpha(row.licence_id, 40),
                    _alpha(row.report_id, 40),
                )
                self._group_records += 1
                self._previous_work, self._previous_party = work_key, None
            party_key = (row.party_key, row.right_code, row.share_bp)
            if party_key != self._previous_party:
                self._record += 1
                self._emit(
                    "MIP",
                    _number(self._transaction, 8),
                    _number(self._record, 8),
                    _alpha(row.party_key, 36),
                    _alpha(row.party_name, 45),
                    _alpha(row.ipi_name_number, 11),
                    _alpha(row.right_code, 2),
                    _number(row.share_bp, 5),
                )
                self._group_records += 1
                self._previous_party = party_key
            self._record += 1
            self._emit(
                "WER",
                _number(self._transaction, 8),
                _number(self._record, 8),
                _alpha(row.stage.upper(), 8),
                _number(Territory(row.territory).tis_code, 4),
                _day(row.period_start),
                _day(row.period_end),
                _alpha(row.currency_code, 3),
                _number(row.amount_minor, 18),
                self._currency,
                _number(row.settlement_amount_minor, 18),
                _alpha(row.hub_code, 3),
                _alpha(row.licensee_id, 40),
            )
            self._group_records += 1
            self._totals[row.currency_code] = self._totals.get(row.currency_code, 0) + row.amount_minor
            self._settlement_total += row.settlement_amount_minor
        return self._take()

    def finish(self) -> bytes:
        """GRT, one CTL per currency, TRL."""
        group_records = self._group_records + 1  # The GRT itself.
        self._emit("GRT", _number(1, 5), _number(self._transaction, 8), _number(group_records, 8))
        for currency in sorted(self._totals):
            self._emit("CTL", _alpha(currency, 3), _number(self._totals[currency], 18))
        # HDR and TRL around the group, and one CTL per currency.
        file_records = group_records + 2 + len(self._totals)
        self._emit(
            "TRL",
            _number(1, 5),
            _number(self._transaction, 8),
            _number(file_records, 8),
            self._currency,
            _number(self._settlement_total, 18),
        )
        return self._take()

    def _emit(self, *fields: str) -> None:
        self._out.append("".join(fields) + "\r\n")

    def _take(self) -> bytes:
        text = "".join(self._out)
        self._out.clear()
        return text.encode()


StatementWriter = CsvStatement | CrdStatement


def _chunks(writer: StatementWriter, rows: Iterable[StatementRow], rows_per_chunk: int) -> Iterator[bytes]:
    yield writer.start()
    batch: list[StatementRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == rows_per_chunk:
            yield writer.rows(batch)
            batch = []
    yield writer.rows(batch)
    yield writer.finish()


def csv_chunks(
    head: StatementHead, rows: Iterable[StatementRow], rows_per_chunk: int = 2_000
) -> Iterator[bytes]:
    """The CSV file (UTF-8, comma, CRLF, header row), in chunks of about ``rows_per_chunk`` lines."""
    return _chunks(CsvStatement(head), rows, rows_per_chunk)


def crd_chunks(
    head: StatementHead, rows: Iterable[StatementRow], rows_per_chunk: int = 2_000
) -> Iterator[bytes]:
    """The CRD-shaped file (UTF-8, one record per CRLF-terminated line), in chunks."""
    return _chunks(CrdStatement(head), rows, rows_per_chunk)


def file_name(head: StatementHead, extension: str) -> str:
    """``<run>_<society>_<period>.<ext>``, with characters unsafe in file names replaced."""
    safe_run = "".join(c if c.isalnum() or c in "-_." else "_" for c in head.run_id)
    return f"{safe_run}_{head.society_code}_{_day(head.period_start)}-{_day(head.period_end)}.{extension}"
