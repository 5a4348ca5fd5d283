"""Services in-process for integration tests: real gRPC on a free port, real database, real broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from nordclear.platform.service_runtime import ServiceRuntime
from nordclear.platform.settings import ServiceSettings, load_settings
from nordclear.platform.topology import ServiceSpec


def service_environment(
    spec: ServiceSpec,
    *,
    database_url: str,
    kafka_bootstrap_servers: str,
    kafka_namespace: str,
    public_key_file: Path,
    **overrides: str,
) -> dict[str, str]:
    """The environment a test starts ``spec`` with: free ports, the test's database, broker and key."""
    prefix = spec.env_prefix
    env = {
        f"{prefix}GRPC_ADDRESS": "127.0.0.1:0",
        f"{prefix}METRICS_ADDRESS": "127.0.0.1:0",
        f"{prefix}DATABASE_URL": database_url,
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        f"{prefix}KAFKA_NAMESPACE": kafka_namespace,
        f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(public_key_file),
        f"{prefix}OUTBOX_POLL_INTERVAL_MS": "50",
        f"{prefix}OFFSET_COMMIT_INTERVAL_MS": "0",
        f"{prefix}SHUTDOWN_GRACE_MS": "2000",
    }
    env.update({prefix + key.upper(): value for key, value in overrides.items()})
    return env


@asynccontextmanager
async def running_service(
    spec: ServiceSpec, build: Callable[[ServiceSettings], ServiceRuntime], environment: dict[str, str]
) -> AsyncIterator[ServiceRuntime]:
    """``build`` a service from ``environment``, start it, and stop it gracefully afterwards."""
    runtime = build(load_settings(ServiceSettings, spec, environment))
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
