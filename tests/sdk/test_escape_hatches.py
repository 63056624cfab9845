"""What a client needs beyond the wrapped operations: default headers, a low-level request
that keeps the SDK's retries and errors, the wire form of records, and the logging switch.
Each test runs with the async and the sync client, on asyncio and trio."""

from __future__ import annotations

import logging

import httpx
import pytest

from gradient_sdk import (
    APIStatusError,
    BadRequestError,
    ConfigurationError,
    ErrorType,
    FineTuneResponse,
    NotFoundError,
    RequestTooLargeError,
    from_wire_dict,
    to_wire_dict,
)
from gradient_sdk._logs import LOGGER_NAME, configure_from_environment
from gradient_sdk.records import CompleteRequest, Guidance, ListModelsResponse

from ._support import ADAPTER_ID, BASE_MODEL_JSON, COMPLETION_JSON, TOKEN, call, sent_json

pytestmark = pytest.mark.anyio

COMPLETE_PATH = f"/models/{ADAPTER_ID}/complete"


# default_headers


async def test_default_headers_go_with_every_request(make_client, api):
    route = api.get("/models").respond(json={"models": [BASE_MODEL_JSON]})
    client = make_client(default_headers={"X-Trace": "abc", "User-Agent": "my-app/1"})

    await call(client.list_models())

    headers = route.calls.last.request.headers
    assert headers["x-trace"] == "abc"
    assert headers["user-agent"] == "my-app/1"
    assert headers["authorization"] == f"Bearer {TOKEN}"


async def test_with_options_adds_default_headers_to_the_new_client_only(make_client, api):
    route = api.get("/models").respond(json={"models": []})
    client = make_client(default_headers={"X-Team": "a"})
    twin = client.with_options(default_headers={"X-Call": "b"})

    await call(twin.list_models())
    await call(client.list_models())

    first, second = (c.request.headers for c in route.calls)
    assert (first["x-team"], first["x-call"]) == ("a", "b")
    assert "x-call" not in second


@pytest.mark.parametrize("name", ["Authorization", "x-gradient-workspace-id", "AUTHORIZATION"])
async def test_default_headers_cannot_replace_the_credentials(make_client, name):
    with pytest.raises(ConfigurationError, match="access_token and workspace_id"):
        make_client(default_headers={name: "other"})


# client.request


async def test_request_reads_the_answer_into_a_record(client, api):
    route = api.get("/models").respond(json={"models": [BASE_MODEL_JSON]})

    listing = await call(client.request("GET", "/models", cast_to=ListModelsResponse))

    assert isinstance(listing, ListModelsResponse)
    assert listing.models[0].slug == "nous-hermes2"
    assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"


async def test_request_without_cast_to_returns_the_json(client, api):
    api.get("/embeddings").respond(json={"embeddingsModels": [{"slug": "bge-large"}]})

    data = await call(client.request("GET", "/embeddings"))

    assert data == {"embeddingsModels": [{"slug": "bge-large"}]}


async def test_request_sends_a_record_in_wire_form_and_params_as_given(client, api):
    route = api.post(COMPLETE_PATH).respond(json=COMPLETION_JSON)
    body = CompleteRequest(query="Hi", guidance=Guidance(value=["a"]))

    await call(client.request("POST", COMPLETE_PATH, body=body, params={"x": "1"}))

    assert sent_json(route)["guidance"] == {"type": "choice", "value": ["a"]}
    assert route.calls.last.request.url.params["x"] == "1"
    assert route.calls.last.request.headers["content-type"] == "application/json"


async def test_request_retries_a_get_but_not_a_post_unless_told(client, api, sleeps):
    get = api.get("/embeddings").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"embeddingsModels": []})]
    )
    post = api.post(COMPLETE_PATH).respond(503)

    await call(client.request("GET", "/embeddings"))
    with pytest.raises(APIStatusError):
        await call(client.request("POST", COMPLETE_PATH, body={"query": "Hi"}))
    post.side_effect = [httpx.Response(503), httpx.Response(200, json=COMPLETION_JSON)]
    await call(client.request("POST", COMPLETE_PATH, body={"query": "Hi"}, resend_safe=True))

    assert get.call_count == 2
    assert post.call_count == 3  # one for the unsafe POST, two for the one marked safe


async def test_request_raises_the_typed_errors(client, api):
    api.get("/models/x").respond(404, json={"message": "no such model"})

    with pytest.raises(NotFoundError, match="no such model"):
        await call(client.request("GET", "/models/x"))


async def test_request_needs_a_path_from_the_base_url(client, api):
    with pytest.raises(ValueError, match="must start with '/'"):
        await call(client.request("GET", "models"))

    assert not api.calls


# Typed errors


async def test_the_error_type_is_the_enum_and_unknown_types_stay_text(client, api):
    api.post(COMPLETE_PATH).mock(
        side_effect=[
            httpx.Response(404, json={"message": "m", "type": "unknownModelAdapter"}),
            httpx.Response(400, json={"message": "m", "type": "brandNewType"}),
        ]
    )

    with pytest.raises(NotFoundError) as known:
        await call(client.models.complete(model_id=ADAPTER_ID, query="Hi"))
    with pytest.raises(BadRequestError) as unknown:
        await call(client.models.complete(model_id=ADAPTER_ID, query="Hi"))

    assert known.value.error_type is ErrorType.UNKNOWN_MODEL_ADAPTER
    assert known.value.error_type == "unknownModelAdapter"
    assert unknown.value.error_type == "brandNewType"


async def test_413_is_its_own_error(client, api):
    api.post(COMPLETE_PATH).respond(413, json={"message": "too large"})

    with pytest.raises(RequestTooLargeError, match="too large") as raised:
        await call(client.models.complete(model_id=ADAPTER_ID, query="Hi"))

    assert raised.value.status_code == 413


async def test_501_is_not_tried_again(client, api, sleeps):
    route = api.get("/rag-collections").respond(501, json={"message": "not implemented"})

    with pytest.raises(APIStatusError):
        await call(client.request("GET", "/rag-collections"))

    assert route.call_count == 1
    assert sleeps == []


# A retried DELETE


async def test_a_delete_whose_retry_finds_nothing_is_done(client, api):
    route = api.delete(f"/models/{ADAPTER_ID}").mock(
        side_effect=[httpx.ReadTimeout("lost answer"), httpx.Response(404, json={"message": "-"})]
    )

    await call(client.models.delete_model_adapter(model_adapter_id=ADAPTER_ID))

    assert route.call_count == 2


async def test_a_delete_of_nothing_on_the_first_try_is_not_found(client, api):
    api.delete(f"/models/{ADAPTER_ID}").respond(404, json={"message": "no such adapter"})

    with pytest.raises(NotFoundError, match="no such adapter"):
        await call(client.models.delete_model_adapter(model_adapter_id=ADAPTER_ID))


# Options checked before any request


async def test_a_wrong_capability_names_the_allowed_values(client, api):
    with pytest.raises(ValueError, match="'any', 'complete', 'fineTune'"):
        await call(client.list_models(capability="chat"))

    assert not api.calls


async def test_an_unknown_option_is_refused_before_any_request(client, api):
    with pytest.raises(TypeError, match="max_tokens"):
        await call(client.models.complete(model_id=ADAPTER_ID, query="Hi", max_tokens=5))

    assert not api.calls


@pytest.mark.parametrize(
    "rag",
    [{"collection_id": "rag_1"}, {"collectionId": "rag_1"}],
    ids=["gradientai key", "wire key"],
)
async def test_complete_takes_gradientais_rag_form(client, api, rag):
    route = api.post(COMPLETE_PATH).respond(json=COMPLETION_JSON)

    await call(client.models.complete(model_id=ADAPTER_ID, query="Hi", rag=rag))

    assert sent_json(route)["rag"] == {"collectionId": "rag_1"}


async def test_rag_and_rag_collection_id_are_one_option(client, api):
    with pytest.raises(TypeError, match="not both"):
        await call(
            client.models.complete(
                model_id=ADAPTER_ID, query="Hi", rag={"collection_id": "a"}, rag_collection_id="b"
            )
        )


# Wire dicts


def test_a_record_goes_to_and_from_its_wire_dict():
    record = FineTuneResponse(number_of_trainable_tokens=27, sum_loss=78.17996)

    data = to_wire_dict(record)

    assert data == {"numberOfTrainableTokens": 27, "sumLoss": 78.17996}
    assert from_wire_dict(data, FineTuneResponse) == record


def test_wire_dicts_are_for_records_only():
    with pytest.raises(TypeError, match="record"):
        to_wire_dict({"not": "a record"})
    with pytest.raises(TypeError, match="record type"):
        from_wire_dict({}, dict)
    with pytest.raises(ValueError, match="numberOfTrainableTokens"):
        from_wire_dict({"numberOfTrainableTokens": "27", "sumLoss": 1}, FineTuneResponse)


# GRADIENT_LOG


@pytest.fixture
def sdk_logger():
    logger = logging.getLogger(LOGGER_NAME)
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO)])
def test_gradient_log_turns_on_the_sdk_logger(sdk_logger, value, level):
    assert configure_from_environment({"GRADIENT_LOG": value}) == level
    configure_from_environment({"GRADIENT_LOG": value})  # twice: still one handler

    assert sdk_logger.level == level
    assert len([h for h in sdk_logger.handlers if isinstance(h, logging.StreamHandler)]) == 1


@pytest.mark.parametrize("value", ["", "verbose"])
def test_gradient_log_unset_or_unknown_changes_nothing(sdk_logger, value):
    before = (list(sdk_logger.handlers), sdk_logger.level)

    assert configure_from_environment({"GRADIENT_LOG": value}) is None

    assert (sdk_logger.handlers, sdk_logger.level) == before


async def test_capability_none_means_any_as_in_gradientai(client, api):
    route = api.get("/models").respond(json={"models": []})

    await call(client.list_models(capability=None))

    assert route.calls.last.request.url.params["capability"] == "any"
