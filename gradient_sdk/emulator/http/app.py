"""The emulator's ASGI app: the routes of the endpoint table, the lifespan that holds the
services, and the API's error body for routing errors.

Built on Starlette rather than FastAPI on purpose: FastAPI derives parsing, validation and
its OpenAPI document from pydantic models, while this project's one description of the wire
format is its attrs records and the cattrs converter in :mod:`gradient_sdk._wire`. The SDK
writes requests and reads responses with that converter; the emulator reads requests and
writes responses with the same one, so the two cannot disagree, and the OpenAPI document is
derived from the same records and the same endpoint table (:mod:`..openapi`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, Router

from ..._endpoints import ENDPOINTS
from ...records import ErrorType
from ..jobs import background_jobs
from ..openapi import openapi_document
from ..services import open_services
from ..settings import EmulatorSettings
from .handlers import HANDLERS
from .lifecycle import RequestLifecycle
from .router import API_PREFIX, api_routes


def create_app(emulator: EmulatorSettings | None = None) -> Starlette:
    """The emulator as an ASGI app; the engines load when the app's lifespan starts.

    Servers (uvicorn) run the lifespan themselves; :func:`gradient_sdk.emulator.serve` runs
    it for in-process use.
    """
    settings = EmulatorSettings() if emulator is None else emulator

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncGenerator[None, None]:
        async with open_services(settings) as services, background_jobs() as jobs:
            services.start_background_work(jobs)
            app.state.services = services
            app.state.openapi = openapi_document(
                ENDPOINTS,
                implemented=HANDLERS.keys(),
                max_samples_per_fine_tune=settings.max_samples_per_fine_tune,
                examples={
                    "id": [services.models.base_model.id],
                    "baseModelId": [services.models.base_model.id],
                    "slug": list(services.embeddings.slugs),
                },
            )
            try:
                yield
            finally:
                del app.state.services

    return Starlette(
        routes=[
            Route("/openapi.json", _openapi, methods=["GET"]),
            # No slash redirects: behind a proxy they point at the wrong host; a path with a
            # trailing slash is simply not the API's (404 with the API's body).
            Mount(
                API_PREFIX,
                app=Router(api_routes(ENDPOINTS, HANDLERS, settings), redirect_slashes=False),
            ),
        ],
        lifespan=lifespan,
        middleware=[Middleware(RequestLifecycle)],
        exception_handlers={HTTPException: _http_error},
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
