"""Transcription through the SDK with a tiny random Whisper model built in code and WAV
files written in code: the whole pipeline runs for real (upload, job, worker, speech model).
Also: no speech model configured, files that are not WAV, other workspaces' ids, and jobs
an emulator stopped in the middle resumed by the next one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import anyio
import httpx
import pytest

from gradient_sdk import (
    AsyncGradient,
    BadRequestError,
    NotFoundError,
    TranscriptionFailedError,
    TranscriptionStatus,
)
from gradient_sdk.emulator.engines import SpeechEngine, TextEngine, load_speech_engine
from gradient_sdk.emulator.engines.speech import WhisperSpeechEngine
from gradient_sdk.emulator.services.transcriptions import NO_SPEECH_MODEL
from gradient_sdk.emulator.storage import Database
from gradient_sdk.emulator.storage.transcriptions import TranscriptionRow, Transcriptions

from .conftest import OTHER_TOKEN, OTHER_WORKSPACE_ID, Harness, make_settings, run_emulator
from .media import save_tiny_whisper, write_wav

pytestmark = pytest.mark.anyio

#: Enough for the tiny model, and far from any wait a healthy run needs.
TIMEOUT = 60


@pytest.fixture(scope="session")
def whisper_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Whisper model saved as a Hugging Face folder, built once per run."""
    return save_tiny_whisper(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="session")
def whisper(whisper_folder: Path) -> SpeechEngine:
    return load_speech_engine(whisper_folder)


@pytest.fixture
async def speaking(
    fake_engine: TextEngine, data_dir: Path, whisper: SpeechEngine
) -> AsyncIterator[Harness]:
    """An emulator with the tiny speech model."""
    async with run_emulator(make_settings(data_dir, fake_engine, speech_model=whisper)) as harness:
        yield harness


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "talk.wav", seconds=1.5, rate=22_050, channels=2)


async def test_a_wav_is_transcribed_by_the_speech_model(speaking: Harness, wav: Path) -> None:
    client = speaking.client()

    result = await client.transcribe_audio(filepath=wav, timeout=TIMEOUT)

    assert isinstance(result.text, str)
    assert result["text"] == result.text


async def test_the_job_goes_from_pending_to_succeeded(speaking: Harness, wav: Path) -> None:
    client = speaking.client()
    upload = await client.files.upload(filepath=wav, file_type="audioFile")

    transcription_id = await client.blocks.create_transcription(file_id=upload.id)
    first = await client.blocks.get_transcription(transcription_id=transcription_id)
    await client.blocks.wait_for_transcription(transcription_id=transcription_id, timeout=TIMEOUT)
    last = await client.blocks.get_transcription(transcription_id=transcription_id)

    assert first.status in {"pending", "running", "succeeded"}
    assert last.status is TranscriptionStatus.SUCCEEDED
    assert last.result is not None
    assert last.failure_reason is None


async def test_a_model_folder_in_the_settings_is_loaded(
    fake_engine: TextEngine, data_dir: Path, whisper_folder: Path, wav: Path
) -> None:
    settings = make_settings(data_dir, fake_engine, speech_model=str(whisper_folder))

    async with run_emulator(settings) as harness:
        result = await harness.client().transcribe_audio(filepath=wav, timeout=TIMEOUT)

    assert isinstance(result.text, str)


async def test_tiny_names_the_random_model_built_in_code(
    fake_engine: TextEngine, data_dir: Path, tmp_path: Path, whisper_folder: Path, wav: Path
) -> None:
    texts = []
    for speech_model, folder in (("tiny", data_dir), (str(whisper_folder), tmp_path / "saved")):
        settings = make_settings(folder, fake_engine, speech_model=speech_model)
        async with run_emulator(settings) as harness:
            result = await harness.client().transcribe_audio(filepath=wav, timeout=TIMEOUT)
        texts.append(result.text)

    # The same seed, built in code or saved and loaded: the same model, the same transcript.
    assert texts[0] == texts[1]
    assert texts[0]


async def test_without_a_speech_model_the_job_fails_saying_how_to_configure_one(
    client: AsyncGradient, wav: Path
) -> None:
    with pytest.raises(TranscriptionFailedError) as raised:
        await client.transcribe_audio(filepath=wav, timeout=TIMEOUT)

    assert raised.value.reason == NO_SPEECH_MODEL
    assert "--speech-model PATH" in str(raised.value)


async def test_audio_that_is_not_wav_is_refused_when_the_job_is_created(
    client: AsyncGradient, tmp_path: Path
) -> None:
    mp3 = tmp_path / "song.mp3"
    mp3.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00 frames of mp3")

    with pytest.raises(BadRequestError, match=r"'song.mp3' is not a WAV file .* PCM WAV"):
        await client.transcribe_audio(filepath=mp3, timeout=TIMEOUT)


async def test_only_the_workspaces_own_audio_files_can_be_transcribed(
    emulator: Harness, wav: Path, tmp_path: Path
) -> None:
    mine = emulator.client()
    theirs = emulator.client(access_token=OTHER_TOKEN, workspace_id=OTHER_WORKSPACE_ID)
    audio = await mine.files.upload(filepath=wav, file_type="audioFile")
    text = tmp_path / "notes.txt"
    text.write_text("notes")
    rag_file = await mine.files.upload(filepath=text, file_type="ragUserFile")
    started = await mine.blocks.create_transcription(file_id=audio.id)

    with pytest.raises(NotFoundError, match="no audioFile"):
        await theirs.blocks.create_transcription(file_id=audio.id)
    with pytest.raises(NotFoundError, match="no audioFile"):
        await mine.blocks.create_transcription(file_id=rag_file.id)
    with pytest.raises(NotFoundError, match="no transcription"):
        await theirs.blocks.get_transcription(transcription_id=started)


async def test_reading_needs_a_transcription_id(raw: httpx.AsyncClient) -> None:
    missing = await raw.get("/blocks/transcription")
    unknown = await raw.get("/blocks/transcription", params={"transcriptionId": "nope"})

    assert missing.status_code == 400
    assert "transcriptionId is required" in missing.json()["message"]
    assert unknown.status_code == 404


class FailingSpeech:
    """A speech engine that fails on every input."""

    name = "failing"

    def transcribe(self, samples: object) -> str:
        raise RuntimeError("out of memory, say")


async def test_a_speech_model_that_fails_fails_the_job_not_the_worker(
    fake_engine: TextEngine, data_dir: Path, wav: Path
) -> None:
    settings = make_settings(data_dir, fake_engine, speech_model=FailingSpeech())

    async with run_emulator(settings) as harness:
        client = harness.client()
        outcomes = []
        for _ in range(2):
            with pytest.raises(TranscriptionFailedError) as raised:
                await client.transcribe_audio(filepath=wav, timeout=TIMEOUT)
            outcomes.append(raised.value.reason)

    assert outcomes == ["the speech model failed: out of memory, say"] * 2


def leave_running(data_dir: Path, workspace_id: str, file_id: str) -> str:
    """A job as a crash mid-transcription leaves it: running."""
    database = Database.in_data_dir(data_dir)
    try:
        row = TranscriptionRow(
            id="transcription_interrupted",
            workspace_id=workspace_id,
            file_id=file_id,
            status=TranscriptionStatus.RUNNING,
            created_time=datetime.now(timezone.utc),
        )
        Transcriptions(database).add(row)
    finally:
        database.close()
    return row.id


async def test_a_job_left_running_by_a_stopped_emulator_is_resumed(
    fake_engine: TextEngine, data_dir: Path, whisper: SpeechEngine, wav: Path
) -> None:
    settings = make_settings(data_dir, fake_engine)
    async with run_emulator(settings) as first:
        upload = await first.client().files.upload(filepath=wav, file_type="audioFile")
    transcription_id = leave_running(data_dir, settings.workspace_id, upload.id)

    async with run_emulator(make_settings(data_dir, fake_engine, speech_model=whisper)) as again:
        with anyio.fail_after(TIMEOUT):
            result = await again.client().blocks.wait_for_transcription(
                transcription_id=transcription_id
            )

    assert isinstance(result.text, str)


def test_long_audio_is_heard_window_by_window(whisper: SpeechEngine) -> None:
    import numpy

    assert isinstance(whisper, WhisperSpeechEngine)
    windows: list[int] = []
    original = whisper._processor

    def processor(window: numpy.ndarray, **options: object) -> object:
        windows.append(len(window))
        return original(window, **options)

    processor.batch_decode = original.batch_decode  # type: ignore[attr-defined]
    whisper._processor = processor
    try:
        whisper.transcribe(numpy.zeros(16_000 * 65, dtype=numpy.float32))
    finally:
        whisper._processor = original

    assert windows == [16_000 * 30, 16_000 * 30, 16_000 * 5]


def test_a_folder_without_a_model_is_refused_clearly(tmp_path: Path) -> None:
    from gradient_sdk.emulator.engines import ModelUnavailableError

    with pytest.raises(ModelUnavailableError, match=r"no speech model in .*config\.json"):
        load_speech_engine(tmp_path)
