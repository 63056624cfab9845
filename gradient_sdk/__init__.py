"""gradient-sdk: a typed, async-first client for the Gradient LLM API.

from gradient_sdk import AsyncGradient, Gradient
"""

import typing as _typing

import attrs as _attrs

from ._async.client import AsyncGradient
from ._async.handles import (
    AsyncBaseModel,
    AsyncEmbeddingsModel,
    AsyncModelAdapter,
    AsyncRAGCollection,
)
from ._config import ClientConfig, ClientOptions
from ._logs import configure_from_environment as _configure_logging
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
#: gradientai's name for a source given as a dict (a document or a RAG collection).
AnswerParamsSource = DocumentSourceDict | RAGSourceDict
#: gradientai's name for :data:`Chunker`, the union of the four chunkers.
RAGChunker = Chunker

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

# Users see gradient_sdk.X in reprs, tracebacks and docs, not the private module it lives in.
# Annotations are resolved first: they are names in the module the class was written in.
for _name in __all__:
    _value = globals()[_name]
    if callable(_value) and getattr(_value, "__module__", "").startswith("gradient_sdk."):
        if isinstance(_value, type) and _attrs.has(_value):
            _attrs.resolve_types(_value)
        elif _typing.is_typeddict(_value):
            _value.__annotations__ = _typing.get_type_hints(_value, include_extras=True)
        _value.__module__ = __name__

_configure_logging()
