"""A fake text engine: instant, predictable, and able to pause inside a call.

It implements the engines' ``TextEngine`` interface with no model at all, so tests of the
server's own behaviour (locking, storage, errors) run in milliseconds and can hold an engine
call open while they look at what the server does meanwhile.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from gradient_sdk.emulator.engines.base import (
    AdapterConfig,
    ChoiceConstraint,
    Completion,
    FineTuneResult,
    LoadedAdapter,
    OutputConstraint,
    PromptTooLongError,
    StopSignal,
    TrainingExample,
    check_stop,
)

FAKE_MODEL_NAME = "Fake-Model-1B"
FAKE_CONTEXT_WINDOW = 64


@attrs.define
class FakeAdapter:
    """An adapter whose only state is how many fine-tunes it has had."""

    config: AdapterConfig
    steps: int = 0


@attrs.define
class Pause:
    """Makes the engine wait inside a call until the test lets it go on."""

    entered: threading.Event = attrs.Factory(threading.Event)
    release: threading.Event = attrs.Factory(threading.Event)
    #: Set when the call gave up because its stop signal was set.
    stopped: threading.Event = attrs.Factory(threading.Event)

    def hold(self, stop: StopSignal | None = None) -> None:
        """Wait for the release; like a real engine between tokens, give up once ``stop``
        is set."""
        self.entered.set()
        deadline = time.monotonic() + 10
        while not self.release.wait(timeout=0.01):
            if stop is not None and stop.is_set():
                self.stopped.set()
                check_stop(stop)
            if time.monotonic() > deadline:
                raise TimeoutError("the test never released the engine")


def fake_constrained_text(constraint: OutputConstraint) -> str:
    """What the fake says under a constraint: the first choice, or the required fields with
    empty values."""
    if isinstance(constraint, ChoiceConstraint):
        return constraint.choices[0]
    empty = {"string": "", "number": 0, "boolean": False}
    return json.dumps({f.name: empty[f.type] for f in constraint.fields if f.required})


def own(adapter: LoadedAdapter) -> FakeAdapter:
    assert isinstance(adapter, FakeAdapter)
    return adapter


class FakeEngine:
    """Completes with a description of the adapter; one token per word."""

    name = FAKE_MODEL_NAME
    context_window = FAKE_CONTEXT_WINDOW

    def __init__(self) -> None:
        self.fine_tune_pause: Pause | None = None
        self.complete_pause: Pause | None = None
        self.fail_next_save = False
        self.loss: float | None = None
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def new_adapter(self, config: AdapterConfig) -> FakeAdapter:
        return FakeAdapter(config)

    def complete(
        self,
        prompt: str,
        adapter: LoadedAdapter | None,
        *,
        max_new_tokens: int,
        temperature: float | None,
        top_k: int | None,
        top_p: float | None,
        apply_chat_template: bool = False,
        seed: int | None = None,
        constraint: OutputConstraint | None = None,
        stop: StopSignal | None = None,
    ) -> Completion:
        self._record("complete")
        if self.complete_pause is not None:
            self.complete_pause.hold(stop)
        if self.count_tokens(prompt) >= self.context_window:
            raise PromptTooLongError("the prompt fills the context window")
        steps = "base" if adapter is None else f"steps={own(adapter).steps}"
        text = f"{steps} template={apply_chat_template} max={max_new_tokens}"
        if constraint is not None:
            text = fake_constrained_text(constraint)
        return Completion(text=text, finish_reason="length", generated_token_count=4)

    def fine_tune(
        self,
        handle: LoadedAdapter,
        examples: Sequence[TrainingExample],
        stop: StopSignal | None = None,
    ) -> FineTuneResult:
        adapter = own(handle)
        self._record("fine_tune")
        if self.fine_tune_pause is not None:
            self.fine_tune_pause.hold(stop)
        tokens = sum(
            self.count_tokens(segment.text)
            for example in examples
            for segment in example.segments
            if segment.trainable
        )
        adapter.steps += 1
        loss = self.loss if self.loss is not None else tokens / adapter.steps
        return FineTuneResult(
            number_of_trainable_tokens=tokens,
            sum_loss=loss,
            sum_loss_after=loss if math.isnan(loss) else loss / 2,
        )

    def save_adapter(self, handle: LoadedAdapter, directory: Path) -> None:
        adapter = own(handle)
        if self.fail_next_save:
            self.fail_next_save = False
            (directory / "half-written").write_text("torn")
            raise OSError("disk full")
        state = {"rank": adapter.config.rank, "lr": adapter.config.learning_rate}
        state["steps"] = adapter.steps
        (directory / "adapter.json").write_text(json.dumps(state))

    def load_adapter(self, directory: Path) -> FakeAdapter:
        state = json.loads((directory / "adapter.json").read_text())
        config = AdapterConfig(rank=state["rank"], learning_rate=state["lr"])
        return FakeAdapter(config, steps=state["steps"])

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def _record(self, call: str) -> None:
        with self._lock:
            self.calls.append(call)
