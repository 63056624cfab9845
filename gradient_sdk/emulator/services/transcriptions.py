"""Transcription jobs: ``POST /blocks/transcription`` queues one, a background worker runs it.

Creating a job checks, cheaply and at once, that the file is the workspace's ``audioFile``
and a WAV the emulator reads (404 and 400 otherwise), then queues it ``pending`` and wakes
the worker. The worker takes one job at a time (``running``), reads the audio, runs the
speech engine, and ends it ``succeeded`` with the text or ``failed`` with the reason. Jobs
live in the database, so a restart resumes those it interrupted. With no speech model
configured every job fails, saying how to configure one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from ...records import (
    CreateTranscriptionRequest,
    CreateTranscriptionResponse,
    FileType,
    GetTranscriptionResponse,
    TranscriptionResult,
    TranscriptionStatus,
)
from ..engines.audio import UnsupportedAudioError, audio_info, read_speech
from ..engines.base import SpeechEngine
from ..errors import ApiError
from ..jobs import BackgroundJobs
from ..storage.transcriptions import TranscriptionRow, Transcriptions, new_transcription_id
from .files import FilesService
from .workers import Workers

logger = logging.getLogger(__name__)

#: The worker's name in :class:`~gradient_sdk.emulator.jobs.BackgroundJobs`.
TRANSCRIPTION = "transcription"
#: Why a job fails when the emulator has no speech model.
NO_SPEECH_MODEL = (
    "the emulator has no speech model: start it with --speech-model PATH (a local Hugging "
    "Face folder of a Whisper-family model, as save_pretrained writes it), or pass "
    "EmulatorSettings(speech_model=PATH)"
)


class TranscriptionService:
    """Queues transcription jobs and runs them in the background."""

    def __init__(
        self,
        *,
        transcriptions: Transcriptions,
        files: FilesService,
        engine: SpeechEngine | None,
        workers: Workers,
    ) -> None:
        self._transcriptions = transcriptions
        self._files = files
        self._engine = engine
        self._workers = workers
        self._jobs: BackgroundJobs | None = None

    def start(self, jobs: BackgroundJobs) -> None:
        """Start the worker, after putting back in the queue what the last run left running."""
        resumed = self._transcriptions.requeue_running()
        if resumed:
            logger.info("transcribing again %d job(s) interrupted by the last shutdown", resumed)
        self._jobs = jobs
        jobs.start(TRANSCRIPTION, self.transcribe_next)

    async def create(
        self, workspace_id: str, request: CreateTranscriptionRequest
    ) -> CreateTranscriptionResponse:
        """Queue a job for the workspace's audio file."""
        file = await self._files.find(workspace_id, request.file_id, FileType.AUDIO_FILE)
        path = self._files.blobs.path(file.id)
        try:
            await self._workers.storage(lambda: audio_info(path, name=repr(file.name)))
        except UnsupportedAudioError as error:
            raise ApiError(400, str(error)) from error
        row = TranscriptionRow(
            id=new_transcription_id(),
            workspace_id=workspace_id,
            file_id=file.id,
            status=TranscriptionStatus.PENDING,
            created_time=datetime.now(timezone.utc),
        )
        await self._workers.storage(self._transcriptions.add, row)
        if self._jobs is not None:
            self._jobs.wake(TRANSCRIPTION)
        logger.info("queued transcription %s of file %s", row.id, file.id)
        return CreateTranscriptionResponse(transcription_id=row.id)

    async def get(self, workspace_id: str, transcription_id: str) -> GetTranscriptionResponse:
        """Where the workspace's job is, and its text once it succeeded."""
        row = await self._workers.storage(self._transcriptions.get, workspace_id, transcription_id)
        if row is None:
            raise ApiError(404, f"no transcription with id {transcription_id!r} in this workspace")
        succeeded = row.status is TranscriptionStatus.SUCCEEDED
        return GetTranscriptionResponse(
            status=row.status,
            result=TranscriptionResult(text=row.text or "") if succeeded else None,
            failure_reason=row.failure_reason,
        )

    async def transcribe_next(self) -> bool:
        """Run the oldest pending job; False when none waits."""
        row = await self._workers.storage(self._transcriptions.claim_pending)
        if row is None:
            return False
        try:
            text = await self._transcribe(row)
        except TranscriptionFailure as failure:
            await self._workers.storage(self._transcriptions.fail, row.id, str(failure))
            logger.info("transcription %s failed: %s", row.id, failure)
        else:
            await self._workers.storage(self._transcriptions.succeed, row.id, text)
            logger.info("transcription %s succeeded (%d characters)", row.id, len(text))
        return True

    async def _transcribe(self, row: TranscriptionRow) -> str:
        engine = self._engine
        if engine is None:
            raise TranscriptionFailure(NO_SPEECH_MODEL)
        path = self._files.blobs.path(row.file_id)
        try:
            samples = await self._workers.storage(read_speech, path)
        except (UnsupportedAudioError, OSError) as error:
            raise TranscriptionFailure(f"the audio cannot be read: {error}") from error
        try:
            return await self._workers.model(engine.transcribe, samples)
        except Exception as error:
            # A model that fails on some input fails that job, not the worker.
            logger.exception("the speech model failed on transcription %s", row.id)
            raise TranscriptionFailure(f"the speech model failed: {error}") from error


class TranscriptionFailure(Exception):
    """Why a job ends ``failed``."""
