"""The life of one service process: start its parts in order, serve, and stop them gracefully.

A service's ``bootstrap`` (its composition root) builds a ``ServiceRuntime``, hands it servicers and
consumers, and calls ``run``. Start: migrate the database, bind the gRPC server (health, reflection,
interceptor) and the metrics endpoint, then start the Kafka side in the background — the broker being
down must not stop a service from taking writes into its outbox. Stop (SIGTERM/SIGINT): report
NOT_SERVING, drain in-flight RPCs within the grace period, stop consumers (committing offsets), flush the
outbox, close everything.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import grpc
from aiokafka.errors import KafkaError
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection
from prometheus_client import start_http_server
from sqlalchemy.ext.asyncio import async_sessionmaker

from nordclear.platform import metrics
from nordclear.platform.auth import TokenVerifier, load_public_key
from nordclear.platform.db.engine import create_engine
from nordclear.platform.db.messaging_tables import MessagingTables
from nordclear.platform.db.migrations import upgrade_to_head
from nordclear.platform.db.unit_of_work import UnitOfWork
from nordclear.platform.logging import configure_logging, get_logger
from nordclear.platform.messaging.consumer import InboxConsumer
from nordclear.platform.messaging.kafka import ensure_topics, new_producer
from nordclear.platform.messaging.outbox_relay import OutboxRelay
from nordclear.platform.rpc.access import AccessPolicy
from nordclear.platform.rpc.interceptor import ServiceInterceptor
from nordclear.platform.settings import ConfigurationError, ServiceSettings, load_settings
from nordclear.platform.topology import KafkaNames, ServiceSpec

log = get_logger(__name__)

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
KAFKA_RETRY_DELAY_MS = 1_000


class ServiceRuntime:
    """Owns the engine, producer, relay, consumers and gRPC server of one service process."""

    def __init__(
        self,
        *,
        spec: ServiceSpec,
        settings: ServiceSettings,
        tables: MessagingTables,
        migrations: str,
        policy: AccessPolicy,
    ) -> None:
        self.spec = spec
        self.settings = settings
        self.kafka_names = KafkaNames(settings.kafka_namespace)
        self.tables = tables
        self._migrations = migrations
        self._policy = policy
        self.engine = create_engine(settings.database_url)
        self.session_factory = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_engine = create_engine(settings.database_url, read_only=True)
        self.read_session_factory = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self.producer = new_producer(settings.kafka_bootstrap_servers, client_id=spec.name)
        self.relay = OutboxRelay(
            service=spec.name,
            engine=self.engine,
            tables=tables,
            producer=self.producer,
            poll_interval_ms=settings.outbox_poll_interval_ms,
        )
        self.health = HealthServicer()
        self._servicer_adders: list[Callable[[grpc.aio.Server], None]] = []
        self._consumers: list[InboxConsumer[Any]] = []
        self._startup_steps: list[Callable[[], Awaitable[None]]] = []
        self._periodic: list[tuple[Callable[[], Awaitable[None]], int, str]] = []
        self._background: list[
            tuple[Callable[[], Coroutine[Any, Any, None]], Callable[[], Awaitable[None]]]
        ] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._server: grpc.aio.Server | None = None
        self._metrics_server: Any = None
        self._stopped = asyncio.Event()
        self.bound_port = 0
        self._producer_started = False

    def new_unit_of_work(self) -> UnitOfWork:
        """A plain unit of work on this service's database whose commits wake the relay."""
        return UnitOfWork(self.session_factory, self.tables, on_commit=self.relay.wake)

    def add_servicer(self, adder: Callable[[grpc.aio.Server], None]) -> None:
        """Register a servicer; ``adder`` is typically ``lambda s: add_XServicer_to_server(servicer, s)``."""
        self._servicer_adders.append(adder)

    def add_startup(self, step: Callable[[], Awaitable[None]]) -> None:
        """Run ``step`` after migrations and before the server takes calls (e.g. build a cache)."""
        self._startup_steps.append(step)

    def add_periodic(self, step: Callable[[], Awaitable[None]], interval_ms: int, name: str) -> None:
        """Run ``step`` every ``interval_ms`` while the service runs (e.g. expire licences whose term ended).

        A run that fails is logged and the next one comes at the next interval; the loop ends at stop.
        """
        self._periodic.append((step, interval_ms, name))

    def add_background(
        self, run: Callable[[], Coroutine[Any, Any, None]], stop: Callable[[], Awaitable[None]]
    ) -> None:
        """Run ``run`` while the service serves; ``stop`` asks it to return when the service stops."""
        self._background.append((run, stop))

    def events_behind(self) -> dict[str, int | None]:
        """Per consumer group, the messages not yet handled at its last fetch (None: not known yet).

        Empty when this service consumes nothing (consumers switched off in settings): there is then
        nothing to wait for.
        """
        if not self.settings.consume_topics_from_services:
            return {}
        return {consumer.group_id: consumer.behind for consumer in self._consumers}

    def add_consumer(self, consumer: InboxConsumer[Any]) -> None:
        """Run ``consumer`` while the service runs (unless consumers are switched off in settings)."""
        self._consumers.append(consumer)

    async def start(self) -> int:
        """Migrate, bind and start serving; returns the bound gRPC port."""
        await upgrade_to_head(self.engine, self._migrations)
        for step in self._startup_steps:
            await step()
        if self.settings.outbox_replay_on_start:
            await self.relay.mark_all_unpublished()
        self._start_metrics_endpoint()
        self._server = self._build_server()
        await self._server.start()
        await self.health.set("", health_pb2.HealthCheckResponse.SERVING)
        await self.health.set(self.spec.grpc_service, health_pb2.HealthCheckResponse.SERVING)
        metrics.SERVICE_UP.labels(self.spec.name).set(1)
        self._tasks.append(asyncio.create_task(self._run_kafka_side(), name=f"{self.spec.name}-kafka"))
        for step, interval_ms, name in self._periodic:
            self._tasks.append(asyncio.create_task(self._every(step, interval_ms, name), name=name))
        for run, _ in self._background:
            self._tasks.append(asyncio.create_task(run()))
        log.info("service started", grpc_address=self.settings.grpc_address, port=self.bound_port)
        return self.bound_port

    async def run(self) -> None:
        """Start, serve until SIGTERM or SIGINT, then stop gracefully."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._stopped.set)
        await self.start()
        await self._stopped.wait()
        await self.stop()

    async def stop(self) -> None:
        """Drain RPCs, stop consumers (commit offsets), flush the outbox, close connections."""
        log.info("service stopping", grace_ms=self.settings.shutdown_grace_ms)
        self._stopped.set()
        metrics.SERVICE_UP.labels(self.spec.name).set(0)
        await self.health.enter_graceful_shutdown()
        if self._server is not None:
            await self._server.stop(self.settings.shutdown_grace_ms / 1000)
        for consumer in self._consumers:
            await consumer.stop()
        for _, stop in self._background:
            await stop()
        await self.relay.stop()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=self.settings.shutdown_grace_ms / 1000)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for consumer in self._consumers:
            await consumer.close_if_never_run()
        await self._flush_outbox()
        await self.producer.stop()
        await self.engine.dispose()
        await self.read_engine.dispose()
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
        log.info("service stopped")

    async def _every(self, step: Callable[[], Awaitable[None]], interval_ms: int, name: str) -> None:
        while True:
            try:
                await asyncio.wait_for(self._stopped.wait(), timeout=interval_ms / 1000)
                return
            except TimeoutError:
                pass
            try:
                await step()
            except Exception as error:
                log.error("periodic task failed", task=name, error=str(error))

    def _build_server(self) -> grpc.aio.Server:
        verifier = TokenVerifier(load_public_key(self.settings.token_public_key_file))
        server = grpc.aio.server(
            interceptors=[ServiceInterceptor(self.spec.name, self._policy, verifier)],
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ],
        )
        for adder in self._servicer_adders:
            adder(server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection(
            (
                self.spec.grpc_service,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ),
            server,
        )
        self.bound_port = self._bind(server)
        return server

    def _bind(self, server: grpc.aio.Server) -> int:
        address = self.settings.grpc_address
        cert, key = self.settings.tls_cert_file, self.settings.tls_key_file
        if cert is not None and key is not None:
            credentials = grpc.ssl_server_credentials([(key.read_bytes(), cert.read_bytes())])
            return server.add_secure_port(address, credentials)
        return server.add_insecure_port(address)

    def _start_metrics_endpoint(self) -> None:
        host, _, port = self.settings.metrics_address.rpartition(":")
        self._metrics_server, _thread = start_http_server(int(port), addr=host)

    async def _run_kafka_side(self) -> None:
        await _retry_until_done(self._start_producer, "kafka producer", self._stopped)
        tasks = [asyncio.create_task(self.relay.run(), name=f"{self.spec.name}-outbox-relay")]
        if self.settings.consume_topics_from_services:
            # Groups join at once rather than one after another: each join waits out a rebalance.
            await asyncio.gather(
                *(
                    _retry_until_done(consumer.start, f"consumer {consumer.group_id}", self._stopped)
                    for consumer in self._consumers
                )
            )
            tasks += [
                asyncio.create_task(consumer.run(), name=consumer.group_id) for consumer in self._consumers
            ]
        await asyncio.gather(*tasks)

    async def _start_producer(self) -> None:
        await self.producer.start()
        self._producer_started = True
        names = self.kafka_names
        # Every events topic, not just our own: our consumers subscribe to other services' topics.
        topics = [*names.all_events_topics(), *(names.dead_letter_topic(c.group_id) for c in self._consumers)]
        await ensure_topics(
            self.settings.kafka_bootstrap_servers,
            topics,
            partitions=self.settings.kafka_topic_partitions,
            replication_factor=self.settings.kafka_replication_factor,
        )

    async def _flush_outbox(self) -> None:
        if not self._producer_started:
            log.warning("broker never reached; unpublished events stay in the outbox for the next start")
            return
        try:
            flushed = await self.relay.flush(timeout_ms=self.settings.shutdown_grace_ms)
            log.info("outbox flushed", events=flushed)
        except (TimeoutError, KafkaError, OSError) as error:
            # What is left stays in the outbox and goes out at the next start; nothing is lost.
            log.warning("outbox not fully flushed at stop", error=str(error))


async def _retry_until_done(step: Callable[[], Awaitable[None]], what: str, stopped: asyncio.Event) -> None:
    while not stopped.is_set():
        try:
            await step()
            return
        except (KafkaError, OSError) as error:
            log.warning("waiting for kafka", step=what, error=str(error))
            await asyncio.sleep(KAFKA_RETRY_DELAY_MS / 1000)


def service_main(
    spec: ServiceSpec,
    build: Callable[[ServiceSettings], ServiceRuntime],
    settings_class: type[ServiceSettings] = ServiceSettings,
) -> None:
    """Process entry point of a service: settings from the environment, logging, run until signalled."""
    try:
        settings = load_settings(settings_class, spec, dict(os.environ))
    except ConfigurationError as error:
        # Before logging is configured: plain text on stderr, and the exit code of a usage error.
        print(f"{spec.name}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(spec.name, settings.log_level, settings.log_format)

    async def build_and_run() -> None:
        # Built inside the loop: aiokafka clients bind to the running loop when they are created.
        await build(settings).run()

    asyncio.run(build_and_run())
