# torch, transformers and tokenizers ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""Converted model weights kept on disk, so that only the first start pays for a conversion.

Reading SmolLM2's GGUF file through transformers parses its metadata and dequantises every
tensor to float32: about 30 s on a 2-core machine, on every start. The result, written once
as a Hugging Face model folder (``model.safetensors`` with the config, generation config and
tokenizer beside it), loads in about a second.

The cache is keyed by the SHA-256 of the source file (0.3 s for SmolLM2's 98 MB), so a file
that changes, even in place under the same name, is converted again; the entry also records
the transformers version that converted it, and a different one converts again (its
conversion may differ). An entry is written into a temporary folder, fsynced, and renamed
into place, so a crash leaves either no entry or a whole one. An entry that does not load
strictly (a file missing, truncated, or not matching the model) is removed and the
conversion runs again; the cache never stops a model from loading: when the cache folder
cannot be written, the model is converted on every start, with a warning.

The folder is ``$GRADIENT_EMULATOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/gradient-sdk/models``,
else ``~/.cache/gradient-sdk/models``; delete it at any time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..storage.durable import fsync_directory, fsync_tree, remove

logger = logging.getLogger(__name__)

CACHE_DIR_ENV = "GRADIENT_EMULATOR_CACHE_DIR"
#: Bumped when the layout of an entry changes; entries of another format are converted again.
CACHE_FORMAT = 1
_MANIFEST = "gradient-cache.json"
_WEIGHTS = "model.safetensors"
_TEMPORARY_PREFIX = ".converting-"
# A temporary folder this old was left by a conversion that crashed, not one under way.
_ABANDONED_AFTER_S = 3600

#: A model and its tokenizer, as transformers loads them.
ModelAndTokenizer = tuple[Any, Any]


def default_cache_dir() -> Path:
    """Where converted weights are kept (see the module docstring)."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gradient-sdk" / "models"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's content, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def converted_model(
    source: Path, convert: Callable[[], ModelAndTokenizer], *, cache_dir: Path | None = None
) -> ModelAndTokenizer:
    """The model and tokenizer that ``convert`` makes from ``source``: read from the cache
    when it holds this file's conversion, else converted and kept there for next time."""
    cache_dir = default_cache_dir() if cache_dir is None else cache_dir
    key = file_sha256(source)
    entry = cache_dir / key
    if entry.is_dir():
        loaded = _load_entry(entry, key)
        if loaded is not None:
            logger.info("loaded the converted weights of %s from %s", source.name, entry)
            return loaded
        remove(entry)
    logger.info(
        "converting %s to float32 weights (first start with this file; later starts read the"
        " result from %s)",
        source.name,
        cache_dir,
    )
    started = time.perf_counter()
    model, tokenizer = convert()
    logger.info("converted %s in %.1f s", source.name, time.perf_counter() - started)
    try:
        _store(cache_dir, key, source, model, tokenizer)
    except OSError as error:
        logger.warning("cannot keep the converted weights in %s: %s", cache_dir, error)
    return model, tokenizer


def _load_entry(entry: Path, key: str) -> ModelAndTokenizer | None:
    """The cached model and tokenizer, or None (logged) when the entry is stale or damaged."""
    import safetensors
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        manifest = json.loads((entry / _MANIFEST).read_bytes())
        stale = (
            manifest.get("format") != CACHE_FORMAT
            or manifest.get("sha256") != key
            or manifest.get("transformers") != transformers.__version__
        )
        if stale:
            logger.info("the converted weights in %s are from another version", entry)
            return None
        for name, size in manifest["files"].items():
            if (entry / name).stat().st_size != size:
                raise ValueError(f"{name} is not {size} bytes")
        tokenizer = AutoTokenizer.from_pretrained(entry, local_files_only=True)
        loaded: Any = AutoModelForCausalLM.from_pretrained(
            entry, dtype=torch.float32, local_files_only=True, output_loading_info=True
        )
        model, report = loaded
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RuntimeError,
        safetensors.SafetensorError,
    ) as error:
        logger.warning(
            "the converted weights in %s are damaged (%s); converting again", entry, error
        )
        return None
    problems = {name: keys for name, keys in report.items() if keys}
    if problems:
        logger.warning(
            "the converted weights in %s do not fit the model (%s); converting again",
            entry,
            problems,
        )
        return None
    return model, tokenizer


def _store(cache_dir: Path, key: str, source: Path, model: Any, tokenizer: Any) -> None:
    """Write the entry into a temporary folder, fsync it, rename it into place, and remove
    the entries of earlier versions of the same file."""
    import safetensors.torch
    import transformers

    cache_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(cache_dir)
    temporary = cache_dir / f"{_TEMPORARY_PREFIX}{secrets.token_hex(8)}"
    temporary.mkdir()
    try:
        model.config.save_pretrained(temporary)
        model.generation_config.save_pretrained(temporary)
        tokenizer.save_pretrained(temporary)
        # save_model, unlike save_file, writes tied weights (SmolLM2's embeddings) once.
        safetensors.torch.save_model(model, str(temporary / _WEIGHTS), metadata={"format": "pt"})
        files = {
            path.name: path.stat().st_size for path in sorted(temporary.iterdir()) if path.is_file()
        }
        manifest: dict[str, Any] = {
            "format": CACHE_FORMAT,
            "sha256": key,
            "source": str(source.resolve()),
            "transformers": transformers.__version__,
            "files": files,
        }
        (temporary / _MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        fsync_tree(temporary)
        entry = cache_dir / key
        try:
            temporary.rename(entry)
        except OSError:
            if not entry.is_dir():
                raise
            return  # another process stored the same conversion meanwhile
        fsync_directory(cache_dir)
    finally:
        remove(temporary)
    logger.info("kept the converted weights of %s in %s", source.name, entry)
    _remove_earlier_versions(cache_dir, key, manifest["source"])


def _remove_abandoned(cache_dir: Path) -> None:
    now = time.time()
    for path in cache_dir.glob(f"{_TEMPORARY_PREFIX}*"):
        try:
            if now - path.stat().st_mtime > _ABANDONED_AFTER_S:
                remove(path)
        except OSError:
            continue


def _remove_earlier_versions(cache_dir: Path, key: str, source: str) -> None:
    """Drop the entries another content of the same file left (each is hundreds of MB)."""
    for manifest_path in cache_dir.glob(f"*/{_MANIFEST}"):
        entry = manifest_path.parent
        if entry.name == key:
            continue
        try:
            if json.loads(manifest_path.read_bytes()).get("source") == source:
                remove(entry)
                logger.info("removed the converted weights of an earlier %s", source)
        except (OSError, ValueError):
            continue
