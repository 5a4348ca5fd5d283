"""Following a report past matching: settled when a settlement run says so (the last lifecycle step)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork


async def mark_settled(uow: MatchingUnitOfWork, settled: Sequence[tuple[str, str]], now: datetime) -> int:
    """Mark (licensee id, report id) reports settled; the number that moved.

    A report already settled, or one matching never accepted, is left as it is: a replayed run changes
    nothing, and settlement cannot settle what was rejected.
    """
    moved = 0
    for licensee_id, report_id in settled:
        moved += await uow.reports.mark_settled(licensee_id, report_id, now)
    return moved
