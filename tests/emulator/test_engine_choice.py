"""Choosing the text engine: what the llama-cpp engine refuses, and how it says so."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from gradient_sdk.emulator import Emulator
from gradient_sdk.emulator.engines import (
    ModelUnavailableError,
    check_text_engine,
    llama_cpp_runtime,
    load_text_engine,
)


def test_the_settings_take_the_two_engines_only() -> None:
    assert Emulator().engine == "torch"
    assert Emulator(engine="llama-cpp").engine == "llama-cpp"
    with pytest.raises(ValueError, match="'engine' must be in"):
        Emulator(engine="onnx")  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", ["tiny", "folder", "missing.gguf", "model.bin"])
def test_the_llama_cpp_engine_runs_gguf_files_only(tmp_path: Path, spec: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "model.bin").write_bytes(b"weights")
    target = spec if spec == "tiny" else str(tmp_path / spec)
    with pytest.raises(ModelUnavailableError, match="the llama-cpp engine runs GGUF files"):
        check_text_engine(target, engine="llama-cpp")
    with pytest.raises(ModelUnavailableError, match="the llama-cpp engine runs GGUF files"):
        load_text_engine(target, engine="llama-cpp")


def test_a_missing_llama_cpp_python_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_find_spec = importlib.util.find_spec

    def without_llama_cpp(name: str, *args: object) -> object:
        return None if name == "llama_cpp" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_llama_cpp)
    with pytest.raises(ModelUnavailableError, match=r"pip install 'gradient-llm-sdk\[llama-cpp\]'"):
        check_text_engine("smollm2", engine="llama-cpp")
    monkeypatch.undo()

    # Loading says the same, when the import itself fails.
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    monkeypatch.setattr(llama_cpp_runtime, "_bindings", None)
    with pytest.raises(ModelUnavailableError, match=r"gradient-llm-sdk\[llama-cpp\]"):
        llama_cpp_runtime.llama_cpp_bindings()
