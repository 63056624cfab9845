"""The blocks on the wire: answer, summarize, sentiment, personalize, extract, extract-pdf and
transcription, with the bodies gradientai 1.13.1 writes, gradientai-style dicts and results,
and the transcription's polling, timeout and errors. Each test runs with the async and the
sync client, on asyncio and trio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from gradient_sdk import (
    AnalyzeSentimentParamsExample,
    DocumentSource,
    ExtractParamsSchemaValue,
    ExtractParamsSchemaValueType,
    ExtractSchemaValue,
    RAGSource,
    Sentiment,
    SentimentExample,
    SummarizeExample,
    SummarizeParamsExample,
    SummarizeParamsLength,
    TranscriptionCancelledError,
    TranscriptionError,
    TranscriptionFailedError,
    TranscriptionTimeoutError,
)
from gradient_sdk._async import blocks as async_blocks
from gradient_sdk._sync import blocks as sync_blocks
from gradient_sdk._uploads import FileUpload

from ._support import call, sent_json
from .test_rag import multipart_file

pytestmark = pytest.mark.anyio

TRANSCRIPTION_ID = "transcription_42"
PDF_JSON: dict[str, Any] = {
    "pages": [
        {
            "images": [{"data": "iVBORw0KGgo=", "format": "base64-png"}],
            "pageNumber": 1,
            "tables": [
                {
                    "name": "Table 1",
                    "tableRows": [
                        {
                            "cells": [{"cellValue": "Region", "colSpan": None, "rowSpan": None}],
                            "type": "table_header",
                        }
                    ],
                }
            ],
            "text": "Quarterly Report",
            "textBlocks": [{"kind": "title", "texts": ["Quarterly Report"]}],
        }
    ],
    "text": "Quarterly Report",
    "title": "Report",
}


# answer

RAG_ANSWER_JSON: dict[str, Any] = {
    "answer": "25 days a year.",
    "ragContext": {
        "documents": [
            {"content": "Everyone gets 25 days of holiday.", "fileName": "holidays.md"},
            {"content": "Holidays carry over.", "fileName": "holidays.md"},
        ]
    },
}


@pytest.mark.parametrize(
    "source",
    [{"type": "document", "value": "The sky is blue."}, DocumentSource(value="The sky is blue.")],
    ids=["dict", "record"],
)
async def test_answer_from_a_document(client, api, source):
    route = api.post("/blocks/answer").respond(json={"answer": "Blue."})

    result = await call(client.answer(question="What colour is the sky?", source=source))

    assert sent_json(route) == {
        "question": "What colour is the sky?",
        "source": {"type": "document", "value": "The sky is blue."},
    }
    assert result.answer == result["answer"] == "Blue."
    assert result.rag_context is None
    assert result["rag_context"] is None


@pytest.mark.parametrize(
    "source",
    [
        {"type": "rag", "collection_id": "col_1"},  # gradientai's TypedDict key
        {"type": "rag", "collectionId": "col_1"},  # the key gradientai actually needed
        RAGSource(collection_id="col_1"),
    ],
    ids=["collection_id", "collectionId", "record"],
)
async def test_answer_from_a_collection_reads_the_passages(client, api, source):
    route = api.post("/blocks/answer").respond(json=RAG_ANSWER_JSON)

    result = await call(client.blocks.answer(question="How many days?", source=source))

    assert sent_json(route)["source"] == {"type": "rag", "collectionId": "col_1"}
    assert result.answer == "25 days a year."
    documents = result.rag_context.documents
    assert [document.file_name for document in documents] == ["holidays.md", "holidays.md"]
    assert result["rag_context"]["documents"][0]["content"] == "Everyone gets 25 days of holiday."


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        ({"type": "document"}, TypeError, "missing ['value']"),
        ({"type": "document", "value": ""}, ValueError, "must not be empty"),
        ({"type": "document", "value": 3}, TypeError, "must be a string"),
        ({"type": "rag"}, TypeError, "one collection_id"),
        (
            {"type": "rag", "collection_id": "a", "collectionId": "a"},
            TypeError,
            "one collection_id",
        ),
        ({"type": "rag", "collection_id": "a", "value": "x"}, TypeError, "one collection_id"),
        ({"type": "web", "value": "x"}, ValueError, "'document' or 'rag'"),
        ({"value": "x"}, ValueError, "'document' or 'rag'"),
        ("The sky is blue.", TypeError, "source must be a dict"),
    ],
    ids=[
        "no-value",
        "empty-value",
        "value-not-str",
        "no-id",
        "both-ids",
        "extra-key",
        "unknown-type",
        "no-type",
        "a-string",
    ],
)
async def test_bad_answer_sources_fail_before_any_request(client, api, source, error, message):
    route = api.post("/blocks/answer")

    with pytest.raises(error) as raised:
        await call(client.answer(question="Why?", source=source))

    assert message in str(raised.value)
    assert not route.called


async def test_an_empty_question_fails_before_any_request(client, api):
    route = api.post("/blocks/answer")

    with pytest.raises(ValueError, match="question must not be empty"):
        await call(client.answer(question="", source={"type": "document", "value": "x"}))

    assert not route.called


# summarize


async def test_summarize_sends_nulls_for_what_is_not_given(client, api):
    route = api.post("/blocks/summarize").respond(json={"summary": "Short."})

    result = await call(client.summarize(document="doc"))

    assert sent_json(route) == {"document": "doc", "examples": None, "length": None}
    assert result.summary == "Short."
    assert result["summary"] == "Short."  # gradientai returned a dict
    assert dict(result) == {"summary": "Short."}


@pytest.mark.parametrize(
    "examples",
    [
        [{"document": "a long text", "summary": "short"}],
        [SummarizeParamsExample(document="a long text", summary="short")],
        [SummarizeExample(document="a long text", summary="short")],
    ],
    ids=["dict", "gradientai-typeddict", "record"],
)
@pytest.mark.parametrize("length", [SummarizeParamsLength.LONG, "long"], ids=["enum", "str"])
async def test_summarize_sends_examples_and_length(client, api, examples, length):
    route = api.post("/blocks/summarize").respond(json={"summary": "s"})

    await call(client.blocks.summarize(document="doc", examples=examples, length=length))

    assert sent_json(route) == {
        "document": "doc",
        "examples": [{"document": "a long text", "summary": "short"}],
        "length": "long",
    }


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"document": ""}, ValueError, "document must not be empty"),
        ({"document": "d", "length": "tiny"}, ValueError, "'tiny' is not a valid SummarizeLength"),
        ({"document": "d", "examples": [{"document": "x"}]}, TypeError, "missing ['summary']"),
        ({"document": "d", "examples": {"document": "x"}}, TypeError, "must be a list"),
        (
            {"document": "d", "examples": [{"document": "x", "summary": "y", "z": 1}]},
            TypeError,
            "'z'",
        ),
    ],
    ids=["empty", "length", "missing-key", "not-a-list", "unknown-key"],
)
async def test_bad_summarize_arguments_fail_before_any_request(
    client, api, options, error, message
):
    route = api.post("/blocks/summarize")

    with pytest.raises(error) as raised:
        await call(client.summarize(**options))

    assert message in str(raised.value)
    assert not route.called


# analyze-sentiment


async def test_analyze_sentiment_reads_the_sentiment_as_the_enum(client, api):
    route = api.post("/blocks/analyze-sentiment").respond(json={"sentiment": "positive"})

    result = await call(client.analyze_sentiment(document="I love it"))

    assert sent_json(route) == {"document": "I love it", "examples": None}
    assert result.sentiment is Sentiment.POSITIVE
    assert result["sentiment"] == "positive"


@pytest.mark.parametrize(
    "example",
    [
        {"document": "bad", "sentiment": Sentiment.NEGATIVE},
        {"document": "bad", "sentiment": "negative"},
        AnalyzeSentimentParamsExample(document="bad", sentiment=Sentiment.NEGATIVE),
        SentimentExample(document="bad", sentiment="negative"),
    ],
    ids=["enum", "str", "gradientai-typeddict", "record"],
)
async def test_analyze_sentiment_sends_examples(client, api, example):
    route = api.post("/blocks/analyze-sentiment").respond(json={"sentiment": "neutral"})

    await call(client.blocks.analyze_sentiment(document="doc", examples=[example]))

    assert sent_json(route)["examples"] == [{"document": "bad", "sentiment": "negative"}]


async def test_a_sentiment_the_sdk_does_not_know_is_a_validation_error(client, api):
    from gradient_sdk import APIResponseValidationError

    api.post("/blocks/analyze-sentiment").respond(json={"sentiment": "ecstatic"})

    with pytest.raises(APIResponseValidationError, match="ecstatic"):
        await call(client.analyze_sentiment(document="doc"))


# personalize


async def test_personalize_sends_the_audience_and_reads_the_document(client, api):
    route = api.post("/blocks/personalize").respond(
        json={"personalizedDocument": "Taxes are a bit like pocket money rules."}
    )

    result = await call(client.personalize(document="Taxes.", audience_description="children"))

    assert sent_json(route) == {"audienceDescription": "children", "document": "Taxes."}
    assert result.personalized_document.startswith("Taxes are")
    assert result["personalized_document"] == result.personalized_document


# extract


async def test_extract_sends_the_schema_as_gradientai_does(client, api):
    route = api.post("/blocks/extract").respond(json={"entity": {"a": "x", "b": 2, "c": True}})

    result = await call(
        client.extract(
            document="doc",
            schema_={
                "a": {"type": ExtractParamsSchemaValueType.STRING, "required": True},
                "b": ExtractParamsSchemaValue(type="number"),
                "c": ExtractSchemaValue(type="boolean", required=False),
            },
        )
    )

    assert sent_json(route) == {
        "document": "doc",
        "schema": {
            "a": {"type": "string", "required": True},
            "b": {"type": "number", "required": None},
            "c": {"type": "boolean", "required": False},
        },
    }
    assert result.entity == {"a": "x", "b": 2, "c": True}
    assert result["entity"]["b"] == 2


@pytest.mark.parametrize(
    ("schema", "error", "message"),
    [
        ({"a": {"type": "date"}}, ValueError, "'date' is not a valid ExtractSchemaValueType"),
        ({"a": {"required": True}}, TypeError, "missing ['type']"),
        ({"a": {"type": "string", "format": "x"}}, TypeError, "'format'"),
        ({}, ValueError, "at least one value"),
        ({"a": "string"}, TypeError, "must be a dict or ExtractSchemaValue"),
    ],
    ids=["unknown-type", "no-type", "unknown-key", "empty", "not-a-dict"],
)
async def test_bad_schemas_fail_before_any_request(client, api, schema, error, message):
    route = api.post("/blocks/extract")

    with pytest.raises(error) as raised:
        await call(client.extract(document="doc", schema_=schema))

    assert message in str(raised.value)
    assert not route.called


# extract-pdf


async def test_extract_pdf_streams_the_file_and_answers_gradientai_keys(client, api, tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4 not really")
    route = api.post("/blocks/extract-pdf").respond(json=PDF_JSON)

    result = await call(client.extract_pdf(filepath=pdf))

    assert multipart_file(route.calls.last.request) == (
        "report.pdf",
        "application/pdf",
        b"%PDF-1.4 not really",
    )
    assert result.title == "Report"
    page = result["pages"][0]
    assert page["page_number"] == 1
    assert page["text_blocks"][0]["kind"] == "title"
    assert page["tables"][0]["table_rows"][0]["cells"][0]["cell_value"] == "Region"
    assert page["images"][0]["format"] == "base64-png"


async def test_extract_pdf_of_a_missing_file_fails_before_any_request(client, api, tmp_path):
    route = api.post("/blocks/extract-pdf")

    with pytest.raises(FileNotFoundError):
        await call(client.extract_pdf(filepath=tmp_path / "absent.pdf"))

    assert not route.called


# transcription


@pytest.fixture
def audio(tmp_path: Path) -> Path:
    path = tmp_path / "talk.wav"
    path.write_bytes(b"RIFF....WAVEfmt ")
    return path


def transcription_api(api: respx.MockRouter, *answers: dict[str, Any]) -> dict[str, respx.Route]:
    """The three routes of ``transcribe_audio``; the GET answers in turn (the last repeats)."""
    answered = [httpx.Response(200, json=answer) for answer in answers]

    def get(request: httpx.Request) -> httpx.Response:
        return answered.pop(0) if len(answered) > 1 else answered[0]

    return {
        "upload": api.post("/files").respond(json={"id": "file_audio"}),
        "create": api.post("/blocks/transcription").respond(
            json={"transcriptionId": TRANSCRIPTION_ID}
        ),
        "get": api.get("/blocks/transcription").mock(side_effect=get),
    }


PENDING = {"status": "pending", "result": None}
RUNNING = {"status": "running", "result": None}
DONE = {"status": "succeeded", "result": {"text": "hello world"}}


async def test_transcribe_audio_uploads_starts_and_polls_with_growing_pauses(
    client, api, audio, sleeps
):
    routes = transcription_api(api, PENDING, RUNNING, RUNNING, RUNNING, DONE)

    result = await call(client.transcribe_audio(filepath=audio))

    upload = routes["upload"].calls.last.request
    assert upload.url.params["type"] == "audioFile"
    assert multipart_file(upload) == (
        "talk.wav",
        FileUpload(audio).content_type,
        b"RIFF....WAVEfmt ",
    )
    assert sent_json(routes["create"]) == {"fileId": "file_audio"}
    gets = routes["get"].calls
    assert [c.request.url.params["transcriptionId"] for c in gets] == [TRANSCRIPTION_ID] * 5
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert result.text == "hello world"
    assert result["text"] == "hello world"


async def test_the_pauses_stop_growing_at_five_seconds(client, api, audio, sleeps):
    transcription_api(api, *[RUNNING] * 7, DONE)

    await call(client.transcribe_audio(filepath=audio))

    assert sleeps == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


async def test_a_failed_transcription_raises_with_the_servers_reason(client, api, audio):
    transcription_api(
        api, RUNNING, {"status": "failed", "result": None, "failureReason": "no speech model"}
    )

    with pytest.raises(TranscriptionFailedError) as raised:
        await call(client.transcribe_audio(filepath=audio))

    error = raised.value
    assert isinstance(error, TranscriptionError)
    assert (error.transcription_id, error.status, error.reason) == (
        TRANSCRIPTION_ID,
        "failed",
        "no speech model",
    )
    assert "no speech model" in str(error)


async def test_a_cancelled_transcription_raises_cancelled(client, api, audio):
    transcription_api(api, {"status": "cancelled", "result": None})

    with pytest.raises(TranscriptionCancelledError) as raised:
        await call(client.transcribe_audio(filepath=audio))

    assert raised.value.status == "cancelled"
    assert raised.value.reason is None


async def test_an_unfinished_transcription_times_out_at_the_deadline(client, api, audio, sleeps):
    routes = transcription_api(api, RUNNING)

    with pytest.raises(TranscriptionTimeoutError) as raised:
        await call(client.transcribe_audio(filepath=audio, timeout=10))

    # 0.5 + 1 + 2 + 4 = 7.5 s, then the 2.5 s left: the pauses never pass the deadline.
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 2.5]
    assert sum(sleeps) == 10
    assert routes["get"].call_count == 6
    assert isinstance(raised.value, TimeoutError)
    assert raised.value.status == "running"
    assert TRANSCRIPTION_ID in str(raised.value)


async def test_the_default_timeout_is_ten_minutes(client, api, audio, sleeps):
    transcription_api(api, PENDING)

    with pytest.raises(TranscriptionTimeoutError):
        await call(client.transcribe_audio(filepath=audio))

    assert sum(sleeps) == async_blocks.DEFAULT_TRANSCRIPTION_TIMEOUT == 600
    assert sync_blocks.DEFAULT_TRANSCRIPTION_TIMEOUT == 600


async def test_a_succeeded_transcription_without_a_result_is_a_validation_error(client, api, audio):
    from gradient_sdk import APIResponseValidationError

    transcription_api(api, {"status": "succeeded", "result": None})

    with pytest.raises(APIResponseValidationError, match="without a result"):
        await call(client.transcribe_audio(filepath=audio))


@pytest.mark.parametrize(
    ("timeout", "error"), [(0, ValueError), (-1, ValueError), ("10", TypeError)]
)
async def test_a_bad_timeout_fails_before_any_request(client, api, audio, timeout, error):
    routes = transcription_api(api, DONE)

    with pytest.raises(error):
        await call(client.transcribe_audio(filepath=audio, timeout=timeout))

    assert not routes["upload"].called


async def test_the_steps_of_a_transcription_are_there_on_their_own(client, api, sleeps):
    routes = transcription_api(api, RUNNING, DONE)

    transcription_id = await call(client.blocks.create_transcription(file_id="file_audio"))
    job = await call(client.blocks.get_transcription(transcription_id=transcription_id))
    result = await call(
        client.blocks.wait_for_transcription(transcription_id=transcription_id, timeout=None)
    )

    assert transcription_id == TRANSCRIPTION_ID
    assert job.status == "running"
    assert result.text == "hello world"
    assert not routes["upload"].called


@pytest.mark.parametrize("flavour", ["async"])
async def test_cancelling_the_wait_stops_polling(client, api, audio, monkeypatch):
    import anyio

    routes = transcription_api(api, RUNNING)
    monkeypatch.setattr(async_blocks._backend, "sleep", anyio.sleep)  # really wait

    with anyio.move_on_after(0.2) as scope:
        await client.transcribe_audio(filepath=audio, timeout=None)
    polled = routes["get"].call_count
    await anyio.sleep(0.6)

    assert scope.cancelled_caught
    assert routes["get"].call_count == polled  # nothing polls after the cancellation
