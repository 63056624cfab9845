"""gradient-sdk: a typed, async-first client for the Gradient LLM API.

from gradient_sdk import AsyncGradient, Gradient
"""

from ._async.client import AsyncGradient
from ._async.handles import AsyncBaseModel, AsyncEmbeddingsModel, AsyncModelAdapter
from ._config import ClientConfig
from ._params import (
    EmbeddingInputDict,
    GuidanceDict,
    SampleDict,
    StructuredInputDict,
)
from ._sync.client import Gradient
from ._sync.handles import BaseModel, EmbeddingsModel, ModelAdapter
from ._version import __version__
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
    "CompleteResponse",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "Embedding",
    "EmbeddingInput",
    "EmbeddingInputDict",
    "EmbeddingsModel",
    "EmbeddingsModelInfo",
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
    "RateLimitError",
    "Sample",
    "SampleDict",
    "StructuredInput",
    "StructuredInputDict",
    "UnprocessableEntityError",
    "__version__",
]
