"""A typed client for the standard gRPC health check, used by the runtime, the CLI and the tests."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2

_CHECK = "/grpc.health.v1.Health/Check"


async def serving_status(channel: grpc.aio.Channel, service: str, timeout_ms: int) -> str:
    """``SERVING``, ``NOT_SERVING`` … for ``service`` ("" = the whole server), or ``UNREACHABLE (<code>)``."""
    check = channel.unary_unary(
        _CHECK,
        request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
        response_deserializer=health_pb2.HealthCheckResponse.FromString,
    )
    try:
        response: health_pb2.HealthCheckResponse = await check(
            health_pb2.HealthCheckRequest(service=service), timeout=timeout_ms / 1000
        )
    except grpc.aio.AioRpcError as error:
        return f"UNREACHABLE ({error.code().name})"
    return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
