"""Rules that need a whole work transaction: where its records sit, and its shares (BRIEF §3.3).

Share rules (CWR 2.1 §4.5.5 as the brief states them), each rejecting the transaction (TR), because a
work whose shares do not add up cannot be licensed or paid correctly:

- ownership per right (PR, MR, SR), summed over SPU, OPU, SWR and OWR, is 100 % or 0 %, within
  ±0.06 % (6 basis points, the rounding CWR allows for shares such as 33.33 %);
- publishers (SPU and OPU) own at most 50 % of PR, with the same tolerance;
- sub-publishers (SE), administrators (AM), income participants (PA) and substituted publishers (ES)
  own nothing: they collect through territory records, they do not own;
- at least one writer is a composer, author or composer/author (CA, A or C);
- collection shares (SPT and SWT records that include a territory) total at most 100 % per right and
  TIS code. Codes are compared as written: overlap between a country and a group containing it
  (for example 0752 Sweden inside 2136 World) is not resolved here.

Record placement (RR, the record is left out): SPT records directly follow the SPU they belong to, SWT
and PWR records the SWR they belong to (same interested party number; other records of the transaction
may come between, other parties may not).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from nordclear.repertoire.cwr.fields import FULL_SHARE_BP
from nordclear.repertoire.cwr.problems import CwrProblem, Level, problem
from nordclear.repertoire.cwr.records import (
    DetailRecord,
    PublisherForWriter,
    PublisherRecord,
    PublisherTerritory,
    WorkRecord,
    WriterRecord,
    WriterTerritory,
)

SHARE_TOLERANCE_BP: Final = 6
PUBLISHER_PR_CAP_BP: Final = 5_000
NON_OWNING_PUBLISHER_TYPES: Final = frozenset({"SE", "AM", "PA", "ES"})
ORIGINAL_CREATOR_DESIGNATIONS: Final = frozenset({"CA", "A", "C"})
RIGHTS: Final = ("pr", "mr", "sr")

_Party = PublisherRecord | WriterRecord
_Territory = PublisherTerritory | WriterTerritory


class RecordPlacement:
    """Follows the records of one transaction in order and says which ones sit in the wrong place."""

    __slots__ = ("_party",)

    def __init__(self) -> None:
        self._party: _Party | None = None

    def misplaced(self, record: DetailRecord) -> CwrProblem | None:
        """An RR problem if ``record`` does not follow the party it belongs to, else ``None``."""
        if isinstance(record, PublisherRecord | WriterRecord):
            self._party = record
        elif isinstance(record, PublisherTerritory):
            return _unattached(record, record.interested_party_number, self._party, "SPU")
        elif isinstance(record, WriterTerritory):
            return _unattached(record, record.interested_party_number, self._party, "SWR")
        elif isinstance(record, PublisherForWriter):
            return _unattached(record, record.writer_ip_number or None, self._party, "SWR")
        return None


def _unattached(
    record: DetailRecord, party_number: str | None, owner: _Party | None, owner_type: str
) -> CwrProblem | None:
    # Territory and publisher-for-writer records follow their party directly: the controlled party
    # (SPU or SWR) read last, with the same interested party number (a PWR may leave it blank).
    owner_number = (
        owner.interested_party_number if owner is not None and owner.record_type == owner_type else None
    )
    if owner_number is not None and party_number in (None, owner_number):
        return None
    if owner_number is None:
        rule = f"{record.record_type} must follow the {owner_type} it belongs to"
    else:
        rule = f"{record.record_type} must name the party of the {owner_type} before it ({owner_number})"
    field = "writer_ip_number" if isinstance(record, PublisherForWriter) else "interested_party_number"
    return problem(record.record_number, record.record_type, field, party_number or "", rule, Level.RECORD)


def check_shares(header: WorkRecord, records: Sequence[DetailRecord]) -> list[CwrProblem]:
    """Every share rule the transaction of ``header`` with detail ``records`` breaks (all TR)."""
    publishers = [record for record in records if isinstance(record, PublisherRecord)]
    writers = [record for record in records if isinstance(record, WriterRecord)]
    territories = [record for record in records if isinstance(record, PublisherTerritory | WriterTerritory)]
    return [
        *_ownership_totals(header, [*publishers, *writers]),
        *_publisher_pr_cap(header, publishers),
        *_non_owning_publishers(publishers),
        *_original_creator(header, writers),
        *_collection_per_territory(header, territories),
    ]


def _ownership_totals(header: WorkRecord, parties: Sequence[_Party]) -> list[CwrProblem]:
    totals_bp = [sum(shares_bp) for shares_bp in zip(*map(_ownership_bp, parties), strict=True)] or [0, 0, 0]
    return [
        _work_problem(
            header,
            f"{right}_ownership_total",
            _percent(total_bp),
            f"{right.upper()} ownership shares of all publishers and writers total 100 % or 0 % (±0.06 %)",
        )
        for right, total_bp in zip(RIGHTS, totals_bp, strict=True)
        if total_bp > SHARE_TOLERANCE_BP and abs(total_bp - FULL_SHARE_BP) > SHARE_TOLERANCE_BP
    ]


def _publisher_pr_cap(header: WorkRecord, publishers: Sequence[PublisherRecord]) -> list[CwrProblem]:
    total_bp = sum(publisher.pr_share_bp for publisher in publishers)
    if total_bp <= PUBLISHER_PR_CAP_BP + SHARE_TOLERANCE_BP:
        return []
    return [
        _work_problem(
            header, "publisher_pr_ownership_total", _percent(total_bp), "publishers own at most 50 % of PR"
        )
    ]


def _non_owning_publishers(publishers: Sequence[PublisherRecord]) -> list[CwrProblem]:
    problems = []
    for publisher in publishers:
        if publisher.publisher_type not in NON_OWNING_PUBLISHER_TYPES:
            continue
        for right, share_bp in zip(RIGHTS, _ownership_bp(publisher), strict=True):
            if share_bp:
                problems.append(
                    problem(
                        publisher.record_number,
                        publisher.record_type,
                        f"{right}_share",
                        _percent(share_bp),
                        f"a publisher of type {publisher.publisher_type} (SE, AM, PA, ES) owns no share",
                        Level.TRANSACTION,
                    )
                )
    return problems


def _original_creator(header: WorkRecord, writers: Sequence[WriterRecord]) -> list[CwrProblem]:
    if any(writer.designation in ORIGINAL_CREATOR_DESIGNATIONS for writer in writers):
        return []
    designations = ", ".join(sorted({writer.designation or "none" for writer in writers})) or "no writers"
    return [
        _work_problem(
            header,
            "writer designations",
            designations,
            "a work has at least one writer designated CA, A or C (composer/author, author, composer)",
        )
    ]


def _collection_per_territory(header: WorkRecord, territories: Sequence[_Territory]) -> list[CwrProblem]:
    totals_bp: defaultdict[tuple[int, str], int] = defaultdict(int)
    for territory in territories:
        if territory.included and territory.tis_code is not None:
            for right, share_bp in zip(RIGHTS, _collection_bp(territory), strict=True):
                totals_bp[(territory.tis_code, right)] += share_bp
    return [
        _work_problem(
            header,
            f"{right}_collection_total in TIS {tis_code:04d}",
            _percent(total_bp),
            f"{right.upper()} collection shares in one territory total at most 100 %",
        )
        for (tis_code, right), total_bp in sorted(totals_bp.items())
        if total_bp > FULL_SHARE_BP + SHARE_TOLERANCE_BP
    ]


def _ownership_bp(party: _Party) -> tuple[int, int, int]:
    """(PR, MR, SR) ownership shares, in the order of ``RIGHTS``."""
    return party.pr_share_bp, party.mr_share_bp, party.sr_share_bp


def _collection_bp(territory: _Territory) -> tuple[int, int, int]:
    """(PR, MR, SR) collection shares, in the order of ``RIGHTS``."""
    return (
        territory.pr_collection_share_bp,
        territory.mr_collection_share_bp,
        territory.sr_collection_share_bp,
    )


def _work_problem(header: WorkRecord, field: str, value: str, rule: str) -> CwrProblem:
    return problem(header.record_number, header.record_type, field, value, rule, Level.TRANSACTION)


def _percent(share_bp: int) -> str:
    return f"{share_bp // 100}.{share_bp % 100:02d} %"
