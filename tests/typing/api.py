# pyright: reportUnnecessaryTypeIgnoreComment=error
"""The typing contract: code as users write it, checked by ``mypy --strict`` and
``pyright --strict`` in ``nox -s typecheck`` (never run).

Every line marked ``# type: ignore[...]`` is a deliberate mistake: both checkers must report
an error there, or they fail on the unneeded ignore (mypy's ``warn_unused_ignores``, which
strict mode turns on, and pyright's setting at the top of this file). The rest must check
clean, with the types a user expects (``assert_type``).
"""

from __future__ import annotations

import httpx
from typing_extensions import assert_type

from gradient_sdk import (
    APIStatusError,
    AsyncBaseModel,
    AsyncGradient,
    AsyncModelAdapter,
    BaseModel,
    CompleteResponse,
    ErrorType,
    ExtractPdfResponse,
    ExtractResponse,
    FineTuneResponse,
    GenerateEmbeddingsResponse,
    Gradient,
    GradientError,
    ModelAdapter,
    NotFoundError,
    PersonalizeResponse,
    Sentiment,
    SummarizeResponse,
    TranscriptionError,
    TranscriptionResult,
    from_wire_dict,
    to_wire_dict,
)
from gradient_sdk.emulator import EmulatorSettings, serve, serve_http
from gradient_sdk.records import ListModelsResponse

QUERY = "Question: What NFL team won the Super Bowl in 1994?\n\nAnswer: "


async def readme_flow() -> str:
    async with AsyncGradient() as client:
        base_models = await client.list_models(only_base=True)
        assert_type(base_models, list[AsyncBaseModel])
        everything = await client.list_models()
        assert_type(everything, list[AsyncBaseModel | AsyncModelAdapter])
        adapter = await base_models[-1].create_model_adapter(name="my adapter", rank=8)
        assert_type(adapter, AsyncModelAdapter)
        before = await adapter.complete(query=QUERY, max_generated_token_count=20, temperature=0)
        assert_type(before, CompleteResponse)
        tuned = await adapter.fine_tune(samples=[{"inputs": QUERY + " The Dallas Cowboys!"}])
        assert_type(tuned, FineTuneResponse)
        after = await adapter.acomplete(query=QUERY, guidance={"type": "choice", "value": ["a"]})
        await adapter.delete()
        return before.generated_output + after.generated_output


def sync_flow(only_base: bool) -> None:
    with Gradient(host="http://127.0.0.1:8765/api", timeout=30, max_retries=1) as client:
        models = client.list_models(only_base=only_base, capability="fineTune")
        assert_type(models, list[BaseModel] | list[BaseModel | ModelAdapter])
        base = client.get_base_model(base_model_slug="smollm2-135m-instruct")
        adapter = base.create_model_adapter(name="sync")
        assert_type(adapter, ModelAdapter)
        adapter.complete(query="Hi", rag={"collection_id": "c"}, auto_template=True)
        adapter.fine_tune(samples=[{"inputs": [{"value": "a", "trainable": False}]}])


async def embeddings() -> list[float]:
    async with AsyncGradient() as client:
        model = await client.get_embeddings_model(slug="bge-large")
        result = await model.embed(inputs=["pizza", {"input": "a document"}])
        assert_type(result, GenerateEmbeddingsResponse)
        return list(result.embeddings[0].embedding)


async def errors_and_options() -> None:
    async with AsyncGradient(default_headers={"X-Team": "search"}) as client:
        patient = client.with_options(timeout=600.0, max_retries=5)
        try:
            await patient.get_model_adapter(model_adapter_id="x")
        except NotFoundError as error:
            assert_type(error.status_code, int)
            assert_type(error.error_type, ErrorType | str | None)
            if error.error_type is ErrorType.UNKNOWN_MODEL_ADAPTER:
                pass
        except APIStatusError as error:
            print(error.body)
        except GradientError:
            raise
        listing = await client.request("GET", "/models", cast_to=ListModelsResponse)
        assert_type(listing, ListModelsResponse)
        data = to_wire_dict(listing)
        assert_type(from_wire_dict(data, ListModelsResponse), ListModelsResponse)


async def blocks(path: str) -> str:
    async with AsyncGradient() as client:
        summary = await client.summarize(
            document="doc", examples=[{"document": "a", "summary": "b"}], length="short"
        )
        assert_type(summary, SummarizeResponse)
        mood = await client.analyze_sentiment(
            document="doc", examples=[{"document": "a", "sentiment": Sentiment.POSITIVE}]
        )
        assert_type(mood.sentiment, Sentiment)
        found = await client.extract(
            document="Ada is 36", schema_={"age": {"type": "number", "required": True}}
        )
        assert_type(found, ExtractResponse)
        pdf = await client.extract_pdf(filepath=path)
        assert_type(pdf, ExtractPdfResponse)
        try:
            heard = await client.transcribe_audio(filepath=path, timeout=120)
        except TranscriptionError as error:
            assert_type(error.reason, str | None)
            raise
        assert_type(heard, TranscriptionResult)
        ported: str = summary["summary"]  # gradientai's key access reads as Any
        return ported + heard.text


def sync_blocks(path: str) -> None:
    with Gradient() as client:
        rewritten = client.personalize(document="doc", audience_description="kids")
        assert_type(rewritten, PersonalizeResponse)
        assert_type(client.blocks.transcribe_audio(filepath=path), TranscriptionResult)


async def emulator_helpers() -> None:
    settings = EmulatorSettings(model="tiny", embeddings_model="hashing")
    async with serve(settings, max_retries=0, timeout=httpx.Timeout(5.0)) as client:
        assert_type(client, AsyncGradient)
    with serve_http(settings) as server, server.client(max_retries=0) as sync_client:
        assert_type(sync_client, Gradient)


async def mistakes(client: AsyncGradient, adapter: AsyncModelAdapter, model: ModelAdapter) -> None:
    await adapter.complete(query="Hi", max_tokens=5)  # type: ignore[call-arg]
    await adapter.complete(query="Hi", temperature="hot")  # type: ignore[arg-type]
    await adapter.complete(prompt="Hi")  # type: ignore[call-arg]
    await client.list_models(capability="chat")  # type: ignore[call-overload]
    await client.list_models(only_base="yes")  # type: ignore[call-overload]
    await adapter.fine_tune(samples=[{"input": "typo"}])  # type: ignore[list-item]
    model.complete(query="Hi", guidance={"type": "regex", "value": ["x"]})  # type: ignore[arg-type]
    await client.get_base_model(slug="x")  # type: ignore[call-arg]
    AsyncGradient(acess_token="typo")  # type: ignore[call-arg]
    client.with_options(retries=3)  # type: ignore[call-arg]
    async with serve(max_retry=1):  # type: ignore[call-arg]
        pass
    with serve_http() as server:
        server.client(timeout="soon")  # type: ignore[arg-type]
    model.complete(query="Hi").generated_text  # type: ignore[attr-defined]  # noqa: B018
    await client.summarize(document="d", length="tiny")  # type: ignore[arg-type]
    await client.extract(document="d", schema_={"a": {"type": "date"}})  # type: ignore[dict-item]
    await client.analyze_sentiment(text="d")  # type: ignore[call-arg]
    await client.transcribe_audio(filepath="a.wav", timeout="soon")  # type: ignore[arg-type]
