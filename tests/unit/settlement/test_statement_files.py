"""Statement files: the CSV and the CRD-shaped file, exact amounts, stable bytes, consistent trailers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from nordclear.settlement.domain.statement_files import (
    CSV_COLUMNS,
    StatementHead,
    StatementRow,
    crd_chunks,
    csv_chunks,
    file_name,
)

pytestmark = pytest.mark.unit

HEAD = StatementHead("2026-Q1", "040", date(2026, 1, 1), date(2026, 3, 31), "EUR", date(2026, 4, 2))


def _row(
    seq: int, work_id: str, party_key: str, right: str, amount: int, currency: str = "SEK"
) -> StatementRow:
    return StatementRow(
        line_seq=seq,
        society_code="040",
        hub_code="079",
        licence_id="lic-1",
        licensee_id="acme",
        report_id="out-1",
        work_id=work_id,
        iswc="T0700000049",
        title="Den danske sang",
        party_key=party_key,
        party_name="Carl Nielsen",
        ipi_name_number="00014107338",
        right_code=right,
        share_bp=5_000,
        stage="output",
        territory="DK",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        currency_code=currency,
        amount_minor=amount,
        settlement_amount_minor=amount // 11,
    )


ROWS = [
    _row(1, "w-dk", "dk-writer", "MR", 12_345),
    _row(2, "w-dk", "dk-writer", "PR", 12_346),
    _row(3, "w-is", "is-writer", "PR", 999, "ISK"),
]


def test_the_csv_has_a_header_and_exact_amounts_in_major_and_minor_units() -> None:
    text = b"".join(csv_chunks(HEAD, ROWS, rows_per_chunk=1)).decode()

    records = list(csv.DictReader(io.StringIO(text)))
    assert list(records[0]) == list(CSV_COLUMNS)
    assert [(r["amount"], r["amount_minor"], r["currency"]) for r in records] == [
        ("123.45", "12345", "SEK"),
        ("123.46", "12346", "SEK"),
        ("999", "999", "ISK"),
    ]
    assert records[0]["settlement_amount"] == "11.22"
    assert text.endswith("\r\n")


def test_the_crd_file_groups_lines_by_work_and_party_and_its_trailers_count_and_total() -> None:
    lines = b"".join(crd_chunks(HEAD, ROWS, rows_per_chunk=1)).decode().split("\r\n")[:-1]

    assert [line[:3] for line in lines] == [
        "HDR",
        "GRH",
        "SDN",
        "MWN",
        "MIP",
        "WER",
        "MIP",
        "WER",
        "MWN",
        "MIP",
        "WER",
        "GRT",
        "CTL",
        "CTL",
        "TRL",
    ]
    trailer = lines[-1]
    assert int(trailer[16:24]) == len(lines), "the file trailer counts every record"
    assert trailer[24:27] == "EUR"
    assert int(trailer[27:45]) == sum(row.settlement_amount_minor for row in ROWS)
    assert lines[-3] == "CTLISK" + "999".rjust(18, "0")
    assert lines[-2] == "CTLSEK" + str(12_345 + 12_346).rjust(18, "0")
    wer = lines[5]
    assert wer[27:31] == "0208", "territories are CISAC TIS-N codes"


def test_the_same_lines_give_the_same_bytes_whatever_the_chunking() -> None:
    assert b"".join(crd_chunks(HEAD, ROWS, 1)) == b"".join(crd_chunks(HEAD, ROWS, 1_000))
    assert b"".join(csv_chunks(HEAD, ROWS, 1)) == b"".join(csv_chunks(HEAD, ROWS, 1_000))


def test_file_names_are_safe() -> None:
    assert file_name(
        StatementHead("run/1 x", "040", date(2026, 1, 1), date(2026, 3, 31), "EUR", date(2026, 4, 1)), "crd"
    ) == ("run_1_x_040_20260101-20260331.crd")
