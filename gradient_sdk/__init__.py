"""gradient-sdk: a typed, async-first client for the Gradient LLM API.

from gradient_sdk import AsyncGradient, Gradient

Every public name is imported where it is first used (``gradient_sdk.AsyncGradient`` imports
the async client, its records and httpx): ``import gradient_sdk`` alone costs next to nothing,
so a program that only needs the emulator, the CLI's help or one record pays for what it uses.
``_exports.py`` says where each name is written.
"""

from __future__ import annotations

import importlib as _importlib
import os as _os

from ._exports import ALIASES as _ALIASES
from ._exports import MODULE_OF as _MODULE_OF

# Not typing's: importing typing would cost a third of what importing httpx does. Type
# checkers read any TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._async.client import AsyncGradient
    from ._async.handles import (
        AsyncBaseModel,
        AsyncEmbeddingsModel,
        AsyncModelAdapter,
        AsyncRAGCollection,
    )
    from ._config import ClientConfig, ClientOptions
    from ._params import (
        AdapterOptions,
        CompleteOptions,
        DocumentSourceDict,
        EmbeddingInputDict,
        ExtractSchemaValueDict,
        GuidanceDict,
        RAGDict,
        RAGSourceDict,
        SampleDict,
        SentimentExampleDict,
        StructuredInputDict,
        SummarizeExampleDict,
    )
    from ._sync.client import Gradient
    from ._sync.handles import BaseModel, EmbeddingsModel, ModelAdapter, RAGCollection
    from ._version import __version__
    from ._wire import from_wire_dict, to_wire_dict
    from .errors import (
        APIConnectionError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ClientClosedError,
        ConfigurationError,
        ConflictError,
        GradientError,
        IngestionFailedError,
        IngestionTimeoutError,
        InternalServerError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        RequestTooLargeError,
        ResponseTooLargeError,
        TranscriptionCancelledError,
        TranscriptionError,
        TranscriptionFailedError,
        TranscriptionTimeoutError,
        UnprocessableEntityError,
    )
    from .records import (
        AnalyzeSentimentResponse,
        AnswerResponse,
        AnswerSource,
        BaseModelCapability,
        BaseModelInfo,
        CapabilityFilter,
        Chunker,
        CompleteResponse,
        DocumentSource,
        Embedding,
        EmbeddingInput,
        EmbeddingsModelInfo,
        ErrorType,
        ExtractPdfResponse,
        ExtractResponse,
        ExtractSchemaValue,
        ExtractSchemaValueType,
        FileChunker,
        FileType,
        FineTuneResponse,
        GenerateEmbeddingsResponse,
        Guidance,
        MeaningBasedChunker,
        ModelAdapterInfo,
        NormalChunker,
        PdfImage,
        PdfPage,
        PdfTable,
        PdfTableCell,
        PdfTableRow,
        PdfTextBlock,
        PdfTextBlockKind,
        PersonalizeResponse,
        RAGCollectionInfo,
        RAGCollectionSummary,
        RAGContext,
        RAGDocument,
        RAGFileInfo,
        RAGFileStatus,
        RAGSource,
        Sample,
        SentenceWithContextChunker,
        Sentiment,
        SentimentExample,
        StructuredInput,
        SummarizeExample,
        SummarizeLength,
        SummarizeResponse,
        TranscriptionResult,
        TranscriptionStatus,
    )

    #: gradientai's name for :class:`CapabilityFilter`.
    CapabilityFilterOption = CapabilityFilter
    #: gradientai's name for :class:`SummarizeLength`.
    SummarizeParamsLength = SummarizeLength
    #: gradientai's name for :class:`ExtractSchemaValueType`.
    ExtractParamsSchemaValueType = ExtractSchemaValueType
    #: gradientai's name for :class:`SummarizeExampleDict` (``{"document", "summary"}``).
    SummarizeParamsExample = SummarizeExampleDict
    #: gradientai's name for :class:`SentimentExampleDict` (``{"document", "sentiment"}``).
    AnalyzeSentimentParamsExample = SentimentExampleDict
    #: gradientai's name for :class:`ExtractSchemaValueDict` (``{"type", "required"}``).
    ExtractParamsSchemaValue = ExtractSchemaValueDict
    #: gradientai's name for :data:`Chunker`, the union of the four chunkers.
    RAGChunker = Chunker
    #: gradientai's name for a source given as a dict (a document or a RAG collection).
    AnswerParamsSource = DocumentSourceDict | RAGSourceDict

__all__ = [
    "__version__",
    "AdapterOptions",
    "AnalyzeSentimentParamsExample",
    "AnalyzeSentimentResponse",
    "AnswerParamsSource",
    "AnswerResponse",
    "AnswerSource",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncBaseModel",
    "AsyncEmbeddingsModel",
    "AsyncGradient",
    "AsyncModelAdapter",
    "AsyncRAGCollection",
    "AuthenticationError",
    "BadRequestError",
    "BaseModel",
    "BaseModelCapability",
    "BaseModelInfo",
    "CapabilityFilter",
    "CapabilityFilterOption",
    "Chunker",
    "ClientClosedError",
    "ClientConfig",
    "ClientOptions",
    "CompleteOptions",
    "CompleteResponse",
    "ConfigurationError",
    "ConflictError",
    "DocumentSource",
    "DocumentSourceDict",
    "Embedding",
    "EmbeddingInput",
    "EmbeddingInputDict",
    "EmbeddingsModel",
    "EmbeddingsModelInfo",
    "ErrorType",
    "ExtractParamsSchemaValue",
    "ExtractParamsSchemaValueType",
    "ExtractPdfResponse",
    "ExtractResponse",
    "ExtractSchemaValue",
    "ExtractSchemaValueDict",
    "ExtractSchemaValueType",
    "FileChunker",
    "FileType",
    "FineTuneResponse",
    "from_wire_dict",
    "GenerateEmbeddingsResponse",
    "Gradient",
    "GradientError",
    "Guidance",
    "GuidanceDict",
    "IngestionFailedError",
    "IngestionTimeoutError",
    "InternalServerError",
    "MeaningBasedChunker",
    "ModelAdapter",
    "ModelAdapterInfo",
    "NormalChunker",
    "NotFoundError",
    "PdfImage",
    "PdfPage",
    "PdfTable",
    "PdfTableCell",
    "PdfTableRow",
    "PdfTextBlock",
    "PdfTextBlockKind",
    "PermissionDeniedError",
    "PersonalizeResponse",
    "RAGChunker",
    "RAGCollection",
    "RAGCollectionInfo",
    "RAGCollectionSummary",
    "RAGContext",
    "RAGDict",
    "RAGDocument",
    "RAGFileInfo",
    "RAGFileStatus",
    "RAGSource",
    "RAGSourceDict",
    "RateLimitError",
    "RequestTooLargeError",
    "ResponseTooLargeError",
    "Sample",
    "SampleDict",
    "SentenceWithContextChunker",
    "Sentiment",
    "SentimentExample",
    "SentimentExampleDict",
    "StructuredInput",
    "StructuredInputDict",
    "SummarizeExample",
    "SummarizeExampleDict",
    "SummarizeLength",
    "SummarizeParamsExample",
    "SummarizeParamsLength",
    "SummarizeResponse",
    "to_wire_dict",
    "TranscriptionCancelledError",
    "TranscriptionError",
    "TranscriptionFailedError",
    "TranscriptionResult",
    "TranscriptionStatus",
    "TranscriptionTimeoutError",
    "UnprocessableEntityError",
]


def __getattr__(name: str) -> Any:
    """A public name, imported on first use and kept (PEP 562)."""
    target = _ALIASES.get(name, name)
    module = _MODULE_OF.get(target)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), target)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


# GRADIENT_LOG applies from the import on; logging itself is imported only when it is set.
if _os.environ.get("GRADIENT_LOG"):
    from ._logs import configure_from_environment as _configure_logging

    _configure_logging()
