"""Every RPC of every service, every kind of caller: exactly the allowed combinations get past the door.

For each RPC the contracts define, called over real gRPC with an empty request (or an empty stream):

- no token, an expired token, a token signed by another key and a token that is not a JWT at all are
  refused with UNAUTHENTICATED, whatever the RPC;
- a principal kind the service's access table does not admit is refused with PERMISSION_DENIED;
- an admitted kind gets past authentication and the access table — the empty request may then be refused
  for what it lacks (INVALID_ARGUMENT, NOT_FOUND, ...), but never with UNAUTHENTICATED, and no call ends in
  INTERNAL, UNKNOWN or a deadline (a crash or a hang on the emptiest possible input).

Data-level rules (another society's work, another licensee's licence) are each service's own tests; this
is the door every one of them stands behind.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from nordclear.platform.auth import (
    PrincipalKind,
    generate_signing_key,
    load_private_key,
    mint_token,
    principal_for,
)
from nordclear.platform.rpc.access import AccessPolicy
from nordclear.platform.service_runtime import ServiceRuntime
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import SERVICES, ServiceSpec
from tests.conftest import Keys
from tests.integration.conftest import Serve
from tests.support.clients import bearer

pytestmark = pytest.mark.integration

CALL_TIMEOUT_S = 10.0
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}

PRINCIPALS = {
    PrincipalKind.SOCIETY: principal_for(PrincipalKind.SOCIETY, society="stim"),
    PrincipalKind.LICENSEE: principal_for(PrincipalKind.LICENSEE, licensee_id="acme-ai"),
    PrincipalKind.OPS: principal_for(PrincipalKind.OPS),
    PrincipalKind.SERVICE: principal_for(PrincipalKind.SERVICE, service="settlement"),
}


def _service_descriptor(spec: ServiceSpec) -> ServiceDescriptor:
    module = importlib.import_module(f"nordclear.gen.{spec.name}.v1.{spec.name}_service_pb2")
    service_name = spec.grpc_service.rsplit(".", 1)[-1]
    descriptor: ServiceDescriptor = module.DESCRIPTOR.services_by_name[service_name]
    return descriptor


def _parts(spec: ServiceSpec) -> tuple[Callable[[ServiceSettings], ServiceRuntime], AccessPolicy]:
    build = importlib.import_module(f"nordclear.{spec.name}.bootstrap").build
    policy = importlib.import_module(f"nordclear.{spec.name}.entrypoints.access").ACCESS_POLICY
    return build, policy


async def _code_of(
    channel: grpc.aio.Channel, service: ServiceDescriptor, method: MethodDescriptor, token: str | None
) -> grpc.StatusCode:
    """The status an empty request (or empty stream) to ``method`` ends with."""
    path = f"/{service.full_name}/{method.name}"
    request_type: type[Message] = GetMessageClass(method.input_type)
    response_type: type[Message] = GetMessageClass(method.output_type)
    serialise, deserialise = request_type.SerializeToString, response_type.FromString
    metadata = bearer(token) if token is not None else ()

    async def no_requests() -> AsyncIterator[Message]:
        return
        yield  # An async generator that yields nothing: an empty client stream.

    try:
        if method.client_streaming and method.server_streaming:
            stream = channel.stream_stream(path, serialise, deserialise)(
                no_requests(), metadata=metadata, timeout=CALL_TIMEOUT_S
            )
            async for _ in stream:
                pass
        elif method.client_streaming:
            await channel.stream_unary(path, serialise, deserialise)(
                no_requests(), metadata=metadata, timeout=CALL_TIMEOUT_S
            )
        elif method.server_streaming:
            async for _ in channel.unary_stream(path, serialise, deserialise)(
                request_type(), metadata=metadata, timeout=CALL_TIMEOUT_S
            ):
                pass
        else:
            await channel.unary_unary(path, serialise, deserialise)(
                request_type(), metadata=metadata, timeout=CALL_TIMEOUT_S
            )
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def _bad_tokens(keys: Keys, folder: Path) -> dict[str, str | None]:
    stranger = folder / "stranger"
    stranger.mkdir()
    generate_signing_key(stranger / "key.pem", stranger / "key.pub.pem")
    ops = PRINCIPALS[PrincipalKind.OPS]
    long_ago = datetime.now(UTC) - timedelta(days=2)
    return {
        "no token": None,
        "expired": mint_token(load_private_key(keys.private_key_file), ops, timedelta(hours=1), now=long_ago),
        "signed by another key": mint_token(load_private_key(stranger / "key.pem"), ops, timedelta(hours=1)),
        "not a token": "not-a-jwt",
    }


@pytest.mark.parametrize("spec", SERVICES, ids=[spec.name for spec in SERVICES])
async def test_exactly_the_allowed_callers_get_past_the_door(
    spec: ServiceSpec, serve: Serve, keys: Keys, tmp_path: Path
) -> None:
    service = _service_descriptor(spec)
    build, policy = _parts(spec)
    bad_tokens = _bad_tokens(keys, tmp_path)
    tokens = {kind: keys.token(principal) for kind, principal in PRINCIPALS.items()}
    wrong: list[str] = []
    async with serve(spec, build) as channel:
        for method in service.methods:
            rule = policy.rules[method.name]
            for label, token in bad_tokens.items():
                code = await _code_of(channel, service, method, token)
                if code is not grpc.StatusCode.UNAUTHENTICATED and not rule.public:
                    wrong.append(f"{method.name} with {label}: {code.name}, expected UNAUTHENTICATED")
            for kind, token in tokens.items():
                code = await _code_of(channel, service, method, token)
                wrong += _judged(method.name, kind, kind in rule.kinds or rule.public, code)
    assert wrong == []


def _judged(method: str, kind: PrincipalKind, admitted: bool, code: grpc.StatusCode) -> list[str]:
    if code in NEVER:
        return [f"{method} as {kind}: {code.name} on an empty request"]
    if not admitted and code is not grpc.StatusCode.PERMISSION_DENIED:
        return [f"{method} as {kind}: {code.name}, expected PERMISSION_DENIED (not in the access table)"]
    if admitted and code is grpc.StatusCode.UNAUTHENTICATED:
        return [f"{method} as {kind}: UNAUTHENTICATED with a valid token"]
    return []
