"""The Gradient client: configuration, resources, and gradientai-style shortcuts."""

from __future__ import annotations

from types import TracebackType
from typing import Literal, overload

import httpx

from .._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    ClientConfig,
    NotGiven,
    TimeoutLike,
)
from ..records import CapabilityFilter
from ._transport import AsyncTransport
from .embeddings import AsyncEmbeddings
from .handles import AsyncBaseModel, AsyncEmbeddingsModel, AsyncModelAdapter
from .models import AsyncModels


class AsyncGradient:
    """A client for the Gradient API.

    Use it as an async context manager, or call :meth:`aclose` when done::

        async with AsyncGradient() as client:
            base = await client.list_models(only_base=True)

    Args:
        access_token: the API token; defaults to ``$GRADIENT_ACCESS_TOKEN``.
        workspace_id: the workspace to act in; defaults to ``$GRADIENT_WORKSPACE_ID``.
        host: the API's base URL; defaults to ``$GRADIENT_API_URL``, then
            ``https://api.gradient.ai/api``.
        timeout: seconds (or an ``httpx.Timeout``) per attempt; None waits forever.
        max_retries: how many times a failed request is tried again (0 to disable).
        http_client: an ``httpx.AsyncClient`` to send through; the caller closes it.
        transport: an ``httpx`` transport for the client's own connection pool (tests and the
            emulator plug in here). Give ``http_client`` or ``transport``, not both.
    """

    def __init__(
        self,
        *,
        access_token: str | None = None,
        workspace_id: str | None = None,
        host: str | None = None,
        timeout: TimeoutLike = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            access_token=access_token,
            workspace_id=workspace_id,
            host=host,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._init_with(AsyncTransport(config, http_client=http_client, transport=transport))

    def _init_with(self, transport: AsyncTransport) -> None:
        self._transport = transport
        self.models = AsyncModels(transport)
        self.embeddings = AsyncEmbeddings(transport)

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
    ) -> AsyncGradient:
        """A client with other timeout or retry settings that shares this one's connections.

        Arguments left out keep this client's values; ``timeout=None`` means no timeout.

        Closing this client closes the shared pool; closing the new one does nothing.
        """
        twin = object.__new__(type(self))
        twin._init_with(self._transport.with_options(timeout=timeout, max_retries=max_retries))
        return twin

    @property
    def is_closed(self) -> bool:
        """Whether the connection pool is closed; a closed client sends nothing."""
        return self._transport.is_closed

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._transport.aclose()

    # unasync: async-only-start
    close = aclose
    # unasync: async-only-end

    async def __aenter__(self) -> AsyncGradient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    @overload
    async def list_models(
        self,
        *,
        only_base: Literal[True],
        capability: CapabilityFilter | str = CapabilityFilter.ANY,
    ) -> list[AsyncBaseModel]: ...

    @overload
    async def list_models(
        self,
        *,
        only_base: bool = False,
        capability: CapabilityFilter | str = CapabilityFilter.ANY,
    ) -> list[AsyncBaseModel | AsyncModelAdapter]: ...

    async def list_models(
        self,
        *,
        only_base: bool = False,
        capability: CapabilityFilter | str = CapabilityFilter.ANY,
    ) -> list[AsyncBaseModel] | list[AsyncBaseModel | AsyncModelAdapter]:
        """The workspace's base models and, unless ``only_base``, its adapters.

        ``capability`` keeps only models that can ``"complete"`` or ``"fineTune"``.
        """
        return await self.models.list_models(only_base=only_base, capability=capability)

    async def get_base_model(self, *, base_model_slug: str) -> AsyncBaseModel:
        """The base model with this slug; :class:`~gradient_sdk.NotFoundError` if none."""
        return await self.models.get_base_model(base_model_slug=base_model_slug)

    async def get_model_adapter(self, *, model_adapter_id: str) -> AsyncModelAdapter:
        """The adapter with this id; :class:`~gradient_sdk.NotFoundError` if none."""
        return await self.models.get_model_adapter(model_adapter_id=model_adapter_id)

    async def list_embeddings_models(self) -> list[AsyncEmbeddingsModel]:
        """The embeddings models the workspace can use."""
        return await self.embeddings.list_embeddings_models()

    async def get_embeddings_model(self, *, slug: str) -> AsyncEmbeddingsModel:
        """The embeddings model with this slug; :class:`~gradient_sdk.NotFoundError` if none."""
        return await self.embeddings.get_embeddings_model(slug=slug)
