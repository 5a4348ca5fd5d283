"""Shared helpers of the CWR conversion tests: real files in domain form, and written files read back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from nordclear.platform.domain.societies import STIM
from nordclear.repertoire.cwr import Level, Transaction, read_cwr
from nordclear.repertoire.cwr.envelope import CwrSender
from nordclear.repertoire.cwr.to_domain import ImportedWork, work_from_transaction
from tests.unit.repertoire.cwr.cwr_reading import Reading, collect, read_fixture

IMPORTING_SOCIETY = STIM
"""The member society that imports the test files."""
CLEARING_HOUSE = CwrSender.society("079", "STIM")
CREATED_AT = datetime(2024, 5, 2, 8, 30, 15)
PROCESSING_DATE = date(2024, 5, 2)
REGISTRATION_FIXTURES = (
    "CW220001DMP_000.V21",
    "CW220004DMP_000.V21",
    "nwrexample2.V21",
    "revexample.V21",
    "demo_cwr_cleaned.v22",
    "CW220001000_DMP.V21",
    "CW220001052_DMP.V21",
)
"""Every fixture that carries works: registrations, and acknowledgements that carry the acknowledged work."""


def carries_work(transaction: Transaction) -> bool:
    """Whether ``work_from_transaction`` accepts the transaction (a work, or an ACK carrying one)."""
    return transaction.work is not None or any(
        record.record_type in ("NWR", "REV", "ISW", "EXC") for record in transaction.records
    )


def imported(transactions: Iterable[Transaction]) -> list[ImportedWork]:
    """Each work transaction of ``transactions`` in domain form (the others are skipped)."""
    return [work_from_transaction(t, IMPORTING_SOCIETY) for t in transactions if carries_work(t)]


def imported_fixture(name: str) -> list[ImportedWork]:
    """The works of a fixture file, read without expecting a kind (acknowledgements carry works too)."""
    return imported(read_fixture(name).transactions)


def read_back(lines: Iterable[str]) -> tuple[Reading, list[ImportedWork]]:
    """Read written lines with the reader and convert their works."""
    reading = collect(read_cwr(lines))
    return reading, imported(reading.transactions)


def summary(work: ImportedWork) -> list[tuple[int, str, str, Level, str]]:
    """(record number, record type, field, level, rule code or the reader's rule) of each problem."""
    return [(p.record_number, p.record_type, p.field, p.severity, rule_code(p.rule)) for p in work.problems]


def rule_code(rule: str) -> str:
    """The ``[CODE]`` a conversion or domain rule ends with, else the rule itself."""
    return rule.rsplit("[", 1)[1].rstrip("]") if rule.endswith("]") else rule
