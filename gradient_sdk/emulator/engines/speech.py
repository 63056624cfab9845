# torch and transformers ship few annotations: their values are Unknown to pyright.
# pyright: reportUnknownMemberType=false, reportUnknownVariableType=false
# pyright: reportUnknownArgumentType=false
"""The speech engine: a Whisper-family model from a local Hugging Face folder.

``load_speech_engine(path)`` reads a folder that ``save_pretrained`` wrote (a model config,
weights, and its processor: feature extractor and tokenizer), offline. Audio longer than the
model's window (30 s for Whisper) is transcribed window by window and the texts joined.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import SPEECH_SAMPLE_RATE, ModelUnavailableError
from .loading import stay_offline

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

# Whisper hears 30 s at a time; a processor that does not say is taken to do the same.
_FALLBACK_WINDOW_SECONDS = 30
# New tokens per window, at most: Whisper's decoder holds 448 positions, prompt included.
_MAX_TOKENS_PER_WINDOW = 224


class WhisperSpeechEngine:
    """A :class:`~gradient_sdk.emulator.engines.base.SpeechEngine` over a transformers
    speech-to-text model and its processor."""

    def __init__(self, model: Any, processor: Any, *, name: str) -> None:
        self.name = name
        self._model = model.eval()
        self._processor = processor
        extractor = processor.feature_extractor
        window = getattr(extractor, "chunk_length", None) or _FALLBACK_WINDOW_SECONDS
        self._window = int(window) * SPEECH_SAMPLE_RATE
        positions = getattr(model.config, "max_target_positions", None) or 448
        self._max_new_tokens = max(1, min(_MAX_TOKENS_PER_WINDOW, int(positions) // 2))
        # One transcription at a time: the model and the tokenizer are shared.
        self._lock = threading.Lock()

    def transcribe(self, samples: NDArray[numpy.float32]) -> str:
        """The text of 16 kHz mono ``samples``, window by window."""
        import torch

        texts: list[str] = []
        with self._lock, torch.inference_mode():
            for start in range(0, max(len(samples), 1), self._window):
                window = samples[start : start + self._window]
                features = self._processor(
                    window, sampling_rate=SPEECH_SAMPLE_RATE, return_tensors="pt"
                ).input_features
                tokens = self._model.generate(features, max_new_tokens=self._max_new_tokens)
                [text] = self._processor.batch_decode(tokens, skip_special_tokens=True)
                texts.append(str(text).strip())
        return " ".join(text for text in texts if text)


#: The name that asks for the tiny random Whisper model built in code (for tests).
TINY_SPEECH_SPEC = "tiny"


def load_speech_engine(folder: str | Path) -> WhisperSpeechEngine:
    """The speech model in a local Hugging Face folder, or ``"tiny"``, the random one built
    in code; nothing is downloaded."""
    if folder == TINY_SPEECH_SPEC:
        from .tiny_speech import build_tiny_speech_engine

        return build_tiny_speech_engine()
    path = Path(folder)
    if not (path / "config.json").is_file():
        raise ModelUnavailableError(
            f"no speech model in {path}: expected a Hugging Face model folder (config.json, "
            "weights and processor files), such as one saved with save_pretrained"
        )
    stay_offline()
    from transformers import AutoModelForSpeechSeq2Seq, AutoProcessor

    started = time.perf_counter()
    try:
        processor = AutoProcessor.from_pretrained(path, local_files_only=True)
        model = AutoModelForSpeechSeq2Seq.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as error:
        raise ModelUnavailableError(f"cannot load the speech model in {path}: {error}") from error
    logger.info("loaded speech model %s in %.1f s", path, time.perf_counter() - started)
    return WhisperSpeechEngine(model, processor, name=path.name)
