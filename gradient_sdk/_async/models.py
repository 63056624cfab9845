"""The models area: list and describe models, create and delete adapters, complete, fine-tune."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, overload

from typing_extensions import Unpack

from .. import _endpoints as api
from .._lookup import find_by_slug
from .._params import (
    AdapterOptions,
    CompleteOptions,
    SampleLike,
    complete_request,
    create_model_request,
    to_samples,
)
from ..records import (
    BaseModelInfo,
    CapabilityFilter,
    CapabilityLike,
    CompleteResponse,
    FineTuneRequest,
    FineTuneResponse,
    ModelAdapterInfo,
)
from ..records.models import to_capability_filter
from ._transport import AsyncTransport
from .handles import AsyncBaseModel, AsyncModelAdapter


class AsyncModels:
    """Everything under ``/models``. Reached as ``client.models``."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    @property
    def workspace_id(self) -> str:
        """The workspace every request acts in."""
        return self._transport.config.workspace_id

    @overload
    async def list_models(
        self, *, only_base: Literal[True], capability: CapabilityLike = CapabilityFilter.ANY
    ) -> list[AsyncBaseModel]: ...

    @overload
    async def list_models(
        self,
        *,
        only_base: Literal[False] = False,
        capability: CapabilityLike = CapabilityFilter.ANY,
    ) -> list[AsyncBaseModel | AsyncModelAdapter]: ...

    @overload
    async def list_models(
        self, *, only_base: bool, capability: CapabilityLike = CapabilityFilter.ANY
    ) -> list[AsyncBaseModel] | list[AsyncBaseModel | AsyncModelAdapter]: ...

    async def list_models(
        self, *, only_base: bool = False, capability: CapabilityLike = CapabilityFilter.ANY
    ) -> list[AsyncBaseModel] | list[AsyncBaseModel | AsyncModelAdapter]:
        """The workspace's base models and, unless ``only_base``, its adapters.

        ``capability`` (``"any"``, ``"complete"`` or ``"fineTune"``) keeps only the base
        models that have it.
        """
        capability = to_capability_filter(capability)
        # The official client always sends both, with the boolean capitalised.
        params = {"capability": capability.value, "onlyBase": str(bool(only_base))}
        listing = await self._transport.request(api.LIST_MODELS, params=params)
        return [self._handle(info) for info in listing.models]

    async def get_base_model(self, *, base_model_slug: str) -> AsyncBaseModel:
        """The base model with this slug; :class:`NotFoundError` if the workspace has none."""
        base_models = await self.list_models(only_base=True)
        return find_by_slug(base_models, base_model_slug, what="base model")

    async def get_model_adapter(self, *, model_adapter_id: str) -> AsyncModelAdapter:
        """The adapter with this id; :class:`NotFoundError` if there is none."""
        info = await self._transport.request(api.GET_MODEL, path={"id": model_adapter_id})
        return AsyncModelAdapter(info, self)

    async def create_model_adapter(
        self, *, base_model_id: str, name: str, **options: Unpack[AdapterOptions]
    ) -> AsyncModelAdapter:
        """Create an adapter of a base model (``rank``, ``learning_rate``: see
        :class:`~gradient_sdk.AdapterOptions`). Never resent once the server may have seen it.
        """
        request = create_model_request(base_model_id, name, options)
        created = await self._transport.request(api.CREATE_MODEL, body=request)
        # As in gradientai, the adapter is described from what we sent, without another call.
        info = ModelAdapterInfo(id=created.id, name=name, base_model_id=base_model_id)
        return AsyncModelAdapter(info, self)

    async def delete_model_adapter(self, *, model_adapter_id: str) -> None:
        """Delete an adapter and its weights."""
        await self._transport.request(api.DELETE_MODEL, path={"id": model_adapter_id})

    async def complete(
        self, *, model_id: str, query: str, **options: Unpack[CompleteOptions]
    ) -> CompleteResponse:
        """Complete ``query`` with a base model or an adapter; the options are
        :class:`~gradient_sdk.CompleteOptions`."""
        request = complete_request(query, options)
        return await self._transport.request(
            api.COMPLETE_MODEL, path={"id": model_id}, body=request
        )

    async def fine_tune(
        self, *, model_adapter_id: str, samples: Iterable[SampleLike]
    ) -> FineTuneResponse:
        """Train an adapter one step on ``samples``.

        A fine-tune changes the adapter, so it is resent only when the request surely never
        reached the server (the connection could not be opened); see
        ``docs/errors-and-retries.md``.
        """
        request = FineTuneRequest(samples=to_samples(samples))
        return await self._transport.request(
            api.FINE_TUNE_MODEL, path={"id": model_adapter_id}, body=request
        )

    def _handle(self, info: BaseModelInfo | ModelAdapterInfo) -> AsyncBaseModel | AsyncModelAdapter:
        if isinstance(info, BaseModelInfo):
            return AsyncBaseModel(info, self)
        return AsyncModelAdapter(info, self)
