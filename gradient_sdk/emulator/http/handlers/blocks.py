"""The handlers of the blocks (but ``answer``): text blocks, PDFs and transcriptions."""

from __future__ import annotations

from collections.abc import Mapping

from .... import _endpoints as api
from ....records import (
    AnalyzeSentimentRequest,
    AnalyzeSentimentResponse,
    CreateTranscriptionRequest,
    CreateTranscriptionResponse,
    ExtractPdfResponse,
    ExtractRequest,
    ExtractResponse,
    GetTranscriptionResponse,
    PersonalizeRequest,
    PersonalizeResponse,
    SummarizeRequest,
    SummarizeResponse,
)
from .call import Call, Handler


async def summarize_document(call: Call) -> SummarizeResponse:
    """``POST /blocks/summarize``."""
    return await call.services.blocks.summarize(await call.body(SummarizeRequest))


async def analyze_sentiment(call: Call) -> AnalyzeSentimentResponse:
    """``POST /blocks/analyze-sentiment``."""
    return await call.services.blocks.analyze_sentiment(await call.body(AnalyzeSentimentRequest))


async def personalize_document(call: Call) -> PersonalizeResponse:
    """``POST /blocks/personalize``."""
    return await call.services.blocks.personalize(await call.body(PersonalizeRequest))


async def extract_entity(call: Call) -> ExtractResponse:
    """``POST /blocks/extract``."""
    return await call.services.blocks.extract(await call.body(ExtractRequest))


async def extract_pdf(call: Call) -> ExtractPdfResponse:
    """``POST /blocks/extract-pdf`` (multipart, one ``file`` part)."""
    upload = await call.upload()
    try:
        return await call.services.blocks.extract_pdf(upload)
    finally:
        upload.close()


async def create_audio_transcription(call: Call) -> CreateTranscriptionResponse:
    """``POST /blocks/transcription``."""
    request = await call.body(CreateTranscriptionRequest)
    return await call.services.transcriptions.create(call.workspace_id, request)


async def get_audio_transcription(call: Call) -> GetTranscriptionResponse:
    """``GET /blocks/transcription?transcriptionId=``."""
    transcription_id = call.query(api.TRANSCRIPTION_ID)
    assert transcription_id is not None  # required: parsing refused its absence
    return await call.services.transcriptions.get(call.workspace_id, transcription_id)


#: The handlers of this area, by operation id.
HANDLERS: Mapping[str, Handler] = {
    api.SUMMARIZE.operation_id: summarize_document,
    api.ANALYZE_SENTIMENT.operation_id: analyze_sentiment,
    api.PERSONALIZE.operation_id: personalize_document,
    api.EXTRACT.operation_id: extract_entity,
    api.EXTRACT_PDF.operation_id: extract_pdf,
    api.CREATE_TRANSCRIPTION.operation_id: create_audio_transcription,
    api.GET_TRANSCRIPTION.operation_id: get_audio_transcription,
}
