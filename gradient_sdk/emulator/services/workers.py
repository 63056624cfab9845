"""Where the services' blocking work runs: worker threads, the model's work bounded.

Engines and storage block, so every call into them runs in a worker thread; the event loop
only waits, which keeps the server answering (listing models, say) while a fine-tune runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")


class Workers:
    """Runs blocking calls in threads: model calls at most ``model_concurrency`` at once."""

    def __init__(self, model_concurrency: int) -> None:
        self._model_limiter = anyio.CapacityLimiter(model_concurrency)

    async def model(self, function: Callable[..., T], *args: object) -> T:
        """An engine call (completion, fine-tune, embedding), waiting its turn."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self._model_limiter)

    async def storage(self, function: Callable[..., T], *args: object) -> T:
        """A database or file call; never waits behind a fine-tune."""
        return await anyio.to_thread.run_sync(function, *args)
