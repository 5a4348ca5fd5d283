"""Whether a Docker engine answers here, so that testcontainers can be used."""

from __future__ import annotations

import functools
import os
from pathlib import Path

DEFAULT_SOCKET = Path("/var/run/docker.sock")


@functools.cache
def docker_available() -> bool:
    """True when the Docker engine answers a ping (the client binary alone is not enough)."""
    if not os.environ.get("DOCKER_HOST") and not DEFAULT_SOCKET.exists():
        return False  # Asking the client would leave a socket open behind a failed connection.
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # No engine, no socket, no permission: all mean "not available here".
        return False
