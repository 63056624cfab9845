# torch, transformers and tokenizers ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""The text engine: any Hugging Face causal language model, with LoRA adapters on top.

One base model serves every adapter. An adapter is a pair of low-rank matrices for each
linear layer of the model's blocks, plus the Adam state that trains them. A forward hook on
each of those layers adds the selected adapter's update to the layer's output; with no
adapter selected the hooks return the output untouched, so the base model computes exactly
what it did when loaded, and its weights are never trained. The selection is state of the
one shared model, so a lock lets a single forward pass (or training step) run at a time.

Completions running at once share their forward passes (:mod:`.batching`): each row of such
a batch selects its own adapter, and the hooks then add all the rows' updates with one
batched product per layer.

Adapters are saved in PEFT's layout (``adapter_config.json`` and
``adapter_model.safetensors``), so ``peft.PeftModel.from_pretrained`` loads them onto the
same base model; the optimizer state and the engine's own settings travel beside them.
"""

from __future__ import annotations

import functools
import inspect
import io
import json
import logging
import math
import pickle
import secrets
import threading
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import attrs
import safetensors
import safetensors.torch
import torch

from ..storage.durable import write_durably
from .base import (
    LORA_ALPHA_PER_RANK,
    STEPS_PER_FINE_TUNE,
    AdapterConfig,
    AdapterFormatError,
    Completion,
    EngineError,
    FineTuneResult,
    LoadedAdapter,
    OutputConstraint,
    PromptTooLongError,
    StopSignal,
    TrainingExample,
    check_stop,
)
from .batching import BatchDecoder, Generation
from .constrained import Constraints
from .text_rules import continuation_text, room_after

logger = logging.getLogger(__name__)

_PEFT_CONFIG_FILE = "adapter_config.json"
_WEIGHTS_FILE = "adapter_model.safetensors"
_OPTIMIZER_FILE = "optimizer.pt"
_SETTINGS_FILE = "engine_adapter.json"
_SETTINGS_FORMAT = 1
# PEFT names a layer's LoRA weights after the layer's path inside this wrapper prefix.
_PEFT_KEY_PREFIX = "base_model.model."
# A context window for models whose config does not state one.
_FALLBACK_CONTEXT_WINDOW = 2048


class LoraAdapter:
    """A LoRA adapter of one :class:`CausalLMEngine`: its matrices and their optimizer.

    For each target layer ``W`` (``out x in``) the adapter holds ``A`` (``rank x in``) and
    ``B`` (``out x rank``); the layer then computes ``W x + scale * B A x``.
    """

    def __init__(
        self,
        owner: CausalLMEngine,
        config: AdapterConfig,
        pairs: dict[str, tuple[torch.Tensor, torch.Tensor]],
    ) -> None:
        self.owner = owner
        self._config = config
        self.pairs = pairs
        self.scale = LORA_ALPHA_PER_RANK
        self.optimizer = torch.optim.Adam(self.parameters(), lr=config.learning_rate)
        # Counts the training steps, so copies of the matrices know when they are stale.
        self.version = 0
        self._frozen: tuple[int, dict[str, tuple[torch.Tensor, torch.Tensor]]] | None = None

    @property
    def config(self) -> AdapterConfig:
        """The configuration the adapter was built with."""
        return self._config

    def parameters(self) -> list[torch.Tensor]:
        """The trainable tensors, in a fixed order (the optimizer state relies on it)."""
        return [tensor for pair in self.pairs.values() for tensor in pair]

    def add_update(self, layer_name: str, inputs: torch.Tensor, output: torch.Tensor) -> Any:
        """``output`` of the layer plus this adapter's low-rank update of ``inputs``."""
        if torch.is_grad_enabled() or output.dtype != torch.float32:
            down, up = self.pairs[layer_name]
            update = (inputs.to(down.dtype) @ down.T) @ up.T
            return output + (update * self.scale).to(output.dtype)
        # Without autograd, two fused products into the fresh output: a third of the calls.
        down_t, up_t = self.frozen()[layer_name]
        flat_inputs = inputs.reshape(-1, inputs.shape[-1])
        output.view(-1, output.shape[-1]).addmm_(flat_inputs @ down_t, up_t)
        return output

    def frozen(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """Per layer, ``A`` transposed and ``B`` transposed times the scale, as plain tensors
        laid out for inference; made again after each training step."""
        if self._frozen is None or self._frozen[0] != self.version:
            with torch.no_grad():
                matrices = {
                    layer_name: (down.T.contiguous(), (up.T * self.scale).contiguous())
                    for layer_name, (down, up) in self.pairs.items()
                }
            self._frozen = (self.version, matrices)
        return self._frozen[1]


class _RowAdapters:
    """A batch whose rows use different adapters (``None``: the base model).

    Each layer's matrices of all the rows are stacked (ranks padded with zeros, the scale
    folded in), so one batched product per layer adds every row's update; a base-model row
    gets zero matrices, and so an update of exactly zero.
    """

    def __init__(
        self,
        adapters: list[LoraAdapter | None],
        targets: dict[str, Any],
        device: torch.device,
    ) -> None:
        # Holding the adapters keeps their ids, which the key is made of, from being reused.
        self._adapters = tuple(adapters)
        self.key = _adapters_key(adapters)
        rank = max(adapter.config.rank for adapter in adapters if adapter is not None)
        self._stacks: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        with torch.no_grad():
            for layer_name, layer in targets.items():
                downs = torch.zeros(len(adapters), layer.in_features, rank, device=device)
                ups = torch.zeros(len(adapters), rank, layer.out_features, device=device)
                for row, adapter in enumerate(adapters):
                    if adapter is not None:
                        down, up = adapter.pairs[layer_name]
                        downs[row, :, : down.shape[0]] = down.T
                        ups[row, : up.shape[1]] = up.T * adapter.scale
                self._stacks[layer_name] = (downs, ups)

    def add_update(self, layer_name: str, inputs: torch.Tensor, output: torch.Tensor) -> Any:
        """``output`` of the layer plus each row's update of its row of ``inputs``."""
        downs, ups = self._stacks[layer_name]
        if output.dtype != downs.dtype:
            update = torch.bmm(torch.bmm(inputs.to(downs.dtype), downs), ups)
            return output + update.to(output.dtype)
        return torch.baddbmm(output, torch.bmm(inputs, downs), ups)


class _Selection(Protocol):
    """What the forward hooks add to each target layer's output."""

    def add_update(self, layer_name: str, inputs: torch.Tensor, output: torch.Tensor) -> Any: ...


def _adapters_key(adapters: list[LoraAdapter | None]) -> tuple[tuple[int, int], ...]:
    """Which adapters, at which training step, a batch's rows use."""
    return tuple((0, 0) if a is None else (id(a), a.version) for a in adapters)


@attrs.frozen
class _TrainingSequence:
    """A tokenized sample: its ids and, per predicted token, the weight of its loss."""

    input_ids: torch.Tensor  # shape (1, length)
    target_weights: torch.Tensor  # shape (length - 1,): multiplier where trainable, else 0
    trainable_token_count: int


class CausalLMEngine:
    """A :class:`~gradient_sdk.emulator.engines.base.TextEngine` over a transformers causal LM."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        name: str,
        context_window: int | None = None,
    ) -> None:
        self.name = name
        self.context_window = context_window or _stated_context_window(model)
        self._model = model.eval().requires_grad_(False)
        self._tokenizer = tokenizer
        # Every forward pass runs under this lock: the selected adapter is shared state.
        self._lock = threading.Lock()
        # Fast tokenizers raise "Already borrowed" when two threads use one at once.
        self._tokenizer_lock = threading.Lock()
        self._selected: _Selection | None = None
        self._row_adapters: _RowAdapters | None = None  # the last mixed batch's stacks
        self._targets = _lora_targets(model)
        for layer_name, layer in self._targets.items():
            layer.register_forward_hook(functools.partial(self._add_lora_update, layer_name))
        self._start_ids = self._special_prefix_ids()
        self._stop_ids = _stop_token_ids(model, tokenizer)
        self._end_id = _end_token_id(tokenizer, self._stop_ids)
        self._forward_options = _last_logits_only_options(model)
        self._cache_keyword = _cache_keyword(model)
        self._device = next(model.parameters()).device
        self._constraints_lock = threading.Lock()
        self._constraint_compiler: Constraints | None = None
        self._decoder = BatchDecoder(self._run_model, self._stop_ids, self._device)

    # -- adapters -------------------------------------------------------------------------

    def new_adapter(self, config: AdapterConfig) -> LoraAdapter:
        """A fresh adapter; it completes exactly like the base model until it is fine-tuned.

        ``A`` starts random as in PEFT (Kaiming-uniform, from ``config.seed``) and ``B`` at
        zero, so the adapter's update starts at zero.
        """
        seed = config.seed if config.seed is not None else secrets.randbits(63)
        generator = torch.Generator().manual_seed(seed)
        pairs = {}
        for layer_name, layer in self._targets.items():
            down = torch.empty(config.rank, layer.in_features)
            torch.nn.init.kaiming_uniform_(down, a=math.sqrt(5), generator=generator)
            up = torch.zeros(layer.out_features, config.rank)
            pairs[layer_name] = (self._trainable(down), self._trainable(up))
        return LoraAdapter(self, config, pairs)

    def save_adapter(self, adapter: LoadedAdapter, directory: Path) -> None:
        """Write the adapter into the existing ``directory``: PEFT files, optimizer, settings."""
        lora = self._own(adapter)
        weights = {}
        for layer_name, (down, up) in lora.pairs.items():
            weights[_peft_key(layer_name, "lora_A")] = down.detach().cpu().contiguous()
            weights[_peft_key(layer_name, "lora_B")] = up.detach().cpu().contiguous()
        optimizer_state = io.BytesIO()
        torch.save(lora.optimizer.state_dict(), optimizer_state)
        settings = {
            "format": _SETTINGS_FORMAT,
            "base_model": self.name,
            **attrs.asdict(lora.config),
        }
        write_durably(
            directory / _WEIGHTS_FILE, safetensors.torch.save(weights, metadata={"format": "pt"})
        )
        write_durably(directory / _PEFT_CONFIG_FILE, _json_bytes(self._peft_config(lora.config)))
        write_durably(directory / _OPTIMIZER_FILE, optimizer_state.getvalue())
        write_durably(directory / _SETTINGS_FILE, _json_bytes(settings))

    def load_adapter(self, directory: Path) -> LoraAdapter:
        """Read an adapter that :meth:`save_adapter` wrote, optimizer state included."""
        config, trained_on, weights, optimizer_state = _read_saved_adapter(directory)
        if trained_on != self.name:
            logger.warning(
                "the adapter in %s was trained on %s; loading it onto %s",
                directory,
                trained_on,
                self.name,
            )
        lora = LoraAdapter(self, config, self._pairs_from(weights, config.rank, directory))
        try:
            lora.optimizer.load_state_dict(optimizer_state)
        except (ValueError, KeyError, TypeError) as error:
            raise AdapterFormatError(f"bad optimizer state in {directory}: {error}") from error
        return lora

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
        """Continue ``prompt`` with at most ``max_new_tokens`` tokens.

        Temperature ``None`` or 0 picks the likeliest token each time; otherwise tokens are
        sampled (after ``top_k`` and ``top_p`` filtering) from a generator seeded by ``seed``.
        The prompt and the new tokens must fit the context window: the budget shrinks to
        what fits, and a prompt that leaves no room raises :class:`PromptTooLongError`.

        A ``constraint`` masks, at each step, the tokens that could not lead to a satisfying
        text within the budget (:mod:`.constrained`); the budget grows to the fewest tokens
        a satisfying text takes, when it is smaller. ``stop`` is looked at before each token.
        """
        lora = None if adapter is None else self._own(adapter)
        prompt_ids = self._prompt_ids(prompt, apply_chat_template=apply_chat_template)
        room = room_after(len(prompt_ids), self.context_window)
        pick = functools.partial(
            _pick_token,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            generator=torch.Generator().manual_seed(
                seed if seed is not None else secrets.randbits(63)
            ),
        )
        decoding = None if constraint is None else self._constraints().start(constraint)
        budget = min(max_new_tokens, room)
        if decoding is not None:
            if decoding.fewest_tokens > room:
                raise PromptTooLongError(
                    f"the prompt is {len(prompt_ids)} tokens; with the {decoding.fewest_tokens}"
                    f" an answer takes at least, that exceeds the context window of"
                    f" {self.context_window}"
                )
            budget = max(budget, decoding.fewest_tokens)
        sequence = Generation(prompt_ids, budget, lora, pick, decoding, stop)
        self._decoder.decode(sequence)
        generated = sequence.generated
        text = (
            self._continuation_text(prompt_ids, generated)
            if decoding is None
            else self._constraints().text(generated)
        )
        finish_reason = sequence.finish_reason or "length"
        return Completion(
            text=text, finish_reason=finish_reason, generated_token_count=len(generated)
        )

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` is, without any special tokens added."""
        return len(self._encode(text))

    # -- fine-tuning ----------------------------------------------------------------------

    def fine_tune(
        self,
        adapter: LoadedAdapter,
        examples: Sequence[TrainingExample],
        stop: StopSignal | None = None,
    ) -> FineTuneResult:
        """Train ``adapter`` in place: ``STEPS_PER_FINE_TUNE`` Adam steps over ``examples``.

        Each step minimises the multiplier-weighted mean cross-entropy of the trainable
        tokens of all examples. The lock is taken per step, so completions of other
        adapters and of the base model interleave with a long fine-tune. ``stop`` is looked
        at before each step.
        """
        lora = self._own(adapter)
        sequences = [
            sequence
            for sequence in map(self._training_sequence, examples)
            if sequence.trainable_token_count
        ]
        token_count = sum(sequence.trainable_token_count for sequence in sequences)
        if token_count == 0:
            return FineTuneResult(number_of_trainable_tokens=0, sum_loss=0.0, sum_loss_after=0.0)
        # The first step's forward passes see the weights before any update.
        losses: list[float] = []
        for step in range(1, STEPS_PER_FINE_TUNE + 1):
            check_stop(stop)
            losses.append(self._training_step(lora, sequences, token_count))
            logger.debug(
                "training step %d/%d: loss %.4f per token",
                step,
                STEPS_PER_FINE_TUNE,
                losses[-1] / token_count,
            )
        sum_loss = losses[0]
        with self._using([lora]), torch.no_grad():
            sum_loss_after = sum(float(self._weighted_loss(sequence)) for sequence in sequences)
        return FineTuneResult(
            number_of_trainable_tokens=token_count,
            sum_loss=sum_loss,
            sum_loss_after=sum_loss_after,
        )

    def _training_step(
        self, lora: LoraAdapter, sequences: list[_TrainingSequence], token_count: int
    ) -> float:
        """One Adam step, with gradients summed over the sequences one at a time; returns
        the weighted loss sum the step started from."""
        sum_loss = 0.0
        with self._using([lora]), torch.enable_grad():
            for sequence in sequences:
                loss = self._weighted_loss(sequence)
                (loss / token_count).backward()
                sum_loss += float(loss.detach())
            lora.optimizer.step()
            lora.version += 1
            lora.optimizer.zero_grad(set_to_none=True)
        return sum_loss

    def _weighted_loss(self, sequence: _TrainingSequence) -> torch.Tensor:
        logits = self._model(input_ids=sequence.input_ids).logits[0, :-1]
        losses = torch.nn.functional.cross_entropy(
            logits.float(), sequence.input_ids[0, 1:], reduction="none"
        )
        return (losses * sequence.target_weights).sum()

    def _training_sequence(self, example: TrainingExample) -> _TrainingSequence:
        """Tokenize each segment on its own, so the trainable flags line up with the tokens;
        start with the tokenizer's own prefix (BOS) and end with the end token, which is
        trainable when the last segment is, so the model learns where to stop."""
        ids = list(self._start_ids)
        trainable = [False] * len(ids)
        for segment in example.segments:
            segment_ids = self._encode(
                segment.text, parse_special_tokens=segment.parse_special_tokens
            )
            ids += segment_ids
            trainable += [segment.trainable] * len(segment_ids)
        if example.segments and self._end_id is not None:
            ids.append(self._end_id)
            trainable.append(example.segments[-1].trainable)
        if len(ids) > self.context_window:
            logger.warning(
                "a %d-token sample is cut to the %d-token context window",
                len(ids),
                self.context_window,
            )
            ids, trainable = ids[: self.context_window], trainable[: self.context_window]
        # The first token is never predicted, so only later ones can carry a loss.
        predicted = trainable[1:]
        return _TrainingSequence(
            input_ids=torch.tensor([ids], device=self._device),
            target_weights=torch.tensor(predicted, dtype=torch.float32, device=self._device)
            * example.multiplier,
            trainable_token_count=sum(predicted),
        )

    # -- the shared model -----------------------------------------------------------------

    @contextmanager
    def _using(self, adapters: list[LoraAdapter | None]) -> Generator[None, None, None]:
        """Hold the model, with each row's adapter (or none) applied by the hooks; the
        adapters' matrices are read under the lock, so a training step cannot tear them."""
        with self._lock:
            self._selected = self._selection_for(adapters)
            try:
                yield
            finally:
                self._selected = None

    def _add_lora_update(
        self, layer_name: str, layer: Any, inputs: tuple[Any, ...], output: Any
    ) -> Any:
        """Forward hook: add the selected adapters' low-rank updates to a layer's output."""
        selection = self._selected
        if selection is None:
            return None  # a hook returning None leaves the output as it is
        return selection.add_update(layer_name, inputs[0], output)

    def _run_model(
        self, adapters: list[Any], inputs: dict[str, torch.Tensor], cache: Any
    ) -> tuple[torch.Tensor, Any]:
        """One forward pass for the batch decoder: each row with its own adapter."""
        with self._using(adapters):
            outputs = self._model(
                **inputs, use_cache=True, **{self._cache_keyword: cache}, **self._forward_options
            )
        return outputs.logits[:, -1], outputs[self._cache_keyword]

    def _selection_for(self, adapters: list[LoraAdapter | None]) -> _Selection | None:
        """One adapter for the whole batch where the rows agree (the plain path, exactly as
        a lone completion computes), else each row's own, stacked."""
        if all(adapter is adapters[0] for adapter in adapters):
            return adapters[0]
        key = _adapters_key(adapters)
        if self._row_adapters is None or self._row_adapters.key != key:
            self._row_adapters = _RowAdapters(adapters, self._targets, self._device)
        return self._row_adapters

    def _constraints(self) -> Constraints:
        """The constraint compiler of this tokenizer, made on first use (it reads the
        whole vocabulary)."""
        with self._constraints_lock:
            if self._constraint_compiler is None:
                end_id = self._end_id if self._end_id is not None else 0
                self._constraint_compiler = Constraints(
                    self._tokenizer, end_id=end_id, stop_ids=self._stop_ids
                )
            return self._constraint_compiler

    # -- tokens ---------------------------------------------------------------------------

    def _encode(self, text: str, *, parse_special_tokens: bool = True) -> list[int]:
        with self._tokenizer_lock:
            encoding = self._tokenizer(
                text, add_special_tokens=False, split_special_tokens=not parse_special_tokens
            )
        return list(encoding["input_ids"])

    def _prompt_ids(self, prompt: str, *, apply_chat_template: bool) -> list[int]:
        if apply_chat_template and self._tokenizer.chat_template:
            with self._tokenizer_lock:
                text = self._tokenizer.apply_chat_template(
                    [{"role": "user", "content": prompt}],
                    tokenize=False,
                    add_generation_prompt=True,
                )
            # The template writes any BOS itself.
            ids = self._encode(text)
        else:
            if apply_chat_template:
                logger.info("%s has no chat template; completing the raw prompt", self.name)
            ids = self._start_ids + self._encode(prompt)
        # A model needs at least one token to start from; the end token marks a fresh start.
        return ids or [self._end_id if self._end_id is not None else 0]

    def _continuation_text(self, prompt_ids: list[int], generated: list[int]) -> str:
        with self._tokenizer_lock:
            return continuation_text(self._decode, prompt_ids, generated)

    def _decode(self, ids: list[int]) -> str:
        return str(self._tokenizer.decode(ids, skip_special_tokens=True))

    def _special_prefix_ids(self) -> list[int]:
        """The ids the tokenizer puts before a text on its own (a BOS, or nothing)."""
        with self._tokenizer_lock:
            marked = list(self._tokenizer("x", add_special_tokens=True)["input_ids"])
            plain = list(self._tokenizer("x", add_special_tokens=False)["input_ids"])
        for start in range(len(marked) - len(plain) + 1):
            if marked[start : start + len(plain)] == plain:
                return marked[:start]
        return []

    # -- helpers --------------------------------------------------------------------------

    def _own(self, adapter: LoadedAdapter) -> LoraAdapter:
        if not isinstance(adapter, LoraAdapter) or adapter.owner is not self:
            raise TypeError(f"the adapter was not made by this {self.name} engine")
        return adapter

    def _trainable(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor.to(device=self._device, dtype=torch.float32).requires_grad_()

    def _pairs_from(
        self, weights: dict[str, torch.Tensor], rank: int, directory: Path
    ) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """The adapter's matrices from saved weights, checked against this model's layers."""
        pairs = {}
        for layer_name, layer in self._targets.items():
            down = weights.get(_peft_key(layer_name, "lora_A"))
            up = weights.get(_peft_key(layer_name, "lora_B"))
            if (
                down is None
                or up is None
                or tuple(down.shape) != (rank, layer.in_features)
                or tuple(up.shape) != (layer.out_features, rank)
            ):
                raise AdapterFormatError(
                    f"the adapter in {directory} does not fit layer {layer_name} of {self.name}"
                )
            pairs[layer_name] = (self._trainable(down), self._trainable(up))
        return pairs

    def _peft_config(self, config: AdapterConfig) -> dict[str, Any]:
        """A PEFT ``LoraConfig`` describing the adapter; PEFT fills in what is left out."""
        return {
            "peft_type": "LORA",
            "task_type": "CAUSAL_LM",
            "base_model_name_or_path": self.name,
            "r": config.rank,
            "lora_alpha": LORA_ALPHA_PER_RANK * config.rank,
            "lora_dropout": 0.0,
            "bias": "none",
            "fan_in_fan_out": False,
            "target_modules": list(self._targets),
            "inference_mode": True,
        }


def _pick_token(
    logits: torch.Tensor,
    *,
    temperature: float | None,
    top_k: int | None,
    top_p: float | None,
    generator: torch.Generator,
) -> int:
    """The next token: the likeliest without a temperature, else a filtered sample."""
    if not temperature:
        return int(logits.argmax())
    # Shift so the best score is 0: a tiny temperature then sends the rest to -inf instead
    # of overflowing everything to inf (and softmax to NaN).
    # Float64, so any temperature JSON can carry stays non-zero after conversion.
    shifted = logits.double() - logits.double().max()
    scores = shifted / temperature
    if top_k is not None and 0 < top_k < scores.numel():
        threshold = torch.topk(scores, top_k).values[-1]
        scores = scores.masked_fill(scores < threshold, -math.inf)
    probabilities, order = torch.softmax(scores, dim=-1).sort(descending=True)
    if top_p is not None and top_p < 1:
        # Keep the likeliest tokens until their mass reaches top_p (always at least one).
        outside = probabilities.cumsum(0) - probabilities >= top_p
        outside[0] = False
        probabilities = probabilities.masked_fill(outside, 0.0)
    choice = torch.multinomial(probabilities, 1, generator=generator)
    return int(order[choice])


def _lora_targets(model: Any) -> dict[str, Any]:
    """The linear layers that get LoRA matrices: all of them except the output head."""
    head = model.get_output_embeddings()
    targets = {
        name: module
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and module is not head
    }
    if not targets:
        raise EngineError(f"{type(model).__name__} has no linear layers to adapt")
    return targets


def _stated_context_window(model: Any) -> int:
    window = getattr(model.config, "max_position_embeddings", None)
    return int(window) if window else _FALLBACK_CONTEXT_WINDOW


def _stop_token_ids(model: Any, tokenizer: Any) -> frozenset[int]:
    """Every token that ends a completion: the tokenizer's end token and the model's."""
    stated = [tokenizer.eos_token_id]
    generation_config = getattr(model, "generation_config", None)
    model_eos = getattr(generation_config, "eos_token_id", None)
    stated += model_eos if isinstance(model_eos, list) else [model_eos]
    return frozenset(int(token) for token in stated if token is not None)


def _end_token_id(tokenizer: Any, stop_ids: frozenset[int]) -> int | None:
    """The token a training sample ends with, so the model learns to stop."""
    if tokenizer.eos_token_id is not None:
        return int(tokenizer.eos_token_id)
    return min(stop_ids, default=None)


def _last_logits_only_options(model: Any) -> dict[str, int]:
    """Ask for the last position's logits only, where the model's forward allows it."""
    if "logits_to_keep" in inspect.signature(model.forward).parameters:
        return {"logits_to_keep": 1}
    return {}


def _cache_keyword(model: Any) -> str:
    """The forward's name for the key-value cache: ``cache`` from transformers 5.x on
    (``past_key_values`` there is deprecated and warns), ``past_key_values`` before. The
    output names it the same way."""
    if "cache" in inspect.signature(model.forward).parameters:
        return "cache"
    return "past_key_values"


def _read_saved_adapter(
    directory: Path,
) -> tuple[AdapterConfig, str, dict[str, torch.Tensor], dict[str, Any]]:
    """The settings, the base model's name, the weights and the optimizer state of a saved
    adapter; any file missing or unreadable is an :class:`AdapterFormatError`."""
    try:
        settings = json.loads((directory / _SETTINGS_FILE).read_bytes())
        if settings["format"] != _SETTINGS_FORMAT:
            raise ValueError(f"format {settings['format']!r} is not {_SETTINGS_FORMAT}")
        config = AdapterConfig(
            rank=settings["rank"], learning_rate=settings["learning_rate"], seed=settings["seed"]
        )
        weights = safetensors.torch.load((directory / _WEIGHTS_FILE).read_bytes())
        optimizer_state = torch.load(directory / _OPTIMIZER_FILE, weights_only=True)
        return config, str(settings["base_model"]), weights, optimizer_state
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        RuntimeError,
        pickle.UnpicklingError,
        safetensors.SafetensorError,
    ) as error:
        raise AdapterFormatError(f"cannot read the adapter in {directory}: {error}") from error


def _peft_key(layer_name: str, matrix: str) -> str:
    return f"{_PEFT_KEY_PREFIX}{layer_name}.{matrix}.weight"


def _json_bytes(value: dict[str, Any]) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True).encode()
