"""Unit tests of the overview: which figures turn a row red, and the reasons it gives in words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nordclear.dashboard.views.metrics import MetricsSampler, parse_exposition
from nordclear.dashboard.views.overview import overview

pytestmark = pytest.mark.unit
TODAY = date(2026, 3, 1)


class Healths:
    """Every service SERVING unless named otherwise."""

    def __init__(self, **states: str) -> None:
        self.states = states

    async def health(self, service: str) -> str:
        return self.states.get(service, "SERVING")


def _sampler(texts: dict[str, list[str]]) -> MetricsSampler:
    """Scrapes ten seconds apart, per service."""
    sampler = MetricsSampler(urls={}, interval_s=10)
    for service, scrapes in texts.items():
        for index, text in enumerate(scrapes):
            sampler.record(parse_exposition(service, 1000.0 + 10 * index, text))
    return sampler


def _requests(ok: int, internal: int = 0, not_found: int = 0) -> str:
    return (
        "# TYPE nordclear_grpc_requests_total counter\n"
        f'nordclear_grpc_requests_total{{method="GetWork",code="OK"}} {ok}\n'
        f'nordclear_grpc_requests_total{{method="GetWork",code="INTERNAL"}} {internal}\n'
        f'nordclear_grpc_requests_total{{method="GetWork",code="NOT_FOUND"}} {not_found}\n'
    )


async def test_a_quiet_healthy_clearing_house_needs_nobody() -> None:
    healthy = {
        name: [_requests(0), _requests(100)] for name in ("repertoire", "licensing", "matching", "settlement")
    }
    data = await overview(Healths(), _sampler(healthy), TODAY)
    assert data.attention == []
    repertoire = data.services[0]
    assert repertoire.request_rate == pytest.approx(10.0)
    assert repertoire.error_ratio == 0
    assert not repertoire.needs_person


async def test_client_errors_count_as_errors_but_only_server_errors_turn_red() -> None:
    sampler = _sampler({"repertoire": [_requests(0), _requests(90, not_found=10)]})
    row = (await overview(Healths(), sampler, TODAY)).services[0]
    assert row.error_ratio == pytest.approx(0.1)
    assert row.server_error_ratio == 0
    assert not row.needs_person

    sampler = _sampler({"repertoire": [_requests(0), _requests(90, internal=10)]})
    row = (await overview(Healths(), sampler, TODAY)).services[0]
    assert row.needs_person
    assert row.reasons == ["10.0 % of calls fail on the server"]


async def test_a_service_down_or_without_metrics_is_red() -> None:
    sampler = MetricsSampler(urls={"licensing": "http://127.0.0.1:1/metrics"}, interval_s=10)
    await sampler.scrape_all()
    data = await overview(Healths(matching="UNREACHABLE (UNAVAILABLE)"), sampler, TODAY)
    by_name = {row.name: row for row in data.services}
    assert by_name["matching"].reasons == ["gRPC health says UNREACHABLE (UNAVAILABLE)"]
    assert by_name["licensing"].reasons == ["its /metrics endpoint does not answer"]
    assert "matching: gRPC health says UNREACHABLE (UNAVAILABLE)" in data.attention


async def test_lag_dead_letters_stuck_outbox_deadlines_and_invariants_need_a_person() -> None:
    lag = "nordclear_consumer_lag_messages"
    from_repertoire = 'consumer_group="nordclear.matching.from-repertoire",topic="t"'
    matching = (
        f"# TYPE {lag} gauge\n"
        f'{lag}{{{from_repertoire},partition="0"}} 800\n'
        f'{lag}{{{from_repertoire},partition="1"}} 700\n'
        f'{lag}{{consumer_group="nordclear.matching.from-licensing",topic="t",partition="0"}} 3\n'
        "# TYPE nordclear_dead_letters_total counter\n"
        'nordclear_dead_letters_total{consumer_group="nordclear.matching.from-licensing"} 2\n'
        "# TYPE nordclear_outbox_oldest_age_seconds gauge\n"
        'nordclear_outbox_oldest_age_seconds{service="matching"} 95\n'
        "# TYPE nordclear_outbox_depth gauge\n"
        'nordclear_outbox_depth{service="matching"} 40\n'
        "# TYPE nordclear_matching_review_queue_depth gauge\n"
        "nordclear_matching_review_queue_depth 12\n"
    )
    deadline = datetime(2026, 3, 20, tzinfo=UTC).timestamp()
    settlement = (
        "# TYPE nordclear_settlement_earliest_open_deadline_timestamp_seconds gauge\n"
        f"nordclear_settlement_earliest_open_deadline_timestamp_seconds {deadline}\n"
        "# TYPE nordclear_settlement_invariant_failures_total counter\n"
        'nordclear_settlement_invariant_failures_total{invariant="CONSERVATION"} 1\n'
    )
    data = await overview(Healths(), _sampler({"matching": [matching], "settlement": [settlement]}), TODAY)

    consumers = {row.consumer_group: row for row in data.consumers}
    assert consumers["nordclear.matching.from-repertoire"].lag_messages == 1500
    assert consumers["nordclear.matching.from-repertoire"].reasons == ["1500 messages behind"]
    assert consumers["nordclear.matching.from-licensing"].reasons == ["2 message(s) on the dead-letter topic"]
    matching_row = next(row for row in data.services if row.name == "matching")
    assert matching_row.outbox_depth == 40
    assert matching_row.reasons == ["outbox events unpublished for 95 s (is Kafka reachable?)"]
    assert data.review_queue_depth == 12
    assert data.earliest_open_deadline == date(2026, 3, 20)
    assert data.invariant_failures == 1
    assert "settlement: an open obligation is due on 2026-03-20" in data.attention
    assert "settlement: 1 run(s) refused by a money invariant" in data.attention
