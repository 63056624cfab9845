# Generated from gradient_sdk/_async/models.py by scripts/unasync.py: do not edit.
"""The models area: list and describe models, create and delete adapters, complete, fine-tune."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, overload

from .._http import path_segment
from .._lookup import find_by_slug
from .._params import GuidanceLike, SampleLike, to_guidance, to_samples
from ..records import (
    BaseModelInfo,
    CapabilityFilter,
    CompleteRequest,
    CompleteResponse,
    CreateModelRequest,
    CreateModelResponse,
    FineTuneRequest,
    FineTuneResponse,
    InitialHyperparameters,
    ListModelsResponse,
    LoraHyperparameters,
    ModelAdapterInfo,
    NewModelAdapter,
    RagOptions,
    TrainingArguments,
)
from ._transport import Transport
from .handles import BaseModel, ModelAdapter


class Models:
    """Everything under ``/models``. Reached as ``client.models``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    @property
    def workspace_id(self) -> str:
        """The workspace every request acts in."""
        return self._transport.config.workspace_id

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
        """The workspace's base models and, unless ``only_base``, its adapters."""
        capability = CapabilityFilter(capability)
        # The official client always sends both, with the boolean capitalised.
        params = {"capability": capability.value, "onlyBase": str(bool(only_base))}
        listing = self._transport.request(
            "GET", "/models", params=params, response_type=ListModelsResponse
        )
        return [self._handle(info) for info in listing.models]

    def get_base_model(self, *, base_model_slug: str) -> BaseModel:
        """The base model with this slug; :class:`NotFoundError` if the workspace has none."""
        base_models = self.list_models(only_base=True)
        return find_by_slug(base_models, base_model_slug, what="base model")

    def get_model_adapter(self, *, model_adapter_id: str) -> ModelAdapter:
        """The adapter with this id; :class:`NotFoundError` if there is none."""
        info = self._transport.request(
            "GET", f"/models/{path_segment(model_adapter_id)}", response_type=ModelAdapterInfo
        )
        return ModelAdapter(info, self)

    def create_model_adapter(
        self,
        *,
        base_model_id: str,
        name: str,
        rank: int | None = None,
        learning_rate: float | None = None,
    ) -> ModelAdapter:
        """Create an adapter of a base model. Never retried once the server may have seen it."""
        request = CreateModelRequest(
            model=NewModelAdapter(base_model_id=base_model_id, name=name),
            initial_hyperparameters=InitialHyperparameters(
                lora_hyperparameters=LoraHyperparameters(rank=rank),
                training_arguments=TrainingArguments(learning_rate=learning_rate),
            ),
        )
        created = self._transport.request(
            "POST", "/models", body=request, response_type=CreateModelResponse, idempotent=False
        )
        # As in gradientai, the adapter is described from what we sent, without another call.
        info = ModelAdapterInfo(id=created.id, name=name, base_model_id=base_model_id)
        return ModelAdapter(info, self)

    def delete_model_adapter(self, *, model_adapter_id: str) -> None:
        """Delete an adapter and its weights."""
        self._transport.request_without_result(
            "DELETE", f"/models/{path_segment(model_adapter_id)}"
        )

    def complete(
        self,
        *,
        model_id: str,
        query: str,
        max_generated_token_count: int | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
        top_p: float | None = None,
        guidance: GuidanceLike | None = None,
        rag_collection_id: str | None = None,
        auto_template: bool | None = None,
    ) -> CompleteResponse:
        """Complete ``query`` with a base model or an adapter."""
        request = CompleteRequest(
            query=query,
            auto_template=auto_template,
            guidance=to_guidance(guidance),
            max_generated_token_count=max_generated_token_count,
            rag=None if rag_collection_id is None else RagOptions(collection_id=rag_collection_id),
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
        )
        return self._transport.request(
            "POST",
            f"/models/{path_segment(model_id)}/complete",
            body=request,
            response_type=CompleteResponse,
        )

    def fine_tune(
        self, *, model_adapter_id: str, samples: Iterable[SampleLike]
    ) -> FineTuneResponse:
        """Train an adapter one step on ``samples``.

        A fine-tune changes the adapter, so it is retried only when the request surely never
        reached the server (the connection could not be opened); see ``docs/retries.md``.
        """
        request = FineTuneRequest(samples=to_samples(samples))
        return self._transport.request(
            "POST",
            f"/models/{path_segment(model_adapter_id)}/fine-tune",
            body=request,
            response_type=FineTuneResponse,
            idempotent=False,
        )

    def _handle(self, info: BaseModelInfo | ModelAdapterInfo) -> BaseModel | ModelAdapter:
        if isinstance(info, BaseModelInfo):
            return BaseModel(info, self)
        return ModelAdapter(info, self)
