"""Where each public name of ``gradient_sdk`` is written, so that the package can import it
when it is first used rather than with ``import gradient_sdk``.

The package's ``__getattr__`` reads :data:`EXPORTS` and :data:`ALIASES`; each module listed
here calls :func:`publish` at its end, so that its public classes show as
``gradient_sdk.X`` (in reprs, tracebacks and the docs) however they were reached. A test
checks that this table, the package's ``__all__`` and its typing imports name the same things.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported by ``import gradient_sdk``
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

#: The public names, by the module (relative to the package) that provides them.
EXPORTS: Mapping[str, tuple[str, ...]] = {
    "._async.client": ("AsyncGradient",),
    "._async.handles": (
        "AsyncBaseModel",
        "AsyncEmbeddingsModel",
        "AsyncModelAdapter",
        "AsyncRAGCollection",
    ),
    "._sync.client": ("Gradient",),
    "._sync.handles": ("BaseModel", "EmbeddingsModel", "ModelAdapter", "RAGCollection"),
    "._config": ("ClientConfig", "ClientOptions"),
    "._params": (
        "AdapterOptions",
        "AnswerParamsSource",
        "CompleteOptions",
        "DocumentSourceDict",
        "EmbeddingInputDict",
        "ExtractSchemaValueDict",
        "GuidanceDict",
        "RAGDict",
        "RAGSourceDict",
        "SampleDict",
        "SentimentExampleDict",
        "StructuredInputDict",
        "SummarizeExampleDict",
    ),
    "._version": ("__version__",),
    "._wire": ("from_wire_dict", "to_wire_dict"),
    ".errors": (
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
    ),
    ".records": (
        "AnalyzeSentimentResponse",
        "AnswerResponse",
        "AnswerSource",
        "BaseModelCapability",
        "BaseModelInfo",
        "CapabilityFilter",
        "Chunker",
        "CompleteResponse",
        "DocumentSource",
        "Embedding",
        "EmbeddingInput",
        "EmbeddingsModelInfo",
        "ErrorType",
        "ExtractPdfResponse",
        "ExtractResponse",
        "ExtractSchemaValue",
        "ExtractSchemaValueType",
        "FileChunker",
        "FileType",
        "FineTuneResponse",
        "GenerateEmbeddingsResponse",
        "Guidance",
        "MeaningBasedChunker",
        "ModelAdapterInfo",
        "NormalChunker",
        "PdfImage",
        "PdfPage",
        "PdfTable",
        "PdfTableCell",
        "PdfTableRow",
        "PdfTextBlock",
        "PdfTextBlockKind",
        "PersonalizeResponse",
        "RAGCollectionInfo",
        "RAGCollectionSummary",
        "RAGContext",
        "RAGDocument",
        "RAGFileInfo",
        "RAGFileStatus",
        "RAGSource",
        "Sample",
        "SentenceWithContextChunker",
        "Sentiment",
        "SentimentExample",
        "StructuredInput",
        "SummarizeExample",
        "SummarizeLength",
        "SummarizeResponse",
        "TranscriptionResult",
        "TranscriptionStatus",
    ),
}

#: gradientai's names for objects of the table: alias -> the name it stands for.
ALIASES: Mapping[str, str] = {
    "CapabilityFilterOption": "CapabilityFilter",
    "SummarizeParamsLength": "SummarizeLength",
    "ExtractParamsSchemaValueType": "ExtractSchemaValueType",
    "SummarizeParamsExample": "SummarizeExampleDict",
    "AnalyzeSentimentParamsExample": "SentimentExampleDict",
    "ExtractParamsSchemaValue": "ExtractSchemaValueDict",
    "RAGChunker": "Chunker",
}

#: The module each public name comes from.
MODULE_OF: Mapping[str, str] = {name: module for module, names in EXPORTS.items() for name in names}

PACKAGE = "gradient_sdk"


def publish(module_name: str, namespace: Mapping[str, Any]) -> None:
    """Show the public names that ``module_name`` (a module of the table, by its full name)
    provides as ``gradient_sdk.X``.

    A record's annotations are names in the module it was written in: they are resolved
    before the record changes its module, and cattrs reads them resolved.
    """
    import typing  # httpx imports it too: the client pays nothing more

    relative = module_name.removeprefix(PACKAGE)
    for name in EXPORTS[relative]:
        value = namespace[name]
        if not callable(value) or not getattr(value, "__module__", "").startswith(PACKAGE + "."):
            continue  # a constant, a union, or a name of another package
        if isinstance(value, type) and hasattr(value, "__attrs_attrs__"):  # a record
            import attrs  # only modules of records get here, and they import it anyway

            attrs.resolve_types(value)
        elif typing.is_typeddict(value):
            value.__annotations__ = typing.get_type_hints(value, include_extras=True)
        value.__module__ = PACKAGE
