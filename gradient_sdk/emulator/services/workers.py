"""Where the services' blocking work runs: worker threads, the model's work bounded and
stopped when nobody waits for it any more.

Engines and storage block, so every call into them runs in a worker thread; the event loop
only waits, which keeps the server answering (listing models, say) while a fine-tune runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

import anyio
import anyio.to_thread

from ..engines import StopSignal, WorkStoppedError

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Stoppable(Protocol[T_co]):
    """A blocking call that stops, raising ``WorkStoppedError``, once ``stop`` is set."""

    def __call__(self, *, stop: StopSignal) -> T_co: ...


class Workers:
    """Runs blocking calls in threads: model calls at most ``model_concurrency`` at once."""

    def __init__(self, model_concurrency: int) -> None:
        self._model_limiter = anyio.CapacityLimiter(model_concurrency)

    async def model(self, function: Callable[..., T], *args: object) -> T:
        """An engine call (embedding, transcription), waiting its turn."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self._model_limiter)

    async def stoppable_model(self, function: Stoppable[T]) -> T:
        """An engine call that takes a stop signal (completion, fine-tune), waiting its turn.

        When the awaiting task is cancelled (its client disconnected, its in-process caller
        gave up or timed out), the signal is set, and the cancellation goes on once the thread
        has seen it and ended: the work stops within a token or a training step, it holds
        its place in the model's queue until then, and nothing runs on unobserved.
        """
        async with self._model_limiter:
            call = _StoppableCall(function)
            try:
                return await anyio.to_thread.run_sync(call.run, abandon_on_cancel=True)
            except anyio.get_cancelled_exc_class():
                if call.stop():
                    with anyio.CancelScope(shield=True):
                        await anyio.to_thread.run_sync(call.finished.wait)
                raise

    async def storage(self, function: Callable[..., T], *args: object) -> T:
        """A database or file call; never waits behind a fine-tune."""
        return await anyio.to_thread.run_sync(function, *args)


class _StoppableCall(Generic[T]):
    """One engine call in a thread, and whether it has started, so a cancellation knows if
    there is a thread to wait for."""

    def __init__(self, function: Stoppable[T]) -> None:
        self._function = function
        self._signal = threading.Event()
        self._lock = threading.Lock()
        self._started = False
        self.finished = threading.Event()

    def run(self) -> T:
        with self._lock:
            if self._signal.is_set():
                raise WorkStoppedError("stopped before it started")
            self._started = True
        try:
            return self._function(stop=self._signal)
        finally:
            self.finished.set()

    def stop(self) -> bool:
        """Tell the call to stop; whether it had started (and so must be waited for)."""
        with self._lock:
            self._signal.set()
            return self._started
