"""Exactly-once effect across a crash: the consumer dies after handling an event, before committing its
offset; after the restart the broker delivers the event again and the inbox turns it into a no-op.

The matching service is started with an offset-commit interval far longer than the test, so its offsets
are never committed while it runs; SIGKILL then gives it no chance to commit at stop either. That is
exactly the window the issue names: effect stored, offset not committed.
"""

from __future__ import annotations

import asyncio
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import grpc
from prometheus_client.parser import text_string_to_metric_families

from nordclear.gen.matching.v1 import matching_service_pb2 as matching_pb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as matching_grpc
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as repertoire_pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as repertoire_grpc
from nordclear.platform.topology import MATCHING
from nordclear.runtime.credentials import demo_tokens
from nordclear.runtime.stack import EmbeddedStack
from tests.support.clients import a_work, bearer
from tests.support.polling import eventually

StartStack = Callable[..., AbstractAsyncContextManager[EmbeddedStack]]
NEVER_COMMIT_MS = str(60 * 60 * 1000)


def _events_handled(metrics_port: int, outcome: str) -> float:
    """nordclear_events_handled_total for WorkRegistered with ``outcome``, scraped from /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name != "nordclear_events_handled":
            continue
        for sample in family.samples:
            labels = sample.labels
            if (
                sample.name.endswith("_total")
                and labels.get("outcome") == outcome
                and labels.get("event_type") == "nordclear.events.v1.WorkRegistered"
            ):
                total += sample.value
    return total


async def test_killed_before_offset_commit_the_effect_happens_once(start_stack: StartStack) -> None:
    async with start_stack({f"{MATCHING.env_prefix}OFFSET_COMMIT_INTERVAL_MS": NEVER_COMMIT_MS}) as stack:
        assert stack.keys is not None
        tokens = demo_tokens(stack.keys)
        metrics_port = stack.ports.metrics["matching"]

        async def register(title: str, iswc: str) -> None:
            async with grpc.aio.insecure_channel(stack.address("repertoire")) as channel:
                await repertoire_grpc.RepertoireServiceStub(channel).RegisterWork(
                    repertoire_pb.RegisterWorkRequest(request_id=str(uuid.uuid4()), work=a_work(title, iswc)),
                    metadata=bearer(tokens["society:TONO"]),
                )

        async def index_status() -> Any:
            async with grpc.aio.insecure_channel(stack.address("matching")) as channel:
                return await matching_grpc.MatchingServiceStub(channel).GetIndexStatus(
                    matching_pb.GetIndexStatusRequest(), metadata=bearer(tokens["ops"])
                )

        await register("Nidelven", "T0700000049")
        await eventually(index_status, lambda s: s.changes_applied == 1, what="the first event handled")
        assert _events_handled(metrics_port, "applied") == 1

        stack.kill_service("matching")  # SIGKILL: no graceful stop, no offset commit.
        stack.start_service(MATCHING)
        await stack.wait_serving(MATCHING)

        # The restarted consumer has no committed offset, so it reads the first event again…
        await eventually(
            lambda: asyncio.to_thread(_events_handled, metrics_port, "duplicate"),
            lambda seen: seen == 1,
            what="the redelivered event to be recognised",
        )
        # …and a new event still flows after it.
        await register("Kjerringa med staven", "")
        status = await eventually(index_status, lambda s: s.changes_applied == 2, what="the second event")

        assert status.works_indexed == 2
        assert _events_handled(metrics_port, "applied") == 1, (
            "after the restart only the new event is applied"
        )
        assert stack.exited() == {}
