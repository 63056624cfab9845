"""The routes, built from the endpoint table: each row's handler, or a 501 where there is none.

Every route authorises the request, runs the handler, and writes the answer: the response
record in wire form, or the error body of the operation's schema (``{"message"}``, or
``{"message", "type", "payload"?}`` for complete and fine-tune).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..._endpoints import Endpoint
from ..._wire import to_wire
from ...records import ErrorSchema
from ..errors import ApiError, not_implemented
from ..services import Services
from ..settings import EmulatorSettings
from ..storage import DataDirGoneError
from .auth import authorize
from .handlers import Call, Handler

logger = logging.getLogger(__name__)

#: Where the API lives on the server: ``http://host:port/api``.
API_PREFIX = "/api"

RouteFunction = Callable[[Request], Awaitable[Response]]


def api_routes(
    endpoints: Iterable[Endpoint[Any, Any]],
    handlers: Mapping[str, Handler],
    settings: EmulatorSettings,
) -> list[BaseRoute]:
    """One route per path, so a wrong method's 405 lists every method the path takes."""
    by_path: dict[str, dict[str, RouteFunction]] = {}
    for endpoint in endpoints:
        handler = handlers.get(endpoint.operation_id) or _not_implemented(endpoint)
        by_path.setdefault(endpoint.path, {})[endpoint.method] = _route(endpoint, handler, settings)
    return [
        Route(path, _dispatch(by_method), methods=list(by_method))
        for path, by_method in by_path.items()
    ]


def _not_implemented(endpoint: Endpoint[Any, Any]) -> Handler:
    async def handler(call: Call) -> None:
        raise not_implemented(endpoint.operation_id, endpoint.method, endpoint.path)

    return handler


def _dispatch(by_method: dict[str, RouteFunction]) -> RouteFunction:
    async def route(request: Request) -> Response:
        # The route has already refused other methods; HEAD is answered as GET.
        method = "GET" if request.method == "HEAD" else request.method
        return await by_method[method](request)

    return route


def _route(
    endpoint: Endpoint[Any, Any], handler: Handler, settings: EmulatorSettings
) -> RouteFunction:
    async def route(request: Request) -> Response:
        try:
            services = running_services(request)
            workspace_id = authorize(request, settings)
            result = await handler(Call(request, services, workspace_id))
        except ApiError as error:
            return error_response(error, endpoint.error_schema)
        except ClientDisconnect:
            return Response(status_code=400)
        except DataDirGoneError as error:
            logger.error("%s", error)
            return error_response(ApiError(503, str(error)), endpoint.error_schema)
        except (OSError, sqlite3.OperationalError) as error:
            if not _out_of_space(error):
                logger.exception("%s %s%s failed", endpoint.method, API_PREFIX, endpoint.path)
                return JSONResponse(
                    {"message": "the emulator failed; see its log"}, status_code=500
                )
            logger.error("no space left for %s %s: %s", endpoint.method, endpoint.path, error)
            message = "no space left on the data dir's disk; the operation was not done"
            return error_response(ApiError(507, message), endpoint.error_schema)
        except Exception:
            # A bug, never the caller's input: log it (requests carry no token in the log).
            logger.exception("%s %s%s failed", endpoint.method, API_PREFIX, endpoint.path)
            return JSONResponse({"message": "the emulator failed; see its log"}, status_code=500)
        return JSONResponse({} if result is None else to_wire(result))

    return route


def _out_of_space(error: Exception) -> bool:
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return "database or disk is full" in str(error)


def running_services(request: Request) -> Services:
    """The services of the running app; 503 before its lifespan has started."""
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:
        raise ApiError(503, "the emulator is not running: its lifespan has not started")
    return services


def error_response(error: ApiError, schema: ErrorSchema) -> JSONResponse:
    """The error body of an operation, without the fields that are null."""
    body = to_wire(error.body(schema))
    return JSONResponse(
        {key: value for key, value in body.items() if value is not None},
        status_code=error.status_code,
    )
