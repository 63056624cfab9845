"""The blocking primitives the sync client uses; ``_async/_backend.py`` is the async twin.

Written by hand on both sides (the generator skips it): concurrency does not translate token
by token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from .. import _deadlines

if TYPE_CHECKING:
    import httpx

    from .._config import ClientConfig
    from .._http import ReadResponse

T = TypeVar("T")


class LoopPool(Protocol):
    """The async twin's event-loop pool (aiohttp on asyncio), which a blocking client never
    has: :func:`loop_pool` gives None."""

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        content: bytes | None,
        params: Mapping[str, str] | None,
        timeout: httpx.Timeout,
        deadline: float | None,
        max_bytes: int,
    ) -> ReadResponse: ...

    def close(self) -> None: ...


def sleep(seconds: float) -> None:
    """Block the calling thread."""
    time.sleep(seconds)


def gather_in_order(calls: Sequence[Callable[[], T]], *, limit: int) -> list[T]:
    """Run the calls on up to ``limit`` threads and return results in order.

    As in the async twin, the first failure stops the rest: calls still queued never start,
    and the failure is raised once the calls already running have finished (a thread cannot
    be interrupted).
    """
    if len(calls) <= 1:
        return [call() for call in calls]
    # Imported here, not with the SDK: most programs never run calls side by side.
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    with ThreadPoolExecutor(max_workers=min(limit, len(calls))) as pool:
        futures = [pool.submit(call) for call in calls]
        wait(futures, return_when=FIRST_EXCEPTION)
        failed = [f for f in futures if f.done() and not f.cancelled() and f.exception()]
        if failed:
            for future in futures:
                future.cancel()
            error = failed[0].exception()
            assert error is not None
            raise error
        return [future.result() for future in futures]


def monotonic() -> float:
    """Seconds on a clock that never goes back, for deadlines."""
    return time.monotonic()


# Deadlines of a thread: see gradient_sdk/_deadlines.py.
deadline = _deadlines.deadline
check_deadline = _deadlines.check_deadline
bound_connections = _deadlines.bound_connections


def loop_pool(config: ClientConfig, *, keepalive_expiry: float) -> LoopPool | None:
    """None: a blocking client sends every request through httpx's pool."""
    return None


def loop_pool_applies() -> bool:
    """False: there is no event loop here."""
    return False
