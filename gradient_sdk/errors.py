"""The exceptions the SDK raises: every one of them is a :class:`GradientError`.

The tree follows the HTTP status classes, so callers can catch as broadly or as narrowly as
they like::

    GradientError
    ├── ConfigurationError            (also a ValueError: missing token or workspace)
    ├── ClientClosedError             (the client was used after closing)
    ├── IngestionFailedError          (files of a RAG collection could not be ingested)
    ├── IngestionTimeoutError         (also a TimeoutError: a collection was not ready in time)
    ├── APIConnectionError            (the request never got an answer)
    │   └── APITimeoutError
    ├── APIResponseValidationError    (the answer was not what the API promises)
    │   └── ResponseTooLargeError     (the answer was larger than max_response_bytes)
    ├── TranscriptionError            (a transcription did not give a text)
    │   ├── TranscriptionFailedError      (the job ended failed)
    │   ├── TranscriptionCancelledError   (the job was cancelled)
    │   └── TranscriptionTimeoutError     (also a TimeoutError: still unfinished at the
    │                                      deadline)
    └── APIStatusError                (the server answered with a 4xx or 5xx)
        ├── BadRequestError           400
        ├── AuthenticationError       401
        ├── PermissionDeniedError     403
        ├── NotFoundError             404 (also raised when a slug or id is not listed)
        ├── ConflictError             409
        ├── RequestTooLargeError      413
        ├── UnprocessableEntityError  422
        ├── RateLimitError            429
        └── InternalServerError       5xx

None of them holds the request, so the access token cannot leak through an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._exports import publish

if TYPE_CHECKING:  # the records are imported where they are used, not with the client
    from .records.errors import ErrorType
    from .records.rag import RAGCollectionInfo, RAGFileInfo

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "GradientError",
    "IngestionFailedError",
    "IngestionTimeoutError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTooLargeError",
    "ResponseTooLargeError",
    "TranscriptionCancelledError",
    "TranscriptionError",
    "TranscriptionFailedError",
    "TranscriptionTimeoutError",
    "UnprocessableEntityError",
]


class GradientError(Exception):
    """Base class of every error raised by gradient-sdk."""


class ConfigurationError(GradientError, ValueError):
    """The client cannot be configured: a credential is missing or a setting is invalid."""


class ClientClosedError(GradientError):
    """The client was closed; requests need a new one."""


class IngestionFailedError(GradientError):
    """Files of a RAG collection ended ``failed``; ``failed`` holds them, with the reason
    where the server gave one (``failure_reason``), and ``collection`` the collection as it
    was read last."""

    def __init__(
        self, message: str, *, collection: RAGCollectionInfo, failed: tuple[RAGFileInfo, ...]
    ) -> None:
        super().__init__(message)
        self.collection = collection
        self.collection_id = collection.id
        self.failed = failed


class IngestionTimeoutError(GradientError, TimeoutError):
    """A RAG collection still had files pending or running when the wait ran out;
    ``unfinished`` holds them."""

    def __init__(
        self, message: str, *, collection_id: str, unfinished: tuple[RAGFileInfo, ...]
    ) -> None:
        super().__init__(message)
        self.collection_id = collection_id
        self.unfinished = unfinished


class APIConnectionError(GradientError):
    """The request could not be completed: the connection failed or broke."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class APITimeoutError(APIConnectionError):
    """The request did not finish within the configured timeout."""


class APIResponseValidationError(GradientError):
    """The server answered 2xx, but the body is not what the API promises."""

    def __init__(self, message: str, *, status_code: int, body: object) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


class TranscriptionError(GradientError):
    """A transcription ended without a text, or did not end in time.

    Attributes:
        transcription_id: the job's id (``GET /blocks/transcription`` reads it).
        status: the status the job was last seen in (``"failed"``, ``"cancelled"``,
            ``"running"``, ...).
        reason: why it failed, where the server said (the emulator does).
    """

    def __init__(
        self, message: str, *, transcription_id: str, status: str, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.transcription_id = transcription_id
        self.status = status
        self.reason = reason


class TranscriptionFailedError(TranscriptionError):
    """The transcription job ended ``failed``."""


class TranscriptionCancelledError(TranscriptionError):
    """The transcription job ended ``cancelled``."""


class TranscriptionTimeoutError(TranscriptionError, TimeoutError):
    """The transcription had not ended when the ``timeout`` ran out; the job may still
    finish on the server."""


class ResponseTooLargeError(APIResponseValidationError):
    """The answer's body (decompressed) was larger than the client's ``max_response_bytes``;
    it was not read further."""

    def __init__(self, message: str, *, status_code: int, limit: int) -> None:
        super().__init__(message, status_code=status_code, body=None)
        self.limit = limit


class APIStatusError(GradientError):
    """The server answered with an error status.

    Attributes:
        status_code: the HTTP status.
        body: the decoded JSON error body, the raw text if it was not JSON, or None.
        error_type: the body's ``type`` where present: an :class:`ErrorType` member
            (``ErrorType.UNKNOWN_MODEL_ADAPTER``, which also equals the string
            ``"unknownModelAdapter"``), or the server's text for a type this SDK does not
            know.
        request_id: the server's request id header, where present.
        headers: the response headers (never the request's, which carry the token).
    """

    status_code: int = 0

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: object = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        if status_code is not None:
            self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.headers: dict[str, str] = dict(headers or {})
        self.error_type: ErrorType | str | None = _error_type(_field(body, "type"))
        self.message = message


class BadRequestError(APIStatusError):
    """400: the request was malformed or failed the server's validation."""

    status_code = 400


class AuthenticationError(APIStatusError):
    """401: the access token is missing or wrong."""

    status_code = 401


class PermissionDeniedError(APIStatusError):
    """403: the token may not act in this workspace."""

    status_code = 403


class NotFoundError(APIStatusError, LookupError):
    """404: no such model, adapter or embeddings model in this workspace."""

    status_code = 404


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""

    status_code = 409


class RequestTooLargeError(APIStatusError):
    """413: the request body is larger than the server takes."""

    status_code = 413


class UnprocessableEntityError(APIStatusError):
    """422: the request was understood but cannot be processed."""

    status_code = 422


class RateLimitError(APIStatusError):
    """429: too many requests; the SDK retries these on its own first."""

    status_code = 429


class InternalServerError(APIStatusError):
    """5xx: the server failed; the SDK retries these on its own first."""

    status_code = 500


_ERROR_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: RequestTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for_status(status_code: int) -> type[APIStatusError]:
    """The most specific error class for an HTTP error status."""
    if status_code >= 500:
        return InternalServerError
    return _ERROR_BY_STATUS.get(status_code, APIStatusError)


def _field(body: object, name: str) -> Any:
    if isinstance(body, Mapping):
        fields: Mapping[str, object] = body  # pyright: ignore[reportUnknownVariableType]
        value = fields.get(name)
        return value if isinstance(value, str) else None
    return None


def _error_type(value: str | None) -> ErrorType | str | None:
    if value is None:
        return None
    from .records.errors import ErrorType

    try:
        return ErrorType(value)
    except ValueError:
        return value  # a type this SDK does not know yet still comes through


#: How much of a server's message an error repeats: a 10 MB message stays in ``body``.
MAX_MESSAGE = 2000


def bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text``, cut to ``limit`` characters and marked so where it was longer."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more)"


def describe_status_error(status_code: int, body: object) -> str:
    """A one-line message for an error status: the server's own message where it gave one."""
    message = _field(body, "message")
    if message is None and isinstance(body, str) and body.strip():
        message = body.strip()[:500]
    error_type = _field(body, "type")
    detail = f" ({bounded(error_type, 100)})" if error_type else ""
    text = f"Gradient API returned {status_code}{detail}: {message or 'no error message'}"
    return bounded(text)


publish(__name__, globals())
