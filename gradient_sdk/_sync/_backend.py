"""The blocking primitives the sync client uses; ``_async/_backend.py`` is the async twin.

Written by hand on both sides (the generator skips it): concurrency does not translate token
by token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def sleep(seconds: float) -> None:
    """Block the calling thread."""
    time.sleep(seconds)


def gather_in_order(calls: Sequence[Callable[[], T]], *, limit: int) -> list[T]:
    """Run the calls on up to ``limit`` threads and return results in order.

    The first failure (in call order) is raised once every call has finished.
    """
    if len(calls) == 1:
        return [calls[0]()]
    with ThreadPoolExecutor(max_workers=min(limit, len(calls))) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]
