# torch, transformers and tokenizers ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""A tiny, randomly initialised Llama model and a byte-level tokenizer, both built in code.

It reads no file and downloads nothing, builds in milliseconds, and is the same for the same
seed, so tests can run the real engine code path (:class:`CausalLMEngine`) at full speed. Its
completions are gibberish, but training moves its loss like any model's.
"""

from __future__ import annotations

from typing import Any

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from .causal_lm import CausalLMEngine

TINY_MODEL_NAME = "tiny-llama"
#: Small enough to hit the limit in a test, long enough for any test prompt.
TINY_CONTEXT_WINDOW = 512

_PAD, _BOS, _EOS = "<pad>", "<s>", "</s>"
_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ message['role'] }}: {{ message['content'] }}\n"
    "{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}"
)


def build_tiny_tokenizer() -> Any:
    """A byte-level tokenizer: one token per byte, plus pad, BOS and end tokens.

    Every text round-trips, and the tokenizer adds a BOS like many real ones do.
    """
    specials = [_PAD, _BOS, _EOS]
    # The alphabet comes back in a different order on each call: sort it, so the ids are fixed.
    byte_tokens = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocabulary = {token: index for index, token in enumerate(specials + byte_tokens)}
    backend = Tokenizer(models.BPE(vocab=vocabulary, merges=[]))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    backend.decoder = decoders.ByteLevel()
    backend.add_special_tokens(specials)
    backend.post_processor = processors.TemplateProcessing(
        single=f"{_BOS} $A", special_tokens=[(_BOS, vocabulary[_BOS])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token=_BOS,
        eos_token=_EOS,
        pad_token=_PAD,
        model_max_length=TINY_CONTEXT_WINDOW,
        chat_template=_CHAT_TEMPLATE,
    )


def build_tiny_model(tokenizer: Any, seed: int = 0) -> Any:
    """A two-layer Llama sized for ``tokenizer``, its weights drawn from ``seed``."""
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=TINY_CONTEXT_WINDOW,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )
    # A private RNG state: the caller's torch random stream is left as it was.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return LlamaForCausalLM(config)


def build_tiny_engine(seed: int = 0) -> CausalLMEngine:
    """The tiny model and tokenizer behind the ordinary causal-LM engine."""
    tokenizer = build_tiny_tokenizer()
    return CausalLMEngine(build_tiny_model(tokenizer, seed), tokenizer, name=TINY_MODEL_NAME)
