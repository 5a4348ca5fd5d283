"""The end-to-end tier: the clearing house as real processes, started exactly as ``make run`` starts it.

Every stack runs on free ports in a temporary data folder; the processes' logs are copied to
``test-artifacts/e2e/<test>/`` so a failure can be read after the run.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from nordclear.platform.topology import SERVICES
from nordclear.runtime.stack import EmbeddedStack, Ports
from tests.conftest import free_port

ARTIFACTS = Path("test-artifacts") / "e2e"

StackFactory = Callable[..., "AsyncIterator[EmbeddedStack]"]


def free_ports() -> Ports:
    """Ports for one stack, none of them in use."""
    return Ports(
        kafka=free_port(),
        grpc={spec.name: free_port() for spec in SERVICES},
        metrics={spec.name: free_port() for spec in SERVICES},
    )


@pytest.fixture
def start_stack(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., object]:
    """Returns an async context manager that runs a stack with optional extra environment."""

    @asynccontextmanager
    async def run(extra_env: dict[str, str] | None = None) -> AsyncIterator[EmbeddedStack]:
        log_dir = tmp_path / "logs"
        stack = EmbeddedStack(tmp_path / "data", free_ports(), log_dir=log_dir, extra_env=extra_env)
        try:
            await stack.start()
            yield stack
        finally:
            stack.stop()
            target = ARTIFACTS / request.node.name
            shutil.rmtree(target, ignore_errors=True)
            if log_dir.exists():
                shutil.copytree(log_dir, target)

    return run
