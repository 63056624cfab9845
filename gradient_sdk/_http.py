"""What every request shares, whatever runs it (sans-I/O): headers, bodies, reading answers."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._config import ClientConfig
from ._uploads import FileUpload
from ._version import __version__
from .errors import (
    APIResponseValidationError,
    APIStatusError,
    ResponseTooLargeError,
    bounded,
    describe_status_error,
    error_class_for_status,
)

T = TypeVar("T")


class _ImportedOnFirstUse:
    """A module imported when one of its attributes is first read, each attribute then kept
    here, so that later reads cost what a plain attribute read does (an ``import`` in the
    function would cost about 10 k instructions a call)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(importlib.import_module(self._name), attribute)
        setattr(self, attribute, value)
        return value


# The converter imports every record: it comes with the first record sent or answer read,
# not with the client.
if TYPE_CHECKING:
    from . import _wire as converter  # pyright: ignore[reportPrivateUsage]
else:
    converter = _ImportedOnFirstUse("gradient_sdk._wire")

_PYTHON = ".".join(str(part) for part in sys.version_info[:3])  # platform.python_version()
USER_AGENT = f"gradient-sdk/{__version__} (python {_PYTHON}; {sys.platform})"
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


class MaskedHeaders(dict[str, str]):
    """Plain headers (for aiohttp) whose repr, like ``httpx.Headers``', masks the token."""

    def __repr__(self) -> str:
        shown = {k: "[secure]" if k.lower() == "authorization" else v for k, v in self.items()}
        return f"{type(self).__name__}({shown!r})"


#: The Content-Type of a JSON body; httpx sets a multipart one (with its boundary) itself.
JSON_CONTENT_TYPE = "application/json"


class EncodedBody:
    """A request body ready to send: JSON bytes (encoded once, so every retry sends the same
    bytes) or a file to stream as a multipart part."""

    __slots__ = ("json", "upload")

    def __init__(self, json: bytes | None = None, upload: FileUpload | None = None) -> None:
        self.json = json
        self.upload = upload


NO_BODY = EncodedBody()


# One encoder for every body: ``json.dumps`` with arguments builds a new one each call.
_JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def encode_body(body: Any) -> bytes:
    """JSON bytes of already wire-shaped data."""
    return _JSON_ENCODER.encode(body).encode()


def encode_request(body: object) -> EncodedBody:
    """A request body for a record, an upload, plain JSON data, or None."""
    if body is None:
        return NO_BODY
    if isinstance(body, FileUpload):
        return EncodedBody(upload=body)
    if hasattr(type(body), "__attrs_attrs__"):  # a record (what attrs.has looks for)
        body = converter.to_wire(body)
    return EncodedBody(json=encode_body(body))


class ReadResponse:
    """A response read whole (decoded, at most ``max_response_bytes``): what answers and
    errors are read from, whichever pool it came through. Lighter than a second
    ``httpx.Response``, which would run its decoders over the body again.

    ``headers`` are case-insensitive, as the pool gives them (``httpx.Headers``, aiohttp's
    multidict).
    """

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def is_success(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status_code < 300

    def json(self) -> Any:
        """The body as JSON (``ValueError`` when it is not)."""
        return json.loads(self.content)

    @property
    def text(self) -> str:
        """The body as text, in the charset its Content-Type names (UTF-8 by default)."""
        charset = "utf-8"
        for parameter in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                charset = value.strip().strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")


#: How much of an error body that is not JSON an error keeps.
MAX_ERROR_TEXT = 10_000


def _decoded(response: ReadResponse) -> object:
    if not response.content:
        return None
    try:
        return response.json()
    except (ValueError, RecursionError):
        return response.text[:MAX_ERROR_TEXT]


def _joined(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as a dict with lower-case names, repeated ones joined (as httpx does)."""
    joined: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


def status_error(response: ReadResponse, *, secret: str) -> APIStatusError:
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
        headers=_joined(response.headers),
    )


def decoded_json(response: ReadResponse) -> Any:
    """A 2xx body as JSON, or :class:`APIResponseValidationError`."""
    try:
        return response.json()
    except ValueError as error:
        raise APIResponseValidationError(
            f"the server answered {response.status_code} with a body that is not JSON",
            status_code=response.status_code,
            body=response.text[:1000],
        ) from error
    except RecursionError:
        # No chain: a traceback through thousands of frames helps nobody.
        raise APIResponseValidationError(
            f"the server answered {response.status_code} with JSON nested too deep to read",
            status_code=response.status_code,
            body=None,
        ) from None


def parse_success(response: ReadResponse, response_type: type[T]) -> T:
    """Read a 2xx body into its record, or raise :class:`APIResponseValidationError`."""
    data = decoded_json(response)
    try:
        return converter.from_wire(data, response_type)
    except converter.WireFormatError as error:
        raise APIResponseValidationError(
            bounded(f"unexpected response body: {error}"),
            status_code=response.status_code,
            body=data,
        ) from error


def query_params(params: Mapping[str, str] | None) -> dict[str, str] | None:
    """Query parameters, checked to be text (httpx would quietly str() anything)."""
    if params is None:
        return None
    for name, value in params.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"query parameters must be strings, got {name!r}={value!r}")
    return dict(params)


def too_large(status_code: int, limit: int) -> ResponseTooLargeError:
    """The error for a body past ``limit`` bytes."""
    return ResponseTooLargeError(
        f"the server answered {status_code} with a body larger than {limit} bytes "
        "(max_response_bytes); it was not read further",
        status_code=status_code,
        limit=limit,
    )


def declared_too_large(headers: Mapping[str, str], limit: int) -> bool:
    """Whether the body's declared length alone is past ``limit``."""
    declared = headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit
