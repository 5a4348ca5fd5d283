"""A settlement run waits until the service has read the events it settles from.

Right after a start (or a broker outage) the read models are still filling; a run then would send every
amount to suspense as "not in the repertoire". RunPeriod refuses with UNAVAILABLE, naming each lagging
consumer group, until every one has caught up as of its last fetch.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from nordclear.gen.common.v1 import dates_pb2
from nordclear.gen.settlement.v1 import settlement_service_pb2 as service_pb
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.errors import Unavailable
from nordclear.platform.rpc.access import set_current_principal
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.entrypoints.grpc_servicer import SettlementServicer

pytestmark = pytest.mark.unit


class _Reached(Exception):
    """Raised where the run would begin to read: the guard let it through."""


def _no_database() -> SettlementUnitOfWork:
    raise _Reached


def _request() -> service_pb.RunPeriodRequest:
    return service_pb.RunPeriodRequest(
        run_id="q1",
        period=dates_pb2.DateRange(
            start_date=dates_pb2.Date(year=2026, month=1, day=1),
            end_date=dates_pb2.Date(year=2026, month=3, day=31),
        ),
        settlement_currency_code="EUR",
    )


async def _run_with(behind: Mapping[str, int | None]) -> None:
    servicer = SettlementServicer(_no_database, _no_database, events_behind=lambda: behind)
    set_current_principal(principal_for(PrincipalKind.OPS))
    try:
        await servicer.RunPeriod(_request(), context=None)  # type: ignore[arg-type]
    finally:
        set_current_principal(None)


@pytest.mark.parametrize(
    ("behind", "named"),
    [
        ({"settlement.repertoire": None, "settlement.matching": 0}, "settlement.repertoire: not joined yet"),
        ({"settlement.matching": 12}, "settlement.matching: 12 events behind"),
    ],
)
async def test_a_run_waits_for_consumers_that_are_behind(behind: dict[str, int | None], named: str) -> None:
    with pytest.raises(Unavailable) as refused:
        await _run_with(behind)
    assert named in str(refused.value)
    assert "retry" in str(refused.value)


@pytest.mark.parametrize("behind", [{}, {"settlement.licensing": 0, "settlement.matching": 0}])
async def test_a_run_goes_ahead_once_every_consumer_has_caught_up(behind: dict[str, int | None]) -> None:
    with pytest.raises(_Reached):
        await _run_with(behind)
