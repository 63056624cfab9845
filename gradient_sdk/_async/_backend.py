"""The async primitives the client uses; ``_sync/_backend.py`` is the blocking twin.

This file is written by hand on both sides (the generator skips it): concurrency does not
translate token by token.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from .._config import ASYNC_POOL_ENV, ClientConfig, proxy_environment_set
from ..errors import ConfigurationError

if sys.version_info < (3, 11):
    from exceptiongroup import BaseExceptionGroup

if TYPE_CHECKING:
    import httpx

    from .._aiohttp import AiohttpPool as LoopPool

# anyio, sniffio and the aiohttp pool are imported where they are used, not with the SDK:
# ``import gradient_sdk`` stays cheap.

T = TypeVar("T")


async def sleep(seconds: float) -> None:
    """Wait without blocking the event loop."""
    import anyio

    await anyio.sleep(seconds)


async def gather_in_order(calls: Sequence[Callable[[], Awaitable[T]]], *, limit: int) -> list[T]:
    """Run the calls concurrently, at most ``limit`` at once, and return results in order.

    The first failure cancels the calls still running, keeps those not started from
    starting, and is raised.
    """
    if len(calls) <= 1:
        return [await call() for call in calls]
    import anyio

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


def monotonic() -> float:
    """Seconds on the event loop's clock, for deadlines."""
    import anyio

    return anyio.current_time()


def deadline(seconds: float | None) -> AbstractContextManager[Any]:
    """A cancel scope ending the block with ``TimeoutError`` after ``seconds`` (None: never)."""
    import anyio

    return anyio.fail_after(seconds)


def check_deadline() -> None:
    """Nothing to check: the cancel scope of :func:`deadline` enforces it."""


def bound_connections(client: httpx.AsyncClient) -> bool:
    """Nothing to do: :func:`deadline` bounds the whole attempt."""
    return True


def loop_pool(config: ClientConfig, *, keepalive_expiry: float) -> LoopPool | None:
    """aiohttp's pool, for the requests a client makes on asyncio, when the ``aiohttp`` extra
    is installed and no proxy variable is set (httpx reads those; see ``_aiohttp.py``);
    otherwise None, and every request goes through httpx's pool; ``GRADIENT_ASYNC_POOL=httpx``
    asks for httpx's pool too. aiohttp itself is imported with the first request that uses it."""
    choice = os.environ.get(ASYNC_POOL_ENV, "").strip().lower()
    if choice not in {"", "aiohttp", "httpx"}:
        raise ConfigurationError(f"{ASYNC_POOL_ENV} must be aiohttp or httpx, got {choice!r}")
    if choice == "httpx":
        return None
    if proxy_environment_set():
        return None
    if importlib.util.find_spec("aiohttp") is None:
        return None
    from .._aiohttp import AiohttpPool

    return AiohttpPool(
        verify_tls=config.base_url.startswith("https:"), keepalive_expiry=keepalive_expiry
    )


def loop_pool_applies() -> bool:
    """Whether this request runs on asyncio, where :func:`loop_pool`'s pool works (on trio,
    httpx's pool sends)."""
    import sniffio

    # trio (trio-asyncio too) marks the thread or the context for sniffio; unmarked, an
    # asyncio loop running in this thread is what sniffio would find, at a fifth the cost.
    if sniffio.thread_local.name is None and sniffio.current_async_library_cvar.get() is None:
        asyncio = sys.modules.get("asyncio")
        return asyncio is not None and asyncio._get_running_loop() is not None
    return sniffio.current_async_library() == "asyncio"
