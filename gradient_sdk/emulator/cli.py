"""``gradient emulator`` and ``python -m gradient_sdk.emulator``: serve the emulator over HTTP."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shlex
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from .._config import ACCESS_TOKEN_ENV, API_URL_ENV, WORKSPACE_ID_ENV
from .engines.base import TEXT_ENGINE_KINDS, EngineError
from .engines.threads import usable_cores
from .http import create_app
from .server import api_url, bind, uvicorn_server
from .settings import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_SAMPLES_PER_FINE_TUNE,
    EmulatorSettings,
    generate_access_token,
    generate_workspace_id,
)
from .storage import DataDirInUseError, SchemaTooNewError, remembered_credentials

DEFAULT_PORT = 8765
DEFAULT_DATA_DIR = "./gradient-data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The emulator's options, for ``gradient emulator`` and ``python -m``."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help="port to listen on; 0 takes any free one (default: %(default)s)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(DEFAULT_DATA_DIR),
        help="where adapters and their weights are kept (default: %(default)s)",
    )
    parser.add_argument(
        "--access-token",
        help=f"the token clients must send (default: ${ACCESS_TOKEN_ENV}, else the one this"
        " data dir was last served with, else a new one)",
    )
    parser.add_argument(
        "--workspace-id",
        help=f"the workspace the token owns (default: ${WORKSPACE_ID_ENV}, else as the token)",
    )
    parser.add_argument(
        "--model",
        default="smollm2",
        help="text model: smollm2, tiny (random, for tests) or a Hugging Face model folder",
    )
    parser.add_argument(
        "--engine",
        default="torch",
        choices=list(TEXT_ENGINE_KINDS),
        help="what runs the text model: torch (any model) or llama-cpp (GGUF models, several"
        " times faster completions; needs the llama-cpp extra) (default: %(default)s)",
    )
    parser.add_argument(
        "--embeddings-model",
        default="minilm",
        help="embeddings model: minilm or hashing (fast, for tests)",
    )
    parser.add_argument(
        "--speech-model",
        metavar="PATH",
        help="speech model for transcriptions: a local Hugging Face folder of a Whisper-family"
        " model, or tiny (random, for tests) (default: none; transcriptions then fail saying so)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=DEFAULT_MAX_BODY_BYTES,
        help="larger request bodies get 413 (default: %(default)s)",
    )
    parser.add_argument(
        "--max-samples-per-fine-tune",
        type=_positive_int,
        default=DEFAULT_MAX_SAMPLES_PER_FINE_TUNE,
        help="fine-tunes with more samples get 422 (default: %(default)s)",
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        metavar="N",
        help="threads the models' tensor work keeps busy at most (default: the cores this"
        " process may run on)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="how much to log (default: %(default)s)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535, got {value}")
    return value


def preflight(settings: EmulatorSettings) -> None:
    """What would stop the emulator from starting, found before it prints anything: the
    data dir (writable, not in use, not from a newer release) and the model files."""
    from .engines import check_embedding_engine, check_text_engine
    from .storage import Database, DataDirLock

    if settings.data_dir is not None:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(settings.data_dir, os.W_OK):
            raise PermissionError(f"{settings.data_dir} is not writable")
        DataDirLock(settings.data_dir).release()
        Database.in_data_dir(settings.data_dir).close()
    if settings.model is None or isinstance(settings.model, str):
        check_text_engine(settings.model, engine=settings.engine)
    if settings.embeddings_model is None or isinstance(settings.embeddings_model, str):
        check_embedding_engine(settings.embeddings_model)


def settings_from(arguments: argparse.Namespace) -> EmulatorSettings:
    """The emulator settings the parsed options ask for."""
    access_token, workspace_id = remembered_credentials(
        arguments.data_dir,
        access_token=arguments.access_token or os.environ.get(ACCESS_TOKEN_ENV) or None,
        workspace_id=arguments.workspace_id or os.environ.get(WORKSPACE_ID_ENV) or None,
        generate_token=generate_access_token,
        generate_workspace=generate_workspace_id,
    )
    return EmulatorSettings(
        data_dir=arguments.data_dir,
        access_token=access_token,
        workspace_id=workspace_id,
        model=arguments.model,
        engine=arguments.engine,
        embeddings_model=arguments.embeddings_model,
        speech_model=arguments.speech_model,
        max_body_bytes=arguments.max_body_bytes,
        max_samples_per_fine_tune=arguments.max_samples_per_fine_tune,
        threads=arguments.threads or usable_cores(),
    )


def banner(url: str, settings: EmulatorSettings) -> str:
    """What the command prints once it listens: where, with which credentials, and how."""
    token = shlex.quote(settings.access_token)
    workspace = shlex.quote(settings.workspace_id)
    return "\n".join(
        [
            f"Gradient emulator listening on {url}",
            f"  model: {settings.model} on {settings.engine},"
            f" embeddings: {settings.embeddings_model}, speech: {settings.speech_model or 'none'}",
            f"  data dir: {settings.data_dir}",
            f"  access token: {settings.access_token}",
            f"  workspace id: {settings.workspace_id}",
            "Point the SDK (or gradientai, or LangChain) at it:",
            f"  export {API_URL_ENV}={shlex.quote(url)}",
            f"  export {ACCESS_TOKEN_ENV}={token}",
            f"  export {WORKSPACE_ID_ENV}={workspace}",
            "Requests wait until the models have loaded. Stop with Ctrl+C.",
        ]
    )


def run(arguments: argparse.Namespace) -> int:
    """Serve until interrupted; 0 after a clean stop, 1 if the emulator could not start."""
    logging.basicConfig(
        level=arguments.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = settings_from(arguments)
        preflight(settings)
    except (EngineError, DataDirInUseError, SchemaTooNewError, OSError, sqlite3.Error) as error:
        print(f"gradient emulator cannot start: {_reason(error)}", file=sys.stderr)
        return 1
    try:
        listener = bind(arguments.host, arguments.port)
    except OSError as error:
        print(
            f"cannot listen on {arguments.host}:{arguments.port}: {error.strerror}", file=sys.stderr
        )
        return 1
    with listener:
        print(banner(api_url(listener), settings), flush=True)
        server = uvicorn_server(create_app(settings), log_level=arguments.log_level)
        # uvicorn shuts down cleanly on Ctrl+C, then re-raises it; a clean stop exits 0.
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[listener])
    return 0 if server.started else 1


def _reason(error: Exception) -> str:
    if isinstance(error, sqlite3.Error):
        return f"the data dir's database cannot be opened ({error}): is it writable?"
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.strerror or error}: {error.filename}"
    return str(error)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gradient_sdk.emulator``."""
    parser = argparse.ArgumentParser(
        prog="python -m gradient_sdk.emulator",
        description="Serve the Gradient API locally with a real model.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
