"""The data the emulator's model engines take and give, and the interfaces they implement.

This module stays free of torch and transformers, so the emulator can name these types
without paying for the heavy imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import attrs

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

# The defaults let ONE fine-tune call teach SmolLM2-135M one short fact (the emulator's
# showcase: ask, fine-tune once on the answer, ask again, get the new answer) in about three
# seconds on a laptop CPU, while the model's other answers stay sensible:
# - rank 8 on every linear layer of every block is ~2.4M trainable numbers for SmolLM2-135M:
#   plenty to hold a fact, cheap to train and to save;
# - Adam moves each weight by about the learning rate per step whatever the gradient's scale,
#   so learning rate x steps bounds how far one call goes. On the showcase sample the greedy
#   answer flips at about 2e-3 in total (5e-4 x 4 steps) for every LoRA seed we tried;
#   1e-3 x 10 steps is five times that, and takes the sample's loss from ~67 to ~1 (sum over
#   26 tokens). Twice as much starts to bend unrelated answers ("the capital of France").
# - each step is one forward and one backward pass over the call's samples; a last forward
#   pass measures the loss after the update.
DEFAULT_RANK = 8
DEFAULT_LEARNING_RATE = 1e-3
STEPS_PER_FINE_TUNE = 10

#: LoRA scales its update by ``alpha / rank``; alpha = 2 x rank is the usual choice and keeps
#: that scale the same whatever rank a caller picks.
LORA_ALPHA_PER_RANK = 2.0

#: What runs a text model: transformers on torch (any model; completes and trains), or
#: llama.cpp (GGUF files; completes several times faster, torch still trains).
TextEngineKind = Literal["torch", "llama-cpp"]
TEXT_ENGINE_KINDS: tuple[TextEngineKind, ...] = ("torch", "llama-cpp")

#: Why a completion ended: the token budget ran out, or the model produced its end token.
FinishReason = Literal["length", "stop"]


class EngineError(Exception):
    """Base class of the errors the model engines raise."""


class StopSignal(Protocol):
    """Set when the work's caller has gone (``threading.Event`` is one): an engine looks at
    it between tokens and between training steps."""

    def is_set(self) -> bool:
        """Whether the work should stop."""
        ...


class WorkStoppedError(EngineError):
    """The engine stopped because its :class:`StopSignal` was set; nothing it did is kept."""


def check_stop(stop: StopSignal | None) -> None:
    """Raise :class:`WorkStoppedError` if ``stop`` is set."""
    if stop is not None and stop.is_set():
        raise WorkStoppedError("stopped: the caller has gone")


class PromptTooLongError(EngineError, ValueError):
    """The prompt leaves no room for a single new token in the model's context window."""


class ConstraintError(EngineError, ValueError):
    """No text the model's tokens can spell satisfies the constraint."""


class AdapterFormatError(EngineError, ValueError):
    """A saved adapter is missing files or does not fit the engine's model."""


class ModelUnavailableError(EngineError, LookupError):
    """The model asked for is not installed or cannot be found."""


@attrs.frozen
class TrainingSegment:
    """One piece of a fine-tuning sample.

    ``trainable=False`` segments are context only: the model sees them but is not taught to
    produce them. ``parse_special_tokens=False`` tokenizes special-token strings (such as
    ``<|im_end|>``) as plain text.
    """

    text: str
    trainable: bool = True
    parse_special_tokens: bool = True


@attrs.frozen
class TrainingExample:
    """A fine-tuning sample: segments joined in order, its loss scaled by ``multiplier``."""

    segments: tuple[TrainingSegment, ...]
    multiplier: float = 1.0


@attrs.frozen
class Completion:
    """Text generated for a prompt.

    ``generated_token_count`` counts the tokens of ``text``; the end token that stops a
    completion with ``finish_reason="stop"`` is not part of the text and not counted.
    """

    text: str
    finish_reason: FinishReason
    generated_token_count: int


@attrs.frozen
class FineTuneResult:
    """What one fine-tune call did.

    ``sum_loss`` is the sum of the per-token cross-entropy over the trainable tokens, each
    sample's share scaled by its multiplier, measured before the call's update;
    ``sum_loss_after`` is the same sum measured after it.
    """

    number_of_trainable_tokens: int
    sum_loss: float
    sum_loss_after: float


def _choices(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class ChoiceConstraint:
    """The completion is exactly one of ``choices``, character for character."""

    choices: tuple[str, ...] = attrs.field(
        converter=_choices, validator=attrs.validators.min_len(1)
    )


#: The JSON types a field of a :class:`JsonObjectConstraint` may hold.
JsonFieldType = Literal["string", "number", "boolean"]


@attrs.frozen
class JsonField:
    """One key of a JSON object the completion must be, the type of its value, and whether
    the object always has it."""

    name: str
    type: JsonFieldType
    required: bool = False


def _fields(values: Iterable[JsonField]) -> tuple[JsonField, ...]:
    return tuple(values)


@attrs.frozen
class JsonObjectConstraint:
    """The completion is one JSON object: only these keys, in this order, each value of its
    type; every ``required`` key is there, the others may be left out."""

    fields: tuple[JsonField, ...] = attrs.field(
        converter=_fields, validator=attrs.validators.min_len(1)
    )


#: What a constrained completion must be; an engine's output always is, whatever its model.
OutputConstraint = ChoiceConstraint | JsonObjectConstraint


@attrs.frozen
class AdapterConfig:
    """How to build a LoRA adapter: its rank, the learning rate of its optimizer, and the seed
    of its random initialisation (``None``: a fresh one each time)."""

    rank: int = attrs.field(default=DEFAULT_RANK, validator=attrs.validators.gt(0))
    learning_rate: float = attrs.field(
        default=DEFAULT_LEARNING_RATE, validator=attrs.validators.gt(0)
    )
    seed: int | None = None


class LoadedAdapter(Protocol):
    """An adapter loaded into an engine: LoRA weights and their optimizer state, in memory;
    opaque to the caller."""

    @property
    def config(self) -> AdapterConfig:
        """The configuration the adapter was built with."""
        ...


class TextEngine(Protocol):
    """A causal language model that completes text and trains LoRA adapters of itself.

    An engine serves many adapters over one shared base model whose weights never change.
    Work on one adapter must be serialised by the caller; different adapters, and the base
    model (``adapter=None``), may be used from different threads at once.
    """

    name: str
    context_window: int

    def new_adapter(self, config: AdapterConfig) -> LoadedAdapter:
        """A fresh adapter: until it is fine-tuned, it completes exactly like the base model.

        The handle owns the adapter's tensors: dropping it frees them.
        """
        ...

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
        """Continue ``prompt``; temperature ``None`` or 0 decodes greedily.

        With a ``constraint`` the text always satisfies it, even when that takes more than
        ``max_new_tokens`` tokens (the fewest that can satisfy it). Once ``stop`` is set,
        raises :class:`WorkStoppedError` before the next token.
        """
        ...

    def fine_tune(
        self,
        adapter: LoadedAdapter,
        examples: Sequence[TrainingExample],
        stop: StopSignal | None = None,
    ) -> FineTuneResult:
        """Train ``adapter`` in place on ``examples`` for ``STEPS_PER_FINE_TUNE`` steps.

        Once ``stop`` is set, raises :class:`WorkStoppedError` before the next step; the
        adapter in memory may then be part-trained, and the caller must drop it.
        """
        ...

    def save_adapter(self, adapter: LoadedAdapter, directory: Path) -> None:
        """Write the adapter's files into the existing ``directory``, each fsynced."""
        ...

    def load_adapter(self, directory: Path) -> LoadedAdapter:
        """Read an adapter that ``save_adapter`` wrote."""
        ...

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is, without any special tokens added."""
        ...


class EmbeddingEngine(Protocol):
    """A text embedding model."""

    dimensions: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector of ``dimensions`` floats per text, in order."""
        ...


#: The sample rate speech engines take: 16 kHz, what Whisper-family models are trained on.
SPEECH_SAMPLE_RATE = 16_000


class SpeechEngine(Protocol):
    """A speech-to-text model."""

    name: str

    def transcribe(self, samples: NDArray[numpy.float32]) -> str:
        """The text spoken in mono ``samples`` at :data:`SPEECH_SAMPLE_RATE`, in [-1, 1]."""
        ...
