"""Every endpoint, on the wire: path, query, headers and body as the spec observed them, and
the records and handles the SDK makes of the answers. Each test runs with the async and the
sync client (the ``client`` fixture), on asyncio and trio."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any

import anyio
import httpx
import pytest
import respx

from gradient_sdk import (
    APIResponseValidationError,
    AsyncBaseModel,
    AsyncEmbeddingsModel,
    AsyncGradient,
    AsyncModelAdapter,
    BadRequestError,
    BaseModel,
    BaseModelCapability,
    CapabilityFilter,
    CompleteResponse,
    Embedding,
    EmbeddingsModel,
    FineTuneResponse,
    Gradient,
    GradientError,
    Guidance,
    ModelAdapter,
    NotFoundError,
    Sample,
    StructuredInput,
    __version__,
)
from gradient_sdk.records import EmbeddingInput

from ._support import (
    ADAPTER_ID,
    ADAPTER_JSON,
    BASE_MODEL_ID,
    BASE_MODEL_JSON,
    COMPLETION_JSON,
    FINE_TUNE_JSON,
    TOKEN,
    WORKSPACE_ID,
    call,
    sent_json,
)

pytestmark = pytest.mark.anyio

HANDLE_CLASSES = {
    "async": (AsyncBaseModel, AsyncModelAdapter, AsyncEmbeddingsModel),
    "sync": (BaseModel, ModelAdapter, EmbeddingsModel),
}


def mock_models(api: respx.MockRouter, *models: dict[str, Any]) -> respx.Route:
    return api.get("/models").respond(json={"models": list(models)})


async def a_base_model(client: Any, api: respx.MockRouter) -> Any:
    mock_models(api, BASE_MODEL_JSON)
    [base] = await call(client.list_models(only_base=True))
    return base


async def an_adapter(client: Any, api: respx.MockRouter) -> Any:
    api.get(f"/models/{ADAPTER_ID}").respond(json=ADAPTER_JSON)
    return await call(client.get_model_adapter(model_adapter_id=ADAPTER_ID))


# GET /models


@pytest.mark.parametrize(
    ("only_base", "query"),
    [(True, b"capability=any&onlyBase=True"), (False, b"capability=any&onlyBase=False")],
)
async def test_list_models_sends_the_query_of_the_official_client(client, api, only_base, query):
    route = mock_models(api, BASE_MODEL_JSON)

    await call(client.list_models(only_base=only_base))

    assert route.calls.last.request.url.query == query


async def test_list_models_lists_adapters_too_by_default(client, api):
    route = mock_models(api, BASE_MODEL_JSON, ADAPTER_JSON)

    models = await call(client.list_models())

    assert route.calls.last.request.url.query == b"capability=any&onlyBase=False"
    assert [model.id for model in models] == [BASE_MODEL_ID, ADAPTER_ID]


@pytest.mark.parametrize(
    ("capability", "sent"),
    [
        (CapabilityFilter.FINE_TUNE, b"fineTune"),
        ("fineTune", b"fineTune"),
        (CapabilityFilter.COMPLETE, b"complete"),
        ("any", b"any"),
    ],
)
async def test_list_models_filters_by_capability(client, api, capability, sent):
    route = mock_models(api, BASE_MODEL_JSON)

    await call(client.list_models(only_base=True, capability=capability))

    assert route.calls.last.request.url.query == b"capability=" + sent + b"&onlyBase=True"


async def test_list_models_rejects_an_unknown_capability_before_sending(client, api):
    route = mock_models(api, BASE_MODEL_JSON)

    with pytest.raises(ValueError, match="chat"):
        await call(client.list_models(capability="chat"))

    assert not route.called


async def test_list_models_returns_handles_holding_the_records(client, api, flavour):
    base_class, adapter_class, _ = HANDLE_CLASSES[flavour]
    mock_models(api, BASE_MODEL_JSON, ADAPTER_JSON)

    base, adapter = await call(client.list_models())

    assert type(base) is base_class
    assert (base.id, base.slug, base.name) == (BASE_MODEL_ID, "nous-hermes2", "Nous Hermes 2")
    assert base.capabilities == (BaseModelCapability.COMPLETE, BaseModelCapability.FINE_TUNE)
    assert type(adapter) is adapter_class
    assert (adapter.id, adapter.name, adapter.base_model_id) == (
        ADAPTER_ID,
        "my adapter",
        BASE_MODEL_ID,
    )
    assert adapter.latest_update_time == datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc)
    assert base.workspace_id == adapter.workspace_id == WORKSPACE_ID
    assert client.workspace_id == WORKSPACE_ID


async def test_get_base_model_finds_the_slug_among_the_base_models(client, api):
    other = {**BASE_MODEL_JSON, "id": "x" * 50, "slug": "bloom-560m", "name": "Bloom"}
    route = mock_models(api, other, BASE_MODEL_JSON)

    base = await call(client.get_base_model(base_model_slug="nous-hermes2"))

    assert base.id == BASE_MODEL_ID
    assert route.calls.last.request.url.query == b"capability=any&onlyBase=True"


async def test_get_base_model_with_an_unknown_slug_is_not_found_and_lists_the_slugs(client, api):
    other = {**BASE_MODEL_JSON, "id": "x" * 50, "slug": "bloom-560m", "name": "Bloom"}
    mock_models(api, BASE_MODEL_JSON, other)

    with pytest.raises(NotFoundError) as caught:
        await call(client.get_base_model(base_model_slug="llama2-7b-chat"))

    message = str(caught.value)
    assert "'llama2-7b-chat'" in message
    assert "available: bloom-560m, nous-hermes2" in message
    assert caught.value.status_code == 404
    assert isinstance(caught.value, LookupError)
    assert not isinstance(caught.value, StopIteration)


# GET /models/{id}


async def test_get_model_adapter_describes_the_adapter(client, api, flavour):
    route = api.get(f"/models/{ADAPTER_ID}").respond(json=ADAPTER_JSON)

    adapter = await call(client.get_model_adapter(model_adapter_id=ADAPTER_ID))

    assert route.called
    assert type(adapter) is HANDLE_CLASSES[flavour][1]
    assert adapter.info.name == "my adapter"
    assert adapter.base_model_id == BASE_MODEL_ID


async def test_get_model_adapter_sends_the_id_as_one_path_segment(client, api):
    route = api.get(path__startswith="/models/").respond(json=ADAPTER_JSON)

    await call(client.get_model_adapter(model_adapter_id="../workspaces/other"))

    assert route.calls.last.request.url.raw_path == b"/api/models/..%2Fworkspaces%2Fother"


async def test_get_model_adapter_of_an_unknown_id_is_not_found(client, api):
    api.get(f"/models/{ADAPTER_ID}").respond(
        404, json={"message": "no such adapter", "type": "unknownModelAdapter"}
    )

    with pytest.raises(NotFoundError) as caught:
        await call(client.get_model_adapter(model_adapter_id=ADAPTER_ID))

    assert caught.value.error_type == "unknownModelAdapter"


# POST /models


async def test_create_model_adapter_sends_the_observed_body_with_null_hyperparameters(
    client, api, flavour
):
    base = await a_base_model(client, api)
    route = api.post("/models").respond(json={"id": ADAPTER_ID})

    adapter = await call(base.create_model_adapter(name="my adapter"))

    assert sent_json(route) == {
        "initialHyperparameters": {
            "loraHyperparameters": {"rank": None},
            "trainingArguments": {"learningRate": None},
        },
        "model": {"baseModelId": BASE_MODEL_ID, "name": "my adapter"},
    }
    assert type(adapter) is HANDLE_CLASSES[flavour][1]
    assert (adapter.id, adapter.name, adapter.base_model_id) == (
        ADAPTER_ID,
        "my adapter",
        BASE_MODEL_ID,
    )
    assert adapter.workspace_id == WORKSPACE_ID


async def test_create_model_adapter_sends_rank_and_learning_rate(client, api):
    base = await a_base_model(client, api)
    route = api.post("/models").respond(json={"id": ADAPTER_ID})

    await call(base.create_model_adapter(name="my adapter", rank=8, learning_rate=0.0001))

    assert sent_json(route)["initialHyperparameters"] == {
        "loraHyperparameters": {"rank": 8},
        "trainingArguments": {"learningRate": 0.0001},
    }


# DELETE /models/{id}


@pytest.mark.parametrize("answer", [b"{}", b""], ids=["empty object", "empty body"])
async def test_delete_removes_the_adapter(client, api, answer):
    adapter = await an_adapter(client, api)
    route = api.delete(f"/models/{ADAPTER_ID}").respond(content=answer)

    result = await call(adapter.delete())

    assert route.call_count == 1
    assert route.calls.last.request.content == b""
    assert result is None


# POST /models/{id}/complete


async def test_complete_sends_every_field_with_nulls_in_the_official_order(client, api):
    adapter = await an_adapter(client, api)
    route = api.post(f"/models/{ADAPTER_ID}/complete").respond(json=COMPLETION_JSON)

    await call(adapter.complete(query="Hi"))

    body = sent_json(route)
    assert body == {
        "query": "Hi",
        "autoTemplate": None,
        "guidance": None,
        "maxGeneratedTokenCount": None,
        "rag": None,
        "temperature": None,
        "topK": None,
        "topP": None,
    }
    assert next(iter(body)) == "query"


async def test_complete_sends_every_option_as_the_spec_observed(client, api):
    adapter = await an_adapter(client, api)
    route = api.post(f"/models/{ADAPTER_ID}/complete").respond(json=COMPLETION_JSON)

    await call(
        adapter.complete(
            query="Hi",
            max_generated_token_count=20,
            temperature=0.7,
            top_k=50,
            top_p=0.9,
            guidance={"type": "choice", "value": ["yes", "no"]},
            rag_collection_id="rag_1",
            auto_template=False,
        )
    )

    assert sent_json(route) == {
        "autoTemplate": False,
        "guidance": {"type": "choice", "value": ["yes", "no"]},
        "maxGeneratedTokenCount": 20,
        "query": "Hi",
        "rag": {"collectionId": "rag_1"},
        "temperature": 0.7,
        "topK": 50,
        "topP": 0.9,
    }


async def test_complete_returns_the_completion_record(client, api):
    adapter = await an_adapter(client, api)
    api.post(f"/models/{ADAPTER_ID}/complete").respond(json=COMPLETION_JSON)

    completion = await call(adapter.complete(query="Who won in 1994?"))

    assert completion == CompleteResponse(
        finish_reason="length", generated_output=" The Dallas Cowboys!"
    )


async def test_complete_accepts_a_guidance_record_and_works_on_base_models(client, api):
    base = await a_base_model(client, api)
    route = api.post(f"/models/{BASE_MODEL_ID}/complete").respond(json=COMPLETION_JSON)

    await call(base.complete(query="Hi", guidance=Guidance(value=["a", "b"])))

    assert sent_json(route)["guidance"] == {"type": "choice", "value": ["a", "b"]}


# POST /models/{id}/fine-tune


async def test_fine_tune_sends_the_observed_body_with_defaults_filled_in(client, api):
    adapter = await an_adapter(client, api)
    route = api.post(f"/models/{ADAPTER_ID}/fine-tune").respond(json=FINE_TUNE_JSON)

    await call(
        adapter.fine_tune(
            samples=[
                {"inputs": "text one"},
                {"inputs": "two", "multiplier": 2.0},
                {
                    "inputs": [
                        {"value": "<s>q"},
                        {"value": "a", "trainable": False, "parse_special_tokens": False},
                    ]
                },
            ]
        )
    )

    assert sent_json(route) == {
        "samples": [
            {"fineTuningParameters": {"multiplier": None}, "inputs": "text one"},
            {"fineTuningParameters": {"multiplier": 2.0}, "inputs": "two"},
            {
                "fineTuningParameters": {"multiplier": None},
                "inputs": [
                    {"parseSpecialTokens": True, "trainable": True, "value": "<s>q"},
                    {"parseSpecialTokens": False, "trainable": False, "value": "a"},
                ],
            },
        ]
    }


async def test_fine_tune_accepts_sample_records(client, api):
    adapter = await an_adapter(client, api)
    route = api.post(f"/models/{ADAPTER_ID}/fine-tune").respond(json=FINE_TUNE_JSON)

    await call(
        adapter.fine_tune(
            samples=[
                Sample(inputs="plain", multiplier=0.5),
                Sample(
                    inputs=[StructuredInput(value="q"), StructuredInput(value="a", trainable=False)]
                ),
                {"inputs": [StructuredInput(value="r", parse_special_tokens=False)]},
            ]
        )
    )

    assert sent_json(route)["samples"] == [
        {"fineTuningParameters": {"multiplier": 0.5}, "inputs": "plain"},
        {
            "fineTuningParameters": {"multiplier": None},
            "inputs": [
                {"parseSpecialTokens": True, "trainable": True, "value": "q"},
                {"parseSpecialTokens": True, "trainable": False, "value": "a"},
            ],
        },
        {
            "fineTuningParameters": {"multiplier": None},
            "inputs": [{"parseSpecialTokens": False, "trainable": True, "value": "r"}],
        },
    ]


async def test_fine_tune_returns_the_training_record(client, api):
    adapter = await an_adapter(client, api)
    api.post(f"/models/{ADAPTER_ID}/fine-tune").respond(json=FINE_TUNE_JSON)

    result = await call(adapter.fine_tune(samples=[{"inputs": "text"}]))

    assert result == FineTuneResponse(number_of_trainable_tokens=27, sum_loss=78.17996)


# GET /embeddings and POST /embeddings/{slug}


def mock_embeddings_models(api: respx.MockRouter) -> respx.Route:
    return api.get("/embeddings").respond(json={"embeddingsModels": [{"slug": "bge-large"}]})


def embeddings_answer(request: httpx.Request) -> httpx.Response:
    """Embeds ``"text N"`` as ``[N, 0.5]`` and lists the items in reverse order."""
    inputs = json.loads(request.content)["inputs"]
    items = [
        {"embedding": [float(item["input"].split()[1]), 0.5], "index": position}
        for position, item in enumerate(inputs)
    ]
    return httpx.Response(200, json={"embeddings": items[::-1]})


async def test_list_embeddings_models_returns_handles(client, api, flavour):
    route = mock_embeddings_models(api)

    [model] = await call(client.list_embeddings_models())

    assert route.called
    assert type(model) is HANDLE_CLASSES[flavour][2]
    assert model.slug == "bge-large"
    assert model.workspace_id == WORKSPACE_ID


async def test_get_embeddings_model_finds_the_slug(client, api):
    mock_embeddings_models(api)

    model = await call(client.get_embeddings_model(slug="bge-large"))

    assert model.slug == "bge-large"


async def test_get_embeddings_model_with_an_unknown_slug_is_not_found(client, api):
    mock_embeddings_models(api)

    with pytest.raises(NotFoundError, match=r"'bge-small'.*available: bge-large"):
        await call(client.get_embeddings_model(slug="bge-small"))


async def test_embed_sends_inputs_as_objects_and_reads_the_vectors(client, api):
    mock_embeddings_models(api)
    model = await call(client.get_embeddings_model(slug="bge-large"))
    route = api.post("/embeddings/bge-large").mock(side_effect=embeddings_answer)

    result = await call(
        model.embed(inputs=["text 7", {"input": "text 8"}, EmbeddingInput(input="text 9")])
    )

    assert sent_json(route) == {
        "inputs": [{"input": "text 7"}, {"input": "text 8"}, {"input": "text 9"}]
    }
    assert result.embeddings == (
        Embedding(embedding=(7.0, 0.5), index=0),
        Embedding(embedding=(8.0, 0.5), index=1),
        Embedding(embedding=(9.0, 0.5), index=2),
    )


async def test_generate_embeddings_sends_one_request(client, api):
    mock_embeddings_models(api)
    model = await call(client.get_embeddings_model(slug="bge-large"))
    route = api.post("/embeddings/bge-large").mock(side_effect=embeddings_answer)

    result = await call(model.generate_embeddings(inputs=[f"text {i}" for i in range(256)]))

    assert route.call_count == 1
    assert len(result.embeddings) == 256


async def test_generate_embeddings_refuses_more_than_one_request_worth(client, api):
    mock_embeddings_models(api)
    model = await call(client.get_embeddings_model(slug="bge-large"))
    route = api.post("/embeddings/bge-large").mock(side_effect=embeddings_answer)

    with pytest.raises(ValueError, match="1 to 256 inputs, got 257"):
        await call(model.generate_embeddings(inputs=[f"text {i}" for i in range(257)]))

    assert not route.called


async def test_embed_splits_many_inputs_into_requests_of_256_and_restores_the_order(client, api):
    mock_embeddings_models(api)
    model = await call(client.get_embeddings_model(slug="bge-large"))
    route = api.post("/embeddings/bge-large").mock(side_effect=embeddings_answer)

    result = await call(model.embed(inputs=[f"text {i}" for i in range(600)]))

    batches = sorted(
        json.loads(call_.request.content)["inputs"][0]["input"] for call_ in route.calls
    )
    sizes = sorted(len(json.loads(call_.request.content)["inputs"]) for call_ in route.calls)
    assert sizes == [88, 256, 256]
    assert batches == ["text 0", "text 256", "text 512"]
    assert [item.index for item in result.embeddings] == list(range(600))
    assert [item.embedding[0] for item in result.embeddings] == [float(i) for i in range(600)]


async def test_embed_raises_the_error_of_a_failing_batch_not_a_group(client, api):
    mock_embeddings_models(api)
    model = await call(client.get_embeddings_model(slug="bge-large"))

    def second_batch_is_bad(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content)["inputs"][0]["input"] == "text 256":
            return httpx.Response(400, json={"message": "input too long"})
        return embeddings_answer(request)

    api.post("/embeddings/bge-large").mock(side_effect=second_batch_is_bad)

    with pytest.raises(BadRequestError, match="input too long"):
        await call(model.embed(inputs=[f"text {i}" for i in range(600)]))


@pytest.mark.parametrize(
    "items",
    [
        [{"embedding": [0.5], "index": 0}],
        [{"embedding": [0.5], "index": 0}, {"embedding": [0.5], "index": 0}],
        [{"embedding": [0.5], "index": 0}, {"embedding": [0.5], "index": 256}],
    ],
    ids=["one missing", "index twice", "index out of the batch"],
)
async def test_an_embeddings_answer_that_does_not_match_the_inputs_is_refused(client, api, items):
    # Indexes are shifted by the batch's offset: a wrong one would land on another batch's text.
    mock_embeddings_models(api)
    model = await call(client.get_embeddings_model(slug="bge-large"))
    api.post("/embeddings/bge-large").respond(json={"embeddings": items})

    with pytest.raises(APIResponseValidationError):
        await call(model.embed(inputs=["text 0", "text 1"]))


class ReverseOrderEmbeddings(httpx.AsyncBaseTransport):
    """Holds every embeddings request until all batches are in flight (so they must be sent
    concurrently), then answers the last batch first. Build it inside the event loop."""

    def __init__(self, batches: int) -> None:
        self.batches = batches
        self.in_flight: list[int] = []
        self.answered: list[int] = []
        self.all_in_flight = anyio.Event()
        self.may_answer = [anyio.Event() for _ in range(batches)]
        self.may_answer[-1].set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"embeddingsModels": [{"slug": "bge-large"}]})
        batch = int(json.loads(request.content)["inputs"][0]["input"].split()[1]) // 256
        self.in_flight.append(batch)
        if len(self.in_flight) == self.batches:
            self.all_in_flight.set()
        with anyio.fail_after(5):
            await self.all_in_flight.wait()
            await self.may_answer[batch].wait()
        self.answered.append(batch)
        if batch > 0:
            self.may_answer[batch - 1].set()
        return embeddings_answer(request)


@pytest.mark.parametrize("flavour", ["async"])
async def test_async_embed_sends_the_batches_concurrently_and_merges_late_answers(make_client):
    transport = ReverseOrderEmbeddings(batches=3)
    client = make_client(transport=transport)
    model = await client.get_embeddings_model(slug="bge-large")

    result = await model.embed(inputs=[f"text {i}" for i in range(600)])

    assert transport.answered == [2, 1, 0]
    assert [item.index for item in result.embeddings] == list(range(600))
    assert [item.embedding[0] for item in result.embeddings] == [float(i) for i in range(600)]


def test_sync_embed_sends_the_batches_concurrently_and_merges_late_answers():
    all_in_flight = threading.Barrier(3, timeout=5)
    turn = threading.Condition()
    answered: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"embeddingsModels": [{"slug": "bge-large"}]})
        batch = int(json.loads(request.content)["inputs"][0]["input"].split()[1]) // 256
        all_in_flight.wait()
        with turn:
            assert turn.wait_for(lambda: len(answered) == 2 - batch, timeout=5)
            answered.append(batch)
            turn.notify_all()
        return embeddings_answer(request)

    with Gradient(
        access_token=TOKEN, workspace_id=WORKSPACE_ID, transport=httpx.MockTransport(handler)
    ) as client:
        model = client.get_embeddings_model(slug="bge-large")
        result = model.embed(inputs=[f"text {i}" for i in range(600)])

    assert answered == [2, 1, 0]
    assert [item.index for item in result.embeddings] == list(range(600))
    assert [item.embedding[0] for item in result.embeddings] == [float(i) for i in range(600)]


# Headers


@pytest.mark.parametrize("with_body", [False, True], ids=["GET", "POST"])
async def test_every_request_carries_the_api_headers(client, api, with_body):
    adapter_route = api.get(f"/models/{ADAPTER_ID}").respond(json=ADAPTER_JSON)
    complete_route = api.post(f"/models/{ADAPTER_ID}/complete").respond(json=COMPLETION_JSON)

    adapter = await call(client.get_model_adapter(model_adapter_id=ADAPTER_ID))
    if with_body:
        await call(adapter.complete(query="Hi"))
    headers = (complete_route if with_body else adapter_route).calls.last.request.headers

    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["x-gradient-workspace-id"] == WORKSPACE_ID
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith(f"gradient-sdk/{__version__} ")
    assert headers.get("Content-Type") == ("application/json" if with_body else None)


# Reading answers


async def test_unknown_response_fields_are_ignored(client, api):
    api.get("/models").respond(
        json={
            "models": [{**BASE_MODEL_JSON, "contextWindow": 1024}, {**ADAPTER_JSON, "x": [1]}],
            "nextPage": None,
        }
    )
    api.post(f"/models/{ADAPTER_ID}/complete").respond(
        json={**COMPLETION_JSON, "usage": {"tokens": 3}}
    )

    base, adapter = await call(client.list_models())
    completion = await call(adapter.complete(query="Hi"))

    assert base.slug == "nous-hermes2"
    assert completion.generated_output == " The Dallas Cowboys!"


async def test_a_missing_response_field_is_a_validation_error_naming_the_field(client, api):
    adapter = await an_adapter(client, api)
    api.post(f"/models/{ADAPTER_ID}/complete").respond(json={"finishReason": "stop"})

    with pytest.raises(APIResponseValidationError) as caught:
        await call(adapter.complete(query="Hi"))

    assert "required field missing" in str(caught.value)
    # The body the server sent says "generatedOutput": that is the name to point at.
    assert "generatedOutput" in str(caught.value)
    assert caught.value.status_code == 200
    assert caught.value.body == {"finishReason": "stop"}


async def test_a_mistyped_response_field_is_a_validation_error(client, api):
    adapter = await an_adapter(client, api)
    api.post(f"/models/{ADAPTER_ID}/fine-tune").respond(
        json={"numberOfTrainableTokens": "27", "sumLoss": 1.5}
    )

    with pytest.raises(APIResponseValidationError, match="expected an integer, got str"):
        await call(adapter.fine_tune(samples=[{"inputs": "text"}]))


async def test_an_unknown_model_type_is_a_validation_error(client, api):
    mock_models(api, {**BASE_MODEL_JSON, "type": "chatModel"})

    with pytest.raises(APIResponseValidationError, match="unknown model type 'chatModel'"):
        await call(client.list_models())


async def test_a_success_that_is_not_json_is_a_validation_error(client, api):
    api.get("/embeddings").respond(200, text="<html>gateway</html>")

    with pytest.raises(APIResponseValidationError, match="not JSON") as caught:
        await call(client.list_embeddings_models())

    assert caught.value.status_code == 200
    assert caught.value.body == "<html>gateway</html>"
    assert isinstance(caught.value, GradientError)


# The handle API, end to end


async def test_the_whole_flow_of_the_issue(client, api):
    mock_models(api, BASE_MODEL_JSON)
    create = api.post("/models").respond(json={"id": ADAPTER_ID})
    complete = api.post(f"/models/{ADAPTER_ID}/complete").respond(json=COMPLETION_JSON)
    fine_tune = api.post(f"/models/{ADAPTER_ID}/fine-tune").respond(json=FINE_TUNE_JSON)
    delete = api.delete(f"/models/{ADAPTER_ID}").respond(json={})

    base = await call(client.list_models(only_base=True))
    adapter = await call(base[-1].create_model_adapter(name="my_model_adapter"))
    out = await call(adapter.complete(query="Q: ", max_generated_token_count=128))
    ft = await call(adapter.fine_tune(samples=[{"inputs": "Q: A"}]))
    await call(adapter.delete())

    assert sent_json(create)["model"] == {"baseModelId": BASE_MODEL_ID, "name": "my_model_adapter"}
    assert sent_json(complete)["maxGeneratedTokenCount"] == 128
    assert out.finish_reason == "length"
    assert sent_json(fine_tune)["samples"][0]["inputs"] == "Q: A"
    assert ft.number_of_trainable_tokens == 27
    assert delete.called


@pytest.mark.parametrize("flavour", ["async"])
async def test_async_handles_keep_the_gradientai_aliases(client, api):
    adapter = await an_adapter(client, api)
    complete = api.post(f"/models/{ADAPTER_ID}/complete").respond(json=COMPLETION_JSON)
    mock_embeddings_models(api)
    embed = api.post("/embeddings/bge-large").mock(side_effect=embeddings_answer)
    model = await client.get_embeddings_model(slug="bge-large")

    completion = await adapter.acomplete(query="Hi", top_k=3)
    embeddings = await model.aembed(inputs=[{"input": "text 1"}])

    assert sent_json(complete)["topK"] == 3
    assert completion.generated_output == " The Dallas Cowboys!"
    assert embed.called
    assert embeddings.embeddings[0].embedding == (1.0, 0.5)


def test_sync_handles_have_no_async_aliases():
    assert not hasattr(ModelAdapter, "acomplete")
    assert not hasattr(BaseModel, "acomplete")
    assert not hasattr(EmbeddingsModel, "aembed")
    assert not hasattr(Gradient, "aclose")
    assert hasattr(AsyncGradient, "close")


async def test_handles_describe_themselves(client, api):
    mock_models(api, BASE_MODEL_JSON, ADAPTER_JSON)
    mock_embeddings_models(api)

    base, adapter = await call(client.list_models())
    [embeddings_model] = await call(client.list_embeddings_models())

    assert repr(base).endswith(f"BaseModel(id={BASE_MODEL_ID!r}, slug='nous-hermes2')")
    assert repr(adapter).endswith(f"ModelAdapter(id={ADAPTER_ID!r}, name='my adapter')")
    assert repr(embeddings_model).endswith("EmbeddingsModel(slug='bge-large')")
