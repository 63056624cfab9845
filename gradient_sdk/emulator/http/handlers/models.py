"""The handlers of the models and embeddings operations."""

from __future__ import annotations

from collections.abc import Mapping

from .... import _endpoints as api
from ....records import (
    CompleteRequest,
    CompleteResponse,
    CreateModelRequest,
    CreateModelResponse,
    FineTuneRequest,
    FineTuneResponse,
    GenerateEmbeddingsRequest,
    GenerateEmbeddingsResponse,
    ListEmbeddingsModelsResponse,
    ListModelsResponse,
    ModelAdapterInfo,
)
from .call import Call, Handler


async def list_models(call: Call) -> ListModelsResponse:
    """``GET /models``."""
    only_base = call.query(api.ONLY_BASE)
    capability = call.query(api.CAPABILITY)
    # Both have defaults, so neither is ever None.
    assert only_base is not None
    assert capability is not None
    return await call.services.models.list_models(
        call.workspace_id, only_base=only_base, capability=capability
    )


async def get_model(call: Call) -> ModelAdapterInfo:
    """``GET /models/{id}``."""
    return await call.services.models.get_model_adapter(call.workspace_id, call.path("id"))


async def create_model(call: Call) -> CreateModelResponse:
    """``POST /models``."""
    request = await call.body(CreateModelRequest)
    return await call.services.models.create_model_adapter(call.workspace_id, request)


async def delete_model(call: Call) -> None:
    """``DELETE /models/{id}``."""
    await call.services.models.delete_model(call.workspace_id, call.path("id"))


async def complete_model(call: Call) -> CompleteResponse:
    """``POST /models/{id}/complete``."""
    request = await call.body(CompleteRequest)
    return await call.services.models.complete(call.workspace_id, call.path("id"), request)


async def fine_tune_model(call: Call) -> FineTuneResponse:
    """``POST /models/{id}/fine-tune``."""
    request = await call.body(FineTuneRequest)
    return await call.services.models.fine_tune(call.workspace_id, call.path("id"), request)


async def list_embeddings(call: Call) -> ListEmbeddingsModelsResponse:
    """``GET /embeddings``."""
    return call.services.embeddings.list_models()


async def generate_embedding(call: Call) -> GenerateEmbeddingsResponse:
    """``POST /embeddings/{slug}``."""
    request = await call.body(GenerateEmbeddingsRequest)
    return await call.services.embeddings.generate(call.path("slug"), request)


#: The handlers of this area, by operation id.
HANDLERS: Mapping[str, Handler] = {
    api.LIST_MODELS.operation_id: list_models,
    api.GET_MODEL.operation_id: get_model,
    api.CREATE_MODEL.operation_id: create_model,
    api.DELETE_MODEL.operation_id: delete_model,
    api.COMPLETE_MODEL.operation_id: complete_model,
    api.FINE_TUNE_MODEL.operation_id: fine_tune_model,
    api.LIST_EMBEDDINGS.operation_id: list_embeddings,
    api.GENERATE_EMBEDDING.operation_id: generate_embedding,
}
