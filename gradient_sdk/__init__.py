"""gradient-sdk: a typed, async-first client for the Gradient LLM API.

from gradient_sdk import AsyncGradient, Gradient
"""

import typing as _typing

import attrs as _attrs

from ._async.client import AsyncGradient
from ._async.handles import AsyncBaseModel, AsyncEmbeddingsModel, AsyncModelAdapter
from ._config import ClientConfig, ClientOptions
from ._logs import configure_from_environment as _configure_logging
from ._params import (
    AdapterOptions,
    CompleteOptions,
    EmbeddingInputDict,
    GuidanceDict,
    RAGDict,
    SampleDict,
    StructuredInputDict,
)
from ._sync.client import Gradient
from ._sync.handles import BaseModel, EmbeddingsModel, ModelAdapter
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
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTooLargeError,
    UnprocessableEntityError,
)
from .records import (
    BaseModelCapability,
    BaseModelInfo,
    CapabilityFilter,
    CompleteResponse,
    Embedding,
    EmbeddingInput,
    EmbeddingsModelInfo,
    ErrorType,
    FineTuneResponse,
    GenerateEmbeddingsResponse,
    Guidance,
    ModelAdapterInfo,
    Sample,
    StructuredInput,
)

#: gradientai's name for :class:`CapabilityFilter`.
CapabilityFilterOption = CapabilityFilter

__all__ = [
    "APIConnectionError",
    "AdapterOptions",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncBaseModel",
    "AsyncEmbeddingsModel",
    "AsyncGradient",
    "AsyncModelAdapter",
    "AuthenticationError",
    "BadRequestError",
    "BaseModel",
    "BaseModelCapability",
    "BaseModelInfo",
    "CapabilityFilter",
    "CapabilityFilterOption",
    "ClientConfig",
    "ClientOptions",
    "ClientClosedError",
    "CompleteOptions",
    "CompleteResponse",
    "ConfigurationError",
    "ConflictError",
    "Embedding",
    "EmbeddingInput",
    "EmbeddingInputDict",
    "EmbeddingsModel",
    "EmbeddingsModelInfo",
    "ErrorType",
    "FineTuneResponse",
    "GenerateEmbeddingsResponse",
    "Gradient",
    "GradientError",
    "Guidance",
    "GuidanceDict",
    "InternalServerError",
    "ModelAdapter",
    "ModelAdapterInfo",
    "NotFoundError",
    "PermissionDeniedError",
    "RAGDict",
    "RateLimitError",
    "RequestTooLargeError",
    "Sample",
    "SampleDict",
    "StructuredInput",
    "StructuredInputDict",
    "UnprocessableEntityError",
    "__version__",
    "from_wire_dict",
    "to_wire_dict",
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
