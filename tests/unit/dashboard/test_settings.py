"""Unit tests of the dashboard's settings: defaults from the topology, and errors naming the variable."""

from __future__ import annotations

import pytest

from nordclear.dashboard.settings import load_dashboard_settings
from nordclear.platform.settings import ConfigurationError
from nordclear.platform.topology import DASHBOARD_HTTP_PORT, MATCHING, SERVICES

pytestmark = pytest.mark.unit


def test_defaults_point_at_the_embedded_stack() -> None:
    settings = load_dashboard_settings({"NORDCLEAR_REPERTOIRE_GRPC_ADDRESS": "ignored:1"})
    assert settings.http_address == f"127.0.0.1:{DASHBOARD_HTTP_PORT}"
    for spec in SERVICES:
        assert settings.grpc_address(spec) == f"127.0.0.1:{spec.grpc_port}"
        assert settings.metrics_url(spec) == f"http://127.0.0.1:{spec.metrics_port}/metrics"
    assert settings.secure_cookie is False


def test_variables_override_the_defaults() -> None:
    settings = load_dashboard_settings(
        {
            "NORDCLEAR_DASHBOARD_MATCHING_ADDRESS": "matching:50053",
            "NORDCLEAR_DASHBOARD_MATCHING_METRICS_URL": "http://matching:9103/metrics",
            "NORDCLEAR_DASHBOARD_SECURE_COOKIE": "true",
        }
    )
    assert settings.grpc_address(MATCHING) == "matching:50053"
    assert settings.metrics_url(MATCHING) == "http://matching:9103/metrics"
    assert settings.secure_cookie is True


def test_every_bad_variable_is_named_at_once() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_dashboard_settings(
            {
                "NORDCLEAR_DASHBOARD_HTTP_ADDRESS": "no-port",
                "NORDCLEAR_DASHBOARD_LICENSING_METRICS_URL": "licensing:9102",
                "NORDCLEAR_DASHBOARD_COLOUR": "red",
            }
        )
    message = str(caught.value)
    assert "NORDCLEAR_DASHBOARD_HTTP_ADDRESS='no-port'" in message
    assert "NORDCLEAR_DASHBOARD_LICENSING_METRICS_URL='licensing:9102'" in message
    assert "NORDCLEAR_DASHBOARD_COLOUR" in message
