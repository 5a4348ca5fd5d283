"""The shape of the clearing house: which services exist, where they listen, and the Kafka topics.

One table, read by the settings defaults, the embedded runtime, the ``nordclear status`` command and the
tests that check the deployment files, so that a port or a topic name is written down exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """Static facts about one service process."""

    name: str
    grpc_service: str
    """Fully-qualified gRPC service name, as registered for health checking and reflection."""
    grpc_port: int
    metrics_port: int
    events_topic: str
    """The one topic this service publishes its events to (keyed by aggregate id)."""

    @property
    def env_prefix(self) -> str:
        """Prefix of every environment variable that configures this service."""
        return f"NORDCLEAR_{self.name.upper()}_"


REPERTOIRE = ServiceSpec(
    name="repertoire",
    grpc_service="nordclear.repertoire.v1.RepertoireService",
    grpc_port=50051,
    metrics_port=9101,
    events_topic="nordclear.repertoire.events.v1",
)
LICENSING = ServiceSpec(
    name="licensing",
    grpc_service="nordclear.licensing.v1.LicensingService",
    grpc_port=50052,
    metrics_port=9102,
    events_topic="nordclear.licensing.events.v1",
)
MATCHING = ServiceSpec(
    name="matching",
    grpc_service="nordclear.matching.v1.MatchingService",
    grpc_port=50053,
    metrics_port=9103,
    events_topic="nordclear.matching.events.v1",
)
SETTLEMENT = ServiceSpec(
    name="settlement",
    grpc_service="nordclear.settlement.v1.SettlementService",
    grpc_port=50054,
    metrics_port=9104,
    events_topic="nordclear.settlement.events.v1",
)

SERVICES: tuple[ServiceSpec, ...] = (REPERTOIRE, LICENSING, MATCHING, SETTLEMENT)
SERVICES_BY_NAME: dict[str, ServiceSpec] = {spec.name: spec for spec in SERVICES}

DASHBOARD_HTTP_PORT = 8080
"""Port of the operations dashboard's web server. The dashboard is a process but not a gRPC service, so
it is not in SERVICES (which lists what has a gRPC API, a database and an events topic)."""

EMBEDDED_KAFKA_PORT = 19092
"""Loopback port of the embedded broker; not 9092 so that a developer's own Kafka is left alone."""

DEFAULT_PARTITIONS = 6
"""Partitions per event topic: enough for six consumer replicas per group before a resize."""


@dataclass(frozen=True, slots=True)
class KafkaNames:
    """Topic and consumer-group names, optionally under a namespace prefix.

    The namespace lets several clearing-house environments (or test runs) share one Kafka cluster
    without reading each other's events; production normally leaves it empty.
    """

    namespace: str = ""

    def events_topic(self, spec: ServiceSpec) -> str:
        """The topic ``spec`` publishes its events to."""
        return f"{self.namespace}{spec.events_topic}"

    def consumer_group(self, consumer: ServiceSpec, source: ServiceSpec) -> str:
        """Group id of ``consumer`` reading ``source``'s events; one group per read model."""
        return f"{self.namespace}nordclear.{consumer.name}.from-{source.name}"

    def dead_letter_topic(self, consumer_group: str) -> str:
        """Where ``consumer_group`` parks messages it cannot handle, each with the reason."""
        return f"{consumer_group}.dead-letter.v1"

    def all_events_topics(self) -> list[str]:
        """Every service's events topic."""
        return [self.events_topic(spec) for spec in SERVICES]
