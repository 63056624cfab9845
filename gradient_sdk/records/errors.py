"""The API's error bodies, shared by the SDK (to read them) and the emulator (to write them)."""

from __future__ import annotations

import enum
from typing import Any

import attrs


class ErrorType(str, enum.Enum):
    """The ``type`` of a typed error body (complete and fine-tune; the spec's section 3)."""

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


class ErrorSchema(enum.Enum):
    """Which error body an operation answers with."""

    #: ``{"message"}``: every operation but complete and fine-tune.
    GENERIC = "generic"
    #: ``{"message", "type", "payload"?}``: complete and fine-tune.
    TYPED = "typed"


@attrs.frozen
class ErrorBody:
    """``{"message", "type"?, "payload"?}``: ``type`` and ``payload`` only in typed bodies."""

    message: str
    type: ErrorType | None = None
    payload: Any = None
