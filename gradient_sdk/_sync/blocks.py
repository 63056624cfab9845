# Generated from gradient_sdk/_async/blocks.py by scripts/unasync.py: do not edit.
"""The blocks: answer, summarize, analyze sentiment, personalize, extract, read PDFs,
transcribe."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Literal

from .. import _endpoints as api
from .._params import (
    AnswerSourceLike,
    ExtractSchemaValueLike,
    SentimentExampleLike,
    SummarizeExampleLike,
    to_answer_source,
    to_extract_schema,
    to_sentiment_examples,
    to_summarize_examples,
)
from .._polling import Polling, check_timeout
from .._uploads import FileUpload
from ..errors import (
    APIResponseValidationError,
    TranscriptionCancelledError,
    TranscriptionFailedError,
    TranscriptionTimeoutError,
)
from ..records import (
    AnalyzeSentimentRequest,
    AnalyzeSentimentResponse,
    AnswerRequest,
    AnswerResponse,
    CreateTranscriptionRequest,
    ExtractPdfResponse,
    ExtractRequest,
    ExtractResponse,
    FileType,
    GetTranscriptionResponse,
    PersonalizeRequest,
    PersonalizeResponse,
    SummarizeLength,
    SummarizeRequest,
    SummarizeResponse,
    TranscriptionResult,
    TranscriptionStatus,
)
from . import _backend
from ._transport import Transport
from .files import Files

#: How long ``transcribe_audio`` waits for the text by default, in seconds.
DEFAULT_TRANSCRIPTION_TIMEOUT = 600.0
#: The first pause between two looks at a transcription, doubling up to the second.
FIRST_POLL_DELAY = 0.5
MAX_POLL_DELAY = 5.0

SummarizeLengthLike = SummarizeLength | Literal["short", "medium", "long"]

_UNFINISHED = frozenset(
    {
        TranscriptionStatus.PENDING,
        TranscriptionStatus.RUNNING,
        TranscriptionStatus.PENDING_CANCELLATION,
    }
)


class Blocks:
    """Everything under ``/blocks``. Reached as ``client.blocks``; gradientai's
    shortcuts on the client (``client.summarize``, ...) are these same methods.

    Examples and schema values are records or gradientai's dicts; results are records that
    also answer gradientai's keys (``result["summary"]``).
    """

    def __init__(self, transport: Transport, files: Files) -> None:
        self._transport = transport
        self._files = files

    def answer(self, *, question: str, source: AnswerSourceLike) -> AnswerResponse:
        """The answer to ``question`` from ``source``: a document
        (``{"type": "document", "value": text}``) or a RAG collection
        (``{"type": "rag", "collection_id": id}``; ``collectionId`` also works). With a RAG
        source, ``result.rag_context.documents`` are the chunks the answer was drawn from.
        """
        request = AnswerRequest(question=question, source=to_answer_source(source))
        return self._transport.request(api.ANSWER, body=request)

    def summarize(
        self,
        *,
        document: str,
        examples: Iterable[SummarizeExampleLike] | None = None,
        length: SummarizeLengthLike | None = None,
    ) -> SummarizeResponse:
        """A summary of ``document``: ``length`` ``"short"``, ``"medium"`` or ``"long"``,
        in the style of the ``examples`` (``{"document", "summary"}``) where given."""
        request = SummarizeRequest(
            document=document, examples=to_summarize_examples(examples), length=length
        )
        return self._transport.request(api.SUMMARIZE, body=request)

    def analyze_sentiment(
        self, *, document: str, examples: Iterable[SentimentExampleLike] | None = None
    ) -> AnalyzeSentimentResponse:
        """Whether ``document`` is negative, neutral or positive (``result.sentiment``, a
        :class:`~gradient_sdk.Sentiment`); ``examples`` are ``{"document", "sentiment"}``."""
        request = AnalyzeSentimentRequest(
            document=document, examples=to_sentiment_examples(examples)
        )
        return self._transport.request(api.ANALYZE_SENTIMENT, body=request)

    def personalize(self, *, document: str, audience_description: str) -> PersonalizeResponse:
        """``document`` rewritten for the audience described."""
        request = PersonalizeRequest(audience_description=audience_description, document=document)
        return self._transport.request(api.PERSONALIZE, body=request)

    def extract(
        self, *, document: str, schema_: Mapping[str, ExtractSchemaValueLike]
    ) -> ExtractResponse:
        """The values ``schema_`` names, read from ``document``: each key maps to
        ``{"type": "string" | "number" | "boolean", "required": bool}``. ``result.entity``
        holds every required key, and those optional keys the document gave."""
        request = ExtractRequest(document=document, schema=to_extract_schema(schema_))
        return self._transport.request(api.EXTRACT, body=request)

    def extract_pdf(self, *, filepath: str | os.PathLike[str]) -> ExtractPdfResponse:
        """The text, pages, text blocks, tables and images of a local PDF (streamed from
        disk; a missing file raises before any request)."""
        return self._transport.request(api.EXTRACT_PDF, body=FileUpload(filepath))

    def create_transcription(self, *, file_id: str) -> str:
        """Start transcribing an uploaded ``audioFile``; the transcription's id."""
        request = CreateTranscriptionRequest(file_id=file_id)
        created = self._transport.request(api.CREATE_TRANSCRIPTION, body=request)
        return created.transcription_id

    def get_transcription(self, *, transcription_id: str) -> GetTranscriptionResponse:
        """A transcription's status, and its text once it succeeded."""
        return self._transport.request(
            api.GET_TRANSCRIPTION, params={"transcriptionId": transcription_id}
        )

    def wait_for_transcription(
        self,
        *,
        transcription_id: str,
        timeout: float | None = DEFAULT_TRANSCRIPTION_TIMEOUT,
    ) -> TranscriptionResult:
        """Look at a transcription, with pauses growing from 0.5 s to 5 s, until it ends.

        Raises :class:`~gradient_sdk.TranscriptionFailedError` or
        :class:`~gradient_sdk.TranscriptionCancelledError` when it ends without a text, and
        :class:`~gradient_sdk.TranscriptionTimeoutError` when it is still unfinished after
        ``timeout`` seconds (None waits as long as it takes). Cancelling the waiting task
        stops the waiting; the job itself goes on on the server.
        """
        check_timeout(timeout)
        polling = Polling(
            timeout=timeout,
            started=_backend.monotonic(),
            first_delay=FIRST_POLL_DELAY,
            max_delay=MAX_POLL_DELAY,
        )
        while True:
            job = self.get_transcription(transcription_id=transcription_id)
            if job.status not in _UNFINISHED:
                return _outcome(transcription_id, job)
            pause = polling.next_pause(_backend.monotonic())
            if pause is None:
                raise TranscriptionTimeoutError(
                    f"transcription {transcription_id!r} was still {job.status.value} after "
                    f"{timeout:g} s",
                    transcription_id=transcription_id,
                    status=job.status.value,
                )
            _backend.sleep(pause)

    def transcribe_audio(
        self,
        *,
        filepath: str | os.PathLike[str],
        timeout: float | None = DEFAULT_TRANSCRIPTION_TIMEOUT,
    ) -> TranscriptionResult:
        """Upload a local audio file, transcribe it, and wait for the text
        (``result.text``); see :meth:`wait_for_transcription` for ``timeout`` and errors."""
        check_timeout(timeout)
        upload = self._files.upload(filepath=filepath, file_type=FileType.AUDIO_FILE)
        transcription_id = self.create_transcription(file_id=upload.id)
        return self.wait_for_transcription(transcription_id=transcription_id, timeout=timeout)


def _outcome(transcription_id: str, job: GetTranscriptionResponse) -> TranscriptionResult:
    """The text of a transcription that ended, or the error for how it ended."""
    if job.status is TranscriptionStatus.SUCCEEDED:
        if job.result is None:
            raise APIResponseValidationError(
                f"transcription {transcription_id!r} succeeded without a result",
                status_code=200,
                body=None,
            )
        return job.result
    reason = f": {job.failure_reason}" if job.failure_reason else ""
    error = (
        TranscriptionCancelledError
        if job.status is TranscriptionStatus.CANCELLED
        else TranscriptionFailedError
    )
    raise error(
        f"transcription {transcription_id!r} {job.status.value}{reason}",
        transcription_id=transcription_id,
        status=job.status.value,
        reason=job.failure_reason,
    )
