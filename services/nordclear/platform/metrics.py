"""Prometheus metrics every service exports; names are the contract with deploy/ alert rules and dashboards.

All are defined once here so that the deployment tests can check that every query in the alert rules
and the Grafana dashboard names a metric that exists.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.metrics import MetricWrapperBase

# "_created" timestamps double the series count and no dashboard or alert of ours reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus_client

RPC_REQUESTS = Counter(
    "nordclear_grpc_requests",
    "gRPC calls handled, by service, method and status code.",
    ["service", "method", "code"],
)
RPC_LATENCY = Histogram(
    "nordclear_grpc_request_duration_seconds",
    "Time from receiving a gRPC call to its status.",
    ["service", "method"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
EVENTS_HANDLED = Counter(
    "nordclear_events_handled",
    "Kafka events taken from a topic, by consumer group, event type and outcome "
    "(applied, duplicate, ignored, dead_lettered).",
    ["consumer_group", "event_type", "outcome"],
)
CONSUMER_LAG = Gauge(
    "nordclear_consumer_lag_messages",
    "Messages between a consumer group's position and the partition's high watermark.",
    ["consumer_group", "topic", "partition"],
)
DEAD_LETTERS = Counter(
    "nordclear_dead_letters",
    "Messages a consumer group could not handle and parked on its dead-letter topic.",
    ["consumer_group"],
)
OUTBOX_DEPTH = Gauge("nordclear_outbox_depth", "Outbox rows not yet published.", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "nordclear_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox row (0 when empty).",
    ["service"],
)
OUTBOX_PUBLISHED = Counter("nordclear_outbox_published", "Outbox rows published to Kafka.", ["service"])
SERVICE_UP = Gauge("nordclear_service_up", "1 while the service is serving, 0 while it stops.", ["service"])

# Service-specific metrics live here too, so one list (``exported_metric_names``) names every metric the
# code exports and the deployment checks can hold the dashboards and alerts to it.
LICENCE_TRANSITIONS = Counter(
    "nordclear_licensing_transitions",
    "Licence and application lifecycle transitions, by the status entered and the hub society.",
    ["status", "hub_society"],
)
MATCHED_LINES = Counter(
    "nordclear_matching_lines",
    "Usage report lines matched, by report kind, match method and outcome (matched, review, unmatched).",
    ["kind", "method", "outcome"],
)
REVIEW_QUEUE_DEPTH = Gauge(
    "nordclear_matching_review_queue_depth", "Lines waiting in the review queue for a person."
)
SETTLEMENT_RUN_DURATION = Histogram(
    "nordclear_settlement_run_duration_seconds",
    "Wall time of a settlement run, by outcome (completed, failed).",
    ["outcome"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
SETTLEMENT_INVARIANT_FAILURES = Counter(
    "nordclear_settlement_invariant_failures",
    "Settlement runs refused because a money invariant did not hold, by invariant.",
    ["invariant"],
)
LEDGER_TRANSFERS = Counter(
    "nordclear_settlement_ledger_transfers", "Double-entry transfers appended to the ledger."
)
EARLIEST_OPEN_DEADLINE = Gauge(
    "nordclear_settlement_earliest_open_deadline_timestamp_seconds",
    "Unix time of the earliest deadline of an obligation not yet settled by payment (0 when none).",
)


def exported_metric_names() -> frozenset[str]:
    """Every metric name as Prometheus scrapes it (counters gain ``_total``), for the deployment checks."""
    names: set[str] = set()
    for collector in (value for value in globals().values() if isinstance(value, MetricWrapperBase)):
        for family in collector.describe():
            names.add(f"{family.name}_total" if family.type == "counter" else family.name)
    return frozenset(names)
