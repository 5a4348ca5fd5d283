"""The embedded stack configures its dashboard process with settings the dashboard accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from nordclear.dashboard.settings import load_dashboard_settings
from nordclear.platform.topology import DASHBOARD_HTTP_PORT, SERVICES
from nordclear.runtime.credentials import KeyPair
from nordclear.runtime.stack import EmbeddedStack, Ports

pytestmark = pytest.mark.unit


def test_the_dashboard_is_pointed_at_every_service_of_the_stack(tmp_path: Path) -> None:
    ports = Ports(
        kafka=1,
        grpc={spec.name: 20_000 + index for index, spec in enumerate(SERVICES)},
        metrics={spec.name: 21_000 + index for index, spec in enumerate(SERVICES)},
        dashboard=22_000,
    )
    stack = EmbeddedStack(
        tmp_path, ports, dashboard=True, extra_env={"NORDCLEAR_DASHBOARD_SCRAPE_INTERVAL_MS": "250"}
    )
    stack.keys = KeyPair(tmp_path / "keys" / "private.pem", tmp_path / "keys" / "public.pem")
    settings = load_dashboard_settings(stack.dashboard_environment())
    assert settings.http_address == "127.0.0.1:22000"
    assert stack.dashboard_url == "http://127.0.0.1:22000"
    for spec in SERVICES:
        assert settings.grpc_address(spec) == stack.address(spec.name)
        assert settings.metrics_url(spec) == f"http://127.0.0.1:{ports.metrics[spec.name]}/metrics"
    assert settings.token_public_key_file == tmp_path / "keys" / "public.pem"
    assert settings.scrape_interval_ms == 250


def test_the_dashboard_is_off_unless_asked_for_and_listens_on_its_port_by_default(tmp_path: Path) -> None:
    assert EmbeddedStack(tmp_path).with_dashboard is False
    assert Ports().dashboard == DASHBOARD_HTTP_PORT
