"""The emulator's model engines: text completion with LoRA fine-tuning (and constrained
decoding), embeddings, and speech to text.

Importing this package is cheap: torch and transformers load when an engine does.
"""

from .base import (
    DEFAULT_LEARNING_RATE,
    DEFAULT_RANK,
    SPEECH_SAMPLE_RATE,
    STEPS_PER_FINE_TUNE,
    TEXT_ENGINE_KINDS,
    AdapterConfig,
    AdapterFormatError,
    ChoiceConstraint,
    Completion,
    EmbeddingEngine,
    EngineError,
    FineTuneResult,
    FinishReason,
    JsonField,
    JsonObjectConstraint,
    LoadedAdapter,
    ModelUnavailableError,
    OutputConstraint,
    PromptTooLongError,
    SpeechEngine,
    StopSignal,
    TextEngine,
    TextEngineKind,
    TrainingExample,
    TrainingSegment,
    WorkStoppedError,
)
from .embeddings import (
    HashingEmbeddingEngine,
    MiniLMEmbeddingEngine,
    check_embedding_engine,
    load_embedding_engine,
)
from .loading import check_text_engine, load_text_engine
from .speech import load_speech_engine

__all__ = [
    "DEFAULT_LEARNING_RATE",
    "DEFAULT_RANK",
    "SPEECH_SAMPLE_RATE",
    "STEPS_PER_FINE_TUNE",
    "TEXT_ENGINE_KINDS",
    "AdapterConfig",
    "AdapterFormatError",
    "ChoiceConstraint",
    "LoadedAdapter",
    "Completion",
    "EmbeddingEngine",
    "EngineError",
    "FineTuneResult",
    "FinishReason",
    "HashingEmbeddingEngine",
    "JsonField",
    "JsonObjectConstraint",
    "MiniLMEmbeddingEngine",
    "ModelUnavailableError",
    "OutputConstraint",
    "PromptTooLongError",
    "StopSignal",
    "WorkStoppedError",
    "SpeechEngine",
    "TextEngine",
    "TextEngineKind",
    "TrainingExample",
    "TrainingSegment",
    "check_embedding_engine",
    "check_text_engine",
    "load_embedding_engine",
    "load_speech_engine",
    "load_text_engine",
]
