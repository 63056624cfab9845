"""The emulator's ASGI app: routes, authentication, request parsing and error bodies.

Built on Starlette rather than FastAPI on purpose: FastAPI derives parsing, validation and
its OpenAPI document from pydantic models, while this project's one description of the wire
format is its attrs records and the cattrs converter in :mod:`gradient_sdk._wire`. The SDK
writes requests and reads responses with that converter; the emulator reads requests and
writes responses with the same one, so the two cannot disagree, and the OpenAPI document is
derived from the same records (:mod:`.openapi`). Starlette gives routing, requests and
responses and nothing that would compete with them.

Every operation is declared once, in :data:`ROUTES`, which both the router and the OpenAPI
document read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import attrs
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .._wire import WireFormatError, from_wire, to_wire
from ..records import (
    CapabilityFilter,
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
from .errors import ApiError, ErrorType, parsing_error
from .openapi import ADAPTER_ID, MODEL_ID, SLUG, Operation, QueryParameter, openapi_document
from .service import EmulatorService, open_service
from .settings import Emulator

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Where the API lives on the server: ``http://host:port/api``.
API_PREFIX = "/api"


@attrs.frozen
class Call:
    """What a handler gets: the request, the service, and the workspace it may act in."""

    request: Request
    service: EmulatorService
    workspace_id: str

    def path(self, name: str) -> str:
        """A path parameter."""
        return str(self.request.path_params[name])

    async def body(self, record_type: type[T]) -> T:
        """The JSON body read into ``record_type``; 413 when too large, 400 when it does not fit."""
        data = await _read_json(self.request, self.service.settings.max_body_bytes)
        try:
            return from_wire(data, record_type)
        except WireFormatError as error:
            message = str(error)
            raise parsing_error(
                message, error_type=ErrorType.BODY_PARSING_ERROR, details=message.split("; ")
            ) from error


Handler = Callable[[Call], Awaitable[Any]]
Endpoint = Callable[[Request], Awaitable[Response]]

ONLY_BASE = QueryParameter(
    name="onlyBase",
    # The official client capitalises (str(True)); others send JSON booleans.
    values={"True": True, "False": False, "true": True, "false": False},
    default=False,
    description="List only base models.",
)
CAPABILITY = QueryParameter(
    name="capability",
    values={option.value: option for option in CapabilityFilter},
    default=CapabilityFilter.ANY,
    description="Keep only base models with this capability (adapters have them all).",
)


async def list_models(call: Call) -> ListModelsResponse:
    """``GET /models``."""
    return await call.service.list_models(
        call.workspace_id,
        only_base=ONLY_BASE.parse(call.request),
        capability=CAPABILITY.parse(call.request),
    )


async def get_model(call: Call) -> ModelAdapterInfo:
    """``GET /models/{id}``."""
    return await call.service.get_model_adapter(call.workspace_id, call.path("id"))


async def create_model(call: Call) -> CreateModelResponse:
    """``POST /models``."""
    request = await call.body(CreateModelRequest)
    return await call.service.create_model_adapter(call.workspace_id, request)


async def delete_model(call: Call) -> None:
    """``DELETE /models/{id}``."""
    await call.service.delete_model(call.workspace_id, call.path("id"))


async def complete(call: Call) -> CompleteResponse:
    """``POST /models/{id}/complete``."""
    request = await call.body(CompleteRequest)
    return await call.service.complete(call.workspace_id, call.path("id"), request)


async def fine_tune(call: Call) -> FineTuneResponse:
    """``POST /models/{id}/fine-tune``."""
    request = await call.body(FineTuneRequest)
    return await call.service.fine_tune(call.workspace_id, call.path("id"), request)


async def list_embeddings_models(call: Call) -> ListEmbeddingsModelsResponse:
    """``GET /embeddings``."""
    return call.service.list_embeddings_models()


async def generate_embeddings(call: Call) -> GenerateEmbeddingsResponse:
    """``POST /embeddings/{slug}``."""
    request = await call.body(GenerateEmbeddingsRequest)
    return await call.service.generate_embeddings(call.path("slug"), request)


#: Every operation the emulator serves, with its handler.
ROUTES: list[tuple[Operation, Handler]] = [
    (
        Operation(
            "GET",
            "/models",
            "listModels",
            "List the base models and the workspace's adapters.",
            response=ListModelsResponse,
            errors=(400, 401, 403),
            query=(ONLY_BASE, CAPABILITY),
        ),
        list_models,
    ),
    (
        Operation(
            "POST",
            "/models",
            "createModel",
            "Create a model adapter of a base model.",
            response=CreateModelResponse,
            errors=(400, 401, 403, 404, 413),
            request_body=CreateModelRequest,
            creates="id",
        ),
        create_model,
    ),
    (
        Operation(
            "GET",
            "/models/{id}",
            "getModel",
            "Describe one of the workspace's adapters.",
            response=ModelAdapterInfo,
            errors=(400, 401, 403, 404),
            path_parameters={"id": ADAPTER_ID},
        ),
        get_model,
    ),
    (
        Operation(
            "DELETE",
            "/models/{id}",
            "deleteModel",
            "Delete an adapter and its weights.",
            response=None,
            errors=(400, 401, 403, 404),
            path_parameters={"id": ADAPTER_ID},
        ),
        delete_model,
    ),
    (
        Operation(
            "POST",
            "/models/{id}/complete",
            "completeModel",
            "Complete a prompt with a base model or an adapter.",
            response=CompleteResponse,
            errors=(400, 401, 403, 404, 413, 422),
            request_body=CompleteRequest,
            path_parameters={"id": MODEL_ID},
            typed_errors=True,
        ),
        complete,
    ),
    (
        Operation(
            "POST",
            "/models/{id}/fine-tune",
            "fineTuneModel",
            "Train an adapter on samples; the new weights are stored before the answer.",
            response=FineTuneResponse,
            errors=(400, 401, 403, 404, 413, 422),
            request_body=FineTuneRequest,
            path_parameters={"id": ADAPTER_ID},
            typed_errors=True,
        ),
        fine_tune,
    ),
    (
        Operation(
            "GET",
            "/embeddings",
            "listEmbeddings",
            "List the embeddings models.",
            response=ListEmbeddingsModelsResponse,
            errors=(400, 401, 403),
        ),
        list_embeddings_models,
    ),
    (
        Operation(
            "POST",
            "/embeddings/{slug}",
            "generateEmbedding",
            "Embed 1 to 256 texts.",
            response=GenerateEmbeddingsResponse,
            errors=(400, 401, 403, 404, 413),
            request_body=GenerateEmbeddingsRequest,
            path_parameters={"slug": SLUG},
        ),
        generate_embeddings,
    ),
]


def create_app(emulator: Emulator | None = None) -> Starlette:
    """The emulator as an ASGI app; the engines load when the app's lifespan starts.

    Servers (uvicorn) run the lifespan themselves; :func:`gradient_sdk.emulator.serve` runs
    it for in-process use.
    """
    settings = Emulator() if emulator is None else emulator

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_service(settings) as service:
            app.state.service = service
            embeddings = service.list_embeddings_models().embeddings_models
            app.state.openapi = openapi_document(
                [operation for operation, _ in ROUTES],
                max_samples_per_fine_tune=settings.max_samples_per_fine_tune,
                examples={
                    "id": [service.base_model.id],
                    "baseModelId": [service.base_model.id],
                    "slug": [m.slug for m in embeddings],
                },
            )
            try:
                yield
            finally:
                del app.state.service

    endpoints: dict[str, dict[str, Endpoint]] = {}
    for operation, handler in ROUTES:
        by_method = endpoints.setdefault(operation.path, {})
        by_method[operation.method] = _endpoint(operation, handler, settings)
    # One route per path, so a wrong method's 405 lists every method the path takes.
    api_routes: list[BaseRoute] = [
        Route(path, _dispatch(by_method), methods=list(by_method))
        for path, by_method in endpoints.items()
    ]
    return Starlette(
        routes=[
            Route("/openapi.json", _openapi, methods=["GET"]),
            Mount(API_PREFIX, routes=api_routes),
        ],
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )


def _dispatch(by_method: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        # The route has already refused other methods; HEAD is answered as GET.
        method = "GET" if request.method == "HEAD" else request.method
        return await by_method[method](request)

    return endpoint


def _endpoint(operation: Operation, handler: Handler, settings: Emulator) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            service = _running_service(request)
            workspace_id = _authorize(request, settings)
            result = await handler(Call(request, service, workspace_id))
        except ApiError as error:
            return _error_response(error, typed=operation.typed_errors)
        except ClientDisconnect:
            return Response(status_code=400)
        except Exception:
            # A bug, never the caller's input: log it (requests carry no token in the log).
            logger.exception("%s %s%s failed", operation.method, API_PREFIX, operation.path)
            return JSONResponse({"message": "the emulator failed; see its log"}, status_code=500)
        return JSONResponse({} if result is None else to_wire(result))

    return endpoint


def _running_service(request: Request) -> EmulatorService:
    service: EmulatorService | None = getattr(request.app.state, "service", None)
    if service is None:
        raise ApiError(503, "the emulator is not running: its lifespan has not started")
    return service


def _authorize(request: Request, settings: Emulator) -> str:
    """The workspace the request may act in; 401, 400 or 403 otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "an Authorization header 'Bearer <access token>' is required")
    owned = settings.workspaces_of(token)
    if owned is None:
        raise ApiError(401, "the access token is not valid")
    workspace_id = request.headers.get("x-gradient-workspace-id", "")
    if not workspace_id:
        raise ApiError(400, "the x-gradient-workspace-id header is required")
    if workspace_id not in owned:
        raise ApiError(403, f"the access token may not act in workspace {workspace_id!r}")
    return workspace_id


async def _read_json(request: Request, limit: int) -> Any:
    too_large = parsing_error(
        f"the request body is larger than {limit} bytes",
        error_type=ErrorType.BODY_PARSING_ERROR,
        details={"maxBodyBytes": limit},
    )
    too_large.status_code = 413
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks), parse_constant=_reject_constant, parse_float=_number)
        # Lone surrogates ("\ud800") parse, but no tokenizer or database takes them.
        json.dumps(data, ensure_ascii=False).encode()
    except (ValueError, RecursionError) as error:
        message = f"the request body is not valid JSON: {error}"
        raise parsing_error(message, error_type=ErrorType.BODY_PARSING_ERROR) from error
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _number(literal: str) -> float | int:
    value = float(literal)
    if math.isinf(value):
        raise ValueError(f"{literal} is too large a number")
    # JSON has one number type: 2.0 is as good an integer as 2 (JSON Schema agrees), and
    # the converter reads an int wherever it expects a float.
    return int(value) if value.is_integer() else value


def _error_response(error: ApiError, *, typed: bool) -> JSONResponse:
    body = to_wire(error.body(typed=typed))
    return JSONResponse(
        {key: value for key, value in body.items() if value is not None},
        status_code=error.status_code,
    )


async def _http_error(request: Request, error: Exception) -> Response:
    # Routing errors (unknown path, wrong method, an id the path pattern cannot hold) get the
    # API's body. The router cannot know which operation was meant, so the body carries the
    # `type` the complete and fine-tune schemas require; the generic schema allows it.
    assert isinstance(error, HTTPException)
    body = {"message": error.detail, "type": ErrorType.QUERY_OR_PATH_PARSING_ERROR.value}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


async def _openapi(request: Request) -> Response:
    document = getattr(request.app.state, "openapi", None)
    if document is None:
        return JSONResponse({"message": "the emulator is not running"}, status_code=503)
    return JSONResponse(document)
