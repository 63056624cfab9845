"""One handler per operation the emulator serves, by operation id (:data:`HANDLERS`).

A handler reads what its operation takes from the :class:`Call` (path and query parameters,
the body as a record) and returns the response record; the router writes it. An operation of
the endpoint table without a handler here answers 501.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import attrs
from starlette.requests import Request

from ... import _endpoints as api
from ..._wire import WireFormatError, from_wire
from ...records import (
    CompleteRequest,
    CompleteResponse,
    CreateModelRequest,
    CreateModelResponse,
    ErrorType,
    FineTuneRequest,
    FineTuneResponse,
    GenerateEmbeddingsRequest,
    GenerateEmbeddingsResponse,
    ListEmbeddingsModelsResponse,
    ListModelsResponse,
    ModelAdapterInfo,
)
from ..errors import parsing_error
from ..services import Services
from .body import Upload, read_json, read_upload

T = TypeVar("T")


@attrs.frozen
class Call:
    """What a handler gets: the request, the services, and the workspace it may act in."""

    request: Request
    services: Services
    workspace_id: str

    def path(self, name: str) -> str:
        """A path parameter."""
        return str(self.request.path_params[name])

    def query(self, parameter: api.QueryParameter[T]) -> T | None:
        """A query parameter's value; 400 when it holds one the parameter does not take."""
        try:
            return parameter.parse(self.request.query_params.get(parameter.name))
        except api.QueryParameterError as error:
            raise parsing_error(
                str(error), error_type=ErrorType.QUERY_OR_PATH_PARSING_ERROR
            ) from error

    async def body(self, record_type: type[T]) -> T:
        """The JSON body read into ``record_type``; 413 when too large, 400 when it does not fit."""
        data = await read_json(self.request, self.services.settings.max_body_bytes)
        try:
            return from_wire(data, record_type)
        except WireFormatError as error:
            message = str(error)
            raise parsing_error(
                message, error_type=ErrorType.BODY_PARSING_ERROR, details=message.split("; ")
            ) from error

    async def upload(self) -> Upload:
        """The uploaded file of a multipart body; 413 when too large, 400 otherwise."""
        return await read_upload(self.request, self.services.settings.max_upload_bytes)


Handler = Callable[[Call], Awaitable[Any]]


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


#: The handler of each operation the emulator serves, by operation id.
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
