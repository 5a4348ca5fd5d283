"""What the settlement service tells the others: its domain events (translated for Kafka in adapters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from nordclear.settlement.domain.fx import FxRate
from nordclear.settlement.domain.run import RunResult


@dataclass(frozen=True, slots=True)
class RunCompleted:
    """A run was posted: its statements, obligations and payment instructions are final."""

    result: RunResult
    transfers_posted: int
    request_id: str


@dataclass(frozen=True, slots=True)
class RunFailed:
    """A run was refused because an invariant did not hold; nothing of it was posted."""

    run_id: str
    period: tuple[date, date]
    reason: str
    request_id: str


@dataclass(frozen=True, slots=True)
class SuspenseReleased:
    """Money held in suspense was released to a society by an explicit action."""

    suspense_id: str
    run_id: str
    work_id: str
    currency_code: str
    amount_minor: int
    released_to: str
    released_by: str
    reason: str
    transfer_id: str
    request_id: str


@dataclass(frozen=True, slots=True)
class RatesLoaded:
    """FX rates were loaded."""

    rates: tuple[FxRate, ...]
    request_id: str
