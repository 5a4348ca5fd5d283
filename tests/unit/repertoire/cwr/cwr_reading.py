"""Shared helpers of the CWR reader tests: the real files, reading a file to its end, building records."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nordclear.repertoire.cwr import (
    CwrFileRejected,
    CwrItem,
    CwrProblem,
    CwrVersion,
    FileKind,
    GroupSummary,
    Transaction,
    TransmissionHeader,
    TransmissionSummary,
    read_cwr,
    read_cwr_stream,
)
from nordclear.repertoire.cwr.layouts import layout_for, layout_length

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "cwr"
FIXTURE_NAMES = (
    "CW220001000_DMP.V21",
    "CW220001052_DMP.V21",
    "CW220001DMP_000.V21",
    "CW220004DMP_000.V21",
    "ackexample.V21",
    "demo_cwr_cleaned.v22",
    "nwrexample2.V21",
    "revexample.V21",
)


@dataclass(frozen=True)
class Reading:
    """Everything a reader yielded before it stopped, and the rejection it stopped with (if any).

    Two readings are equal when they yielded equal items and were rejected for equal problems.
    """

    items: tuple[CwrItem, ...]
    rejection: CwrFileRejected | None = field(compare=False)
    rejection_problems: tuple[CwrProblem, ...] = ()

    @property
    def header(self) -> TransmissionHeader:
        first = self.items[0]
        assert isinstance(first, TransmissionHeader)
        return first

    @property
    def transactions(self) -> tuple[Transaction, ...]:
        return tuple(item for item in self.items if isinstance(item, Transaction))

    @property
    def groups(self) -> tuple[GroupSummary, ...]:
        return tuple(item for item in self.items if isinstance(item, GroupSummary))

    @property
    def summary(self) -> TransmissionSummary | None:
        last = self.items[-1] if self.items else None
        return last if isinstance(last, TransmissionSummary) else None

    def all_problems(self) -> list[CwrProblem]:
        problems = [problem for transaction in self.transactions for problem in transaction.problems]
        problems += [problem for group in self.groups for problem in group.problems]
        return problems + list(self.rejection_problems)


def collect(items: Iterable[CwrItem]) -> Reading:
    """Read ``items`` to the end, keeping what came before a ``CwrFileRejected``."""
    seen: list[CwrItem] = []
    try:
        for item in items:
            seen.append(item)
    except CwrFileRejected as rejection:
        return Reading(tuple(seen), rejection, rejection.problems)
    return Reading(tuple(seen), None)


def read_lines(lines: Iterable[bytes | str], *, expect: FileKind | None = None) -> Reading:
    return collect(read_cwr(lines, expect=expect))


def read_bytes(data: bytes, *, expect: FileKind | None = None) -> Reading:
    return collect(read_cwr_stream(io.BytesIO(data), expect=expect))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def read_fixture(name: str, *, expect: FileKind | None = None) -> Reading:
    with (FIXTURES / name).open("rb") as stream:
        return collect(read_cwr_stream(stream, expect=expect))


def record(
    record_type: str,
    transaction_sequence: int | None = None,
    record_sequence: int | None = None,
    *,
    version: CwrVersion = CwrVersion.V2_1,
    **values: str,
) -> str:
    """A record line with ``values`` at their layout positions (left-aligned), blanks elsewhere."""
    layout = layout_for(record_type, version)
    assert layout is not None, record_type
    characters = [" "] * layout_length(layout)
    specs = {spec.name: spec for spec in layout}
    values = {"record_type": record_type, **values}
    if transaction_sequence is not None:
        values["transaction_sequence"] = f"{transaction_sequence:08d}"
    if record_sequence is not None:
        values["record_sequence"] = f"{record_sequence:08d}"
    for name, value in values.items():
        spec = specs[name]
        assert len(value) <= spec.length, (name, value)
        characters[spec.begin : spec.begin + len(value)] = value
    return "".join(characters)


HDR_2_1 = "HDRPB000000199THE SENDER                                   01.102018032210203720180322"


def work(sequence: int, *details: str, title: str = "A WORK", record_type: str = "NWR") -> list[str]:
    """A work transaction: its header and ``details`` (detail records, numbered here in order)."""
    header = record(
        record_type,
        sequence,
        0,
        title=title,
        submitter_work_number=f"SW{sequence:06d}",
        musical_work_distribution_category="POP",
        version_type="ORI",
    )
    return [
        header,
        *(
            detail[:3] + f"{sequence:08d}{number:08d}" + detail[19:]
            for number, detail in enumerate(details, start=1)
        ),
    ]


def publisher(
    share_bp: tuple[int, int, int] = (5000, 10000, 10000),
    *,
    record_type: str = "SPU",
    party: str = "P1",
    publisher_type: str = "E",
    sequence: int = 1,
) -> str:
    return record(
        record_type,
        0,
        0,
        publisher_sequence=f"{sequence:02d}",
        interested_party_number=party,
        name=f"PUBLISHER {party}",
        publisher_type=publisher_type,
        pr_society="079",
        pr_share=f"{share_bp[0]:05d}",
        mr_society="048",
        mr_share=f"{share_bp[1]:05d}",
        sr_society="048",
        sr_share=f"{share_bp[2]:05d}",
    )


def writer(
    share_bp: tuple[int, int, int] = (5000, 0, 0),
    *,
    record_type: str = "SWR",
    party: str = "W1",
    designation: str = "CA",
    ipi_name_number: str = "",
) -> str:
    return record(
        record_type,
        0,
        0,
        interested_party_number=party,
        last_name=f"WRITER {party}",
        designation=designation,
        ipi_name_number=ipi_name_number,
        pr_society="079",
        pr_share=f"{share_bp[0]:05d}",
        mr_share=f"{share_bp[1]:05d}",
        sr_share=f"{share_bp[2]:05d}",
    )


def territory(
    record_type: str, party: str, share_bp: tuple[int, int, int], tis_code: str = "2136", indicator: str = "I"
) -> str:
    return record(
        record_type,
        0,
        0,
        interested_party_number=party,
        pr_collection_share=f"{share_bp[0]:05d}",
        mr_collection_share=f"{share_bp[1]:05d}",
        sr_collection_share=f"{share_bp[2]:05d}",
        inclusion_indicator=indicator,
        tis_code=tis_code,
        sequence="001",
    )


def cwr_file(*transactions: Sequence[str], transaction_type: str = "NWR", header: str = HDR_2_1) -> list[str]:
    """A whole CWR 2.1 file of one group holding ``transactions``, with correct trailer counts."""
    body = [line for transaction in transactions for line in transaction]
    group = [f"GRH{transaction_type}0000102.100000000000", *body]
    group.append(f"GRT00001{len(transactions):08d}{len(group) + 1:08d}")
    return [header, *group, f"TRL00001{len(transactions):08d}{len(group) + 2:08d}"]


def a_valid_work(sequence: int = 0, title: str = "A WORK") -> list[str]:
    """A work that breaks no rule: a publisher with 50 % PR and all MR/SR, a CA writer with 50 % PR."""
    return work(
        sequence,
        publisher(),
        territory("SPT", "P1", (5000, 10000, 10000)),
        writer(),
        territory("SWT", "W1", (5000, 0, 0)),
        title=title,
    )
