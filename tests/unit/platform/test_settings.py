"""Unit tests of nordclear.platform.settings: defaults, prefixes, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.settings import ConfigurationError, ServiceSettings, load_settings
from nordclear.platform.topology import EMBEDDED_KAFKA_PORT, MATCHING, REPERTOIRE, SERVICES, ServiceSpec

pytestmark = pytest.mark.unit

PREFIX = "NORDCLEAR_REPERTOIRE_"


def _load(environ: dict[str, str]) -> ServiceSettings:
    return load_settings(ServiceSettings, REPERTOIRE, environ)


def _error(environ: dict[str, str]) -> str:
    with pytest.raises(ConfigurationError) as caught:
        _load(environ)
    return str(caught.value)


def test_empty_environment_gives_the_embedded_defaults() -> None:
    settings = _load({})
    assert settings.grpc_address == "127.0.0.1:50051"
    assert settings.metrics_address == "127.0.0.1:9101"
    assert settings.database_url == "sqlite+aiosqlite:///.data/repertoire.sqlite3"
    assert settings.kafka_bootstrap_servers == f"127.0.0.1:{EMBEDDED_KAFKA_PORT}"
    assert settings.kafka_namespace == ""
    assert settings.token_public_key_file == Path(".data/keys/token-signing.pub.pem")
    assert settings.log_level == "INFO"
    assert settings.log_format == "auto"
    assert settings.shutdown_grace_ms == 10_000
    assert settings.tls_cert_file is None
    assert settings.tls_key_file is None


@pytest.mark.parametrize("spec", SERVICES, ids=[spec.name for spec in SERVICES])
def test_each_service_defaults_to_its_own_ports_and_database(spec: ServiceSpec) -> None:
    settings = load_settings(ServiceSettings, spec, {})
    assert settings.grpc_address == f"127.0.0.1:{spec.grpc_port}"
    assert settings.metrics_address == f"127.0.0.1:{spec.metrics_port}"
    assert settings.database_url == f"sqlite+aiosqlite:///.data/{spec.name}.sqlite3"


def test_variables_under_the_prefix_override_the_defaults() -> None:
    settings = _load(
        {
            f"{PREFIX}GRPC_ADDRESS": "0.0.0.0:6000",
            f"{PREFIX}DATABASE_URL": "postgresql+asyncpg://nordclear@db:5432/repertoire",
            f"{PREFIX}KAFKA_BOOTSTRAP_SERVERS": "kafka-0:9092, kafka-1:9092",
            f"{PREFIX}LOG_LEVEL": "DEBUG",
            f"{PREFIX}LOG_FORMAT": "json",
            f"{PREFIX}SHUTDOWN_GRACE_MS": "2500",
            f"{PREFIX}TOKEN_PUBLIC_KEY_FILE": "/etc/nordclear/token.pub.pem",
        }
    )
    assert settings.grpc_address == "0.0.0.0:6000"
    assert settings.metrics_address == "127.0.0.1:9101"
    assert settings.database_url == "postgresql+asyncpg://nordclear@db:5432/repertoire"
    assert settings.kafka_bootstrap_servers == "kafka-0:9092, kafka-1:9092"
    assert settings.log_level == "DEBUG"
    assert settings.log_format == "json"
    assert settings.shutdown_grace_ms == 2500
    assert settings.token_public_key_file == Path("/etc/nordclear/token.pub.pem")


def test_only_the_services_own_prefix_is_read() -> None:
    settings = _load(
        {
            f"{MATCHING.env_prefix}GRPC_ADDRESS": "0.0.0.0:7777",
            f"{MATCHING.env_prefix}BOGUS": "x",
            "LOG_LEVEL": "DEBUG",
            "GRPC_ADDRESS": "0.0.0.0:1",
            "NORDCLEAR_LOG_LEVEL": "ERROR",
            "DATABASE_URL": "mysql://elsewhere",
        }
    )
    assert settings == _load({})


def test_a_bad_value_names_the_full_variable_and_the_value() -> None:
    message = _error({f"{PREFIX}GRPC_ADDRESS": "localhost"})
    assert f"{PREFIX}GRPC_ADDRESS" in message
    assert "'localhost'" in message
    assert "HOST:PORT" in message


def test_every_bad_variable_is_named_in_one_error() -> None:
    message = _error(
        {
            f"{PREFIX}GRPC_ADDRESS": "nope",
            f"{PREFIX}METRICS_ADDRESS": "127.0.0.1:70000",
            f"{PREFIX}SHUTDOWN_GRACE_MS": "-1",
            f"{PREFIX}LOG_FORMAT": "xml",
        }
    )
    for name, value in [
        ("GRPC_ADDRESS", "'nope'"),
        ("METRICS_ADDRESS", "'127.0.0.1:70000'"),
        ("SHUTDOWN_GRACE_MS", "'-1'"),
        ("LOG_FORMAT", "'xml'"),
    ]:
        assert f"{PREFIX}{name}={value}" in message


def test_an_unknown_variable_under_the_prefix_is_an_error_naming_it() -> None:
    message = _error({f"{PREFIX}GRPC_ADRESS": "127.0.0.1:1"})
    assert f"{PREFIX}GRPC_ADRESS" in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://nordclear@db/repertoire",
        "postgresql+psycopg://nordclear@db/repertoire",
        "sqlite:///repertoire.sqlite3",
        "mysql+aiomysql://db/repertoire",
        "",
    ],
)
def test_a_database_url_with_another_driver_is_refused(url: str) -> None:
    message = _error({f"{PREFIX}DATABASE_URL": url})
    assert f"{PREFIX}DATABASE_URL={url!r}" in message
    assert "sqlite+aiosqlite://" in message
    assert "postgresql+asyncpg://" in message


@pytest.mark.parametrize("namespace", ["", "staging.", "test-1a2b.", "ci.run-7."])
def test_kafka_namespace_accepts_dotted_lowercase_prefixes(namespace: str) -> None:
    assert _load({f"{PREFIX}KAFKA_NAMESPACE": namespace}).kafka_namespace == namespace


@pytest.mark.parametrize(
    "namespace", ["staging", "Staging.", ".staging.", "-x.", "st aging.", "staging.\n", "ö."]
)
def test_kafka_namespace_refuses_anything_else(namespace: str) -> None:
    message = _error({f"{PREFIX}KAFKA_NAMESPACE": namespace})
    assert f"{PREFIX}KAFKA_NAMESPACE={namespace!r}" in message


@pytest.mark.parametrize("servers", ["", "kafka:9092,", "kafka", "kafka:9092,:9093"])
def test_every_bootstrap_server_must_be_host_and_port(servers: str) -> None:
    assert f"{PREFIX}KAFKA_BOOTSTRAP_SERVERS" in _error({f"{PREFIX}KAFKA_BOOTSTRAP_SERVERS": servers})


@pytest.mark.parametrize("address", [":50051", "host:", "host:-1", "host:+1", "host:65536", "host: 1"])
def test_malformed_addresses_are_refused(address: str) -> None:
    assert f"{PREFIX}GRPC_ADDRESS={address!r}" in _error({f"{PREFIX}GRPC_ADDRESS": address})


def test_a_port_in_non_ascii_digits_is_refused() -> None:
    """'١٢' passes str.isdigit() and int() reads it as 12, but no socket API accepts it: fail at start."""
    address = "127.0.0.1:\u0661\u0662"
    assert f"{PREFIX}GRPC_ADDRESS" in _error({f"{PREFIX}GRPC_ADDRESS": address})


@given(st.integers(min_value=0, max_value=65535))
def test_every_port_in_range_is_accepted(port: int) -> None:
    assert _load({f"{PREFIX}GRPC_ADDRESS": f"[::1]:{port}"}).grpc_address == f"[::1]:{port}"


@given(st.integers(min_value=65536, max_value=10**9))
def test_every_port_above_range_is_refused(port: int) -> None:
    with pytest.raises(ConfigurationError, match=f"{PREFIX}GRPC_ADDRESS"):
        _load({f"{PREFIX}GRPC_ADDRESS": f"127.0.0.1:{port}"})


def test_log_level_is_one_of_the_documented_names() -> None:
    message = _error({f"{PREFIX}LOG_LEVEL": "TRACE"})
    assert f"{PREFIX}LOG_LEVEL='TRACE'" in message


def test_settings_are_frozen() -> None:
    settings = _load({})
    with pytest.raises(ValueError, match="frozen"):
        settings.grpc_address = "0.0.0.0:1"
