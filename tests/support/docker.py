"""Whether a Docker engine answers here, so that testcontainers can be used."""

from __future__ import annotations

import functools


@functools.cache
def docker_available() -> bool:
    """True when the Docker engine answers a ping (the client binary alone is not enough)."""
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # No engine, no socket, no permission: all mean "not available here".
        return False
