"""A large file streams through the reader: memory stays flat however many works the file holds.

The file is generated while it is read, so it never exists whole; the reader's memory is sampled every
10,000 works. tracemalloc would make this run about four times slower, so memory is measured as the
process's resident size (where the platform reports it) and as the interpreter's count of allocated
memory blocks, both of which grow with every transaction a leaking reader would keep.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nordclear.repertoire.cwr import Transaction, TransmissionSummary, read_cwr
from tests.unit.repertoire.cwr.cwr_reading import HDR_2_1

pytestmark = pytest.mark.unit

WORKS = 60_000
SAMPLE_EVERY_WORKS = 5_000
MAX_RESIDENT_GROWTH_BYTES = 50 * 1024 * 1024
# Each transaction the reader kept would cost dozens of blocks; 60,000 of them would be over a million.
MAX_BLOCK_GROWTH = 100_000
_STATM = Path("/proc/self/statm")


def _generated_file(works: int) -> Iterator[bytes]:
    """A CWR 2.1 file of ``works`` NWR transactions (a CA writer with all shares), line by line."""
    yield HDR_2_1.encode() + b"\r\n"
    yield b"GRHNWR0000102.100000000000\r\n"
    for number in range(works):
        sequence = f"{number:08d}"
        title = f"WORK {number}"
        yield (
            f"NWR{sequence}00000000{title:<60}  {'SW' + sequence:<14}           00000000            "
            "POP000000Y      ORI\r\n"
        ).encode()
        yield (
            f"SWR{sequence}00000001W000001  {'LINDQVIST':<45}{'ANNA':<30} CA00000000000000000395"
            "079100000481000004810000\r\n"
        ).encode()
    records = 2 * works
    yield f"GRT00001{works:08d}{records + 2:08d}\r\n".encode()
    yield f"TRL00001{works:08d}{records + 4:08d}".encode()


def _resident_bytes() -> int | None:
    if not _STATM.exists():
        return None
    return int(_STATM.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_sixty_thousand_works_stream_in_flat_memory() -> None:
    baseline_resident = _resident_bytes()
    baseline_blocks = sys.getallocatedblocks()
    peak_resident, peak_blocks = baseline_resident, baseline_blocks
    transactions = 0
    summary = None
    for item in read_cwr(_generated_file(WORKS)):
        if isinstance(item, Transaction):
            assert not item.problems
            transactions += 1
            if transactions % SAMPLE_EVERY_WORKS == 0:
                resident = _resident_bytes()
                if resident is not None and peak_resident is not None:
                    peak_resident = max(peak_resident, resident)
                peak_blocks = max(peak_blocks, sys.getallocatedblocks())
        elif isinstance(item, TransmissionSummary):
            summary = item
    assert transactions == WORKS
    assert summary is not None
    assert (summary.transaction_count, summary.record_count) == (WORKS, 2 * WORKS + 4)
    assert peak_blocks - baseline_blocks < MAX_BLOCK_GROWTH
    if baseline_resident is not None and peak_resident is not None:
        assert peak_resident - baseline_resident < MAX_RESIDENT_GROWTH_BYTES
