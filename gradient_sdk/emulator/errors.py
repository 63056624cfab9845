"""The errors the emulator answers with, and the body each one is written as."""

from __future__ import annotations

import enum
from typing import Any

from ..records import ErrorBody


class ErrorType(str, enum.Enum):
    """The ``type`` of a complete or fine-tune error body (the spec's section 3)."""

    BODY_PARSING_ERROR = "bodyParsingError"
    FAILED = "failed"
    FLAGGED_CONTENT = "flaggedContent"
    MODEL_DOES_NOT_SUPPORT_GUIDANCE = "modelDoesNotSupportGuidance"
    MODEL_INCAPABLE_OF_FINE_TUNING = "modelIncapableOfFineTuning"
    NAN_LOSS = "nanLoss"
    NO_RAG_DOCUMENTS_FOUND = "noRagDocumentsFound"
    QUERY_OR_PATH_PARSING_ERROR = "queryOrPathParsingError"
    RAG_REQUIRES_AUTO_TEMPLATING = "ragRequiresAutoTemplating"
    UNKNOWN_BASE_MODEL = "unknownBaseModel"
    UNKNOWN_MODEL_ADAPTER = "unknownModelAdapter"
    UNKNOWN_RAG_COLLECTION = "unknownRagCollection"
    UNPROCESSABLE_CONTENT = "unprocessableContent"


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

    def body(self, *, typed: bool) -> ErrorBody:
        """The error body; ``typed`` for the routes that name the error's type."""
        if not typed:
            return ErrorBody(message=self.message)
        return ErrorBody(message=self.message, type=self.error_type.value, payload=self.payload)


def parsing_error(message: str, *, error_type: ErrorType, details: Any = None) -> ApiError:
    """A 400 for input that does not parse, with the payload the spec gives such errors."""
    payload = {"formattedValidationError": message, "validationError": details}
    return ApiError(400, message, error_type=error_type, payload=payload)
