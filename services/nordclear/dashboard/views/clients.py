"""gRPC channels to the four services, and one way to call them with the signed-in person's token.

Every call carries the person's own bearer token, so the service decides what that person may see and
do; the dashboard never holds a more powerful credential than the person using it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from nordclear.dashboard.settings import DashboardSettings
from nordclear.platform.rpc.health import serving_status
from nordclear.platform.topology import SERVICES, SERVICES_BY_NAME

RequestT = TypeVar("RequestT", bound=Message)
ResponseT = TypeVar("ResponseT", bound=Message)

_PLAIN_WORDS: dict[grpc.StatusCode, str] = {
    grpc.StatusCode.UNIMPLEMENTED: "is not offered by the {service} service yet",
    grpc.StatusCode.UNAVAILABLE: "could not be answered: the {service} service is unreachable",
    grpc.StatusCode.DEADLINE_EXCEEDED: "took too long: the {service} service did not answer in time",
    grpc.StatusCode.PERMISSION_DENIED: "is not allowed for your token",
    grpc.StatusCode.UNAUTHENTICATED: "was refused: your token is no longer valid, sign in again",
    grpc.StatusCode.NOT_FOUND: "found nothing",
    grpc.StatusCode.INVALID_ARGUMENT: "was refused as invalid",
    grpc.StatusCode.FAILED_PRECONDITION: "was refused in the current state",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a part of a page has no data: a service's status for one RPC, in words."""

    service: str
    rpc: str
    code: str
    detail: str

    @property
    def unimplemented(self) -> bool:
        """The service does not implement the RPC yet (it is in the contract)."""
        return self.code == "UNIMPLEMENTED"

    @property
    def message(self) -> str:
        """One sentence for the page: what was asked, what happened, and the service's own words."""
        words = _PLAIN_WORDS.get(getattr(grpc.StatusCode, self.code, grpc.StatusCode.UNKNOWN))
        what = (words or "failed ({code})").format(service=self.service, code=self.code)
        detail = f": {self.detail}" if self.detail and not self.unimplemented else ""
        return f"{self.rpc} {what}{detail}."


class ServiceProblem(Exception):
    """Raised by ``ServiceClients.call`` when a service answers with an error status."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class ServiceClients:
    """One channel per service, opened at start and closed at stop."""

    def __init__(self, settings: DashboardSettings) -> None:
        self._settings = settings
        self._timeout_s = settings.rpc_timeout_ms / 1000
        self.channels: dict[str, grpc.aio.Channel] = {}

    def open(self) -> None:
        """Open the channels (lazily connecting; a service that is down is reported per call)."""
        credentials = None
        if self._settings.tls_ca_file is not None:
            credentials = grpc.ssl_channel_credentials(self._settings.tls_ca_file.read_bytes())
        for spec in SERVICES:
            address = self._settings.grpc_address(spec)
            self.channels[spec.name] = (
                grpc.aio.secure_channel(address, credentials)
                if credentials is not None
                else grpc.aio.insecure_channel(address)
            )

    async def close(self) -> None:
        """Close every channel."""
        for channel in self.channels.values():
            await channel.close()
        self.channels.clear()

    async def call(
        self,
        service: str,
        rpc: str,
        method: grpc.aio.UnaryUnaryMultiCallable[RequestT, ResponseT],
        request: RequestT,
        token: str,
    ) -> ResponseT:
        """``method(request)`` with ``token`` as bearer; ServiceProblem for any error status."""
        try:
            return await method(
                request, timeout=self._timeout_s, metadata=(("authorization", f"Bearer {token}"),)
            )
        except grpc.aio.AioRpcError as error:
            raise ServiceProblem(
                Problem(service=service, rpc=rpc, code=error.code().name, detail=error.details() or "")
            ) from None

    async def health(self, service: str) -> str:
        """``SERVING``, ``NOT_SERVING`` or ``UNREACHABLE (…)`` from the service's gRPC health."""
        spec = SERVICES_BY_NAME[service]
        return await serving_status(self.channels[service], spec.grpc_service, timeout_ms=2_000)
