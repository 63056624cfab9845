"""Fine-tuning an adapter batch by batch: the plan, the progress bar, and Ctrl+C.

A run is ``epochs`` passes over the samples in file order, cut into batches of
``batch_size``; a *position* counts the samples of the whole run (epoch 2 of a 10-sample file
starts at position 10). No batch is ever sent twice: when a run stops, ``next_position`` is
the first sample no request has carried yet, with one exception. A batch the server refused
(a 4xx answer) was not trained, so a resume starts at it again.

Ctrl+C once lets the batch in flight finish, then stops; a second Ctrl+C stops at once, and
that batch counts as sent, since it may have been trained.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Generator, Sequence
from types import FrameType

import attrs
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from .. import APIStatusError, GradientError, InternalServerError, ModelAdapter, Sample


@attrs.frozen
class Batch:
    """Samples ``start`` to ``end`` (exclusive) of the file, in pass ``epoch`` (from 0)."""

    epoch: int
    start: int
    end: int
    position: int

    @property
    def end_position(self) -> int:
        """The position just after this batch."""
        return self.position + self.end - self.start


def plan_batches(
    sample_count: int, *, batch_size: int, epochs: int, start_at: int = 0
) -> list[Batch]:
    """The batches of a run that skips its first ``start_at`` positions."""
    batches: list[Batch] = []
    for epoch in range(epochs):
        offset = epoch * sample_count
        for start in range(max(0, start_at - offset), sample_count, batch_size):
            end = min(start + batch_size, sample_count)
            batches.append(Batch(epoch=epoch, start=start, end=end, position=offset + start))
    return batches


@attrs.define
class Tally:
    """What the batches trained so far have returned."""

    batches: int = 0
    samples: int = 0
    trainable_tokens: int = 0
    first_loss: float | None = None
    last_loss: float | None = None

    def add(self, samples: int, trainable_tokens: int, sum_loss: float) -> None:
        """Count one trained batch; its loss is ``sumLoss / numberOfTrainableTokens``."""
        self.batches += 1
        self.samples += samples
        self.trainable_tokens += trainable_tokens
        loss = sum_loss / trainable_tokens if trainable_tokens else None
        if self.first_loss is None:
            self.first_loss = loss
        self.last_loss = loss


@attrs.frozen
class Outcome:
    """How a run ended.

    ``stopped`` says Ctrl+C ended it; ``error`` is the failure that ended it, if one did;
    ``uncertain`` is the batch that may or may not have been trained (the connection broke,
    the server failed, or Ctrl+C came twice while it was in flight).
    """

    tally: Tally
    next_position: int
    total: int
    stopped: bool = False
    error: Exception | None = None
    uncertain: Batch | None = None

    @property
    def finished(self) -> bool:
        """Whether every position of the run has been trained."""
        return self.next_position >= self.total and self.error is None and not self.stopped


def train(
    adapter: ModelAdapter,
    samples: Sequence[Sample],
    batches: Sequence[Batch],
    *,
    epochs: int,
    console: Console,
) -> Outcome:
    """Send the batches in order, showing progress; stop at the first error or on Ctrl+C."""
    total = len(samples) * epochs
    tally = Tally()
    position = batches[0].position if batches else total
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("samples  loss {task.fields[loss]}  ETA"),
        TimeRemainingColumn(),
        console=console,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    task = progress.add_task("fine-tuning", total=total, completed=position, loss="-")

    def stopping() -> None:
        progress.update(task, description="stopping after this batch (Ctrl+C again: now)")

    interrupts = _Interrupts(stopping)
    in_flight: Batch | None = None
    try:
        with progress, _catching(interrupts):
            for batch in batches:
                if interrupts.requested:
                    return Outcome(tally, position, total, stopped=True)
                progress.update(task, description=f"epoch {batch.epoch + 1}/{epochs}")
                # Until ``position`` has moved past it, a batch counts as in flight: a second
                # Ctrl+C at any moment in between must not let a resume send it again.
                in_flight = batch
                response = adapter.fine_tune(samples=samples[batch.start : batch.end])
                position = batch.end_position
                in_flight = None
                tally.add(
                    batch.end - batch.start,
                    response.number_of_trainable_tokens,
                    response.sum_loss,
                )
                loss = "-" if tally.last_loss is None else f"{tally.last_loss:.4f}"
                progress.update(task, completed=position, loss=loss, refresh=True)
    except KeyboardInterrupt:
        if in_flight is None:
            return Outcome(tally, position, total, stopped=True)
        return Outcome(tally, in_flight.end_position, total, stopped=True, uncertain=in_flight)
    except GradientError as error:
        assert in_flight is not None
        if isinstance(error, APIStatusError) and not isinstance(error, InternalServerError):
            return Outcome(tally, in_flight.position, total, error=error)
        return Outcome(tally, in_flight.end_position, total, error=error, uncertain=in_flight)
    return Outcome(tally, position, total, stopped=interrupts.requested and position < total)


class _Interrupts:
    """A SIGINT handler: the first signal asks to stop, the second stops at once."""

    def __init__(self, on_first: Callable[[], None]) -> None:
        self.requested = False
        self._on_first = on_first

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self._on_first()


@contextlib.contextmanager
def _catching(handler: _Interrupts) -> Generator[None, None, None]:
    # Python runs signal handlers in the main thread only; elsewhere Ctrl+C is not ours.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
