"""Dashboard settings from ``NORDCLEAR_DASHBOARD_*`` environment variables, validated once at start.

Like the services, the dashboard reads only variables under its own prefix and refuses unknown ones
(almost always a typo), naming every bad variable at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nordclear.platform.settings import DATA_DIR, ConfigurationError
from nordclear.platform.topology import (
    DASHBOARD_HTTP_PORT,
    LICENSING,
    MATCHING,
    REPERTOIRE,
    SETTLEMENT,
    ServiceSpec,
)

ENV_PREFIX = "NORDCLEAR_DASHBOARD_"


def _check_host_port(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not (port.isascii() and port.isdigit()) or not 0 <= int(port) < 65536:
        raise ValueError(f"expected HOST:PORT with a port in 0..65535, got {value!r}")
    return value


class DashboardSettings(BaseModel):
    """Where the dashboard listens and where it finds each service's gRPC API and metrics."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    http_address: str = Field(
        default=f"127.0.0.1:{DASHBOARD_HTTP_PORT}", description="HOST:PORT the web server binds."
    )
    repertoire_address: str = Field(default=f"127.0.0.1:{REPERTOIRE.grpc_port}")
    licensing_address: str = Field(default=f"127.0.0.1:{LICENSING.grpc_port}")
    matching_address: str = Field(default=f"127.0.0.1:{MATCHING.grpc_port}")
    settlement_address: str = Field(default=f"127.0.0.1:{SETTLEMENT.grpc_port}")
    repertoire_metrics_url: str = Field(default=f"http://127.0.0.1:{REPERTOIRE.metrics_port}/metrics")
    licensing_metrics_url: str = Field(default=f"http://127.0.0.1:{LICENSING.metrics_port}/metrics")
    matching_metrics_url: str = Field(default=f"http://127.0.0.1:{MATCHING.metrics_port}/metrics")
    settlement_metrics_url: str = Field(default=f"http://127.0.0.1:{SETTLEMENT.metrics_port}/metrics")
    token_public_key_file: Path = Field(
        default=DATA_DIR / "keys" / "token-signing.pub.pem",
        description="Ed25519 public key (PEM) that verifies the ops tokens people sign in with.",
    )
    scrape_interval_ms: int = Field(
        default=10_000, ge=100, description="How often every service's /metrics is sampled for rates."
    )
    rpc_timeout_ms: int = Field(default=5_000, ge=100, description="Deadline of each gRPC call.")
    secure_cookie: bool = Field(
        default=False, description="Send the sign-in cookie over HTTPS only (set it behind TLS)."
    )
    tls_ca_file: Path | None = Field(
        default=None, description="PEM CA bundle; gRPC calls use TLS when set, plaintext otherwise."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    @field_validator(
        "http_address", "repertoire_address", "licensing_address", "matching_address", "settlement_address"
    )
    @classmethod
    def _host_port(cls, value: str) -> str:
        return _check_host_port(value)

    @field_validator(
        "repertoire_metrics_url", "licensing_metrics_url", "matching_metrics_url", "settlement_metrics_url"
    )
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
        return value

    @field_validator("tls_ca_file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    def grpc_address(self, spec: ServiceSpec) -> str:
        """HOST:PORT of ``spec``'s gRPC API."""
        value: str = getattr(self, f"{spec.name}_address")
        return value

    def metrics_url(self, spec: ServiceSpec) -> str:
        """URL of ``spec``'s Prometheus metrics."""
        value: str = getattr(self, f"{spec.name}_metrics_url")
        return value


def load_dashboard_settings(environ: dict[str, str]) -> DashboardSettings:
    """Settings from ``environ``'s ``NORDCLEAR_DASHBOARD_*`` variables; ConfigurationError names bad ones."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name.removeprefix(ENV_PREFIX)
        if key.isupper():
            values[key.lower()] = value
        else:
            problems.append(f"{name}={value!r}: variable names are upper case")
    try:
        settings = DashboardSettings.model_validate(values)
    except ValidationError as error:
        for issue in error.errors():
            variable = ENV_PREFIX + "_".join(str(part) for part in issue["loc"][:1]).upper()
            problems.append(f"{variable}={issue.get('input')!r}: {issue['msg']}")
    if problems:
        raise ConfigurationError("invalid configuration: " + "; ".join(problems))
    return settings
