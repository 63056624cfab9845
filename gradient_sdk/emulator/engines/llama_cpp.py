"""The text engine on llama.cpp: completions decoded from the GGUF file itself, at llama.cpp's
speed, while the torch engine trains the adapters.

The torch engine decodes SmolLM2 at float32 through transformers; llama.cpp reads the
file's 4-bit blocks directly, several times faster on a CPU, and starts in well under a
second because it needs neither torch nor transformers. It cannot train, so this engine
pairs the two:

- completions, of the base model and of adapters, run on llama.cpp. An adapter is written
  as a GGUF LoRA file (:mod:`.gguf_lora`) from the matrices the torch engine trained, and
  loaded again after each fine-tune;
- creating, fine-tuning, saving and loading adapters, and completions under an output
  constraint (``guidance``), go to the torch engine, loaded on the first such call;
- one lock covers both, so the cores are never asked for two models' threads at once.

Every completion runs its whole prompt from an empty key-value cache. Reusing the cache for
a prompt that starts like the previous one would save that work, but llama.cpp's logits for
a token then depend on how its tokens were split into passes, so the same request could
answer differently after another one; answers that repeat are worth more here. Tokens are
picked in numpy, with the torch engine's rules: the likeliest without a
temperature, else a sample after ``top_k`` and ``top_p`` filtering, from a generator seeded
by the request's seed.
"""

from __future__ import annotations

import collections
import functools
import itertools
import logging
import math
import secrets
import tempfile
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy
from numpy.typing import NDArray

from .base import (
    AdapterConfig,
    Completion,
    FineTuneResult,
    FinishReason,
    LoadedAdapter,
    OutputConstraint,
    StopSignal,
    TrainingExample,
    check_stop,
)
from .gguf_lora import BaseModelShape, write_gguf_adapter
from .llama_cpp_runtime import LlamaCppModel
from .text_rules import continuation_text, room_after

if TYPE_CHECKING:
    import jinja2

    from .causal_lm import CausalLMEngine, LoraAdapter

logger = logging.getLogger(__name__)

_serials = itertools.count(1)


class LlamaCppAdapter:
    """An adapter of a :class:`LlamaCppEngine`: the torch engine's trained adapter, and the
    llama.cpp copy of its weights as of a training step."""

    def __init__(self, owner: LlamaCppEngine, trained: LoraAdapter) -> None:
        self.owner = owner
        self.trained = trained
        # Names this adapter in the engine's cache bookkeeping; never reused, unlike id().
        self.serial = next(_serials)
        self.exported: _ExportedAdapter | None = None

    @property
    def config(self) -> AdapterConfig:
        """The configuration the adapter was built with."""
        return self.trained.config


class _ExportedAdapter:
    """An adapter's weights loaded into llama.cpp, as of the ``version`` (training step)."""

    def __init__(self, version: int, handle: Any) -> None:
        self.version = version
        self.handle = handle


class LlamaCppEngine:
    """A :class:`~gradient_sdk.emulator.engines.base.TextEngine` over a GGUF file: llama.cpp
    completes, the torch engine that ``trainer`` loads trains."""

    def __init__(
        self,
        path: Path,
        *,
        name: str,
        trainer: Callable[[], CausalLMEngine],
        threads: int,
        context_window: int | None = None,
    ) -> None:
        self.name = name
        self._model = LlamaCppModel(path, threads=threads, context_window=context_window)
        self.context_window = self._model.context_window
        blocks, heads, kv_heads = self._model.head_counts()
        self._shape = BaseModelShape(
            architecture=self._model.metadata("general.architecture") or "",
            block_count=blocks,
            head_count=heads,
            head_count_kv=kv_heads,
        )
        self._chat_template = self._model.metadata("tokenizer.chat_template")
        self._stop_ids = frozenset({self._model.end_token})
        model = self._model
        self._start_ids = [model.start_token] if model.adds_start_token else []
        # Held for every model call, llama.cpp's or the trainer's (see the module docstring).
        self._lock = threading.Lock()
        self._trainer_factory = trainer
        self._trainer: CausalLMEngine | None = None
        self._trainer_lock = threading.Lock()
        # The adapter llama.cpp applies now, by (serial, training step); None: the base model.
        self._selected: tuple[int, int] | None = None
        # Handles of dropped adapters, freed under the lock by the next completion. A deque:
        # finalizers append from any thread while a completion takes them off.
        self._retired: collections.deque[_ExportedAdapter] = collections.deque()

    # -- adapters -------------------------------------------------------------------------

    def new_adapter(self, config: AdapterConfig) -> LlamaCppAdapter:
        """A fresh adapter; it completes like the base model until it is fine-tuned."""
        return LlamaCppAdapter(self, self.trainer().new_adapter(config))

    def fine_tune(
        self,
        adapter: LoadedAdapter,
        examples: Sequence[TrainingExample],
        stop: StopSignal | None = None,
    ) -> FineTuneResult:
        """Train ``adapter`` in place on the torch engine (see its ``fine_tune``)."""
        own = self._own(adapter)
        with self._lock:
            return self.trainer().fine_tune(own.trained, examples, stop)

    def save_adapter(self, adapter: LoadedAdapter, directory: Path) -> None:
        """Write the adapter into ``directory``, in the torch engine's (PEFT's) layout."""
        self.trainer().save_adapter(self._own(adapter).trained, directory)

    def load_adapter(self, directory: Path) -> LlamaCppAdapter:
        """Read an adapter that :meth:`save_adapter` wrote."""
        return LlamaCppAdapter(self, self.trainer().load_adapter(directory))

    def export_adapter(self, adapter: LoadedAdapter, path: Path) -> None:
        """Write ``adapter``'s current weights at ``path`` as a GGUF LoRA adapter file, the
        form llama.cpp (this engine, or llama.cpp's own tools) loads onto the model."""
        trained = self._own(adapter).trained
        pairs = {
            layer_name: (down.detach().cpu().numpy(), up.detach().cpu().numpy())
            for layer_name, (down, up) in trained.pairs.items()
        }
        write_gguf_adapter(path, pairs, scale=trained.scale, shape=self._shape)

    def trainer(self) -> CausalLMEngine:
        """The torch engine that trains this engine's adapters, loaded on first use."""
        with self._trainer_lock:
            if self._trainer is None:
                logger.info("loading the training side of %s (the torch engine)", self.name)
                self._trainer = self._trainer_factory()
            return self._trainer

    # -- completion -----------------------------------------------------------------------

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
        """Continue ``prompt`` with at most ``max_new_tokens`` tokens, as the torch engine's
        ``complete`` does; a ``constraint`` sends the completion to the torch engine."""
        own = None if adapter is None else self._own(adapter)
        if constraint is not None:
            trainer = self.trainer()
            with self._lock:
                return trainer.complete(
                    prompt,
                    None if own is None else own.trained,
                    max_new_tokens=max_new_tokens,
                    temperature=temperature,
                    top_k=top_k,
                    top_p=top_p,
                    apply_chat_template=apply_chat_template,
                    seed=seed,
                    stop=stop,
                    constraint=constraint,
                )
        prompt_ids = self._prompt_ids(prompt, apply_chat_template=apply_chat_template)
        room = room_after(len(prompt_ids), self.context_window)
        generator = numpy.random.default_rng(seed if seed is not None else secrets.randbits(63))
        budget = min(max_new_tokens, room)
        generated: list[int] = []
        finish_reason: FinishReason = "length"
        with self._lock:
            check_stop(stop)
            self._select(own)
            self._model.forget_from(0)
            logits = self._model.evaluate(prompt_ids)
            while len(generated) < budget:
                token = pick_token(
                    logits, temperature=temperature, top_k=top_k, top_p=top_p, generator=generator
                )
                if token in self._stop_ids:
                    finish_reason = "stop"
                    break
                generated.append(token)
                if len(generated) == budget:
                    break
                check_stop(stop)
                logits = self._model.evaluate([token])
        return Completion(
            text=continuation_text(self._model.detokenize, prompt_ids, generated),
            finish_reason=finish_reason,
            generated_token_count=len(generated),
        )

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is, without any special tokens added."""
        return len(self._model.tokenize(text, add_special=False))

    # -- adapters in llama.cpp ------------------------------------------------------------

    def _select(self, adapter: LlamaCppAdapter | None) -> None:
        """Make ``adapter`` (or the base model) the one llama.cpp applies; under the lock."""
        wanted = None if adapter is None else (adapter.serial, adapter.trained.version)
        if wanted != self._selected:
            self._model.use_adapter(None if adapter is None else self._exported(adapter))
            self._selected = wanted
        # Dropped adapters are never selected again, so none of these is in use.
        while self._retired:
            self._model.free_adapter(self._retired.popleft().handle)

    def _exported(self, adapter: LlamaCppAdapter) -> Any:
        """``adapter``'s llama.cpp handle for its current weights: written and loaded again
        when it has trained since; under the lock, so no training step runs meanwhile."""
        trained = adapter.trained
        exported = adapter.exported
        if exported is not None and exported.version == trained.version:
            return exported.handle
        with tempfile.TemporaryDirectory(prefix="gradient-lora-") as folder:
            path = Path(folder) / "adapter.gguf"
            self.export_adapter(adapter, path)
            handle = self._model.load_adapter(path)
        if exported is None:
            adapter.exported = _ExportedAdapter(trained.version, handle)
            # The handle is freed once the adapter is dropped (by the next completion).
            weakref.finalize(adapter, self._retired.append, adapter.exported)
        else:
            # The previous weights were the ones selected, if any: none are now.
            self._model.use_adapter(None)
            self._selected = None
            self._model.free_adapter(exported.handle)
            exported.version, exported.handle = trained.version, handle
        return handle

    # -- tokens ---------------------------------------------------------------------------

    def _prompt_ids(self, prompt: str, *, apply_chat_template: bool) -> list[int]:
        if apply_chat_template and self._chat_template:
            text = _render_chat(self._chat_template, prompt, self._model)
            ids = self._model.tokenize(text, add_special=False)
        else:
            if apply_chat_template:
                logger.info("%s has no chat template; completing the raw prompt", self.name)
            ids = self._start_ids + self._model.tokenize(prompt, add_special=False)
        # A model needs at least one token to start from; the end token marks a fresh start.
        return ids or [self._model.end_token]

    # -- helpers --------------------------------------------------------------------------

    def _own(self, adapter: LoadedAdapter) -> LlamaCppAdapter:
        if not isinstance(adapter, LlamaCppAdapter) or adapter.owner is not self:
            raise TypeError(f"the adapter was not made by this {self.name} engine")
        return adapter


def pick_token(
    logits: NDArray[numpy.float32],
    *,
    temperature: float | None,
    top_k: int | None,
    top_p: float | None,
    generator: numpy.random.Generator,
) -> int:
    """The next token: the likeliest without a temperature, else a filtered sample (the torch
    engine's rules, in numpy)."""
    if not temperature:
        return int(logits.argmax())
    # Float64 and shifted so the best score is 0: a tiny temperature then sends the rest to
    # -inf rather than overflowing.
    scores = (logits.astype(numpy.float64) - float(logits.max())) / temperature
    if top_k is not None and 0 < top_k < scores.size:
        threshold = numpy.partition(scores, -top_k)[-top_k]
        scores[scores < threshold] = -math.inf
    order = numpy.argsort(-scores, kind="stable")
    probabilities = numpy.exp(scores[order])
    probabilities /= probabilities.sum()
    if top_p is not None and top_p < 1:
        # Keep the likeliest tokens until their mass reaches top_p (always at least one).
        outside = numpy.cumsum(probabilities) - probabilities >= top_p
        outside[0] = False
        probabilities[outside] = 0.0
    cumulative = numpy.cumsum(probabilities)
    drawn = float(generator.random()) * float(cumulative[-1])
    choice = int(numpy.searchsorted(cumulative, drawn, side="right"))
    return int(order[min(choice, order.size - 1)])


def _render_chat(template: str, prompt: str, model: LlamaCppModel) -> str:
    """``prompt`` as the one user message of a chat, rendered the way transformers renders
    a model's chat template (a sandboxed Jinja environment, blocks trimmed)."""
    return _compiled_template(template).render(
        messages=[{"role": "user", "content": prompt}],
        add_generation_prompt=True,
        bos_token=model.token_text(model.start_token),
        eos_token=model.token_text(model.end_token),
    )


@functools.cache
def _compiled_template(template: str) -> jinja2.Template:
    """A chat template compiled once: compiling costs far more than rendering."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(template)
