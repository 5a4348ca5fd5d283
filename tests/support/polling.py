"""Waiting for something that happens asynchronously (an event crossing Kafka), with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], *, timeout_s: float = 30, what: str = ""
) -> T:
    """Call ``probe`` until ``accept`` holds for its result; fail with the last result after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        result = await probe()
        if accept(result):
            return result
        if loop.time() > deadline:
            raise AssertionError(
                f"timed out after {timeout_s} s waiting for {what or 'a condition'}; last: {result!r}"
            )
        await asyncio.sleep(0.1)
