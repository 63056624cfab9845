# Generated from gradient_sdk/_async/client.py by scripts/unasync.py: do not edit.
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
from ._transport import Transport
from .embeddings import Embeddings
from .handles import BaseModel, EmbeddingsModel, ModelAdapter
from .models import Models


class Gradient:
    """A client for the Gradient API.

    Use it as a context manager, or call :meth:`close` when done::

        with Gradient() as client:
            base = client.list_models(only_base=True)

    Args:
        access_token: the API token; defaults to ``$GRADIENT_ACCESS_TOKEN``.
        workspace_id: the workspace to act in; defaults to ``$GRADIENT_WORKSPACE_ID``.
        host: the API's base URL; defaults to ``$GRADIENT_API_URL``, then
            ``https://api.gradient.ai/api``.
        timeout: seconds (or an ``httpx.Timeout``) per attempt; None waits forever.
        max_retries: how many times a failed request is tried again (0 to disable).
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
        timeout: TimeoutLike = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        config = ClientConfig.resolve(
            access_token=access_token,
            workspace_id=workspace_id,
            host=host,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._init_with(Transport(config, http_client=http_client, transport=transport))

    def _init_with(self, transport: Transport) -> None:
        self._transport = transport
        self.models = Models(transport)
        self.embeddings = Embeddings(transport)

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
    ) -> Gradient:
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

    @overload
    def list_models(
        self,
        *,
        only_base: Literal[True],
        capability: CapabilityFilter | str = CapabilityFilter.ANY,
    ) -> list[BaseModel]: ...

    @overload
    def list_models(
        self,
        *,
        only_base: bool = False,
        capability: CapabilityFilter | str = CapabilityFilter.ANY,
    ) -> list[BaseModel | ModelAdapter]: ...

    def list_models(
        self,
        *,
        only_base: bool = False,
        capability: CapabilityFilter | str = CapabilityFilter.ANY,
    ) -> list[BaseModel] | list[BaseModel | ModelAdapter]:
        """The workspace's base models and, unless ``only_base``, its adapters.

        ``capability`` keeps only models that can ``"complete"`` or ``"fineTune"``.
        """
        return self.models.list_models(only_base=only_base, capability=capability)

    def get_base_model(self, *, base_model_slug: str) -> BaseModel:
        """The base model with this slug; :class:`~gradient_sdk.NotFoundError` if none."""
        return self.models.get_base_model(base_model_slug=base_model_slug)

    def get_model_adapter(self, *, model_adapter_id: str) -> ModelAdapter:
        """The adapter with this id; :class:`~gradient_sdk.NotFoundError` if none."""
        return self.models.get_model_adapter(model_adapter_id=model_adapter_id)

    def list_embeddings_models(self) -> list[EmbeddingsModel]:
        """The embeddings models the workspace can use."""
        return self.embeddings.list_embeddings_models()

    def get_embeddings_model(self, *, slug: str) -> EmbeddingsModel:
        """The embeddings model with this slug; :class:`~gradient_sdk.NotFoundError` if none."""
        return self.embeddings.get_embeddings_model(slug=slug)
