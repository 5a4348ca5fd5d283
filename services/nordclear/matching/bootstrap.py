"""Composition root of the matching service: builds every part by hand and wires them together."""

from __future__ import annotations

from nordclear.gen.matching.v1 import matching_service_pb2_grpc as pb_grpc
from nordclear.matching.adapters import orm
from nordclear.matching.adapters.consumers import HANDLED_REPERTOIRE_EVENTS, handle_repertoire_event
from nordclear.matching.adapters.unit_of_work import MatchingUnitOfWork
from nordclear.matching.entrypoints.access import ACCESS_POLICY
from nordclear.matching.entrypoints.grpc_servicer import MatchingServicer
from nordclear.platform.messaging.consumer import InboxConsumer
from nordclear.platform.service_runtime import ServiceRuntime, service_main
from nordclear.platform.settings import ServiceSettings
from nordclear.platform.topology import MATCHING, REPERTOIRE


def build(settings: ServiceSettings) -> ServiceRuntime:
    """The matching service, ready to ``start`` or ``run``."""
    runtime = ServiceRuntime(
        spec=MATCHING,
        settings=settings,
        tables=orm.messaging,
        migrations="nordclear.matching:migrations",
        policy=ACCESS_POLICY,
    )

    def unit_of_work() -> MatchingUnitOfWork:
        return MatchingUnitOfWork(runtime.session_factory, orm.messaging, runtime.relay.wake)

    names = runtime.kafka_names
    group = names.consumer_group(MATCHING, REPERTOIRE)
    runtime.add_consumer(
        InboxConsumer(
            group_id=group,
            topics=[names.events_topic(REPERTOIRE)],
            bootstrap_servers=settings.kafka_bootstrap_servers,
            uow_factory=unit_of_work,
            handler=handle_repertoire_event,
            handled_event_types=HANDLED_REPERTOIRE_EVENTS,
            dead_letter_producer=runtime.producer,
            offset_commit_interval_ms=settings.offset_commit_interval_ms,
            dead_letter_topic=names.dead_letter_topic(group),
        )
    )
    # The generated base class answers UNIMPLEMENTED for the RPCs later issues fill in.
    servicer = MatchingServicer(unit_of_work)  # type: ignore[abstract]
    runtime.add_servicer(lambda server: pb_grpc.add_MatchingServiceServicer_to_server(servicer, server))
    return runtime


def main() -> None:
    """``python -m nordclear.matching``."""
    service_main(MATCHING, build)
