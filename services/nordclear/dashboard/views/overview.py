"""The overview: every service's health, traffic and errors, consumer lag, outboxes and dead letters.

Something "needs a person" when it will not fix itself: a service not serving or not answering, server
errors, a consumer falling behind, events stuck in an outbox, a message parked on a dead-letter topic,
an obligation deadline close, a settlement run refused by a money invariant. Those rows are red, and the
reasons are listed at the top in words.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from nordclear.dashboard.views.metrics import Labels, MetricsSampler
from nordclear.platform.topology import MATCHING, SERVICES, SETTLEMENT

REQUESTS = "nordclear_grpc_requests_total"
LATENCY_SUM = "nordclear_grpc_request_duration_seconds_sum"
LATENCY_COUNT = "nordclear_grpc_request_duration_seconds_count"
SERVER_ERROR_CODES = frozenset({"INTERNAL", "UNKNOWN", "DATA_LOSS", "UNAVAILABLE", "DEADLINE_EXCEEDED"})
"""Codes that mean the service failed, as opposed to refusing a bad or unauthorised request."""

SERVER_ERROR_RATIO_ALERT = 0.01
LAG_ALERT_MESSAGES = 1_000
OUTBOX_AGE_ALERT_S = 60.0
DEADLINE_WARNING_DAYS = 30


class HealthSource(Protocol):
    """What the overview needs of the service clients: each service's gRPC health."""

    async def health(self, service: str) -> str:
        """``SERVING``, ``NOT_SERVING`` or ``UNREACHABLE (…)``."""
        ...


def _is_error(labels: Labels) -> bool:
    return labels.get("code", "OK") != "OK"


def _is_server_error(labels: Labels) -> bool:
    return labels.get("code", "") in SERVER_ERROR_CODES


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """One service's line of the overview."""

    name: str
    health: str
    metrics_error: str
    request_rate: float | None
    error_ratio: float | None
    server_error_ratio: float | None
    mean_latency_ms: float | None
    outbox_depth: int | None
    outbox_oldest_age_s: float | None
    request_rates: list[float]
    reasons: list[str] = field(default_factory=list)

    @property
    def needs_person(self) -> bool:
        """Red: something here will not fix itself."""
        return bool(self.reasons)


@dataclass(frozen=True, slots=True)
class ConsumerRow:
    """One consumer group: how far behind it is and what it parked."""

    consumer_group: str
    service: str
    lag_messages: int
    dead_letters: int
    reasons: list[str] = field(default_factory=list)

    @property
    def needs_person(self) -> bool:
        """Red: falling behind or parking messages."""
        return bool(self.reasons)


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything on the overview page."""

    services: list[ServiceRow]
    consumers: list[ConsumerRow]
    review_queue_depth: int | None
    earliest_open_deadline: date | None
    invariant_failures: int | None
    attention: list[str]
    sampled_at: datetime | None


async def overview(clients: HealthSource, sampler: MetricsSampler, today: date) -> Overview:
    """The overview as of the sampler's latest scrapes and a fresh health check of every service."""
    healths = await asyncio.gather(*(clients.health(spec.name) for spec in SERVICES))
    rows = [_service_row(spec.name, health, sampler) for spec, health in zip(SERVICES, healths, strict=True)]
    consumers = _consumer_rows(sampler)

    attention = [f"{row.name}: {reason}" for row in rows for reason in row.reasons]
    attention += [f"{row.consumer_group}: {reason}" for row in consumers for reason in row.reasons]

    matching = sampler.latest(MATCHING.name)
    review_depth = matching.total("nordclear_matching_review_queue_depth") if matching else None
    settlement = sampler.latest(SETTLEMENT.name)
    deadline_s = (
        settlement.total("nordclear_settlement_earliest_open_deadline_timestamp_seconds")
        if settlement
        else None
    )
    earliest = datetime.fromtimestamp(deadline_s, UTC).date() if deadline_s else None
    if earliest is not None and earliest <= today + timedelta(days=DEADLINE_WARNING_DAYS):
        attention.append(
            f"settlement: an open obligation is due on {earliest.isoformat()}"
            f"{' (late)' if earliest < today else ''}"
        )
    failures = settlement.total("nordclear_settlement_invariant_failures_total") if settlement else None
    if failures:
        attention.append(f"settlement: {int(failures)} run(s) refused by a money invariant")
    sampled = [s.at_s for spec in SERVICES if (s := sampler.latest(spec.name)) is not None]
    return Overview(
        services=rows,
        consumers=consumers,
        review_queue_depth=int(review_depth) if review_depth is not None else None,
        earliest_open_deadline=earliest,
        invariant_failures=int(failures) if failures is not None else None,
        attention=attention,
        sampled_at=datetime.fromtimestamp(max(sampled), UTC) if sampled else None,
    )


def _service_row(name: str, health: str, sampler: MetricsSampler) -> ServiceRow:
    reasons: list[str] = []
    if health != "SERVING":
        reasons.append(f"gRPC health says {health}")
    scrape = sampler.latest(name)
    metrics_error = "" if scrape is None else scrape.error
    if scrape is None:
        metrics_error = "not sampled yet"
    elif scrape.error:
        reasons.append("its /metrics endpoint does not answer")

    total_rate = sampler.rate(name, REQUESTS)
    error_rate = sampler.rate(name, REQUESTS, _is_error)
    server_error_rate = sampler.rate(name, REQUESTS, _is_server_error)
    error_ratio = server_error_ratio = mean_latency_ms = None
    if total_rate:
        error_ratio = (error_rate or 0.0) / total_rate
        server_error_ratio = (server_error_rate or 0.0) / total_rate
        if server_error_ratio > SERVER_ERROR_RATIO_ALERT:
            reasons.append(f"{server_error_ratio * 100:.1f} % of calls fail on the server")
        latency_rate = sampler.rate(name, LATENCY_SUM)
        count_rate = sampler.rate(name, LATENCY_COUNT)
        if latency_rate is not None and count_rate:
            mean_latency_ms = latency_rate / count_rate * 1000

    depth = age = None
    if scrape is not None and scrape.ok:
        found_depth = scrape.total("nordclear_outbox_depth", lambda labels: labels.get("service") == name)
        found_age = scrape.total(
            "nordclear_outbox_oldest_age_seconds", lambda labels: labels.get("service") == name
        )
        depth = int(found_depth) if found_depth is not None else None
        age = found_age
        if age is not None and age > OUTBOX_AGE_ALERT_S:
            reasons.append(f"outbox events unpublished for {age:.0f} s (is Kafka reachable?)")
    return ServiceRow(
        name=name,
        health=health,
        metrics_error=metrics_error,
        request_rate=total_rate,
        error_ratio=error_ratio,
        server_error_ratio=server_error_ratio,
        mean_latency_ms=mean_latency_ms,
        outbox_depth=depth,
        outbox_oldest_age_s=age,
        request_rates=sampler.rate_series(name, REQUESTS),
        reasons=reasons,
    )


def _consumer_rows(sampler: MetricsSampler) -> list[ConsumerRow]:
    rows: list[ConsumerRow] = []
    for spec in SERVICES:
        scrape = sampler.latest(spec.name)
        if scrape is None or not scrape.ok:
            continue
        lags = scrape.by_label("nordclear_consumer_lag_messages", "consumer_group")
        dead = scrape.by_label("nordclear_dead_letters_total", "consumer_group")
        for group in sorted(set(lags) | set(dead)):
            lag = int(lags.get(group, 0))
            dead_letters = int(dead.get(group, 0))
            reasons = []
            if lag > LAG_ALERT_MESSAGES:
                reasons.append(f"{lag} messages behind")
            if dead_letters:
                reasons.append(f"{dead_letters} message(s) on the dead-letter topic")
            rows.append(ConsumerRow(group, spec.name, lag, dead_letters, reasons))
    return rows
