# torch ships few annotations: its values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""Continuous batching: completions that run at the same time share each forward pass.

Decoding one token is bound by reading the weights from memory, not by arithmetic, so a
forward pass for four sequences costs little more than one for a single sequence. Each
completion's thread hands its sequence to a :class:`BatchDecoder` and waits; one of the
waiting threads at a time, the driver, runs the passes for all of them. New sequences have
their prompts run together, then join the running batch between two steps; a finished one
leaves at once and its thread returns, and when the driver's own sequence finishes, another
waiting thread takes over. Each sequence keeps its own adapter, sampling, constraint and
stop signal, so its tokens are the ones it would get alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

import attrs
import torch

from .base import FinishReason, StopSignal, WorkStoppedError, check_stop
from .constrained import ConstrainedDecoding, masked
from .kv_batch import PaddedBatch, prompt_inputs, stackable


class RunModel(Protocol):
    """One forward pass: each row with its own adapter (``None`` for the base model).

    Returns the last position's logits per row, shape (rows, vocabulary), and the cache.
    """

    def __call__(
        self, adapters: list[Any], inputs: dict[str, torch.Tensor], cache: Any
    ) -> tuple[torch.Tensor, Any]: ...


@attrs.define(eq=False)
class Generation:
    """One completion being decoded: what it asked for, and the tokens it has so far."""

    prompt_ids: list[int]
    budget: int
    adapter: Any
    pick: Callable[[torch.Tensor], int]
    decoding: ConstrainedDecoding | None = None
    stop: StopSignal | None = None
    generated: list[int] = attrs.Factory(list)
    finish_reason: FinishReason | None = None
    error: BaseException | None = None
    # Set, under the decoder's condition, once the sequence has left every batch.
    done: bool = False

    @property
    def finished(self) -> bool:
        return self.finish_reason is not None or self.error is not None

    def ready(self) -> bool:
        """Whether the sequence needs another pass; it finishes instead when it was told to
        stop, or when its constraint holds a complete text that nothing may follow."""
        try:
            check_stop(self.stop)
        except WorkStoppedError as error:
            self.error = error
            return False
        if self.decoding is not None and not self.decoding.can_continue(self.tokens_left):
            self.finish_reason = "stop"
            return False
        return True

    def take(self, logits: torch.Tensor, stop_ids: frozenset[int]) -> None:
        """Pick the next token from this row's ``logits``; finish at a stop token or at the
        end of the budget."""
        if self.decoding is not None:
            logits = masked(logits, self.decoding.allowed(self.tokens_left).to(logits.device))
        token = self.pick(logits)
        if token in stop_ids:
            self.finish_reason = "stop"
            return
        if self.decoding is not None:
            self.decoding.advance(token)
        self.generated.append(token)
        if len(self.generated) >= self.budget:
            self.finish_reason = "length"

    @property
    def tokens_left(self) -> int:
        return self.budget - len(self.generated)


@attrs.define(eq=False)
class _Batch:
    """Sequences decoded together, and their cache: stacked rows, or a lone sequence's cache
    that cannot be stacked."""

    sequences: list[Generation]
    rows: PaddedBatch | None
    _lone_cache: Any = None

    @property
    def cache(self) -> Any:
        return self._lone_cache if self.rows is None else self.rows.cache

    @cache.setter
    def cache(self, cache: Any) -> None:
        if self.rows is None:
            self._lone_cache = cache
        else:
            self.rows.cache = cache


class BatchDecoder:
    """Decodes every sequence handed to :meth:`decode`, batching those that overlap."""

    def __init__(self, run_model: RunModel, stop_ids: frozenset[int], device: torch.device) -> None:
        self._run_model = run_model
        self._stop_ids = stop_ids
        self._device = device
        self._condition = threading.Condition()
        self._arrivals: list[Generation] = []
        self._driving = False
        # Touched by the driver only: sequences taken from the arrivals and not yet placed,
        # those being decoded, and those finished whose threads are still to be told.
        self._starting: list[Generation] = []
        self._batches: list[_Batch] = []
        self._finished: list[Generation] = []
        # Whether the model's caches can be stacked, as the last prompt's cache showed.
        self._caches_stack = False

    def decode(self, sequence: Generation) -> None:
        """Decode ``sequence`` to its end; raise what stopped it, if anything did."""
        with self._condition:
            self._arrivals.append(sequence)
            while not sequence.done and self._driving:
                self._condition.wait()
            drive = not sequence.done
            if drive:
                self._driving = True
        if drive:
            try:
                with torch.inference_mode():
                    self._drive(sequence)
            except BaseException as error:
                self._fail_everything(error)
                raise
            finally:
                with self._condition:
                    self._driving = False
                    self._condition.notify_all()
        if sequence.error is not None:
            raise sequence.error

    def _drive(self, own: Generation) -> None:
        """Run passes until ``own`` is done; then the next waiting thread drives."""
        while not own.done:
            self._start_arrivals()
            for batch in self._batches:
                self._step(batch)
            self._batches = [batch for batch in self._batches if batch.sequences]
            self._retire()

    def _start_arrivals(self) -> None:
        """Start every sequence that has arrived, those that arrive meanwhile too: requests
        sent together then join the batch at the same step."""
        while True:
            with self._condition:
                self._starting, self._arrivals = self._arrivals, []
            if not self._starting:
                return
            ready: list[Generation] = []
            for sequence in self._starting:
                (ready if sequence.ready() else self._finished).append(sequence)
            # Prompts run together once caches are known to stack; a lone one runs alone.
            groups = [ready] if self._caches_stack else [[sequence] for sequence in ready]
            for group in filter(None, groups):
                self._start(group)
            self._starting = []

    def _start(self, sequences: list[Generation]) -> None:
        """Run the prompts (left-padded, as one batch), then put the sequences where their
        rows can be decoded."""
        prompts = [sequence.prompt_ids for sequence in sequences]
        try:
            logits, cache = self._run_model(
                [sequence.adapter for sequence in sequences],
                prompt_inputs(prompts, self._device),
                None,
            )
        except Exception as error:
            for sequence in sequences:
                sequence.error = error
            self._finished += sequences
            return
        self._caches_stack = stackable(cache)
        if len(sequences) > 1 and not self._caches_stack:
            for sequence in sequences:  # this cache cannot be split into rows: one by one
                self._start([sequence])
            return
        for row, sequence in enumerate(sequences):
            self._take(sequence, logits[row])
        if self._caches_stack:
            batch = _Batch(sequences, PaddedBatch(cache, list(map(len, prompts))))
        else:
            batch = _Batch(sequences, None, cache)
        self._drop_finished(batch)
        if batch.sequences:
            self._place(batch)

    def _place(self, batch: _Batch) -> None:
        """Stack the rows of ``batch`` under the running batch's; a batch that cannot be
        stacked, or the first one, runs on its own."""
        if batch.rows is not None:
            for running in self._batches:
                if running.rows is not None:
                    running.rows.add(batch.rows)
                    running.sequences += batch.sequences
                    return
        self._batches.append(batch)

    def _step(self, batch: _Batch) -> None:
        """One new token for each sequence of ``batch`` that goes on."""
        for sequence in batch.sequences:
            sequence.ready()
        self._drop_finished(batch)
        if not batch.sequences:
            return
        tokens = [sequence.generated[-1] for sequence in batch.sequences]
        if batch.rows is not None:
            inputs = batch.rows.step_inputs(tokens, self._device)
        else:
            inputs = {"input_ids": torch.tensor([tokens], device=self._device)}
        try:
            logits, batch.cache = self._run_model(
                [sequence.adapter for sequence in batch.sequences], inputs, batch.cache
            )
        except Exception as error:
            for sequence in batch.sequences:
                sequence.error = error
        else:
            for row, sequence in enumerate(batch.sequences):
                self._take(sequence, logits[row])
        self._drop_finished(batch)

    def _take(self, sequence: Generation, logits: torch.Tensor) -> None:
        """The sequence's next token; what goes wrong in its own sampling or constraint
        ends it alone."""
        try:
            sequence.take(logits, self._stop_ids)
        except Exception as error:
            sequence.error = error

    def _drop_finished(self, batch: _Batch) -> None:
        """Move the finished sequences of ``batch`` out, with their rows of the cache."""
        going = [row for row, sequence in enumerate(batch.sequences) if not sequence.finished]
        if len(going) == len(batch.sequences):
            return
        self._finished += [sequence for sequence in batch.sequences if sequence.finished]
        if going and batch.rows is not None:
            batch.rows.keep(going)
        batch.sequences = [batch.sequences[row] for row in going]

    def _retire(self) -> None:
        """Let the threads of finished sequences go."""
        if not self._finished:
            return
        with self._condition:
            for sequence in self._finished:
                sequence.done = True
            self._condition.notify_all()
        self._finished = []

    def _fail_everything(self, error: BaseException) -> None:
        """The driver broke: no thread may wait for ever on a sequence it held."""
        held = [s for batch in self._batches for s in batch.sequences]
        held += self._starting + self._finished
        with self._condition:
            for sequence in held:
                if not sequence.finished:
                    sequence.error = error
                sequence.done = True
            self._condition.notify_all()
        self._starting, self._batches, self._finished = [], [], []
