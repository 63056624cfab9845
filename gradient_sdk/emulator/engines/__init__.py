"""The emulator's model engines: text completion with LoRA fine-tuning, and embeddings.

Importing this package is cheap: torch and transformers load when an engine does.
"""

from .base import (
    DEFAULT_LEARNING_RATE,
    DEFAULT_RANK,
    STEPS_PER_FINE_TUNE,
    AdapterConfig,
    AdapterFormatError,
    Completion,
    EmbeddingEngine,
    EngineError,
    FineTuneResult,
    FinishReason,
    LoadedAdapter,
    ModelUnavailableError,
    PromptTooLongError,
    TextEngine,
    TrainingExample,
    TrainingSegment,
)
from .embeddings import HashingEmbeddingEngine, MiniLMEmbeddingEngine, load_embedding_engine
from .loading import load_text_engine

__all__ = [
    "DEFAULT_LEARNING_RATE",
    "DEFAULT_RANK",
    "STEPS_PER_FINE_TUNE",
    "AdapterConfig",
    "AdapterFormatError",
    "LoadedAdapter",
    "Completion",
    "EmbeddingEngine",
    "EngineError",
    "FineTuneResult",
    "FinishReason",
    "HashingEmbeddingEngine",
    "MiniLMEmbeddingEngine",
    "ModelUnavailableError",
    "PromptTooLongError",
    "TextEngine",
    "TrainingExample",
    "TrainingSegment",
    "load_embedding_engine",
    "load_text_engine",
]
