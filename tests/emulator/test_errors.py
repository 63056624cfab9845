"""Bad input gets the spec's 4xx bodies: never a 500, never a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gradient_sdk import AsyncGradient, NotFoundError, SampleDict, UnprocessableEntityError

from .conftest import make_settings, run_emulator
from .fakes import FAKE_CONTEXT_WINDOW, FakeEngine

pytestmark = pytest.mark.anyio

UNKNOWN_ADAPTER = "00000000-0000-4000-8000-000000000000_model_adapter"
UNKNOWN_BASE_MODEL = "00000000-0000-4000-8000-000000000000_base_ml_model"


@pytest.fixture
async def adapter_id(client: AsyncGradient) -> str:
    [base] = await client.list_models(only_base=True)
    return (await base.create_model_adapter(name="target")).id


def assert_parsing_error(response: httpx.Response, *, status: int = 400) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert response.status_code == status
    assert body["type"] == "bodyParsingError"
    assert body["message"]
    assert set(body["payload"]) == {"formattedValidationError", "validationError"}
    return body


async def test_malformed_json_is_a_body_parsing_error(
    raw: httpx.AsyncClient, adapter_id: str
) -> None:
    response = await raw.post(f"/models/{adapter_id}/complete", content=b'{"query": "Hi",')

    body = assert_parsing_error(response)
    assert body["message"].startswith("the request body is not valid JSON")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"query": 5}, "query"),
        ({"query": ""}, "query must not be empty"),
        ({}, "required field missing"),
        ({"query": "Hi", "topK": "5"}, "CompleteRequest.topK"),
        ({"query": "Hi", "topK": 2.5}, "CompleteRequest.topK"),
        ({"query": "Hi", "autoTemplate": "yes"}, "CompleteRequest.autoTemplate"),
        ({"query": "Hi", "maxGeneratedTokenCount": 512}, "max_generated_token_count"),
        ({"query": "Hi", "maxGeneratedTokenCount": 0}, "max_generated_token_count"),
        ({"query": "Hi", "temperature": 1.5}, "temperature"),
        ([{"query": "Hi"}], "expected an object"),
    ],
)
async def test_wrong_types_and_values_say_what_is_wrong(
    raw: httpx.AsyncClient, adapter_id: str, body: object, problem: str
) -> None:
    response = await raw.post(f"/models/{adapter_id}/complete", json=body)

    assert problem in assert_parsing_error(response)["message"]


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"1e999"])
async def test_numbers_json_cannot_hold_are_refused(
    raw: httpx.AsyncClient, adapter_id: str, literal: bytes
) -> None:
    body = b'{"query": "Hi", "temperature": ' + literal + b"}"

    response = await raw.post(f"/models/{adapter_id}/complete", content=body)

    assert_parsing_error(response)


async def test_lone_surrogates_are_refused(raw: httpx.AsyncClient, adapter_id: str) -> None:
    response = await raw.post(f"/models/{adapter_id}/complete", content=b'{"query": "\\ud800"}')

    assert_parsing_error(response)


async def test_deeply_nested_json_is_refused(raw: httpx.AsyncClient, adapter_id: str) -> None:
    response = await raw.post(f"/models/{adapter_id}/complete", content=b"[" * 100_000)

    assert_parsing_error(response)


async def test_an_unknown_adapter_is_a_404(client: AsyncGradient, raw: httpx.AsyncClient) -> None:
    response = await raw.post(f"/models/{UNKNOWN_ADAPTER}/complete", json={"query": "Hi"})

    assert response.status_code == 404
    assert response.json() == {
        "message": f"no model adapter with id {UNKNOWN_ADAPTER!r} in this workspace",
        "type": "unknownModelAdapter",
    }
    with pytest.raises(NotFoundError) as raised:
        await client.models.fine_tune(model_adapter_id=UNKNOWN_ADAPTER, samples=[{"inputs": "x"}])
    assert raised.value.error_type == "unknownModelAdapter"


async def test_an_unknown_base_model_is_a_404(raw: httpx.AsyncClient) -> None:
    response = await raw.post(f"/models/{UNKNOWN_BASE_MODEL}/complete", json={"query": "Hi"})

    assert response.status_code == 404
    assert response.json()["type"] == "unknownBaseModel"


async def test_an_adapter_of_an_unknown_base_model_cannot_be_created(
    raw: httpx.AsyncClient,
) -> None:
    body = {"model": {"baseModelId": UNKNOWN_BASE_MODEL, "name": "orphan"}}

    response = await raw.post("/models", json=body)

    assert response.status_code == 404
    assert response.json() == {"message": f"no base model with id {UNKNOWN_BASE_MODEL!r}"}


@pytest.mark.parametrize(
    "hyperparameters",
    [
        {"loraHyperparameters": {"rank": 0}},
        {"loraHyperparameters": {"rank": 33}},
        {"loraHyperparameters": {"rank": 8.5}},
        {"trainingArguments": {"learningRate": 0}},
        {"trainingArguments": {"learningRate": 1}},
        {"trainingArguments": {"learningRate": "fast"}},
    ],
)
async def test_hyperparameters_out_of_bounds_are_refused(
    client: AsyncGradient, raw: httpx.AsyncClient, hyperparameters: dict[str, Any]
) -> None:
    [base] = await client.list_models(only_base=True)
    body = {
        "model": {"baseModelId": base.id, "name": "x"},
        "initialHyperparameters": hyperparameters,
    }

    response = await raw.post("/models", json=body)

    assert response.status_code == 400
    assert list(response.json()) == ["message"]


async def test_describing_the_base_model_is_a_404(client: AsyncGradient) -> None:
    [base] = await client.list_models(only_base=True)

    with pytest.raises(NotFoundError, match="only adapters can be described"):
        await client.get_model_adapter(model_adapter_id=base.id)


async def test_fine_tuning_a_base_model_is_refused(
    raw: httpx.AsyncClient, client: AsyncGradient
) -> None:
    [base] = await client.list_models(only_base=True)

    response = await raw.post(f"/models/{base.id}/fine-tune", json={"samples": [{"inputs": "x"}]})

    assert response.status_code == 400
    assert response.json()["type"] == "modelIncapableOfFineTuning"


async def test_empty_samples_are_refused(raw: httpx.AsyncClient, adapter_id: str) -> None:
    response = await raw.post(f"/models/{adapter_id}/fine-tune", json={"samples": []})

    assert "samples must not be empty" in assert_parsing_error(response)["message"]


@pytest.mark.parametrize("inputs", ["", [], [{"value": ""}], 5])
async def test_empty_or_mistyped_sample_inputs_are_refused(
    raw: httpx.AsyncClient, adapter_id: str, inputs: object
) -> None:
    response = await raw.post(
        f"/models/{adapter_id}/fine-tune", json={"samples": [{"inputs": inputs}]}
    )

    assert_parsing_error(response)


async def test_too_many_samples_are_unprocessable(client: AsyncGradient, adapter_id: str) -> None:
    samples: list[SampleDict] = [{"inputs": f"sample {n}"} for n in range(65)]

    with pytest.raises(UnprocessableEntityError) as raised:
        await client.models.fine_tune(model_adapter_id=adapter_id, samples=samples)

    assert raised.value.error_type == "unprocessableContent"
    assert raised.value.body["message"] == "one fine-tune takes at most 64 samples, got 65"  # type: ignore[index]


async def test_a_sample_longer_than_the_context_window_is_unprocessable(
    raw: httpx.AsyncClient, adapter_id: str
) -> None:
    words = " ".join(["word"] * (FAKE_CONTEXT_WINDOW + 1))

    response = await raw.post(
        f"/models/{adapter_id}/fine-tune", json={"samples": [{"inputs": words}]}
    )

    assert response.status_code == 422
    assert response.json()["type"] == "unprocessableContent"


async def test_a_prompt_longer_than_the_context_window_is_unprocessable(
    raw: httpx.AsyncClient, adapter_id: str
) -> None:
    words = " ".join(["word"] * FAKE_CONTEXT_WINDOW)

    response = await raw.post(f"/models/{adapter_id}/complete", json={"query": words})

    assert response.status_code == 422
    assert response.json() == {
        "message": "the prompt fills the context window",
        "type": "unprocessableContent",
    }


async def test_a_nan_loss_is_reported_and_the_weights_are_kept(
    fake_engine: FakeEngine, client: AsyncGradient, raw: httpx.AsyncClient, adapter_id: str
) -> None:
    fake_engine.loss = float("nan")

    response = await raw.post(
        f"/models/{adapter_id}/fine-tune", json={"samples": [{"inputs": "x"}]}
    )
    fake_engine.loss = None
    completion = await raw.post(f"/models/{adapter_id}/complete", json={"query": "Hi"})

    assert response.status_code == 422
    assert response.json()["type"] == "nanLoss"
    assert completion.json()["generatedOutput"].startswith("steps=0 ")


async def test_guidance_is_honoured(raw: httpx.AsyncClient, adapter_id: str) -> None:
    body = {"query": "Hi", "guidance": {"type": "choice", "value": ["yes", "no"]}}

    response = await raw.post(f"/models/{adapter_id}/complete", json=body)

    assert response.status_code == 200
    assert response.json()["generatedOutput"] == "yes"  # the fake takes the first choice


async def test_rag_collections_are_unknown(raw: httpx.AsyncClient, adapter_id: str) -> None:
    body = {"query": "Hi", "autoTemplate": True, "rag": {"collectionId": "rag_1"}}

    response = await raw.post(f"/models/{adapter_id}/complete", json=body)

    assert response.status_code == 404
    assert response.json()["type"] == "unknownRagCollection"


@pytest.mark.parametrize(("query", "value"), [("onlyBase", "yes"), ("capability", "everything")])
async def test_unknown_query_values_are_refused(
    raw: httpx.AsyncClient, query: str, value: str
) -> None:
    response = await raw.get("/models", params={query: value})

    assert response.status_code == 400
    assert list(response.json()) == ["message"]
    assert query in response.json()["message"]


@pytest.mark.parametrize("count", [0, 257])
async def test_embeddings_take_1_to_256_inputs(raw: httpx.AsyncClient, count: int) -> None:
    body = {"inputs": [{"input": f"text {n}"} for n in range(count)]}

    response = await raw.post("/embeddings/bge-large", json=body)

    assert response.status_code == 400
    assert list(response.json()) == ["message"]


async def test_an_unknown_embeddings_model_is_a_404(raw: httpx.AsyncClient) -> None:
    response = await raw.post("/embeddings/bge-small", json={"inputs": [{"input": "x"}]})

    assert response.status_code == 404
    assert response.json() == {
        "message": "no embeddings model with slug 'bge-small'; available: bge-large, hashing"
    }


async def test_unknown_paths_and_methods_answer_json(raw: httpx.AsyncClient) -> None:
    missing = await raw.get("/no-such-operation")
    wrong_method = await raw.put("/models")

    path_error = "queryOrPathParsingError"
    assert (missing.status_code, missing.json()) == (
        404,
        {"message": "Not Found", "type": path_error},
    )
    assert (wrong_method.status_code, wrong_method.json()) == (
        405,
        {"message": "Method Not Allowed", "type": path_error},
    )


class TestBodySize:
    """Bodies over the limit get 413, declared or not."""

    LIMIT = 2048

    @pytest.fixture
    async def small(
        self, fake_engine: FakeEngine, data_dir: Path
    ) -> AsyncIterator[httpx.AsyncClient]:
        settings = make_settings(data_dir, fake_engine, max_body_bytes=self.LIMIT)
        async with run_emulator(settings) as harness:
            yield harness.raw()

    async def test_a_declared_oversize_body_is_refused(self, small: httpx.AsyncClient) -> None:
        response = await small.post("/models", json={"model": {"name": "x" * self.LIMIT}})

        assert response.status_code == 413
        assert response.json() == {"message": f"the request body is larger than {self.LIMIT} bytes"}

    async def test_a_streamed_oversize_body_is_refused(self, small: httpx.AsyncClient) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"query": "'
            for _ in range(self.LIMIT // 100 + 1):
                yield b"x" * 100
            yield b'"}'

        response = await small.post(f"/models/{UNKNOWN_ADAPTER}/complete", content=chunks())

        assert response.status_code == 413
        assert response.json()["type"] == "bodyParsingError"
