"""The async primitives the client uses; ``_sync/_backend.py`` is the blocking twin.

This file is written by hand on both sides (the generator skips it): concurrency does not
translate token by token.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

if sys.version_info < (3, 11):
    from exceptiongroup import BaseExceptionGroup

T = TypeVar("T")


async def sleep(seconds: float) -> None:
    """Wait without blocking the event loop."""
    await anyio.sleep(seconds)


async def gather_in_order(calls: Sequence[Callable[[], Awaitable[T]]], *, limit: int) -> list[T]:
    """Run the calls concurrently, at most ``limit`` at once, and return results in order.

    The first failure cancels the calls still running, keeps those not started from
    starting, and is raised.
    """
    if len(calls) == 1:
        return [await calls[0]()]
    results: list[T | None] = [None] * len(calls)
    limiter = anyio.CapacityLimiter(limit)
    failed = False

    async def run(position: int) -> None:
        nonlocal failed
        async with limiter:
            if failed:
                return  # a call waiting for its turn when another failed: never started
            try:
                results[position] = await calls[position]()
            except BaseException:
                failed = True
                group.cancel_scope.cancel()
                raise

    try:
        async with anyio.create_task_group() as group:
            for position in range(len(calls)):
                group.start_soon(run, position)
    except BaseExceptionGroup as group_error:
        # Callers expect the SDK's own error, not a group of them.
        raise group_error.exceptions[0] from None
    return results  # type: ignore[return-value]
