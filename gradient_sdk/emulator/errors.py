"""The errors the emulator answers with, and the body each one is written as."""

from __future__ import annotations

from typing import Any

from ..records import ErrorBody, ErrorSchema, ErrorType


class ApiError(Exception):
    """A request the emulator refuses: an HTTP status and what to say about it.

    ``error_type`` and ``payload`` reach the client only on the routes whose error bodies
    carry them (complete and fine-tune); elsewhere the body is just ``{"message"}``.
    """

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        error_type: ErrorType = ErrorType.FAILED,
        payload: Any = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.error_type = error_type
        self.payload = payload

    def body(self, schema: ErrorSchema) -> ErrorBody:
        """The error body as the operation's schema shapes it."""
        if schema is ErrorSchema.GENERIC:
            return ErrorBody(message=self.message)
        return ErrorBody(message=self.message, type=self.error_type, payload=self.payload)


def parsing_error(message: str, *, error_type: ErrorType, details: Any = None) -> ApiError:
    """A 400 for input that does not parse, with the payload the spec gives such errors."""
    payload = {"formattedValidationError": message, "validationError": details}
    return ApiError(400, message, error_type=error_type, payload=payload)


def not_implemented(operation_id: str, method: str, path: str) -> ApiError:
    """A 501 for an operation of the API that the emulator does not serve yet."""
    return ApiError(
        501,
        f"the emulator does not implement {operation_id} ({method} /api{path}) yet",
    )
