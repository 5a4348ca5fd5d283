"""The metric names the code says it exports are the ones a Prometheus scrape really shows."""

from __future__ import annotations

import pytest
from prometheus_client import generate_latest

from nordclear.platform import metrics
from nordclear.platform.metrics import exported_metric_names

pytestmark = pytest.mark.unit


def _scraped_families() -> set[str]:
    text = generate_latest().decode()
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE nordclear_")}


def test_exported_names_match_a_scrape() -> None:
    # A labelled child makes every series of its family appear in a scrape, "_created" ones included.
    metrics.RPC_REQUESTS.labels("test", "/test/Method", "OK")
    metrics.EVENTS_HANDLED.labels("test-group", "test.Event", "applied")
    assert exported_metric_names() == _scraped_families()
    assert {"nordclear_grpc_requests_total", "nordclear_consumer_lag_messages", "nordclear_outbox_depth"} <= (
        exported_metric_names()
    )
