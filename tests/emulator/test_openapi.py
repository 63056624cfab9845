"""The OpenAPI document: complete, true to the records, and true to what the server answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import jsonschema_rs
import pytest

from gradient_sdk._endpoints import ENDPOINTS
from gradient_sdk.emulator.http.handlers import HANDLERS
from gradient_sdk.emulator.openapi import FIELD_BOUNDS
from gradient_sdk.records import (
    AddFilesRequest,
    AnalyzeSentimentRequest,
    CompleteRequest,
    CreateRAGCollectionRequest,
    EmbeddingInput,
    FineTuneRequest,
    GenerateEmbeddingsRequest,
    Guidance,
    LoraHyperparameters,
    MeaningBasedChunker,
    NormalChunker,
    RAGFileRef,
    Sample,
    SentenceWithContextChunker,
    SentimentExample,
    SummarizeExample,
    SummarizeRequest,
    TrainingArguments,
)

from .conftest import Harness

#: How to build each record with one field set, the others valid.
BUILDERS: dict[type[Any], Callable[[str, Any], object]] = {
    CompleteRequest: lambda name, value: CompleteRequest(query="Hi", **{name: value}),
    LoraHyperparameters: lambda name, value: LoraHyperparameters(**{name: value}),
    TrainingArguments: lambda name, value: TrainingArguments(**{name: value}),
    GenerateEmbeddingsRequest: lambda name, value: GenerateEmbeddingsRequest(
        inputs=[EmbeddingInput(input="x")] * value
    ),
    Guidance: lambda name, value: Guidance(value=["x"] * value),
    FineTuneRequest: lambda name, value: FineTuneRequest(samples=[Sample(inputs="x")] * value),
    Sample: lambda name, value: Sample(inputs="x", **{name: value}),
    NormalChunker: lambda name, value: NormalChunker(**{name: value}),
    SentenceWithContextChunker: lambda name, value: SentenceWithContextChunker(**{name: value}),
    MeaningBasedChunker: lambda name, value: MeaningBasedChunker(**{name: value}),
    CreateRAGCollectionRequest: lambda name, value: CreateRAGCollectionRequest(
        name="n", slug="bge-large", files=[RAGFileRef(id="f", name="a.txt")] * value
    ),
    AddFilesRequest: lambda name, value: AddFilesRequest(
        files=[RAGFileRef(id="f", name="a.txt")] * value
    ),
    SummarizeRequest: lambda name, value: SummarizeRequest(
        document="d", examples=[SummarizeExample(document="d", summary="s")] * value
    ),
    AnalyzeSentimentRequest: lambda name, value: AnalyzeSentimentRequest(
        document="d", examples=[SentimentExample(document="d", sentiment="neutral")] * value
    ),
}


def boundary_cases(bounds: dict[str, Any]) -> list[tuple[Any, bool]]:
    """Values at and just past each bound, with whether the bound admits them."""
    cases: list[tuple[Any, bool]] = []
    for keyword, limit in bounds.items():
        if keyword in {"minimum", "minItems"}:
            cases += [(limit, True), (limit - 1, False)]
        elif keyword in {"maximum", "maxItems"}:
            cases += [(limit, True), (limit + 1, False)]
        elif keyword == "exclusiveMinimum":
            cases += [(limit, False), (limit + 1e-9, True)]
        elif keyword == "exclusiveMaximum":
            cases += [(limit, False), (limit - 1e-9, True)]
    return cases


@pytest.mark.parametrize(
    ("record", "field", "value", "admitted"),
    [
        (record, field, value, admitted)
        for (record, field), bounds in FIELD_BOUNDS.items()
        for value, admitted in boundary_cases(dict(bounds))
    ],
)
def test_each_documented_bound_is_the_records_bound(
    record: type[Any], field: str, value: Any, admitted: bool
) -> None:
    build = BUILDERS[record]

    if admitted:
        build(field, value)
    else:
        with pytest.raises((ValueError, TypeError)):
            build(field, value)


def test_guidance_choices_are_1_to_32_characters() -> None:
    items = FIELD_BOUNDS[Guidance, "value"]["items"]

    Guidance(value=["x" * items["maxLength"]])
    with pytest.raises(ValueError, match="1 to 32"):
        Guidance(value=["x" * (items["maxLength"] + 1)])
    with pytest.raises(ValueError, match="1 to 32"):
        Guidance(value=[""])


@pytest.mark.anyio
async def test_every_operation_is_documented(emulator: Harness) -> None:
    document = (await emulator.raw().get("http://emulator.invalid/openapi.json")).json()

    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert documented == {(endpoint.method, endpoint.path) for endpoint in ENDPOINTS}
    for endpoint in ENDPOINTS:
        responses = document["paths"][endpoint.path][endpoint.method.lower()]["responses"]
        served = endpoint.operation_id in HANDLERS
        assert ("200" in responses, "501" in responses) == (served, not served), endpoint
    assert document["servers"] == [{"url": "/api"}]
    assert document["components"]["schemas"]["CompleteRequest"]["required"] == ["query"]


class ResponseChecker:
    """Validates answers against the document's schema for their operation and status."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def check(self, method: str, path: str, response: httpx.Response) -> None:
        operation = self.document["paths"][path][method.lower()]
        documented = operation["responses"][str(response.status_code)]
        schema = documented["content"]["application/json"]["schema"]
        root = {"components": self.document["components"], **schema}
        jsonschema_rs.validator_for(root).validate(response.json())


@pytest.mark.anyio
async def test_answers_match_the_documented_schemas(emulator: Harness) -> None:
    raw = emulator.raw()
    checker = ResponseChecker((await raw.get("http://emulator.invalid/openapi.json")).json())
    unknown = "00000000-0000-4000-8000-000000000000_model_adapter"

    listing = await raw.get("/models", params={"onlyBase": "True"})
    base_id = listing.json()["models"][0]["id"]
    created = await raw.post("/models", json={"model": {"baseModelId": base_id, "name": "a"}})
    adapter_id = created.json()["id"]
    exchanges = [
        ("GET", "/models", listing),
        ("POST", "/models", created),
        ("POST", "/models", await raw.post("/models", json={"model": {}})),
        ("GET", "/models", await raw.get("/models")),
        ("GET", "/models/{id}", await raw.get(f"/models/{adapter_id}")),
        ("GET", "/models/{id}", await raw.get(f"/models/{unknown}")),
        (
            "POST",
            "/models/{id}/complete",
            await raw.post(f"/models/{adapter_id}/complete", json={"query": "Hi"}),
        ),
        (
            "POST",
            "/models/{id}/complete",
            await raw.post(f"/models/{adapter_id}/complete", content=b"{"),
        ),
        (
            "POST",
            "/models/{id}/fine-tune",
            await raw.post(f"/models/{adapter_id}/fine-tune", json={"samples": [{"inputs": "x"}]}),
        ),
        (
            "POST",
            "/models/{id}/fine-tune",
            await raw.post(f"/models/{unknown}/fine-tune", json={"samples": [{"inputs": "x"}]}),
        ),
        ("GET", "/embeddings", await raw.get("/embeddings")),
        (
            "POST",
            "/embeddings/{slug}",
            await raw.post("/embeddings/bge-large", json={"inputs": [{"input": "x"}]}),
        ),
        ("DELETE", "/models/{id}", await raw.delete(f"/models/{adapter_id}")),
        ("GET", "/models", await emulator.raw(access_token="wrong").get("/models")),
    ]

    for method, path, response in exchanges:
        checker.check(method, path, response)
    assert sorted({response.status_code for *_, response in exchanges}) == [200, 400, 401, 404]
