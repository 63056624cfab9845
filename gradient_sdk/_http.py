"""What every request shares, whatever runs it: headers, URLs, and reading responses."""

from __future__ import annotations

import json
import platform
import sys
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from ._config import ClientConfig
from ._version import __version__
from ._wire import WireFormatError, from_wire
from .errors import (
    APIResponseValidationError,
    APIStatusError,
    describe_status_error,
    error_class_for_status,
)

T = TypeVar("T")

USER_AGENT = f"gradient-sdk/{__version__} (python {platform.python_version()}; {sys.platform})"
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid")


def path_segment(value: str) -> str:
    """A value made safe to stand as one path segment (no ``/`` or ``..`` escapes)."""
    if not value or value in {".", ".."}:
        raise ValueError(f"not a valid id: {value!r}")
    return quote(value, safe="")


def request_headers(config: ClientConfig, *, has_body: bool) -> httpx.Headers:
    """The headers the API wants on every request.

    ``httpx.Headers`` masks ``Authorization`` in its repr, so the token stays hidden even
    where a traceback prints local variables.
    """
    headers = httpx.Headers(
        {
            "Authorization": f"Bearer {config.access_token}",
            "x-gradient-workspace-id": config.workspace_id,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
    )
    if has_body:
        headers["Content-Type"] = "application/json"
    return headers


def encode_body(body: Any) -> bytes:
    """JSON bytes, encoded once so every retry sends the same bytes."""
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()


#: How much of an error body that is not JSON an error keeps.
MAX_ERROR_TEXT = 10_000


def _decoded(response: httpx.Response) -> object:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text[:MAX_ERROR_TEXT]


def status_error(response: httpx.Response, *, secret: str) -> APIStatusError:
    """The typed error for a 4xx or 5xx response.

    A server that echoes the token in its message does not get it into ours: ``secret`` is
    masked.
    """
    body = _decoded(response)
    request_id = next(
        (response.headers[name] for name in REQUEST_ID_HEADERS if name in response.headers), None
    )
    error_class = error_class_for_status(response.status_code)
    return error_class(
        describe_status_error(response.status_code, body).replace(secret, "***"),
        status_code=response.status_code,
        body=body,
        request_id=request_id,
        headers=dict(response.headers),
    )


def parse_success(response: httpx.Response, response_type: type[T]) -> T:
    """Read a 2xx body into its record, or raise :class:`APIResponseValidationError`."""
    try:
        data = response.json()
    except ValueError as error:
        raise APIResponseValidationError(
            f"the server answered {response.status_code} with a body that is not JSON",
            status_code=response.status_code,
            body=response.text[:1000],
        ) from error
    try:
        return from_wire(data, response_type)
    except WireFormatError as error:
        raise APIResponseValidationError(
            f"unexpected response body: {error}", status_code=response.status_code, body=data
        ) from error
