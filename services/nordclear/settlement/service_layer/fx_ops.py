"""Loading FX rates: input data with source and date, immutable once loaded, idempotent per request."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from nordclear.platform.errors import AlreadyExists, InvalidArgument
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.domain.events import RatesLoaded
from nordclear.settlement.domain.fx import FxRate, merge_rates

OPERATION = "LoadFxRates"


@dataclass(frozen=True, slots=True)
class Loaded:
    """How many rates were new, how many known already, and whether this answers a retry."""

    loaded: int
    unchanged: int
    replayed: bool


async def load_rates(
    uow_factory: Callable[[], SettlementUnitOfWork],
    *,
    request_id: str,
    fingerprint: str,
    rates: Sequence[FxRate],
) -> Loaded:
    """Store the rates not yet known; a different value for a known rate refuses the whole load."""
    if not rates:
        raise InvalidArgument("rates", "[]", "load at least one rate")
    async with uow_factory() as uow:
        logged = await uow.repo.logged_request(request_id)
        if logged is not None:
            operation, earlier_fingerprint, response = logged
            if operation != OPERATION or earlier_fingerprint != fingerprint:
                raise AlreadyExists(f"request id {request_id} was used for another request")
            loaded, unchanged = (int(part) for part in response.decode().split(","))
            return Loaded(loaded, unchanged, True)
        stored = {rate.key: rate for rate in await uow.repo.rates_on({rate.rate_date for rate in rates})}
        new, unchanged = merge_rates(stored, rates)
        now = datetime.now(UTC)
        await uow.repo.add_rates(new, now)
        await uow.repo.log_request(request_id, OPERATION, fingerprint, f"{len(new)},{unchanged}".encode())
        if new:
            uow.record(RatesLoaded(tuple(new), request_id))
        await uow.commit()
    return Loaded(len(new), unchanged, False)
