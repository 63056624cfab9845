"""What GradientLLM and GradientEmbeddings send and how they read answers, on a mocked API.

The reference for bodies and headers is langchain-community's GradientLLM (``gradient_ai.py``,
``_kwargs_post_request`` and ``_kwargs_post_fine_tune_request``), rebuilt below. The SDK adds
``autoTemplate``, ``guidance`` and ``rag`` to a completion, and ``fineTuningParameters`` to a
sample without a multiplier, always as ``null``: every optional field of the API is nullable
and null means "not given", so the request means the same as the community's.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pytest
import respx
from _langchain_support import (
    COMPLETE_PATH,
    CREDENTIALS,
    FINE_TUNE_PATH,
    MODEL_ID,
    TOKEN,
    WORKSPACE_ID,
    completion,
    sent_json,
)

from gradient_sdk import (
    APIConnectionError,
    AuthenticationError,
    InternalServerError,
    NotFoundError,
    UnprocessableEntityError,
)
from gradient_sdk.langchain import GradientEmbeddings, GradientLLM

pytestmark = pytest.mark.anyio

COMMUNITY_COMPLETE_KEYS = {"query", "maxGeneratedTokenCount", "temperature", "topK", "topP"}


def community_complete_body(
    prompt: str, model_kwargs: Mapping[str, Any], kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON langchain-community's GradientLLM posts to ``/complete``."""
    params = {**model_kwargs, **kwargs}
    return {
        "query": prompt,
        "maxGeneratedTokenCount": params.get("max_generated_token_count"),
        "temperature": params.get("temperature"),
        "topK": params.get("top_k"),
        "topP": params.get("top_p"),
    }


def community_fine_tune_body(
    inputs: Sequence[str], multipliers: Sequence[float] | None
) -> dict[str, Any]:
    """The JSON langchain-community's GradientLLM posts to ``/fine-tune``."""
    if multipliers is None:
        return {"samples": [{"inputs": text} for text in inputs]}
    return {
        "samples": [
            {"inputs": text, "fineTuningParameters": {"multiplier": multiplier}}
            for text, multiplier in zip(inputs, multipliers, strict=True)
        ]
    }


COMMUNITY_HEADERS = {
    "authorization": f"Bearer {TOKEN}",
    "x-gradient-workspace-id": WORKSPACE_ID,
    "accept": "application/json",
    "content-type": "application/json",
}


def make_llm(**overrides: Any) -> GradientLLM:
    return GradientLLM(**{"model": MODEL_ID, **CREDENTIALS, "max_retries": 0, **overrides})


async def call(result: Any) -> Any:
    return await result if inspect.isawaitable(result) else result


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    """Whether a test goes through the sync or the async methods."""
    return request.param


async def invoke(llm: GradientLLM, flavour: str, prompt: str, **kwargs: Any) -> str:
    if flavour == "sync":
        return llm.invoke(prompt, **kwargs)
    return await llm.ainvoke(prompt, **kwargs)


async def train(llm: GradientLLM, flavour: str, inputs: list[str], **kwargs: Any) -> Any:
    if flavour == "sync":
        return llm.train_unsupervised(inputs, **kwargs)
    return await llm.atrain_unsupervised(inputs, **kwargs)


async def test_a_completion_sends_what_langchain_community_sends(
    api: respx.MockRouter, flavour: str
) -> None:
    model_kwargs = {"max_generated_token_count": 64, "temperature": 0.5}
    route = api.post(COMPLETE_PATH).mock(return_value=completion(" Paris"))
    llm = make_llm(model_kwargs=model_kwargs)

    text = await invoke(llm, flavour, "Hello")

    request = route.calls.last.request
    body = sent_json(route)
    assert text == " Paris"
    assert str(request.url) == f"https://api.gradient.ai/api/models/{MODEL_ID}/complete"
    assert {key: body[key] for key in COMMUNITY_COMPLETE_KEYS} == community_complete_body(
        "Hello", model_kwargs, {}
    )
    assert body["query"] == "Hello"
    assert body["maxGeneratedTokenCount"] == 64
    assert body["topK"] is None
    assert {key: value for key, value in body.items() if key not in COMMUNITY_COMPLETE_KEYS} == {
        "autoTemplate": None,
        "guidance": None,
        "rag": None,
    }
    assert {name: request.headers[name] for name in COMMUNITY_HEADERS} == COMMUNITY_HEADERS


async def test_call_keyword_arguments_override_model_kwargs(
    api: respx.MockRouter, flavour: str
) -> None:
    model_kwargs = {"temperature": 0.5, "top_k": 20, "max_generated_token_count": 64}
    route = api.post(COMPLETE_PATH).mock(return_value=completion("ok"))
    llm = make_llm(model_kwargs=model_kwargs)

    await invoke(llm, flavour, "Hi", temperature=0.2, top_p=0.9)

    assert {key: sent_json(route)[key] for key in COMMUNITY_COMPLETE_KEYS} == (
        community_complete_body("Hi", model_kwargs, {"temperature": 0.2, "top_p": 0.9})
    )


async def test_max_tokens_is_another_name_for_max_generated_token_count(
    api: respx.MockRouter, flavour: str
) -> None:
    route = api.post(COMPLETE_PATH).mock(return_value=completion("ok"))
    llm = make_llm(model_kwargs={"max_generated_token_count": 64})

    await invoke(llm, flavour, "Say hello:", temperature=0.2, max_tokens=250)

    assert sent_json(route)["maxGeneratedTokenCount"] == 250
    assert sent_json(route)["temperature"] == 0.2


async def test_the_sdks_own_completion_settings_pass_through(
    api: respx.MockRouter, flavour: str
) -> None:
    route = api.post(COMPLETE_PATH).mock(return_value=completion("yes"))
    llm = make_llm(model_kwargs={"auto_template": True, "rag_collection_id": "rag_1"})

    await invoke(llm, flavour, "Is it?", guidance={"type": "choice", "value": ["yes", "no"]})

    body = sent_json(route)
    assert body["autoTemplate"] is True
    assert body["rag"] == {"collectionId": "rag_1"}
    assert body["guidance"] == {"type": "choice", "value": ["yes", "no"]}


async def test_an_unknown_keyword_argument_fails_before_any_request(
    api: respx.MockRouter, flavour: str
) -> None:
    route = api.post(COMPLETE_PATH).mock(return_value=completion("ok"))

    with pytest.raises(TypeError, match="unexpected completion keyword argument"):
        await invoke(make_llm(), flavour, "Hi", temprature=0.2)

    assert not route.called


@pytest.mark.parametrize(
    ("stop", "expected"),
    [
        (["."], "Hello"),  # a regex would cut at the first character
        (["?"], "Hello. World"),  # a regex would not even compile
        (["o.", "W"], "Hell"),  # the earliest of several wins
        (["World", "Hello"], ""),
        (["zzz"], "Hello. World"),
        ([], "Hello. World"),
    ],
)
async def test_stop_sequences_cut_the_output_literally(
    api: respx.MockRouter, flavour: str, stop: list[str], expected: str
) -> None:
    route = api.post(COMPLETE_PATH).mock(return_value=completion("Hello. World"))

    text = await invoke(make_llm(), flavour, "Hi", stop=stop)

    assert text == expected
    assert "stop" not in sent_json(route)


async def test_stop_sequences_from_model_kwargs_apply_unless_the_call_gives_its_own(
    api: respx.MockRouter, flavour: str
) -> None:
    api.post(COMPLETE_PATH).mock(return_value=completion("one, two. three"))
    llm = make_llm(model_kwargs={"stop": ["."]})

    assert await invoke(llm, flavour, "Count") == "one, two"
    assert await invoke(llm, flavour, "Count", stop=[","]) == "one"


async def test_training_sends_what_langchain_community_sends(
    api: respx.MockRouter, flavour: str
) -> None:
    route = api.post(FINE_TUNE_PATH).mock(
        return_value=httpx.Response(200, json={"numberOfTrainableTokens": 10, "sumLoss": 1.5})
    )
    inputs = ["Question: 1+1?\n\nAnswer: 2", "Question: 2+2?\n\nAnswer: 4"]

    result = await train(make_llm(), flavour, inputs, multipliers=[1.0, 0.5])

    request = route.calls.last.request
    assert result == {"loss": 0.15}
    assert str(request.url) == f"https://api.gradient.ai/api/models/{MODEL_ID}/fine-tune"
    assert sent_json(route) == community_fine_tune_body(inputs, [1.0, 0.5])
    assert {name: request.headers[name] for name in COMMUNITY_HEADERS} == COMMUNITY_HEADERS


async def test_training_without_multipliers_sends_null_parameters(
    api: respx.MockRouter, flavour: str
) -> None:
    route = api.post(FINE_TUNE_PATH).mock(
        return_value=httpx.Response(200, json={"numberOfTrainableTokens": 27, "sumLoss": 78.18})
    )

    result = await train(make_llm(), flavour, ["one", "two"])

    community = community_fine_tune_body(["one", "two"], None)
    sent = sent_json(route)
    assert result == {"loss": pytest.approx(78.18 / 27)}
    assert [sample["inputs"] for sample in sent["samples"]] == [
        sample["inputs"] for sample in community["samples"]
    ]
    assert all(sample["fineTuningParameters"] == {"multiplier": None} for sample in sent["samples"])


async def test_multipliers_come_from_model_kwargs_unless_the_call_gives_them(
    api: respx.MockRouter, flavour: str
) -> None:
    route = api.post(FINE_TUNE_PATH).mock(
        return_value=httpx.Response(200, json={"numberOfTrainableTokens": 1, "sumLoss": 1.0})
    )
    llm = make_llm(model_kwargs={"multipliers": [2.0]})

    await train(llm, flavour, ["one"])
    await train(llm, flavour, ["one"], multipliers=[3.0])

    assert sent_json(route, 0) == community_fine_tune_body(["one"], [2.0])
    assert sent_json(route, 1) == community_fine_tune_body(["one"], [3.0])


async def test_a_training_step_without_trainable_tokens_has_no_loss(
    api: respx.MockRouter, flavour: str
) -> None:
    api.post(FINE_TUNE_PATH).mock(
        return_value=httpx.Response(200, json={"numberOfTrainableTokens": 0, "sumLoss": 0.0})
    )

    assert await train(make_llm(), flavour, ["x"]) == {"loss": 0.0}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"multipliers": [1.0]}, ValueError, "2 inputs but 1 multipliers"),
        ({"multipliers": [1.0, 0.0]}, ValueError, "multiplier"),
        ({"learning_rate": 0.1}, TypeError, "unexpected training keyword"),
    ],
)
async def test_bad_training_arguments_fail_before_any_request(
    api: respx.MockRouter,
    flavour: str,
    kwargs: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    route = api.post(FINE_TUNE_PATH).mock(
        return_value=httpx.Response(200, json={"numberOfTrainableTokens": 1, "sumLoss": 1.0})
    )

    with pytest.raises(error, match=message):
        await train(make_llm(), flavour, ["one", "two"], **kwargs)

    assert not route.called


async def test_training_takes_a_list_not_one_string(api: respx.MockRouter, flavour: str) -> None:
    with pytest.raises(TypeError, match="list of texts"):
        await train(make_llm(), flavour, "one text")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(401, json={"message": "bad token"}), AuthenticationError),
        (
            httpx.Response(404, json={"type": "unknownModelAdapter", "message": "no such"}),
            NotFoundError,
        ),
        (httpx.Response(422, json={"message": "prompt too long"}), UnprocessableEntityError),
        (httpx.Response(503, text="down"), InternalServerError),
    ],
)
async def test_api_errors_surface_as_the_sdks_typed_errors(
    api: respx.MockRouter, flavour: str, response: httpx.Response, error: type[Exception]
) -> None:
    api.post(COMPLETE_PATH).mock(return_value=response)
    api.post(FINE_TUNE_PATH).mock(return_value=response)
    llm = make_llm()

    with pytest.raises(error) as completing:
        await invoke(llm, flavour, "Hi")
    with pytest.raises(error):
        await train(llm, flavour, ["x"])

    assert type(completing.value) is error
    assert TOKEN not in str(completing.value)


async def test_a_connection_failure_is_an_api_connection_error(
    api: respx.MockRouter, flavour: str
) -> None:
    api.post(COMPLETE_PATH).mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(APIConnectionError):
        await invoke(make_llm(), flavour, "Hi")


async def test_failed_requests_are_retried_by_the_sdk(api: respx.MockRouter, flavour: str) -> None:
    route = api.post(COMPLETE_PATH).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "0"}), completion("at last")]
    )

    assert await invoke(make_llm(max_retries=1), flavour, "Hi") == "at last"
    assert route.call_count == 2


async def test_embeddings_send_the_texts_and_read_vectors_in_input_order(
    api: respx.MockRouter, flavour: str
) -> None:
    route = api.post("/embeddings/bge-large").mock(
        return_value=httpx.Response(
            200,
            json={
                "embeddings": [
                    {"embedding": [0, 0.9, 0], "index": 1},
                    {"embedding": [1, 0, 0], "index": 0},
                ]
            },
        )
    )
    embeddings = GradientEmbeddings(model="bge-large", **CREDENTIALS)
    texts = ["pizza", "a document"]

    if flavour == "sync":
        vectors = embeddings.embed_documents(texts)
    else:
        vectors = await embeddings.aembed_documents(texts)

    request = route.calls.last.request
    assert vectors == [[1.0, 0.0, 0.0], [0.0, 0.9, 0.0]]
    assert all(isinstance(value, float) for vector in vectors for value in vector)
    assert sent_json(route) == {"inputs": [{"input": "pizza"}, {"input": "a document"}]}
    assert {name: request.headers[name] for name in COMMUNITY_HEADERS} == COMMUNITY_HEADERS


async def test_a_query_gets_the_retrieval_prompt_and_documents_do_not(
    api: respx.MockRouter, flavour: str
) -> None:
    route = api.post("/embeddings/bge-large").mock(
        return_value=httpx.Response(200, json={"embeddings": [{"embedding": [1.0], "index": 0}]})
    )
    embeddings = GradientEmbeddings(
        model="bge-large", query_prompt_for_retrieval="Represent this:", **CREDENTIALS
    )

    if flavour == "sync":
        query = embeddings.embed_query("q")
        embeddings.embed_documents(["d"])
    else:
        query = await embeddings.aembed_query("q")
        await embeddings.aembed_documents(["d"])

    assert query == [1.0]
    assert sent_json(route, 0) == {"inputs": [{"input": "Represent this: q"}]}
    assert sent_json(route, 1) == {"inputs": [{"input": "d"}]}


async def test_more_than_256_texts_are_sent_in_batches(api: respx.MockRouter, flavour: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        texts = [item["input"] for item in json.loads(request.content)["inputs"]]
        return httpx.Response(
            200,
            json={
                "embeddings": [{"embedding": [float(t)], "index": i} for i, t in enumerate(texts)]
            },
        )

    route = api.post("/embeddings/bge-large").mock(side_effect=answer)
    embeddings = GradientEmbeddings(model="bge-large", **CREDENTIALS)
    texts = [str(number) for number in range(600)]

    if flavour == "sync":
        vectors = embeddings.embed_documents(texts)
    else:
        vectors = await embeddings.aembed_documents(texts)

    assert vectors == [[float(number)] for number in range(600)]
    assert sorted(len(sent_json(route, i)["inputs"]) for i in range(3)) == [88, 256, 256]


async def test_no_texts_means_no_request(api: respx.MockRouter, flavour: str) -> None:
    embeddings = GradientEmbeddings(model="bge-large", **CREDENTIALS)

    result = (
        embeddings.embed_documents([])
        if flavour == "sync"
        else await embeddings.aembed_documents([])
    )

    assert result == []
    assert not api.calls


async def test_embedding_errors_are_typed(api: respx.MockRouter, flavour: str) -> None:
    api.post("/embeddings/nope").mock(return_value=httpx.Response(404, json={"message": "no"}))
    embeddings = GradientEmbeddings(model="nope", max_retries=0, **CREDENTIALS)

    with pytest.raises(NotFoundError):
        await call(
            embeddings.embed_query("q") if flavour == "sync" else embeddings.aembed_query("q")
        )
