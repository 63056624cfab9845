"""What a handler gets and gives: the :class:`Call`, and the :data:`Handler` type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import attrs
from starlette.requests import Request

from .... import _endpoints as api
from ...._wire import WireFormatError, from_wire
from ....records import ErrorType
from ...errors import parsing_error
from ...services import Services
from ...services.files import Upload
from ..body import read_json, read_upload

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
        """The uploaded file of a multipart body; 413 when too large, 400 otherwise. The
        caller closes it."""
        return await read_upload(self.request, self.services.settings.max_upload_bytes)


#: A handler reads what its operation takes from the call and returns the response record
#: (None for an empty object); the router writes it.
Handler = Callable[[Call], Awaitable[Any]]
