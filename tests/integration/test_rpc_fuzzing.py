"""Property-based fuzzing of every RPC of every service with arbitrary request messages.

Hypothesis draws an RPC and a request (any subset of fields, values across their whole type, undefined
enum numbers, long and odd strings; zero to three messages for client streams) and calls the running
service over real gRPC as a caller the access table admits. Whatever the input, the answer is a status a
client can act on with a message saying what is wrong — never INTERNAL or UNKNOWN (a crash), never a
deadline (a hang).
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

from nordclear.platform.auth import Principal, PrincipalKind, principal_for
from nordclear.platform.rpc.access import AccessPolicy
from nordclear.platform.topology import SERVICES, ServiceSpec
from tests.conftest import Keys
from tests.support.clients import bearer
from tests.support.fuzz import messages
from tests.support.services import service_environment

pytestmark = pytest.mark.integration

CALL_TIMEOUT_S = 10.0
MAX_STREAMED_RESPONSES = 50
EXAMPLES_PER_SERVICE = 200
STARTUP_TIMEOUT_S = 60.0
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}
CALLERS: Sequence[Principal] = (
    principal_for(PrincipalKind.OPS),
    principal_for(PrincipalKind.SOCIETY, society="stim"),
    principal_for(PrincipalKind.LICENSEE, licensee_id="acme-ai"),
    principal_for(PrincipalKind.SERVICE, service="settlement"),
)


def _service(spec: ServiceSpec) -> ServiceDescriptor:
    module = importlib.import_module(f"nordclear.gen.{spec.name}.v1.{spec.name}_service_pb2")
    descriptor: ServiceDescriptor = module.DESCRIPTOR.services_by_name[spec.grpc_service.rsplit(".", 1)[-1]]
    return descriptor


def _caller(policy: AccessPolicy, method: MethodDescriptor) -> Principal:
    rule = policy.rules[method.name]
    return next(principal for principal in CALLERS if principal.kind in rule.kinds or rule.public)


@contextmanager
def _service_process(spec: ServiceSpec, environment: dict[str, str]) -> Iterator[int]:
    """The service in its own process, as deployed (Hypothesis drives synchronous tests, and a service
    thread beside it would touch the global random state Hypothesis watches)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    environment = {**environment, f"{spec.env_prefix}GRPC_ADDRESS": f"127.0.0.1:{port}"}
    process = subprocess.Popen(
        [sys.executable, "-m", f"nordclear.{spec.name}"], env={**os.environ, **environment}
    )
    try:
        _wait_serving(spec, port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_serving(spec: ServiceSpec, port: int, process: subprocess.Popen[bytes]) -> None:
    deadline_s = time.monotonic() + STARTUP_TIMEOUT_S
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            health_pb2.HealthCheckRequest.SerializeToString,
            health_pb2.HealthCheckResponse.FromString,
        )
        while time.monotonic() < deadline_s:
            assert process.poll() is None, f"{spec.name} exited with {process.returncode} while starting"
            try:
                answer = check(health_pb2.HealthCheckRequest(service=spec.grpc_service), timeout=1)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    raise TimeoutError(f"{spec.name} did not report SERVING within {STARTUP_TIMEOUT_S} s")


def _call(
    channel: grpc.Channel,
    service: ServiceDescriptor,
    method: MethodDescriptor,
    requests: list[Message],
    token: str,
) -> tuple[grpc.StatusCode, str]:
    path = f"/{service.full_name}/{method.name}"
    serialise = GetMessageClass(method.input_type).SerializeToString
    deserialise = GetMessageClass(method.output_type).FromString
    metadata, timeout = bearer(token), CALL_TIMEOUT_S
    try:
        if method.server_streaming:
            responses = (
                channel.stream_stream(path, serialise, deserialise)(
                    iter(requests), metadata=metadata, timeout=timeout
                )
                if method.client_streaming
                else channel.unary_stream(path, serialise, deserialise)(
                    requests[0], metadata=metadata, timeout=timeout
                )
            )
            for received, _ in enumerate(responses, start=1):
                if received >= MAX_STREAMED_RESPONSES:
                    responses.cancel()
                    break
        elif method.client_streaming:
            channel.stream_unary(path, serialise, deserialise)(
                iter(requests), metadata=metadata, timeout=timeout
            )
        else:
            channel.unary_unary(path, serialise, deserialise)(requests[0], metadata=metadata, timeout=timeout)
    except grpc.RpcError as error:
        return error.code(), error.details() or ""
    return grpc.StatusCode.OK, ""


@pytest.mark.parametrize("spec", SERVICES, ids=[spec.name for spec in SERVICES])
def test_no_request_makes_a_service_crash_or_hang(
    spec: ServiceSpec, keys: Keys, tmp_path: Path, kafka_bootstrap_servers: str, kafka_namespace: str
) -> None:
    service = _service(spec)
    policy: AccessPolicy = importlib.import_module(f"nordclear.{spec.name}.entrypoints.access").ACCESS_POLICY
    tokens = {principal.kind: keys.token(principal) for principal in CALLERS}
    names = sorted(method.name for method in service.methods)
    environment = service_environment(
        spec,
        database_url=f"sqlite+aiosqlite:///{tmp_path / spec.name}.sqlite3",
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
    )

    @settings(max_examples=EXAMPLES_PER_SERVICE, deadline=None, database=None)
    @given(data=st.data())
    def one_call(channel: grpc.Channel, data: st.DataObject) -> None:
        method = service.methods_by_name[data.draw(st.sampled_from(names), label="rpc")]
        strategy = messages(method.input_type)
        requests = (
            data.draw(st.lists(strategy, max_size=3), label="requests")
            if method.client_streaming
            else [data.draw(strategy, label="request")]
        )
        code, details = _call(channel, service, method, requests, tokens[_caller(policy, method).kind])
        assert code not in NEVER, f"{method.name}: {code.name} {details!r}"
        if code is not grpc.StatusCode.OK:
            assert details.strip(), f"{method.name}: {code.name} without a message"

    with (
        _service_process(spec, environment) as port,
        grpc.insecure_channel(f"127.0.0.1:{port}") as channel,
    ):
        one_call(channel)
