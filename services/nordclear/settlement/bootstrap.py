"""Composition root of the settlement service: builds every part by hand and wires them together."""

from __future__ import annotations

from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as pb_grpc
from nordclear.platform import metrics
from nordclear.platform.messaging.consumer import Handler, InboxConsumer
from nordclear.platform.service_runtime import ServiceRuntime, service_main
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import LICENSING, MATCHING, REPERTOIRE, SETTLEMENT, ServiceSpec
from nordclear.settlement.adapters import orm
from nordclear.settlement.adapters.consumers import (
    HANDLED_LICENSING_EVENTS,
    HANDLED_MATCHING_EVENTS,
    HANDLED_REPERTOIRE_EVENTS,
    handle_licensing_event,
    handle_matching_event,
    handle_repertoire_event,
)
from nordclear.settlement.adapters.events_out import SettlementEventTranslator
from nordclear.settlement.adapters.unit_of_work import SettlementUnitOfWork
from nordclear.settlement.entrypoints.access import ACCESS_POLICY
from nordclear.settlement.entrypoints.grpc_servicer import SettlementServicer
from nordclear.settlement.service_layer import runs


def build(settings: ServiceSettings) -> ServiceRuntime:
    """The settlement service, ready to ``start`` or ``run``."""
    runtime = ServiceRuntime(
        spec=SETTLEMENT,
        settings=settings,
        tables=orm.messaging,
        migrations="nordclear.settlement:migrations",
        policy=ACCESS_POLICY,
    )
    names = runtime.kafka_names
    translate = SettlementEventTranslator(names.events_topic(SETTLEMENT))

    def unit_of_work() -> SettlementUnitOfWork:
        return SettlementUnitOfWork(runtime.session_factory, orm.messaging, runtime.relay.wake, translate)

    def read_unit_of_work() -> SettlementUnitOfWork:
        # Reads only: it has no event translator, so a write through it would fail loudly.
        return SettlementUnitOfWork(runtime.read_session_factory, orm.messaging)

    sources: tuple[tuple[ServiceSpec, Handler[SettlementUnitOfWork], frozenset[str]], ...] = (
        (LICENSING, handle_licensing_event, HANDLED_LICENSING_EVENTS),
        (MATCHING, handle_matching_event, HANDLED_MATCHING_EVENTS),
        (REPERTOIRE, handle_repertoire_event, HANDLED_REPERTOIRE_EVENTS),
    )
    for source, handler, event_types in sources:
        group = names.consumer_group(SETTLEMENT, source)
        runtime.add_consumer(
            InboxConsumer(
                group_id=group,
                topics=[names.events_topic(source)],
                bootstrap_servers=settings.kafka_bootstrap_servers,
                uow_factory=unit_of_work,
                handler=handler,
                handled_event_types=event_types,
                dead_letter_producer=runtime.producer,
                offset_commit_interval_ms=settings.offset_commit_interval_ms,
                dead_letter_topic=names.dead_letter_topic(group),
            )
        )

    async def publish_earliest_deadline() -> None:
        # The gauge is process state: after a restart it must show the stored obligations again.
        async with read_unit_of_work() as uow:
            metrics.EARLIEST_OPEN_DEADLINE.set(await runs.earliest_deadline_timestamp(uow))

    runtime.add_startup(publish_earliest_deadline)
    servicer = SettlementServicer(unit_of_work, read_unit_of_work, events_behind=runtime.events_behind)
    runtime.add_servicer(lambda server: pb_grpc.add_SettlementServiceServicer_to_server(servicer, server))
    return runtime


def main() -> None:
    """``python -m nordclear.settlement``."""
    service_main(SETTLEMENT, build)
