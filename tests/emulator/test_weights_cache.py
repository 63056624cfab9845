"""The converted-weights cache: a second start reads what the first converted, a changed or
damaged file converts again, and a cache that cannot be written never stops a model."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import torch

from gradient_sdk.emulator.engines.tiny import build_tiny_model, build_tiny_tokenizer
from gradient_sdk.emulator.engines.weights_cache import (
    CACHE_DIR_ENV,
    converted_model,
    default_cache_dir,
    file_sha256,
)


class CountingConversion:
    """Stands in for the GGUF conversion: builds the tiny model, counting its calls."""

    def __init__(self, seed: int = 0) -> None:
        self.calls = 0
        self.seed = seed

    def __call__(self) -> tuple[Any, Any]:
        self.calls += 1
        tokenizer = build_tiny_tokenizer()
        return build_tiny_model(tokenizer, seed=self.seed), tokenizer


def weights_of(model: Any) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"pretend GGUF content, version 1")
    return path


def test_the_second_load_reads_the_first_conversion(source: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    convert = CountingConversion()
    first, _ = converted_model(source, convert, cache_dir=cache)
    second, tokenizer = converted_model(source, convert, cache_dir=cache)
    assert convert.calls == 1
    expected, got = weights_of(first), weights_of(second)
    assert expected.keys() == got.keys()
    assert all(torch.equal(expected[name], got[name]) for name in expected)
    assert tokenizer.encode("hello") == build_tiny_tokenizer().encode("hello")
    manifest = json.loads((cache / file_sha256(source) / "gradient-cache.json").read_text())
    assert manifest["sha256"] == file_sha256(source)


def test_a_changed_file_converts_again_and_replaces_the_old_entry(
    source: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    convert = CountingConversion()
    converted_model(source, convert, cache_dir=cache)
    old_key = file_sha256(source)
    source.write_bytes(b"pretend GGUF content, version 2")  # same name, new content
    converted_model(source, convert, cache_dir=cache)
    assert convert.calls == 2
    assert not (cache / old_key).exists()
    assert (cache / file_sha256(source)).is_dir()


def test_a_damaged_entry_is_converted_again(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    convert = CountingConversion()
    converted_model(source, convert, cache_dir=cache)
    weights = cache / file_sha256(source) / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with caplog.at_level(logging.WARNING):
        converted_model(source, convert, cache_dir=cache)
    assert convert.calls == 2
    assert "damaged" in caplog.text
    # The new entry is whole again: the next load reads it.
    converted_model(source, convert, cache_dir=cache)
    assert convert.calls == 2


def test_a_cache_that_cannot_be_written_still_gives_the_model(
    source: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    convert = CountingConversion()
    with caplog.at_level(logging.WARNING):
        model, tokenizer = converted_model(source, convert, cache_dir=blocked / "cache")
    assert convert.calls == 1
    assert model.config.vocab_size == tokenizer.vocab_size
    assert "cannot keep the converted weights" in caplog.text


def test_the_cache_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "gradient-sdk" / "models"
