"""What every request shares, whatever runs it (sans-I/O): headers, bodies, reading answers."""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
import httpx

from ._config import ClientConfig
from ._uploads import FileUpload
from ._version import __version__
from ._wire import WireFormatError, from_wire, to_wire
from .errors import (
    APIResponseValidationError,
    APIStatusError,
    describe_status_error,
    error_class_for_status,
)

T = TypeVar("T")

USER_AGENT = f"gradient-sdk/{__version__} (python {platform.python_version()}; {sys.platform})"
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid")
#: The name of the one part of a multipart body, as the API takes it.
FILE_PART = "file"


def client_headers(config: ClientConfig) -> httpx.Headers:
    """The headers every request of a client carries, built once per client.

    ``httpx.Headers`` masks ``Authorization`` in its repr, so the token stays hidden even
    where a traceback prints local variables. ``default_headers`` come last but cannot
    replace the credentials (the config refuses them).
    """
    headers = httpx.Headers(
        {
            "Authorization": f"Bearer {config.access_token}",
            "x-gradient-workspace-id": config.workspace_id,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
    )
    headers.update(config.default_headers)
    return headers


@attrs.frozen
class EncodedBody:
    """A request body ready to send: JSON bytes (encoded once, so every retry sends the same
    bytes) or a file to stream as a multipart part."""

    json: bytes | None = None
    upload: FileUpload | None = None

    @property
    def content_type(self) -> str | None:
        """The Content-Type to set; httpx sets a multipart one (with its boundary) itself."""
        return "application/json" if self.json is not None else None


NO_BODY = EncodedBody()


def encode_body(body: Any) -> bytes:
    """JSON bytes of already wire-shaped data."""
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode()


def encode_request(body: object) -> EncodedBody:
    """A request body for a record, an upload, plain JSON data, or None."""
    if body is None:
        return NO_BODY
    if isinstance(body, FileUpload):
        return EncodedBody(upload=body)
    data = to_wire(body) if attrs.has(type(body)) else body
    return EncodedBody(json=encode_body(data))


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


def decoded_json(response: httpx.Response) -> Any:
    """A 2xx body as JSON, or :class:`APIResponseValidationError`."""
    try:
        return response.json()
    except ValueError as error:
        raise APIResponseValidationError(
            f"the server answered {response.status_code} with a body that is not JSON",
            status_code=response.status_code,
            body=response.text[:1000],
        ) from error


def parse_success(response: httpx.Response, response_type: type[T]) -> T:
    """Read a 2xx body into its record, or raise :class:`APIResponseValidationError`."""
    data = decoded_json(response)
    try:
        return from_wire(data, response_type)
    except WireFormatError as error:
        raise APIResponseValidationError(
            f"unexpected response body: {error}", status_code=response.status_code, body=data
        ) from error


def query_params(params: Mapping[str, str] | None) -> dict[str, str] | None:
    """Query parameters, checked to be text (httpx would quietly str() anything)."""
    if params is None:
        return None
    for name, value in params.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"query parameters must be strings, got {name!r}={value!r}")
    return dict(params)
