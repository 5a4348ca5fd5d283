"""Composition root of the licensing service: builds every part by hand and wires them together."""

from __future__ import annotations

from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as pb_grpc
from nordclear.licensing.adapters import orm
from nordclear.licensing.entrypoints.access import ACCESS_POLICY
from nordclear.licensing.entrypoints.grpc_servicer import LicensingServicer
from nordclear.platform.service_runtime import ServiceRuntime, service_main
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import LICENSING


def build(settings: ServiceSettings) -> ServiceRuntime:
    """The licensing service, ready to ``start`` or ``run``."""
    runtime = ServiceRuntime(
        spec=LICENSING,
        settings=settings,
        tables=orm.messaging,
        migrations="nordclear.licensing:migrations",
        policy=ACCESS_POLICY,
    )
    # The generated base class answers UNIMPLEMENTED for the RPCs later issues fill in.
    servicer = LicensingServicer()  # type: ignore[abstract]
    runtime.add_servicer(lambda server: pb_grpc.add_LicensingServiceServicer_to_server(servicer, server))
    return runtime


def main() -> None:
    """``python -m nordclear.licensing``."""
    service_main(LICENSING, build)
