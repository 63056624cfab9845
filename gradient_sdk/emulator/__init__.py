"""A local Gradient API server with a real model and real LoRA fine-tuning.

Install it with ``pip install "gradient-llm-sdk[emulator]"``. Three ways to run it:

- ``gradient emulator --port 8765 --data-dir ./gradient-data`` (or
  ``python -m gradient_sdk.emulator``) serves it over HTTP at ``http://127.0.0.1:8765/api``
  and prints the access token and workspace id to use;
- ``async with serve(EmulatorSettings(model="tiny")) as client:`` runs it in process and yields an
  :class:`~gradient_sdk.AsyncGradient` connected to it through ``httpx.ASGITransport``;
- ``with serve_http(...) as server:`` runs it under uvicorn on a free loopback port in a
  background thread, for the sync :class:`~gradient_sdk.Gradient` (``server.client()``).

:func:`create_app` gives the ASGI app itself, for any ASGI server.

What differs from the hosted service, on purpose:

- ``autoTemplate`` absent or null means **false**: the prompt reaches the model as sent.
  Fine-tune samples are raw text too, so an adapter is asked in the format it was taught;
  ``autoTemplate: true`` wraps the prompt in the model's chat template.
- Embeddings are listed as the slug clients ask for, ``bge-large`` (the only one the official
  clients accept in a listing); the engine also answers to its own name (``minilm`` or
  ``hashing``) when asked by slug. The vectors are all-MiniLM-L6-v2's **384** dimensions, not
  bge-large's 1024.
- Every operation of the API is served: ``guidance`` by constrained decoding, RAG
  collections with real ingestion and retrieval (``docs/rag.md``), and the blocks
  (``docs/blocks.md``); transcription needs a speech model (``speech_model``). An operation
  without a handler would answer **501**, never a routing 404.
- Limits: JSON bodies up to 1 MiB and uploads up to 64 MiB (413), up to 64 samples and
  8,192 tokens per fine-tune, each sample and each prompt within the model's context window
  (422); all set on :class:`EmulatorSettings`. Errors are 400 for input that does not parse,
  401 for a missing or wrong token, 403 for a workspace the token does not own, 404 for an
  unknown model or another workspace's adapter.
- One fine-tune call trains the adapter for a few optimizer steps on its samples and stores
  the new weights before it answers; adapters and weights live under the data directory and
  survive restarts. The OpenAPI document is at ``/openapi.json``.
"""

from ..records import ErrorType

try:
    from .http import create_app
    from .server import RunningEmulator, serve, serve_http
    from .settings import Emulator, EmulatorSettings
except ImportError as error:  # pragma: no cover - depends on the installed extras
    missing = error.name or "a dependency"
    raise ImportError(
        f'gradient_sdk.emulator needs {missing}: pip install "gradient-llm-sdk[emulator]" (and '
        "install torch for your machine first)"
    ) from error

__all__ = [
    "Emulator",
    "EmulatorSettings",
    "ErrorType",
    "RunningEmulator",
    "create_app",
    "serve",
    "serve_http",
]
