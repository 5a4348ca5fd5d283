"""Composition root of the settlement service: builds every part by hand and wires them together."""

from __future__ import annotations

from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from nordclear.platform.service_runtime import ServiceRuntime, service_main
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import SETTLEMENT
from nordclear.settlement.adapters import orm
from nordclear.settlement.entrypoints.access import ACCESS_POLICY
from nordclear.settlement.entrypoints.grpc_servicer import SettlementServicer


def build(settings: ServiceSettings) -> ServiceRuntime:
    """The settlement service, ready to ``start`` or ``run``."""
    runtime = ServiceRuntime(
        spec=SETTLEMENT,
        settings=settings,
        tables=orm.messaging,
        migrations="nordclear.settlement:migrations",
        policy=ACCESS_POLICY,
    )
    # The generated base class answers UNIMPLEMENTED for the RPCs later issues fill in.
    servicer = SettlementServicer()  # type: ignore[abstract]
    runtime.add_servicer(lambda server: pb_grpc.add_SettlementServiceServicer_to_server(servicer, server))
    return runtime


def main() -> None:
    """``python -m nordclear.settlement``."""
    service_main(SETTLEMENT, build)
