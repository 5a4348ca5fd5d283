"""The stack as ``make run`` starts it: health and reflection through standard clients, and one event
from the repertoire's outbox through the broker into the matching service's inbox."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2

from nordclear.gen.common.v1 import codes_pb2
from nordclear.gen.matching.v1 import matching_service_pb2 as matching_pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as matching_grpc
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as repertoire_pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as repertoire_grpc
from nordclear.platform.rpc.health import serving_status
from nordclear.platform.topology import SERVICES
from nordclear.runtime.credentials import demo_tokens
from nordclear.runtime.stack import EmbeddedStack
from tests.support.clients import a_work, bearer
from tests.support.polling import eventually

CWR_FIXTURE = Path(__file__).parent.parent / "fixtures" / "cwr" / "CW220001DMP_000.V21"
StartStack = Callable[..., AbstractAsyncContextManager[EmbeddedStack]]


async def _cli(*arguments: str, token: str) -> str:
    """Run the ``nordclear`` command as a person would, in its own process; its standard output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from nordclear.cli.main import app; app()",
        *arguments,
        env={**os.environ, "NORDCLEAR_TOKEN": token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def _reflect(address: str, service: str) -> tuple[list[str], list[str]]:
    """Service names and ``service``'s method names, asked the way grpcurl asks: server reflection."""
    async with grpc.aio.insecure_channel(address) as channel:
        reflection_info = channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )
        requests = [
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol=service),
        ]
        answers: list[reflection_pb2.ServerReflectionResponse] = [
            answer async for answer in reflection_info(iter(requests), timeout=10)
        ]
    services = sorted(s.name for s in answers[0].list_services_response.service)
    files = [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in answers[1].file_descriptor_response.file_descriptor_proto
    ]
    package, _, name = service.rpartition(".")
    methods = [
        method.name
        for file in files
        if file.package == package
        for declared in file.service
        if declared.name == name
        for method in declared.method
    ]
    return services, methods


async def test_every_service_answers_health_and_reflection(start_stack: StartStack) -> None:
    async with start_stack() as stack:
        for spec in SERVICES:
            async with grpc.aio.insecure_channel(stack.address(spec.name)) as channel:
                for name in ("", spec.grpc_service):
                    assert await serving_status(channel, name, timeout_ms=5_000) == "SERVING", (
                        spec.name,
                        name,
                    )
            services, methods = await _reflect(stack.address(spec.name), spec.grpc_service)
            assert spec.grpc_service in services
            assert "grpc.health.v1.Health" in services
            assert methods, f"{spec.grpc_service} exposes its methods through reflection"


async def test_an_event_crosses_from_repertoire_outbox_to_matching_inbox(start_stack: StartStack) -> None:
    async with start_stack() as stack:
        assert stack.keys is not None
        tokens = demo_tokens(stack.keys)
        async with (
            grpc.aio.insecure_channel(stack.address("repertoire")) as repertoire_channel,
            grpc.aio.insecure_channel(stack.address("matching")) as matching_channel,
        ):
            registered = await repertoire_grpc.RepertoireServiceStub(repertoire_channel).RegisterWork(
                repertoire_pb.RegisterWorkRequest(request_id=str(uuid.uuid4()), work=a_work()),
                metadata=bearer(tokens["society:STIM"]),
            )
            matching = matching_grpc.MatchingServiceStub(matching_channel)

            async def index_status() -> Any:
                return await matching.GetIndexStatus(
                    matching_pb.GetIndexStatusRequest(), metadata=bearer(tokens["ops"])
                )

            status = await eventually(
                index_status, lambda s: s.changes_applied == 1, what="the work in matching"
            )
        assert status.works_indexed == 1
        assert registered.work.submitting_society == codes_pb2.SOCIETY_STIM
        shown = await _cli(
            "repertoire",
            "get",
            "--iswc",
            "T-070.000.004-9",
            "--address",
            stack.address("repertoire"),
            token=tokens["society:KODA"],
        )
        assert json.loads(shown)["work_id"] == registered.work.work_id
        found = await _cli(
            "repertoire",
            "search",
            "vem kan segla forutan vind",
            "--address",
            stack.address("repertoire"),
            token=tokens["society:KODA"],
        )
        assert registered.work.work_id in found.splitlines()[0]
        ack = stack.data_dir / "import.ACK"
        await _cli(
            "repertoire",
            "import-cwr",
            str(CWR_FIXTURE),
            "--ack",
            str(ack),
            "--address",
            stack.address("repertoire"),
            token=tokens["society:TONO"],
        )
        assert ack.read_bytes().startswith(b"HDRSO000000090")  # Answered by TONO, CISAC code 090.
        # The read model is dated by when the change happened in the repertoire, not when it arrived.
        assert status.last_change_at == registered.work.created_at
