"""Service settings from environment variables, validated once at start.

Every service reads variables with its own prefix (``NORDCLEAR_REPERTOIRE_`` …, see ``topology``), and
only those: a stray ``LOG_LEVEL`` meant for another program must not reconfigure a service. An unknown
variable under the prefix is an error too, because it is almost always a typo of a real one.
A bad or missing value stops the process before it binds a port, with a message that names the
variable, because an operator reads that message in a crash-looping pod's log and must fix it there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nordclear.platform.topology import DEFAULT_PARTITIONS, EMBEDDED_KAFKA_PORT, ServiceSpec

DATA_DIR = Path(".data")
"""Default home of the embedded default's databases and keys, relative to the working directory."""


class ConfigurationError(Exception):
    """A setting is missing or invalid; the message names the environment variable."""


def _check_host_port(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not (port.isascii() and port.isdigit()) or not 0 <= int(port) < 65536:
        raise ValueError(f"expected HOST:PORT with a port in 0..65535 (0: any free port), got {value!r}")
    return value


class ServiceSettings(BaseModel):
    """Settings every service shares; each service subclasses it with its own prefix and defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grpc_address: str = Field(description="HOST:PORT the gRPC server binds.")
    metrics_address: str = Field(description="HOST:PORT of the Prometheus metrics endpoint.")
    database_url: str = Field(
        description="SQLAlchemy async URL: sqlite+aiosqlite:///… or postgresql+asyncpg://…"
    )
    kafka_bootstrap_servers: str = Field(
        default=f"127.0.0.1:{EMBEDDED_KAFKA_PORT}", description="Comma-separated HOST:PORT list."
    )
    kafka_namespace: str = Field(
        default="",
        pattern=r"^[a-z0-9][a-z0-9.-]*\.$|^$",
        description="Prefix of all topics and consumer groups, ending in '.', e.g. 'staging.'.",
    )
    kafka_topic_partitions: int = Field(
        default=DEFAULT_PARTITIONS, ge=1, description="Partitions of topics this service creates at start."
    )
    kafka_replication_factor: int = Field(
        default=1, ge=1, description="Replicas of topics this service creates at start (3 on a real cluster)."
    )
    token_public_key_file: Path = Field(
        default=DATA_DIR / "keys" / "token-signing.pub.pem",
        description="Ed25519 public key (PEM) that verifies bearer tokens.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    shutdown_grace_ms: int = Field(default=10_000, ge=0, description="Time in-flight RPCs get to finish.")
    outbox_poll_interval_ms: int = Field(default=200, ge=10)
    outbox_replay_on_start: bool = Field(
        default=False,
        description=(
            "Publish the whole outbox again at start. The embedded broker keeps topics in memory only, so "
            "the embedded runtime sets this; consumers' inboxes make the replay harmless."
        ),
    )
    offset_commit_interval_ms: int = Field(
        default=1_000,
        ge=0,
        description="How often consumers commit offsets; 0 commits after every batch.",
    )
    consume_topics_from_services: bool = Field(
        default=True, description="Run this service's Kafka consumers (off only for tools and tests)."
    )
    tls_cert_file: Path | None = Field(default=None, description="PEM certificate; TLS is on when set.")
    tls_key_file: Path | None = Field(default=None, description="PEM private key for tls_cert_file.")

    @field_validator("grpc_address", "metrics_address")
    @classmethod
    def _host_port(cls, value: str) -> str:
        return _check_host_port(value)

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _bootstrap(cls, value: str) -> str:
        for server in value.split(","):
            _check_host_port(server.strip())
        return value

    @field_validator("tls_cert_file", "tls_key_file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # An empty variable means "not set"; as a path it would be "." and switch TLS on.
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


def default_environment(spec: ServiceSpec) -> dict[str, str]:
    """The embedded default of a service, as the environment variables that express it."""
    return {
        f"{spec.env_prefix}GRPC_ADDRESS": f"127.0.0.1:{spec.grpc_port}",
        f"{spec.env_prefix}METRICS_ADDRESS": f"127.0.0.1:{spec.metrics_port}",
        f"{spec.env_prefix}DATABASE_URL": f"sqlite+aiosqlite:///{DATA_DIR / (spec.name + '.sqlite3')}",
    }


def load_settings(settings_class: type[SettingsT], spec: ServiceSpec, environ: dict[str, str]) -> SettingsT:
    """Build ``settings_class`` from ``environ`` (falling back to the embedded default).

    Raises ConfigurationError naming every bad variable at once, so one restart fixes them all.
    """
    prefix = spec.env_prefix
    values: dict[str, str] = {}
    for name, default in default_environment(spec).items():
        values[name.removeprefix(prefix).lower()] = environ.get(name, default)
    problems: list[str] = []
    for name, value in environ.items():
        if not name.startswith(prefix):
            continue
        key = name.removeprefix(prefix)
        if key.isupper():
            values[key.lower()] = value
        else:
            problems.append(f"{name}={value!r}: variable names are upper case")
    try:
        settings = settings_class.model_validate(values)
    except ValidationError as error:
        for issue in error.errors():
            variable = prefix + "_".join(str(part) for part in issue["loc"][:1]).upper()
            problems.append(f"{variable}={issue.get('input')!r}: {issue['msg']}")
    if problems:
        raise ConfigurationError("invalid configuration: " + "; ".join(problems))
    return settings
