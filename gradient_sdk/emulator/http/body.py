"""Reading request bodies: JSON, or a multipart form with one ``file`` part.

Both are read as a stream with a size cap, so a body too large is refused (413) as soon as
it passes the cap, never held whole; an uploaded file is spooled to disk as it arrives.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncGenerator
from typing import Any

import anyio
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from ..._http import FILE_PART
from ...records import ErrorType
from ..errors import ApiError, parsing_error
from ..services.files import Upload

#: Seconds a client has to send a whole request body (64 MiB at 4 Mbit/s).
BODY_TIMEOUT = 180.0


def _too_large(limit: int) -> ApiError:
    error = parsing_error(
        f"the request body is larger than {limit} bytes",
        error_type=ErrorType.BODY_PARSING_ERROR,
        details={"maxBodyBytes": limit},
    )
    error.status_code = 413
    return error


async def _capped(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    size = 0
    deadline = anyio.current_time() + BODY_TIMEOUT
    chunks = request.stream().__aiter__()
    while True:
        chunk = b""
        # A client that drips its body cannot hold a worker: the whole body has a deadline.
        with anyio.move_on_after(deadline - anyio.current_time()) as scope:
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
        if scope.cancelled_caught:
            raise ApiError(408, f"the request body did not arrive within {BODY_TIMEOUT:g} s")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        yield chunk


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON; 413 past ``limit`` bytes, 400 when it is not JSON."""
    chunks = [chunk async for chunk in _capped(request, limit)]
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


async def read_upload(request: Request, limit: int) -> Upload:
    """The one ``file`` part of a ``multipart/form-data`` body; 413 past ``limit`` bytes,
    400 for any other body."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise _bad_form(f"expected a multipart/form-data body, got {content_type or 'none'!r}")
    parser = MultiPartParser(request.headers, _capped(request, limit), max_files=1, max_fields=0)
    try:
        form = await parser.parse()
    except (MultiPartException, ValueError) as error:  # the parser's own errors are ValueErrors
        raise _bad_form(f"the multipart body cannot be read: {error}") from error
    part = form.get(FILE_PART)
    if not isinstance(part, UploadFile):
        await form.close()
        raise _bad_form(f"the multipart body has no file part named {FILE_PART!r}")
    return Upload(
        filename=part.filename or FILE_PART,
        content_type=part.content_type or "application/octet-stream",
        file=part.file,
    )


def _bad_form(message: str) -> ApiError:
    return parsing_error(message, error_type=ErrorType.BODY_PARSING_ERROR)
