"""The adapters' lock: shared holders together, an exclusive holder alone, writers first."""

from __future__ import annotations

import anyio
import pytest

from gradient_sdk.emulator.services.shared_lock import SharedLock

pytestmark = pytest.mark.anyio

#: Long enough for a slow machine, short enough that a deadlock fails quickly.
TIMEOUT = 5


async def test_shared_holders_hold_it_together() -> None:
    lock = SharedLock()
    inside = 0
    most_inside = 0

    async def hold() -> None:
        nonlocal inside, most_inside
        async with lock.shared():
            inside += 1
            most_inside = max(most_inside, inside)
            await anyio.sleep(0.05)
            inside -= 1

    with anyio.fail_after(TIMEOUT):
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(hold)

    assert most_inside == 3


async def test_an_exclusive_holder_waits_for_shared_ones_and_holds_it_alone() -> None:
    lock = SharedLock()
    events: list[str] = []

    async def read(name: str, seconds: float) -> None:
        async with lock.shared():
            events.append(f"{name} in")
            await anyio.sleep(seconds)
            events.append(f"{name} out")

    async def write() -> None:
        async with lock.exclusive():
            events.append("write in")
            await anyio.sleep(0.05)
            events.append("write out")

    with anyio.fail_after(TIMEOUT):
        async with anyio.create_task_group() as group:
            group.start_soon(read, "first", 0.1)
            await anyio.sleep(0.02)
            group.start_soon(write)
            await anyio.sleep(0.02)
            # Arrives while the writer waits: it goes after the writer.
            group.start_soon(read, "second", 0)

    assert events == ["first in", "first out", "write in", "write out", "second in", "second out"]


async def test_an_exclusive_waiter_that_gives_up_lets_shared_holders_in() -> None:
    lock = SharedLock()
    entered = anyio.Event()
    order: list[str] = []
    writer_scope = anyio.CancelScope()

    async def read_long() -> None:
        async with lock.shared():
            entered.set()
            await anyio.sleep(0.5)
            order.append("first reader out")

    async def write() -> None:
        with writer_scope:
            async with lock.exclusive():
                order.append("writer")

    async def read() -> None:
        async with lock.shared():
            order.append("second reader")

    with anyio.fail_after(TIMEOUT):
        async with anyio.create_task_group() as group:
            group.start_soon(read_long)
            await entered.wait()
            group.start_soon(write)
            await anyio.sleep(0.02)
            group.start_soon(read)  # held back by the waiting writer
            await anyio.sleep(0.05)
            order.append("writer gives up")
            writer_scope.cancel()

    # The second reader got in while the first still read.
    assert order == ["writer gives up", "second reader", "first reader out"]
