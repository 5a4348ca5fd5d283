"""Composition root of the matching service: builds every part by hand and wires them together."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Final

from nordclear.gen.matching.v1 import matching_service_pb2_grpc as pb_grpc
from nordclear.matching.adapters import orm
from nordclear.matching.adapters.consumers import (
    HANDLED_LICENSING_EVENTS,
    HANDLED_REPERTOIRE_EVENTS,
    HANDLED_SETTLEMENT_EVENTS,
    handle_licensing_event,
    handle_repertoire_event,
    handle_settlement_event,
)
from nordclear.matching.adapters.events import MatchingEventTranslator
from nordclear.matching.adapters.snapshot import bootstrap_from_snapshot
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.entrypoints.access import ACCESS_POLICY
from nordclear.matching.entrypoints.grpc_servicer import MatchingServicer
from nordclear.matching.service_layer.index_view import MatcherView
from nordclear.matching.service_layer.review import retry_open_units
from nordclear.matching.settings import MatchingSettings, matching_settings
from nordclear.platform import metrics
from nordclear.platform.logging import get_logger
from nordclear.platform.messaging.consumer import InboxConsumer
from nordclear.platform.service_runtime import ServiceRuntime, service_main
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import LICENSING, MATCHING, REPERTOIRE, SETTLEMENT

log = get_logger(__name__)

STALE_RECEIVING_AFTER: Final = timedelta(minutes=15)
"""A report whose stream sent nothing for this long was cut off (its process died): it is purged."""


class MatchingRuntime(ServiceRuntime):
    """The platform runtime plus the loop that follows the read model and re-tries open units."""

    def __init__(self, settings: MatchingSettings, view: MatcherView) -> None:
        super().__init__(
            spec=MATCHING,
            settings=settings,
            tables=orm.messaging,
            migrations="nordclear.matching:migrations",
            policy=ACCESS_POLICY,
        )
        self.matching_settings = settings
        self.view = view
        self._follower: asyncio.Task[None] | None = None

    def unit_of_work(self) -> MatchingUnitOfWork:
        """A unit of work that publishes the matching service's events through the outbox."""
        return MatchingUnitOfWork(
            self.session_factory,
            orm.messaging,
            self.relay.wake,
            MatchingEventTranslator(self.kafka_names.events_topic(MATCHING)),
        )

    def read_unit_of_work(self) -> MatchingUnitOfWork:
        """A unit of work for reads only."""
        return MatchingUnitOfWork(self.read_session_factory, orm.messaging)

    def start_following(self) -> None:
        """Start the loop that applies read-model changes to the matcher and re-tries open units."""
        self._follower = asyncio.create_task(self._follow(), name="matching-follower")

    async def _follow(self) -> None:
        interval_s = self.matching_settings.retry_interval_ms / 1000
        while True:
            await asyncio.sleep(interval_s)
            try:
                if await self.view.catch_up():
                    outcome = await retry_open_units(
                        self.unit_of_work, self.view, report_pk=None, now=datetime.now(UTC)
                    )
                    log.info(
                        "open units re-tried after a repertoire change",
                        retried=outcome.retried,
                        matched=outcome.matched,
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("re-trying open units failed; trying again next round")

    async def stop(self) -> None:
        """Stop the follower, then everything else."""
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
        await super().stop()


def build(settings: ServiceSettings) -> ServiceRuntime:
    """The matching service, ready to ``start`` or ``run``."""
    configured = matching_settings(settings)
    runtime: MatchingRuntime

    def unit_of_work() -> MatchingUnitOfWork:
        return runtime.unit_of_work()

    def read_unit_of_work() -> MatchingUnitOfWork:
        return runtime.read_unit_of_work()

    view = MatcherView(unit_of_work, configured.auto_accept_threshold_bp, configured.review_floor_bp)
    runtime = MatchingRuntime(configured, view)
    names = runtime.kafka_names
    # A consumer built but never started would hold an unclosed Kafka client: build none when switched off.
    sources = (
        (
            (REPERTOIRE, handle_repertoire_event, HANDLED_REPERTOIRE_EVENTS),
            (LICENSING, handle_licensing_event, HANDLED_LICENSING_EVENTS),
            (SETTLEMENT, handle_settlement_event, HANDLED_SETTLEMENT_EVENTS),
        )
        if settings.consume_topics_from_services
        else ()
    )
    for source, handler, handled in sources:
        group = names.consumer_group(MATCHING, source)
        runtime.add_consumer(
            InboxConsumer(
                group_id=group,
                topics=[names.events_topic(source)],
                bootstrap_servers=settings.kafka_bootstrap_servers,
                uow_factory=unit_of_work,
                handler=handler,
                handled_event_types=handled,
                dead_letter_producer=runtime.producer,
                offset_commit_interval_ms=settings.offset_commit_interval_ms,
                dead_letter_topic=names.dead_letter_topic(group),
            )
        )

    async def prepare() -> None:
        async with unit_of_work() as uow:
            purged = await uow.reports.purge_stale_receiving(datetime.now(UTC) - STALE_RECEIVING_AFTER)
            await uow.commit()
        if purged:
            log.warning("reports cut off mid-stream were discarded", reports=purged)
        if configured.snapshot_repertoire_address and configured.service_signing_key_file is not None:
            try:
                await bootstrap_from_snapshot(
                    unit_of_work, configured.snapshot_repertoire_address, configured.service_signing_key_file
                )
            except Exception:
                log.exception("repertoire snapshot failed; the read model fills from events instead")
        await view.build()
        async with read_unit_of_work() as uow:
            metrics.REVIEW_QUEUE_DEPTH.set(await uow.reports.open_review_count())
        runtime.start_following()

    servicer = MatchingServicer(unit_of_work, read_unit_of_work, view)
    runtime.add_servicer(lambda server: pb_grpc.add_MatchingServiceServicer_to_server(servicer, server))
    runtime.add_startup(prepare)
    return runtime


def main() -> None:
    """``python -m nordclear.matching``."""
    service_main(MATCHING, build, MatchingSettings)
