"""Reading uploaded audio for the speech engines: PCM WAV files, as 16 kHz mono floats.

The standard library's :mod:`wave` reads the container (8, 16, 24 or 32-bit integer PCM, any
channel count and rate); numpy averages the channels and resamples by linear interpolation,
which is plenty for speech recognition and needs no audio library with native dependencies.
Anything else (MP3, FLAC, float WAV, a file that is not audio) is an
:class:`UnsupportedAudioError` whose message says what is taken.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import BinaryIO

import attrs
import numpy
from numpy.typing import NDArray

from .base import SPEECH_SAMPLE_RATE

#: What the emulator transcribes, for error messages and the docs.
SUPPORTED_AUDIO = "PCM WAV (8, 16, 24 or 32-bit integer samples, any rate, mono or more)"
#: The longest recording the emulator transcribes, in seconds (a longer one is refused).
MAX_AUDIO_SECONDS = 60 * 60


class UnsupportedAudioError(ValueError):
    """The file is not audio the emulator can read."""


@attrs.frozen
class AudioInfo:
    """What a WAV file's header says."""

    channels: int
    sample_width: int
    frame_rate: int
    frames: int

    @property
    def seconds(self) -> float:
        """The recording's length."""
        return self.frames / self.frame_rate


def _open(source: Path | BinaryIO, name: str) -> wave.Wave_read:
    try:
        return wave.open(source if not isinstance(source, Path) else str(source), "rb")
    except (wave.Error, EOFError) as error:
        raise UnsupportedAudioError(
            f"{name} is not a WAV file the emulator can read ({error}); it takes {SUPPORTED_AUDIO}"
        ) from error


def audio_info(source: Path | BinaryIO, *, name: str = "the file") -> AudioInfo:
    """The header of a WAV file, checked: cheap, nothing past the header is read."""
    with _open(source, name) as reader:
        info = AudioInfo(
            channels=reader.getnchannels(),
            sample_width=reader.getsampwidth(),
            frame_rate=reader.getframerate(),
            frames=reader.getnframes(),
        )
    if info.sample_width not in (1, 2, 3, 4) or info.frame_rate <= 0 or info.channels <= 0:
        raise UnsupportedAudioError(
            f"{name} has an unusable WAV header; it takes {SUPPORTED_AUDIO}"
        )
    if info.frames == 0:
        raise UnsupportedAudioError(f"{name} holds no audio")
    if info.seconds > MAX_AUDIO_SECONDS:
        raise UnsupportedAudioError(
            f"{name} is {info.seconds:.0f} s long; the emulator transcribes at most "
            f"{MAX_AUDIO_SECONDS} s"
        )
    return info


def read_speech(source: Path | BinaryIO, *, name: str = "the file") -> NDArray[numpy.float32]:
    """The recording as mono samples in [-1, 1] at the speech engines' 16 kHz."""
    info = audio_info(source, name=name)
    if not isinstance(source, Path):
        source.seek(0)
    with _open(source, name) as reader:
        raw = reader.readframes(info.frames)
    samples = _to_float(raw, info.sample_width)
    frames = len(samples) // info.channels
    # Frames interleave the channels: channel c is every channels-th sample from c.
    channels = [
        samples[channel : frames * info.channels : info.channels]
        for channel in range(info.channels)
    ]
    mono: NDArray[numpy.float64] = numpy.mean(numpy.stack(channels), axis=0)
    return _resample(mono, info.frame_rate).astype(numpy.float32)


def _to_float(raw: bytes, width: int) -> NDArray[numpy.float64]:
    """Little-endian PCM samples as floats in [-1, 1]; 8-bit WAV is unsigned."""
    if width == 1:
        return (numpy.frombuffer(raw, dtype=numpy.uint8).astype(numpy.float64) - 128.0) / 128.0
    if width == 3:
        data = numpy.frombuffer(raw[: len(raw) - len(raw) % 3], dtype=numpy.uint8)
        widened = (
            data[0::3].astype(numpy.int32)
            | (data[1::3].astype(numpy.int32) << 8)
            | (data[2::3].astype(numpy.int32) << 16)
        )
        signed = numpy.where(widened >= 1 << 23, widened - (1 << 24), widened)
        return signed.astype(numpy.float64) / float(1 << 23)
    kind = numpy.dtype(f"<i{width}")
    return numpy.frombuffer(raw, dtype=kind).astype(numpy.float64) / float(1 << (8 * width - 1))


def _resample(samples: NDArray[numpy.float64], rate: int) -> NDArray[numpy.float64]:
    if rate == SPEECH_SAMPLE_RATE:
        return samples
    duration = len(samples) / rate
    target = numpy.arange(round(duration * SPEECH_SAMPLE_RATE)) / SPEECH_SAMPLE_RATE
    source = numpy.arange(len(samples)) / rate
    return numpy.interp(target, source, samples)
