# llama-cpp-python is ctypes all the way down: its values are Unknown or loosely typed.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false, reportAttributeAccessIssue=false
# pyright: reportMissingTypeStubs=false
"""One GGUF model loaded into llama.cpp, through llama-cpp-python's C bindings.

This is the little of llama.cpp's C API the llama.cpp engine needs, in Python terms: load a
model and one context (its key-value cache), tokenize and detokenize, run tokens through the
model and read the logits of the last one, forget the cache from a position on, and load and
select LoRA adapter files. Decoding and adapters change the context, so the engine calls
them under its lock; tokenizing and detokenizing only read the vocabulary, from any thread.

llama-cpp-python's high-level ``Llama`` class is not used: it samples with llama.cpp's own
samplers, which the emulator cannot seed per request nor constrain the way the torch engine
does, and it selects adapters only when a model loads.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy
from numpy.typing import NDArray

from .base import AdapterFormatError, EngineError, ModelUnavailableError

logger = logging.getLogger(__name__)

# The largest number of tokens one decode call takes; longer prompts go in pieces.
_BATCH_TOKENS = 512
# llama.cpp's log levels (ggml_log_level) at or above which its messages are warnings.
_GGML_LOG_WARN = 3
_GGML_LOG_CONTINUE = 5

#: What an emulator without llama-cpp-python says when asked for the llama-cpp engine.
LLAMA_CPP_MISSING = (
    "the llama-cpp engine needs llama-cpp-python: pip install 'gradient-llm-sdk[llama-cpp]'"
)

_setup_lock = threading.Lock()
_bindings: Any = None
# ctypes must keep the log callback alive as long as llama.cpp may call it: for the process.
_log_callback: Any = None


def llama_cpp_bindings() -> Any:
    """The ``llama_cpp`` module, its backend started and its log sent to :mod:`logging`; a
    clear error when the extra is not installed."""
    global _bindings, _log_callback
    with _setup_lock:
        if _bindings is None:
            try:
                import llama_cpp
            except ImportError as error:
                raise ModelUnavailableError(LLAMA_CPP_MISSING) from error
            llama_cpp.llama_backend_init()
            _log_callback = llama_cpp.llama_log_callback(_log_to_logging)
            llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))
            _bindings = llama_cpp
        return _bindings


def _log_to_logging(level: int, text: bytes | None, _user_data: Any) -> None:
    if not text or level == _GGML_LOG_CONTINUE:
        return
    message = text.decode("utf-8", errors="replace").rstrip()
    if level >= _GGML_LOG_WARN:
        logger.warning("llama.cpp: %s", message)
    else:
        logger.debug("llama.cpp: %s", message)


class LlamaCppModel:
    """A GGUF model and one context of ``context_window`` tokens, decoding on ``threads``
    threads."""

    def __init__(self, path: Path, *, threads: int, context_window: int | None = None) -> None:
        lib = llama_cpp_bindings()
        self._lib = lib
        model = lib.llama_model_load_from_file(str(path).encode(), lib.llama_model_default_params())
        if not model:
            raise ModelUnavailableError(f"llama.cpp cannot load {path}")
        self.context_window = context_window or int(lib.llama_model_n_ctx_train(model))
        parameters = lib.llama_context_default_params()
        parameters.n_ctx = self.context_window
        parameters.n_batch = _BATCH_TOKENS
        parameters.n_ubatch = _BATCH_TOKENS
        parameters.n_threads = threads
        parameters.n_threads_batch = threads
        parameters.no_perf = True
        # Measured on SmolLM2 with two threads: flash attention decodes at 0.73x the speed
        # of the plain path, and parts from transformers' greedy answer sooner.
        parameters.flash_attn_type = lib.LLAMA_FLASH_ATTN_TYPE_DISABLED
        context = lib.llama_init_from_model(model, parameters)
        if not context:
            lib.llama_model_free(model)
            raise EngineError(f"llama.cpp cannot make a context of {self.context_window} tokens")
        self._model = model
        self._context = context
        self._vocab = lib.llama_model_get_vocab(model)
        self._memory = lib.llama_get_memory(context)
        self.vocabulary_size = int(lib.llama_vocab_n_tokens(self._vocab))
        self.start_token = int(lib.llama_vocab_bos(self._vocab))
        self.end_token = int(lib.llama_vocab_eos(self._vocab))
        #: Whether the tokenizer puts the start token before a text of its own.
        self.adds_start_token = bool(lib.llama_vocab_get_add_bos(self._vocab))
        weakref.finalize(self, _free, lib, model, context)

    # -- metadata -------------------------------------------------------------------------

    def metadata(self, key: str) -> str | None:
        """The value of a GGUF metadata key, as text, or None when the file has no such key."""
        size = 256
        while True:
            buffer = ctypes.create_string_buffer(size)
            length = self._lib.llama_model_meta_val_str(self._model, key.encode(), buffer, size)
            if length < 0:
                return None
            if length < size:
                return buffer.value.decode("utf-8", errors="replace")
            size = length + 1

    def head_counts(self) -> tuple[int, int, int]:
        """The model's blocks, query heads and key-value heads."""
        lib, model = self._lib, self._model
        return (
            int(lib.llama_model_n_layer(model)),
            int(lib.llama_model_n_head(model)),
            int(lib.llama_model_n_head_kv(model)),
        )

    # -- tokens ---------------------------------------------------------------------------

    def tokenize(self, text: str, *, add_special: bool, parse_special: bool = True) -> list[int]:
        """The tokens of ``text``; ``add_special`` adds what the model puts before a text (a
        BOS), ``parse_special`` reads special-token strings as those tokens."""
        data = text.encode("utf-8")
        capacity = len(data) + 8
        while True:
            tokens = (self._lib.llama_token * capacity)()
            count = self._lib.llama_tokenize(
                self._vocab, data, len(data), tokens, capacity, add_special, parse_special
            )
            if count >= 0:
                return list(tokens[:count])
            capacity = -count

    def detokenize(self, tokens: Sequence[int]) -> str:
        """The text of ``tokens``, special tokens left out; bytes that end mid-character
        become U+FFFD."""
        if not tokens:
            return ""
        array = (self._lib.llama_token * len(tokens))(*tokens)
        capacity = 8 * len(tokens) + 16
        while True:
            buffer = ctypes.create_string_buffer(capacity)
            length = self._lib.llama_detokenize(
                self._vocab, array, len(tokens), buffer, capacity, False, False
            )
            if length >= 0:
                return buffer.raw[:length].decode("utf-8", errors="replace")
            capacity = -length

    def token_text(self, token: int) -> str:
        """One token's text, a special token's included (``<|im_end|>``); "" for no token."""
        if token < 0:
            return ""
        buffer = ctypes.create_string_buffer(256)
        length = self._lib.llama_token_to_piece(self._vocab, token, buffer, 256, 0, True)
        return buffer.raw[: max(length, 0)].decode("utf-8", errors="replace")

    # -- decoding -------------------------------------------------------------------------

    def evaluate(self, tokens: Sequence[int]) -> NDArray[numpy.float32]:
        """Run ``tokens`` through the model after what the cache holds; the logits of the
        last one (a fresh array)."""
        if not tokens:
            raise ValueError("evaluate needs at least one token")
        for start in range(0, len(tokens), _BATCH_TOKENS):
            piece = tokens[start : start + _BATCH_TOKENS]
            array = (self._lib.llama_token * len(piece))(*piece)
            status = self._lib.llama_decode(
                self._context, self._lib.llama_batch_get_one(array, len(piece))
            )
            if status != 0:
                raise EngineError(f"llama.cpp could not decode (status {status})")
        logits = self._lib.llama_get_logits_ith(self._context, -1)
        view = numpy.ctypeslib.as_array(logits, shape=(self.vocabulary_size,))
        return numpy.array(view, dtype=numpy.float32)

    def forget_from(self, position: int) -> None:
        """Drop the cache from ``position`` on (0: all of it)."""
        if position <= 0:
            self._lib.llama_memory_clear(self._memory, False)
        elif not self._lib.llama_memory_seq_rm(self._memory, 0, position, -1):
            self._lib.llama_memory_clear(self._memory, False)
            raise EngineError("llama.cpp could not cut its cache; it was cleared")

    # -- adapters -------------------------------------------------------------------------

    def load_adapter(self, path: Path) -> Any:
        """Load a GGUF LoRA adapter file (:mod:`.gguf_lora`); its opaque handle."""
        adapter = self._lib.llama_adapter_lora_init(self._model, str(path).encode())
        if not adapter:
            raise AdapterFormatError(f"llama.cpp cannot load the adapter file {path}")
        return adapter

    def use_adapter(self, adapter: Any) -> None:
        """Apply one loaded adapter to every decode from now on, or none."""
        lib = self._lib
        if adapter is None:
            status = lib.llama_set_adapters_lora(self._context, None, 0, None)
        else:
            handles = (lib.llama_adapter_lora_p_ctypes * 1)(adapter)
            scales = (ctypes.c_float * 1)(1.0)
            status = lib.llama_set_adapters_lora(self._context, handles, 1, scales)
        if status != 0:
            raise EngineError(f"llama.cpp could not select the adapter (status {status})")

    def free_adapter(self, adapter: Any) -> None:
        """Free a loaded adapter; it must not be in use."""
        self._lib.llama_adapter_lora_free(adapter)


def _free(lib: Any, model: Any, context: Any) -> None:
    lib.llama_free(context)
    lib.llama_model_free(model)
