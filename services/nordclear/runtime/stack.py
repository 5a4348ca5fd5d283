"""The embedded stack: the broker and every service as its own process, supervised from one command.

``make run`` and the end-to-end tests both start the clearing house through ``EmbeddedStack``, so the
tests exercise exactly what a person runs. Each service gets its own SQLite file in the data folder and
is configured only through its environment variables (the same ones production uses).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import grpc

from nordclear.platform.broker import EmbeddedBroker
from nordclear.platform.logging import get_logger
from nordclear.platform.messaging.kafka import ensure_topics
from nordclear.platform.processes import stop_with_parent
from nordclear.platform.rpc.health import serving_status
from nordclear.platform.topology import (
    DASHBOARD_HTTP_PORT,
    EMBEDDED_KAFKA_PORT,
    SERVICES,
    KafkaNames,
    ServiceSpec,
)
from nordclear.runtime.credentials import KeyPair, ensure_signing_key

log = get_logger(__name__)

HEALTH_TIMEOUT_MS = 60_000
STOP_GRACE_MS = 15_000


@dataclass(frozen=True, slots=True)
class Ports:
    """Where each part listens; the embedded default, or free ports chosen by a test."""

    kafka: int = EMBEDDED_KAFKA_PORT
    grpc: Mapping[str, int] = field(default_factory=lambda: {s.name: s.grpc_port for s in SERVICES})
    metrics: Mapping[str, int] = field(default_factory=lambda: {s.name: s.metrics_port for s in SERVICES})
    dashboard: int = DASHBOARD_HTTP_PORT


class EmbeddedStack:
    """Starts, watches and stops the broker and the four services."""

    def __init__(
        self,
        data_dir: Path,
        ports: Ports | None = None,
        *,
        log_dir: Path | None = None,
        extra_env: Mapping[str, str] | None = None,
        dashboard: bool = False,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.with_dashboard = dashboard
        self.ports = ports or Ports()
        self._log_dir = log_dir
        self._extra_env = dict(extra_env or {})
        self.broker = EmbeddedBroker(self.ports.kafka, log_file=(log_dir / "broker.log") if log_dir else None)
        self.keys: KeyPair | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._log_handles: list[IO[bytes]] = []

    def address(self, service: str) -> str:
        """HOST:PORT of a service's gRPC server."""
        return f"127.0.0.1:{self.ports.grpc[service]}"

    def environment(self, spec: ServiceSpec) -> dict[str, str]:
        """The variables a service process is started with."""
        assert self.keys is not None, "start() prepares the keys before services are configured"
        prefix = spec.env_prefix
        return {
            f"{prefix}GRPC_ADDRESS": self.address(spec.name),
            f"{prefix}METRICS_ADDRESS": f"127.0.0.1:{self.ports.metrics[spec.name]}",
            f"{prefix}DATABASE_URL": f"sqlite+aiosqlite:///{self.data_dir / (spec.name + '.sqlite3')}",
            f"{prefix}KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
            f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(self.keys.public_key_file),
            # The embedded broker forgets its topics when it stops; see nordclear.platform.broker.
            f"{prefix}OUTBOX_REPLAY_ON_START": "true",
            **{k: v for k, v in self._extra_env.items() if k.startswith(prefix)},
        }

    async def start(self) -> None:
        """Start broker and services and return once every service reports SERVING."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.keys = ensure_signing_key(self.data_dir)
        self.broker.start()
        await self.broker.wait_ready()
        await ensure_topics(self.broker.bootstrap_servers, KafkaNames().all_events_topics())
        for spec in SERVICES:
            self.start_service(spec)
        await asyncio.gather(*(self.wait_serving(spec) for spec in SERVICES))
        if self.with_dashboard:
            self.start_dashboard()
            await self.wait_dashboard()

    @property
    def dashboard_url(self) -> str:
        """Where the operations dashboard answers."""
        return f"http://127.0.0.1:{self.ports.dashboard}"

    def dashboard_environment(self) -> dict[str, str]:
        """The variables the dashboard process is started with: every service's gRPC and metrics."""
        assert self.keys is not None, "start() prepares the keys before the dashboard is configured"
        prefix = "NORDCLEAR_DASHBOARD_"
        env = {
            f"{prefix}HTTP_ADDRESS": f"127.0.0.1:{self.ports.dashboard}",
            f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(self.keys.public_key_file),
        }
        for spec in SERVICES:
            env[f"{prefix}{spec.name.upper()}_ADDRESS"] = self.address(spec.name)
            env[f"{prefix}{spec.name.upper()}_METRICS_URL"] = (
                f"http://127.0.0.1:{self.ports.metrics[spec.name]}/metrics"
            )
        env.update({k: v for k, v in self._extra_env.items() if k.startswith(prefix)})
        return env

    def start_dashboard(self) -> None:
        """Start (or restart) the operations dashboard's web server process."""
        stdout: IO[bytes] | int | None = None
        if self._log_dir is not None:
            self._log_dir.mkdir(parents=True, exist_ok=True)
            handle = (self._log_dir / "dashboard.log").open("ab")
            self._log_handles.append(handle)
            stdout = handle
        self.processes["dashboard"] = subprocess.Popen(
            [sys.executable, "-m", "nordclear.dashboard"],
            env={**os.environ, **self.dashboard_environment()},
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout is not None else None,
            start_new_session=True,
            preexec_fn=stop_with_parent(),
        )

    async def wait_dashboard(self, timeout_ms: int = HEALTH_TIMEOUT_MS) -> None:
        """Poll the dashboard's /healthz until it answers; raise if its process exits first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_ms / 1000
        while True:
            process = self.processes["dashboard"]
            if process.poll() is not None:
                raise RuntimeError(f"dashboard exited with code {process.returncode} while starting")
            if await asyncio.to_thread(_answers, f"{self.dashboard_url}/healthz"):
                return
            if loop.time() > deadline:
                raise TimeoutError(f"the dashboard did not answer within {timeout_ms} ms")
            await asyncio.sleep(0.2)

    def start_service(self, spec: ServiceSpec) -> None:
        """Start (or restart) one service process."""
        stdout: IO[bytes] | int | None = None
        if self._log_dir is not None:
            self._log_dir.mkdir(parents=True, exist_ok=True)
            handle = (self._log_dir / f"{spec.name}.log").open("ab")
            self._log_handles.append(handle)
            stdout = handle
        env = {**os.environ, **self.environment(spec)}
        self.processes[spec.name] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", f"nordclear.{spec.name}"],
            env=env,
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout is not None else None,
            start_new_session=True,  # Ctrl-C reaches the supervisor only, which stops children in order.
            preexec_fn=stop_with_parent(),
        )

    async def wait_serving(self, spec: ServiceSpec, timeout_ms: int = HEALTH_TIMEOUT_MS) -> None:
        """Poll gRPC health until ``spec`` reports SERVING; raise if its process exits first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_ms / 1000
        async with grpc.aio.insecure_channel(self.address(spec.name)) as channel:
            while True:
                process = self.processes[spec.name]
                if process.poll() is not None:
                    raise RuntimeError(f"{spec.name} exited with code {process.returncode} while starting")
                if await serving_status(channel, spec.grpc_service, timeout_ms=1_000) == "SERVING":
                    return
                if loop.time() > deadline:
                    raise TimeoutError(f"{spec.name} did not report SERVING within {timeout_ms} ms")
                await asyncio.sleep(0.2)

    def kill_service(self, name: str) -> None:
        """SIGKILL a service (fault tests): no graceful stop, no offset commit, no outbox flush."""
        process = self.processes[name]
        process.kill()
        process.wait()

    def exited(self) -> dict[str, int]:
        """Services whose process has exited, with their exit codes."""
        return {name: code for name, p in self.processes.items() if (code := p.poll()) is not None}

    def stop(self) -> None:
        """SIGTERM every service, wait for their graceful stop, then stop the broker."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=STOP_GRACE_MS / 1000)
            except subprocess.TimeoutExpired:
                log.warning("service did not stop in time; killing it", service=name)
                process.kill()
                process.wait()
        self.broker.stop()
        for handle in self._log_handles:
            handle.close()
        self._log_handles.clear()


def _answers(url: str) -> bool:
    """Whether ``url`` answers 200 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200)
    except OSError:
        return False
