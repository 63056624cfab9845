"""The two hand-written backends behave alike: results in order, and the first failure
stops the calls that have not started."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from gradient_sdk._async import _backend as async_backend
from gradient_sdk._sync import _backend as sync_backend


class Boom(Exception):
    pass


def recorder(started: list[int], position: int) -> Callable[[], int]:
    def call() -> int:
        started.append(position)
        if position == 0:
            raise Boom("first")
        return position

    return call


def test_sync_results_come_back_in_call_order() -> None:
    lock = threading.Lock()
    seen: list[int] = []

    def call(position: int) -> Callable[[], int]:
        def run() -> int:
            with lock:
                seen.append(position)
            return position * 10

        return run

    results = sync_backend.gather_in_order([call(n) for n in range(6)], limit=3)

    assert results == [0, 10, 20, 30, 40, 50]
    assert sorted(seen) == list(range(6))


def test_sync_first_failure_stops_the_queued_calls() -> None:
    started: list[int] = []

    with pytest.raises(Boom, match="first"):
        sync_backend.gather_in_order([recorder(started, n) for n in range(5)], limit=1)

    assert started == [0]


@pytest.mark.anyio
async def test_async_first_failure_stops_the_queued_calls() -> None:
    started: list[int] = []

    def wrap(position: int) -> Callable[[], object]:
        call = recorder(started, position)

        async def run() -> int:
            return call()

        return run

    with pytest.raises(Boom, match="first"):
        await async_backend.gather_in_order([wrap(n) for n in range(5)], limit=1)

    # The event loop may start the tasks in any order; none starts after the failure.
    assert started[-1] == 0


def test_sync_no_calls_is_no_results() -> None:
    assert sync_backend.gather_in_order([], limit=4) == []


@pytest.mark.anyio
async def test_async_no_calls_is_no_results() -> None:
    assert await async_backend.gather_in_order([], limit=4) == []
