"""Reading WAV files for the speech engine: every PCM width, any channel count and rate, as
16 kHz mono floats; anything else is refused with a message that says what is taken."""

from __future__ import annotations

import io
from pathlib import Path

import numpy
import pytest

from gradient_sdk.emulator.engines.audio import (
    SUPPORTED_AUDIO,
    UnsupportedAudioError,
    audio_info,
    read_speech,
)

from .media import write_wav


@pytest.mark.parametrize("sample_width", [1, 2, 3, 4])
def test_every_pcm_width_reads_as_floats_at_the_same_scale(
    tmp_path: Path, sample_width: int
) -> None:
    samples = read_speech(write_wav(tmp_path / "a.wav", sample_width=sample_width))

    assert samples.dtype == numpy.float32
    assert len(samples) == 16_000
    assert abs(float(numpy.abs(samples).max()) - 0.5) < 0.01


def test_channels_are_mixed_and_the_rate_is_converted(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "s.wav", seconds=2.0, rate=8_000, channels=2, frequency=100)

    samples = read_speech(path)
    mono = read_speech(write_wav(tmp_path / "m.wav", seconds=2.0, rate=8_000, frequency=100))

    assert len(samples) == 32_000  # two seconds at 16 kHz
    assert numpy.allclose(samples, mono, atol=1e-3)


def test_a_file_object_reads_like_a_path(tmp_path: Path) -> None:
    data = write_wav(tmp_path / "a.wav").read_bytes()

    assert numpy.array_equal(read_speech(io.BytesIO(data)), read_speech(tmp_path / "a.wav"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"ID3\x03\x00mp3 frames", "not a WAV file"),
        (b"", "not a WAV file"),
        (b"RIFF\x24\x00\x00\x00WAVEjunk", "not a WAV file"),
    ],
    ids=["mp3", "empty", "truncated"],
)
def test_other_files_are_refused_saying_what_is_taken(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "talk.wav"
    path.write_bytes(content)

    with pytest.raises(UnsupportedAudioError) as raised:
        audio_info(path, name="'talk.wav'")

    assert message in str(raised.value)
    assert SUPPORTED_AUDIO in str(raised.value)
    assert "'talk.wav'" in str(raised.value)


def test_a_wav_without_frames_holds_no_audio(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedAudioError, match="holds no audio"):
        audio_info(write_wav(tmp_path / "e.wav", seconds=0))
