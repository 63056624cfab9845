"""The blocking primitives the sync client uses; ``_async/_backend.py`` is the async twin.

Written by hand on both sides (the generator skips it): concurrency does not translate token
by token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")


def sleep(seconds: float) -> None:
    """Block the calling thread."""
    time.sleep(seconds)


def gather_in_order(calls: Sequence[Callable[[], T]], *, limit: int) -> list[T]:
    """Run the calls on up to ``limit`` threads and return results in order.

    As in the async twin, the first failure stops the rest: calls still queued never start,
    and the failure is raised once the calls already running have finished (a thread cannot
    be interrupted).
    """
    if len(calls) == 1:
        return [calls[0]()]
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
