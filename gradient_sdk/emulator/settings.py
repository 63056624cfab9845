"""What an emulator runs with: credentials, models, data directory and limits."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .engines.base import (
    TEXT_ENGINE_KINDS,
    EmbeddingEngine,
    SpeechEngine,
    TextEngine,
    TextEngineKind,
)
from .engines.threads import usable_cores

#: The bodies the emulator reads at most, in bytes; larger ones get 413.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: The uploaded files the emulator takes at most, in bytes; larger ones get 413.
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024
#: Files one workspace may hold; more uploads get 422.
DEFAULT_MAX_FILES_PER_WORKSPACE = 1000
#: Samples one fine-tune call may carry; more get 422.
DEFAULT_MAX_SAMPLES_PER_FINE_TUNE = 64
#: Tokens one fine-tune call may carry over all its samples; more get 422.
DEFAULT_MAX_TOKENS_PER_FINE_TUNE = 8_192
#: New tokens a completion makes when the request does not say.
DEFAULT_MAX_GENERATED_TOKENS = 64
#: Engine calls (completions, fine-tunes) running at once; the rest wait their turn.
DEFAULT_MODEL_CONCURRENCY = 4
#: Adapters kept in memory; the least recently used beyond this are reloaded from disk.
DEFAULT_MAX_LOADED_ADAPTERS = 16


def generate_access_token() -> str:
    """A fresh random access token."""
    return secrets.token_urlsafe(24)


def generate_workspace_id() -> str:
    """A fresh workspace id in the service's format, ``<uuid4>_workspace``."""
    return f"{uuid.uuid4()}_workspace"


def _at_least_one(default: int) -> Any:
    return attrs.field(default=default, validator=attrs.validators.ge(1))


def _optional_path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value)


def _workspaces_by_token(
    value: Mapping[str, str | tuple[str, ...] | list[str]] | None,
) -> dict[str, frozenset[str]]:
    if value is None:
        return {}
    return {
        token: frozenset((workspaces,) if isinstance(workspaces, str) else workspaces)
        for token, workspaces in value.items()
    }


@attrs.frozen
class EmulatorSettings:
    """The settings of one emulator; give it to :func:`create_app`, :func:`serve` or the CLI.

    Args:
        data_dir: where the adapter registry and weights live; None keeps them in a
            temporary directory that is removed at shutdown.
        access_token: the bearer token the emulator accepts (generated if not given).
        workspace_id: the workspace that token may act in (generated if not given).
        other_workspaces: more tokens, each with the workspaces it owns; for tests of
            workspace isolation.
        model: the text engine: ``"smollm2"`` (the default), ``"tiny"`` (a small random
            model for tests), a local Hugging Face model folder, or an engine object.
        engine: what runs a ``model`` named by a string: ``"torch"`` (the default: any model,
            completions decoded by transformers) or ``"llama-cpp"`` (GGUF models only:
            completions decoded by llama.cpp, several times faster, while torch trains;
            needs the ``llama-cpp`` extra).
        embeddings_model: the embeddings engine: ``"minilm"`` (the default), ``"hashing"``
            (fast, for tests), or an engine object.
        speech_model: the speech engine for transcriptions: a local Hugging Face folder of a
            Whisper-family model, ``"tiny"`` (a small random model for tests), or an engine
            object; None (the default) makes every
            transcription fail with a message that says how to configure one.
        max_body_bytes: larger JSON request bodies get 413.
        max_upload_bytes: larger uploaded files (multipart bodies) get 413.
        max_files_per_workspace: uploads past this many files in a workspace get 422.
        max_samples_per_fine_tune: fine-tunes with more samples get 422.
        max_tokens_per_fine_tune: fine-tunes with more tokens in all get 422.
        default_max_generated_tokens: completion length when the request does not say.
        model_concurrency: engine calls running at once (each in a worker thread; the
            completions among them are decoded as one batch).
        max_loaded_adapters: adapters kept in memory between calls.
        threads: the threads the model engines' tensor work keeps busy at most; by default
            the cores this process may run on. Applied when a model is loaded by name.
    """

    data_dir: Path | None = attrs.field(default=None, converter=_optional_path)
    access_token: str = attrs.field(
        factory=generate_access_token, repr=False, validator=attrs.validators.min_len(1)
    )
    workspace_id: str = attrs.field(
        factory=generate_workspace_id, validator=attrs.validators.min_len(1)
    )
    other_workspaces: Mapping[str, frozenset[str]] = attrs.field(
        default=None, converter=_workspaces_by_token, repr=False
    )
    model: str | TextEngine | None = None
    engine: TextEngineKind = attrs.field(
        default="torch", validator=attrs.validators.in_(TEXT_ENGINE_KINDS)
    )
    embeddings_model: str | EmbeddingEngine | None = None
    speech_model: str | Path | SpeechEngine | None = None
    max_body_bytes: int = _at_least_one(DEFAULT_MAX_BODY_BYTES)
    max_upload_bytes: int = _at_least_one(DEFAULT_MAX_UPLOAD_BYTES)
    max_files_per_workspace: int = _at_least_one(DEFAULT_MAX_FILES_PER_WORKSPACE)
    max_samples_per_fine_tune: int = _at_least_one(DEFAULT_MAX_SAMPLES_PER_FINE_TUNE)
    max_tokens_per_fine_tune: int = _at_least_one(DEFAULT_MAX_TOKENS_PER_FINE_TUNE)
    default_max_generated_tokens: int = _at_least_one(DEFAULT_MAX_GENERATED_TOKENS)
    model_concurrency: int = _at_least_one(DEFAULT_MODEL_CONCURRENCY)
    max_loaded_adapters: int = _at_least_one(DEFAULT_MAX_LOADED_ADAPTERS)
    threads: int = attrs.field(factory=usable_cores, validator=attrs.validators.ge(1))

    def workspaces_of(self, access_token: str) -> frozenset[str] | None:
        """The workspaces a token owns, or None when the emulator does not know the token."""
        owned: frozenset[str] | None = None
        for token, workspaces in self._tokens():
            # compare_digest: the time a comparison takes must not hint at the token.
            if secrets.compare_digest(token.encode(), access_token.encode()):
                owned = (owned or frozenset[str]()) | workspaces
        return owned

    def _tokens(self) -> list[tuple[str, frozenset[str]]]:
        return [(self.access_token, frozenset({self.workspace_id})), *self.other_workspaces.items()]


#: The name the docs and examples use; the same class.
Emulator = EmulatorSettings
