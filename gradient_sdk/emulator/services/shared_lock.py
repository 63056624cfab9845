"""A lock many tasks may hold at once in shared mode, or one task alone in exclusive mode.

Completions only read an adapter, so any number of them run on it together (and share the
engine's forward passes); a fine-tune or a delete changes it, so it waits for them and runs
alone. A task waiting for exclusive mode holds back new shared holders: a steady stream of
completions cannot keep a fine-tune waiting for ever. anyio has no such lock, and it must
work on trio as well as asyncio, hence this one.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import anyio


class SharedLock:
    """Shared holders together, or one exclusive holder; exclusive waiters go first."""

    def __init__(self) -> None:
        self._condition = anyio.Condition()
        self._shared_holders = 0
        self._held_exclusively = False
        self._exclusive_waiters = 0

    @asynccontextmanager
    async def shared(self) -> AsyncGenerator[None]:
        """Hold the lock with other shared holders, once no exclusive holder or waiter is."""
        async with self._condition:
            while self._held_exclusively or self._exclusive_waiters:
                await self._condition.wait()
            self._shared_holders += 1
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                async with self._condition:
                    self._shared_holders -= 1
                    if not self._shared_holders:
                        self._condition.notify_all()

    @asynccontextmanager
    async def exclusive(self) -> AsyncGenerator[None]:
        """Hold the lock alone, once the holders before have let it go."""
        async with self._condition:
            self._exclusive_waiters += 1
            try:
                while self._held_exclusively or self._shared_holders:
                    await self._condition.wait()
            finally:
                self._exclusive_waiters -= 1
                # A waiter that gave up may have been all that held shared holders back.
                self._condition.notify_all()
            self._held_exclusively = True
        try:
            yield
        finally:
            with anyio.CancelScope(shield=True):
                async with self._condition:
                    self._held_exclusively = False
                    self._condition.notify_all()
