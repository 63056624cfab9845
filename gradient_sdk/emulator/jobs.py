"""Background work (RAG ingestion, transcription) owned by the app's lifespan.

Each kind of work is one worker: a ``step`` that does one piece of pending work and says
whether it found any. The worker runs steps until there is nothing left, then sleeps until a
service :meth:`~BackgroundJobs.wake` s it. Work lives in the database, not in memory, so a
restart resumes it: a service marks what was running when the process died as pending
again before its worker starts. Shutdown cancels the workers; a step that was cancelled
left its work pending (or running, which the next start resets).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable

import anyio
from anyio.abc import TaskGroup

logger = logging.getLogger(__name__)

#: One piece of pending work done; False when there was none.
Step = Callable[[], Awaitable[bool]]
#: How long a worker waits after a step failed unexpectedly, so a bug cannot spin a core.
RETRY_AFTER_FAILURE = 1.0


class BackgroundJobs:
    """The workers of one running app."""

    def __init__(self, group: TaskGroup) -> None:
        self._group = group
        self._wake: dict[str, anyio.Event] = {}

    def start(self, name: str, step: Step) -> None:
        """Run ``step`` in a worker of its own until shutdown."""
        if name in self._wake:
            raise ValueError(f"a worker named {name!r} is already running")
        self._wake[name] = anyio.Event()
        self._group.start_soon(self._work, name, step, name=f"gradient-emulator {name}")

    def wake(self, name: str) -> None:
        """Tell a worker there is new work (a no-op for a worker that is not running)."""
        event = self._wake.get(name)
        if event is not None:
            event.set()

    async def _work(self, name: str, step: Step) -> None:
        while True:
            # A fresh event before looking for work: a wake during the step is not lost.
            self._wake[name] = anyio.Event()
            try:
                found = await step()
            except Exception:
                logger.exception("the %s worker failed; it goes on", name)
                await anyio.sleep(RETRY_AFTER_FAILURE)
                continue
            if not found:
                await self._wake[name].wait()


@contextlib.asynccontextmanager
async def background_jobs() -> AsyncGenerator[BackgroundJobs, None]:
    """Workers for the duration of the block; cancelled when it ends."""
    async with anyio.create_task_group() as group:
        jobs = BackgroundJobs(group)
        try:
            yield jobs
        finally:
            group.cancel_scope.cancel()
