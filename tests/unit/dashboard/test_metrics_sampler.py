"""Unit tests of the metrics sampler: parsing the exposition format and rates from counter samples."""

from __future__ import annotations

import pytest

from nordclear.dashboard.views.metrics import MetricsSampler, Scrape, parse_exposition

pytestmark = pytest.mark.unit

EXPOSITION = """\
# HELP nordclear_grpc_requests_total gRPC calls handled.
# TYPE nordclear_grpc_requests_total counter
nordclear_grpc_requests_total{service="repertoire",method="GetWork",code="OK"} {ok}
nordclear_grpc_requests_total{service="repertoire",method="GetWork",code="INTERNAL"} {internal}
# HELP nordclear_outbox_depth Outbox rows not yet published.
# TYPE nordclear_outbox_depth gauge
nordclear_outbox_depth{service="repertoire"} 7.0
"""


def _scrape(at_s: float, ok: float, internal: float) -> Scrape:
    text = EXPOSITION.replace("{ok}", str(ok)).replace("{internal}", str(internal))
    return parse_exposition("repertoire", at_s, text)


def _sampler(*scrapes: Scrape) -> MetricsSampler:
    sampler = MetricsSampler(urls={}, interval_s=10)
    for scrape in scrapes:
        sampler.record(scrape)
    return sampler


def test_exposition_is_parsed_into_named_labelled_samples() -> None:
    scrape = _scrape(0, ok=10, internal=2)
    assert scrape.total("nordclear_grpc_requests_total") == 12
    assert scrape.total("nordclear_grpc_requests_total", lambda labels: labels["code"] == "OK") == 10
    assert scrape.by_label("nordclear_grpc_requests_total", "code") == {"OK": 10, "INTERNAL": 2}
    assert scrape.total("nordclear_outbox_depth") == 7
    assert scrape.total("nordclear_dead_letters_total") is None


def test_a_rate_needs_two_samples() -> None:
    assert _sampler(_scrape(0, 10, 0)).rate("repertoire", "nordclear_grpc_requests_total") is None


def test_rate_is_the_increase_over_the_elapsed_time() -> None:
    sampler = _sampler(_scrape(100, 10, 0), _scrape(110, 60, 5))
    assert sampler.rate("repertoire", "nordclear_grpc_requests_total") == pytest.approx(5.5)
    internal = sampler.rate(
        "repertoire", "nordclear_grpc_requests_total", lambda labels: labels["code"] == "INTERNAL"
    )
    assert internal == pytest.approx(0.5)


def test_a_restarted_service_counts_from_zero_instead_of_going_negative() -> None:
    sampler = _sampler(_scrape(0, 1000, 0), _scrape(10, 30, 0))
    assert sampler.rate("repertoire", "nordclear_grpc_requests_total") == pytest.approx(3.0)


def test_rate_uses_the_window_and_skips_failed_scrapes() -> None:
    failed = Scrape(service="repertoire", at_s=250, error="connection refused")
    sampler = _sampler(_scrape(0, 0, 0), _scrape(200, 200, 0), failed, _scrape(260, 260, 0))
    # 0 s is outside the two-minute window before 260 s; 200 s is the first sample inside it.
    assert sampler.rate("repertoire", "nordclear_grpc_requests_total") == pytest.approx(1.0)
    assert sampler.rate_series("repertoire", "nordclear_grpc_requests_total") == [
        pytest.approx(1.0),
        pytest.approx(1.0),
    ]
    latest = sampler.latest("repertoire")
    assert latest is not None
    assert latest.ok


async def test_an_unreachable_endpoint_is_recorded_with_the_reason() -> None:
    sampler = MetricsSampler(urls={"repertoire": "http://127.0.0.1:1/metrics"}, interval_s=10)
    await sampler.scrape_all()
    latest = sampler.latest("repertoire")
    assert latest is not None
    assert not latest.ok
    assert "127.0.0.1:1" in latest.error
