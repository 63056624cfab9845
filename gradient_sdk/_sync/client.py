# Generated from gradient_sdk/_async/client.py by scripts/unasync.py: do not edit.
"""The Gradient client: configuration, resources, and gradientai-style shortcuts."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

import httpx

from .._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    NOT_GIVEN,
    OPERATION_TIMEOUTS,
    ClientConfig,
    NotGiven,
    TimeoutLike,
)
from .._exports import publish
from ._transport import Transport

if TYPE_CHECKING:
    from .blocks import Blocks
    from .embeddings import Embeddings
    from .files import Files
    from .models import Models
    from .rag import RAGCollections

T = TypeVar("T")

#: The resources, each made on first use: a resource imports its area's records, and all
#: the records together cost more to import than httpx does.
RESOURCES = ("models", "embeddings", "files", "blocks", "rag")
#: gradientai's shortcuts on the client: the method of that name on this resource.
SHORTCUTS = {
    "list_models": "models",
    "get_base_model": "models",
    "get_model_adapter": "models",
    "list_embeddings_models": "embeddings",
    "get_embeddings_model": "embeddings",
    "answer": "blocks",
    "summarize": "blocks",
    "analyze_sentiment": "blocks",
    "personalize": "blocks",
    "extract": "blocks",
    "extract_pdf": "blocks",
    "transcribe_audio": "blocks",
    "create_rag_collection": "rag",
    "list_rag_collections": "rag",
    "get_rag_collection": "rag",
}


class Gradient:
    """A client for the Gradient API.

    Use it as a context manager, or call :meth:`close` when done::

        with Gradient() as client:
            base = client.list_models(only_base=True)

    The operations live on resources (``client.models``, ``client.embeddings``,
    ``client.files``, ``client.rag``); gradientai's shortcuts on the client
    (``list_models``, ``get_base_model``, ``get_model_adapter``, ``list_embeddings_models``,
    ``get_embeddings_model``, ``create_rag_collection``, ``list_rag_collections``,
    ``get_rag_collection``) are those same methods. The blocks (``client.blocks``) are
    there too: ``answer``, ``summarize``, ``analyze_sentiment``, ``personalize``, ``extract``,
    ``extract_pdf`` and ``transcribe_audio``.

    Args:
        access_token: the API token; defaults to ``$GRADIENT_ACCESS_TOKEN``.
        workspace_id: the workspace to act in; defaults to ``$GRADIENT_WORKSPACE_ID``.
        host: the API's base URL; defaults to ``$GRADIENT_API_URL``, then
            ``https://api.gradient.ai/api``.
        timeout: the whole budget of each attempt, in seconds (or an ``httpx.Timeout``): a
            server that drips its answer cannot make an attempt last longer. By default each
            operation has its own: 60 s for listings and look-ups, 600 s for work on a model
            (completions, fine-tunes, embeddings, blocks, uploads). None waits forever.
        max_retries: how many times a failed request is tried again (0 to disable).
        default_headers: more headers for every request (not the credentials).
        max_response_bytes: a larger response body (counted decompressed) raises
            :class:`~gradient_sdk.ResponseTooLargeError` (64 MiB by default).
        http_client: an ``httpx.Client`` to send through; the caller closes it.
        transport: an ``httpx`` transport for the client's own connection pool (tests and the
            emulator plug in here). Give ``http_client`` or ``transport``, not both.
    """

    def __init__(
        self,
        *,
        access_token: str | None = None,
        workspace_id: str | None = None,
        host: str | None = None,
        timeout: TimeoutLike = OPERATION_TIMEOUTS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            access_token=access_token,
            workspace_id=workspace_id,
            host=host,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            max_response_bytes=max_response_bytes,
        )
        self._init_with(Transport(config, http_client=http_client, transport=transport))

    def _init_with(self, transport: Transport) -> None:
        self._transport = transport
        if TYPE_CHECKING:  # what type checkers see; at run time, __getattr__ makes each
            self.models = Models(transport)
            self.embeddings = Embeddings(transport)
            self.files = Files(transport)
            self.blocks = Blocks(transport, self.files)
            self.rag = RAGCollections(transport)
            # gradientai's shortcuts: the resources' own methods, so each signature exists once.
            self.list_models = self.models.list_models
            self.get_base_model = self.models.get_base_model
            self.get_model_adapter = self.models.get_model_adapter
            self.list_embeddings_models = self.embeddings.list_embeddings_models
            self.get_embeddings_model = self.embeddings.get_embeddings_model
            self.answer = self.blocks.answer
            self.summarize = self.blocks.summarize
            self.analyze_sentiment = self.blocks.analyze_sentiment
            self.personalize = self.blocks.personalize
            self.extract = self.blocks.extract
            self.extract_pdf = self.blocks.extract_pdf
            self.transcribe_audio = self.blocks.transcribe_audio
            self.create_rag_collection = self.rag.create_rag_collection
            self.list_rag_collections = self.rag.list_rag_collections
            self.get_rag_collection = self.rag.get_rag_collection

    if not TYPE_CHECKING:  # hidden from type checkers, which would then allow any name

        def __getattr__(self, name: str) -> object:
            """A resource or a shortcut, made on its first use and kept on the instance, so
            that later uses are plain attribute reads."""
            area = SHORTCUTS.get(name)
            if area is not None:
                value = getattr(getattr(self, area), name)
            elif name in RESOURCES and "_transport" in self.__dict__:
                value = self._new_resource(name)
            else:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            self.__dict__[name] = value
            return value

    def _new_resource(self, name: str) -> object:
        transport = self._transport
        if name == "models":
            from .models import Models

            return Models(transport)
        if name == "embeddings":
            from .embeddings import Embeddings

            return Embeddings(transport)
        if name == "files":
            from .files import Files

            return Files(transport)
        if name == "blocks":
            from .blocks import Blocks

            return Blocks(transport, self.files)
        assert name == "rag", name  # __getattr__ asks only for the names of RESOURCES
        from .rag import RAGCollections

        return RAGCollections(transport)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *RESOURCES, *SHORTCUTS})

    def __repr__(self) -> str:
        config = self._transport.config
        return (
            f"{type(self).__name__}(host={config.base_url!r}, workspace_id={config.workspace_id!r})"
        )

    @property
    def config(self) -> ClientConfig:
        """The resolved settings (the token is left out of its repr)."""
        return self._transport.config

    @property
    def workspace_id(self) -> str:
        """The workspace this client acts in."""
        return self._transport.config.workspace_id

    def with_options(
        self,
        *,
        timeout: TimeoutLike | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
    ) -> Gradient:
        """A client with other settings that shares this one's connections.

        Arguments left out keep this client's values; ``timeout=None`` means no timeout;
        ``default_headers`` are added to this client's.

        Closing this client closes the shared pool; closing the new one does nothing.
        """
        twin = object.__new__(type(self))
        twin._init_with(
            self._transport.with_options(
                timeout=timeout, max_retries=max_retries, default_headers=default_headers
            )
        )
        return twin

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        body: object = None,
        params: Mapping[str, str] | None = None,
        resend_safe: bool | None = None,
    ) -> T: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        params: Mapping[str, str] | None = None,
        resend_safe: bool | None = None,
    ) -> Any: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T] | None = None,
        body: object = None,
        params: Mapping[str, str] | None = None,
        resend_safe: bool | None = None,
    ) -> T | Any:
        """Send any request, with the client's headers, timeouts, retries and typed errors.

        The escape hatch for an operation the SDK does not wrap yet::

            listing = client.request("GET", "/models", cast_to=ListModelsResponse)

        ``path`` is relative to the base URL. ``body`` is a record (sent in wire form) or
        JSON-ready data. ``cast_to`` reads the answer into a record; without it the decoded
        JSON comes back. ``resend_safe`` says whether a retry may send it again after it may
        have reached the server (by default: for GET and DELETE only).
        """
        return self._transport.request_raw(
            method, path, body=body, params=params, resend_safe=resend_safe, cast_to=cast_to
        )

    @property
    def is_closed(self) -> bool:
        """Whether the connection pool is closed; a closed client sends nothing."""
        return self._transport.is_closed

    def close(self) -> None:
        """Close the connection pool."""
        self._transport.close()

    def __enter__(self) -> Gradient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


publish(__name__, globals())
