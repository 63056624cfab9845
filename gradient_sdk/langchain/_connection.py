"""What GradientLLM and GradientEmbeddings share: credentials, settings and pooled SDK clients."""

from __future__ import annotations

import os
import threading
import weakref
from types import TracebackType
from typing import Any, cast
from urllib.parse import urlsplit

import attrs
import httpx
from anyio.lowlevel import RunVar
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from typing_extensions import Self

from .._async.client import AsyncGradient
from .._config import (
    ACCESS_TOKEN_ENV,
    API_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    WORKSPACE_ID_ENV,
)
from .._sync.client import Gradient

#: The shortest access token and workspace id accepted (as in langchain-community).
MIN_ACCESS_TOKEN_LENGTH = 10
MIN_WORKSPACE_ID_LENGTH = 3
#: Seconds one attempt of a request may take as a whole, unless ``timeout`` says otherwise:
#: the SDK's own default for completions and fine-tunes, which a CPU server takes minutes for.
DEFAULT_TIMEOUT_SECONDS = 600.0

# One marker object per running event loop: an async client is only reused in its own loop.
_EVENT_LOOP_MARKER: RunVar[object] = RunVar("gradient_sdk.langchain.event_loop")


def _current_event_loop() -> object:
    marker = _EVENT_LOOP_MARKER.get(None)
    if marker is None:
        marker = object()
        _EVENT_LOOP_MARKER.set(marker)
    return marker


@attrs.frozen
class ClientOptions:
    """The settings an SDK client is built from; a change in them means a new client."""

    access_token: str = attrs.field(repr=False)
    workspace_id: str
    host: str
    timeout: float | None
    max_retries: int
    # httpx clients compare by identity, so options are equal only with the same client.
    http_client: httpx.Client | None = attrs.field(repr=False)
    http_async_client: httpx.AsyncClient | None = attrs.field(repr=False)


class ClientPool:
    """The SDK clients of one LangChain object: each made on first use, then reused.

    The sync :class:`~gradient_sdk.Gradient` is shared by every thread (httpx clients are
    thread-safe) and closed when the pool is garbage collected. An
    :class:`~gradient_sdk.AsyncGradient` belongs to one event loop, so a call from another loop
    (a second ``asyncio.run``, say) gets a client of its own. Copies and pickles of a pool start
    empty: clients are never shared by accident.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sync: tuple[ClientOptions, Gradient, weakref.finalize[Any, Any]] | None = None
        self._async: tuple[ClientOptions, object, AsyncGradient] | None = None

    def __reduce__(self) -> tuple[type[ClientPool], tuple[()]]:
        return (type(self), ())

    def sync_client(self, options: ClientOptions) -> Gradient:
        """The sync client for these options, made now if there is none (or it is stale)."""
        with self._lock:
            if self._sync is not None and self._sync[0] == options:
                return self._sync[1]
            self._close_sync()
            client = Gradient(
                access_token=options.access_token,
                workspace_id=options.workspace_id,
                host=options.host,
                timeout=options.timeout,
                max_retries=options.max_retries,
                http_client=options.http_client,
            )
            self._sync = (options, client, weakref.finalize(self, client.close))
            return client

    async def async_client(self, options: ClientOptions) -> AsyncGradient:
        """The async client for these options and the running event loop."""
        loop = _current_event_loop()
        if self._async is not None:
            current_options, client_loop, client = self._async
            if client_loop is loop and current_options == options:
                return client
            await self.aclose_async()
        client = AsyncGradient(
            access_token=options.access_token,
            workspace_id=options.workspace_id,
            host=options.host,
            timeout=options.timeout,
            max_retries=options.max_retries,
            http_client=options.http_async_client,
        )
        self._async = (options, loop, client)
        return client

    def close(self) -> None:
        """Close the sync client; the next call makes a new one."""
        with self._lock:
            self._close_sync()

    async def aclose_async(self) -> None:
        """Close the async client if it belongs to the running loop; forget it either way.

        A client of a loop that has ended cannot be closed from another one; its connections
        went with that loop.
        """
        if self._async is None:
            return
        _, client_loop, client = self._async
        self._async = None
        if client_loop is _current_event_loop():
            await client.aclose()

    def _close_sync(self) -> None:
        if self._sync is not None:
            finalizer = self._sync[2]
            self._sync = None
            finalizer()


class GradientConnection(BaseModel):
    """Credentials, endpoint and client settings, read like langchain-community's classes.

    Each of ``gradient_access_token``, ``gradient_workspace_id`` and ``gradient_api_url``
    falls back to ``$GRADIENT_ACCESS_TOKEN``, ``$GRADIENT_WORKSPACE_ID`` and
    ``$GRADIENT_API_URL`` when it is not given (or given empty); the URL then defaults to
    ``https://api.gradient.ai/api``. They are checked at construction, without any request.
    """

    model_config = ConfigDict(
        arbitrary_types_allowed=True, extra="forbid", hide_input_in_errors=True
    )

    gradient_access_token: str = Field(default="", repr=False)
    """The API token; defaults to ``$GRADIENT_ACCESS_TOKEN``. Kept out of ``repr``."""

    gradient_workspace_id: str = ""
    """The workspace to act in; defaults to ``$GRADIENT_WORKSPACE_ID``."""

    gradient_api_url: str = DEFAULT_BASE_URL
    """The API's base URL; defaults to ``$GRADIENT_API_URL``, then the public service."""

    timeout: float | None = Field(default=DEFAULT_TIMEOUT_SECONDS, ge=0)
    """Seconds one attempt of a request may take as a whole; None waits forever."""

    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0)
    """How many times the SDK retries a failed request (0 turns retries off)."""

    http_client: httpx.Client | None = Field(default=None, exclude=True, repr=False)
    """An ``httpx.Client`` for the sync calls (a proxy, the emulator); the caller closes it."""

    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True, repr=False)
    """An ``httpx.AsyncClient`` for the async calls; the caller closes it."""

    _clients: ClientPool = PrivateAttr(default_factory=ClientPool)

    @model_validator(mode="before")
    @classmethod
    def _read_environment(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        values = dict(cast("dict[str, Any]", values))
        for field, variable, default in (
            ("gradient_access_token", ACCESS_TOKEN_ENV, ""),
            ("gradient_workspace_id", WORKSPACE_ID_ENV, ""),
            ("gradient_api_url", API_URL_ENV, DEFAULT_BASE_URL),
        ):
            # An empty value counts as unset, as in langchain-community and the SDK.
            if not values.get(field):
                values[field] = os.environ.get(variable) or default
        return values

    @model_validator(mode="after")
    def _check_connection(self) -> Self:
        if len(self.gradient_access_token) < MIN_ACCESS_TOKEN_LENGTH:
            raise ValueError(
                f"gradient_access_token (or ${ACCESS_TOKEN_ENV}) must be set to a token of at "
                f"least {MIN_ACCESS_TOKEN_LENGTH} characters"
            )
        if len(self.gradient_workspace_id) < MIN_WORKSPACE_ID_LENGTH:
            raise ValueError(
                f"gradient_workspace_id (or ${WORKSPACE_ID_ENV}) must be set to a workspace id "
                f"of at least {MIN_WORKSPACE_ID_LENGTH} characters"
            )
        url = urlsplit(self.gradient_api_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValueError(
                f"gradient_api_url must be an http(s) URL, got {self.gradient_api_url!r}"
            )
        return self

    def _client_options(self) -> ClientOptions:
        return ClientOptions(
            access_token=self.gradient_access_token,
            workspace_id=self.gradient_workspace_id,
            host=self.gradient_api_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            http_client=self.http_client,
            http_async_client=self.http_async_client,
        )

    def _sync_client(self) -> Gradient:
        return self._clients.sync_client(self._client_options())

    async def _async_client(self) -> AsyncGradient:
        return await self._clients.async_client(self._client_options())

    def close(self) -> None:
        """Close the sync client's connections. The next call opens new ones.

        An async client can only be closed from its event loop: use :meth:`aclose`.
        """
        self._clients.close()

    async def aclose(self) -> None:
        """Close the connections of the async client (of the running loop) and the sync one."""
        await self._clients.aclose_async()
        self._clients.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
