# torch, transformers and tokenizers ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""A tiny, randomly initialised Whisper model and its processor, built in code.

The speech counterpart of :mod:`.tiny`: no file to read, nothing downloaded, the same model
for the same seed. Its transcripts are gibberish, but every transcription runs the real
engine path (audio decoding, features, generation, decoding), so the whole protocol works
offline (``--speech-model tiny``).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import torch
from tokenizers import pre_tokenizers
from transformers import (
    WhisperConfig,
    WhisperFeatureExtractor,
    WhisperForConditionalGeneration,
    WhisperProcessor,
    WhisperTokenizer,
)

from .speech import WhisperSpeechEngine

TINY_SPEECH_MODEL_NAME = "tiny-whisper"

#: The special tokens Whisper's generation looks up by name; the first ends a transcript.
_SPECIALS = [
    "<|endoftext|>",
    "<|startoftranscript|>",
    "<|en|>",
    "<|transcribe|>",
    "<|translate|>",
    "<|notimestamps|>",
]


def build_tiny_speech_processor() -> Any:
    """A Whisper processor: the standard 80-bin feature extractor and a byte-level
    tokenizer (one token per byte, plus Whisper's special tokens)."""
    # WhisperTokenizer reads its vocabulary from files only: write them, load, and forget them.
    with tempfile.TemporaryDirectory(prefix="tiny-whisper-") as folder:
        vocab, merges = Path(folder) / "vocab.json", Path(folder) / "merges.txt"
        # The alphabet comes back in a different order on each call: sort it, so ids are fixed.
        alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
        vocab.write_text(json.dumps({token: index for index, token in enumerate(alphabet)}))
        merges.write_text("#version: 0.2\n")
        end = _SPECIALS[0]
        tokenizer = WhisperTokenizer(
            str(vocab), str(merges), unk_token=end, bos_token=end, eos_token=end, pad_token=end
        )
    tokenizer.add_special_tokens({"additional_special_tokens": _SPECIALS[1:]})
    return WhisperProcessor(
        feature_extractor=WhisperFeatureExtractor(feature_size=80), tokenizer=tokenizer
    )


def build_tiny_speech_model(processor: Any, seed: int = 0) -> Any:
    """A one-layer encoder and decoder over ``processor``'s tokenizer, random for ``seed``."""
    tokenizer = processor.tokenizer
    end_id, start_id = tokenizer.convert_tokens_to_ids(_SPECIALS[:2])
    config = WhisperConfig(
        vocab_size=len(tokenizer),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        num_mel_bins=80,
        max_source_positions=1500,
        max_target_positions=32,
        pad_token_id=end_id,
        bos_token_id=end_id,
        eos_token_id=end_id,
        decoder_start_token_id=start_id,
        begin_suppress_tokens=None,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return WhisperForConditionalGeneration(config)


def build_tiny_speech_engine(seed: int = 0) -> WhisperSpeechEngine:
    """The speech engine over the tiny Whisper model."""
    processor = build_tiny_speech_processor()
    model = build_tiny_speech_model(processor, seed)
    return WhisperSpeechEngine(model, processor, name=TINY_SPEECH_MODEL_NAME)
