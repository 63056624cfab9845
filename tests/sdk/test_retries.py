"""Retries: which failures are tried again, how often, how long the SDK waits, and the rule that
a fine-tune (or the creation of an adapter) is never sent twice once the server may have it.

The ``sleeps`` fixture records each wait instead of sleeping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradient_sdk import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)
from gradient_sdk._retry import RetryPolicy, retry_after_seconds

from ._support import ADAPTER_ID, BASE_MODEL_ID, COMPLETION_JSON, FINE_TUNE_JSON, call

pytestmark = pytest.mark.anyio

COMPLETE_PATH = f"/models/{ADAPTER_ID}/complete"
FINE_TUNE_PATH = f"/models/{ADAPTER_ID}/fine-tune"
OK = httpx.Response(200, json=COMPLETION_JSON)


async def complete(client) -> object:
    return await call(client.models.complete(model_id=ADAPTER_ID, query="Hi"))


async def fine_tune(client) -> object:
    return await call(
        client.models.fine_tune(model_adapter_id=ADAPTER_ID, samples=[{"inputs": "text"}])
    )


async def create_model_adapter(client) -> object:
    return await call(
        client.models.create_model_adapter(base_model_id=BASE_MODEL_ID, name="my adapter")
    )


# Counts


async def test_a_failed_request_is_tried_again_until_it_succeeds(client, api, sleeps):
    route = api.post(COMPLETE_PATH).mock(side_effect=[httpx.Response(503), httpx.Response(500), OK])

    completion = await complete(client)

    assert completion.generated_output == " The Dallas Cowboys!"
    assert route.call_count == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize(("max_retries", "attempts"), [(None, 3), (0, 1), (1, 2), (5, 6)])
async def test_max_retries_bounds_the_attempts(make_client, api, max_retries, attempts):
    client = make_client() if max_retries is None else make_client(max_retries=max_retries)
    route = api.post(COMPLETE_PATH).respond(503)

    with pytest.raises(InternalServerError):
        await complete(client)

    assert route.call_count == attempts


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_tried_again(client, api, status):
    route = api.post(COMPLETE_PATH).respond(status)

    with pytest.raises(APIStatusError) as caught:
        await complete(client)

    assert caught.value.status_code == status
    assert route.call_count == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_other_client_errors_are_not_tried_again(client, api, sleeps, status):
    route = api.post(COMPLETE_PATH).respond(status)

    with pytest.raises(APIStatusError):
        await complete(client)

    assert route.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize(
    ("failure", "error_class"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadError("reset"), APIConnectionError),
        (httpx.RemoteProtocolError("hung up"), APIConnectionError),
        (httpx.ConnectTimeout("slow"), APITimeoutError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
    ],
)
async def test_connection_failures_are_tried_again(client, api, failure, error_class):
    route = api.post(COMPLETE_PATH).mock(side_effect=failure)

    with pytest.raises(error_class):
        await complete(client)

    assert route.call_count == 3


async def test_a_connection_failure_then_success_returns_the_answer(client, api):
    route = api.get("/embeddings").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(200, json={"embeddingsModels": [{"slug": "bge-large"}]}),
        ]
    )

    [model] = await call(client.list_embeddings_models())

    assert model.slug == "bge-large"
    assert route.call_count == 2


# How long the SDK waits


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "0.25"}, 0.25),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
    ],
)
async def test_retry_after_in_seconds_is_honoured(client, api, sleeps, headers, expected):
    route = api.post(COMPLETE_PATH).mock(side_effect=[httpx.Response(429, headers=headers), OK])

    await complete(client)

    assert route.call_count == 2
    assert sleeps == [expected]


async def test_retry_after_as_an_http_date_is_honoured(client, api, sleeps):
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    headers = {"Retry-After": format_datetime(when, usegmt=True)}
    api.post(COMPLETE_PATH).mock(side_effect=[httpx.Response(503, headers=headers), OK])

    await complete(client)

    [delay] = sleeps
    assert 28 <= delay <= 30


@pytest.mark.parametrize(
    "retry_after", ["120", "soon", "-5"], ids=["too long", "unreadable", "negative"]
)
async def test_an_unusable_retry_after_falls_back_to_the_backoff(client, api, sleeps, retry_after):
    headers = {"Retry-After": retry_after}
    api.post(COMPLETE_PATH).mock(side_effect=[httpx.Response(429, headers=headers), OK])

    await complete(client)

    [delay] = sleeps
    assert 0.375 <= delay <= 0.5


async def test_the_backoff_doubles_with_jitter(make_client, api, sleeps):
    client = make_client(max_retries=5)
    api.post(COMPLETE_PATH).respond(500)

    with pytest.raises(InternalServerError):
        await complete(client)

    ceilings = [0.5, 1.0, 2.0, 4.0, 8.0]
    assert len(sleeps) == 5
    for delay, ceiling in zip(sleeps, ceilings, strict=True):
        assert 0.75 * ceiling <= delay <= ceiling
    assert sleeps == sorted(sleeps)


@given(retries_done=st.integers(min_value=0, max_value=40))
def test_the_policy_delay_stays_within_its_jitter_bounds(retries_done):
    policy = RetryPolicy()

    delay = policy.delay(retries_done)

    ceiling = min(0.5 * 2**retries_done, 8.0)
    assert 0.75 * ceiling <= delay <= ceiling


def test_the_policy_jitters_between_its_bounds(monkeypatch):
    policy = RetryPolicy(initial_delay=1.0, max_delay=10.0, jitter=0.5)

    monkeypatch.setattr("random.random", lambda: 0.0)
    without_jitter = [policy.delay(n) for n in range(5)]
    monkeypatch.setattr("random.random", lambda: 1.0)
    full_jitter = [policy.delay(n) for n in range(5)]

    assert without_jitter == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert full_jitter == [0.5, 1.0, 2.0, 4.0, 5.0]


def test_the_policy_honours_retry_after_up_to_its_limit():
    policy = RetryPolicy(max_retry_after=10.0, jitter=0.0)

    assert policy.delay(3, {"retry-after": "10"}) == 10.0
    assert policy.delay(3, {"retry-after": "11"}) == 4.0
    assert policy.delay(0, {}) == 0.5


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "not a number", "retry-after": "2"}, 2.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 -0000"}, 0.0),
        ({"retry-after": "in a while"}, None),
    ],
)
def test_retry_after_seconds_reads_every_form(headers, expected):
    assert retry_after_seconds(headers) == expected


# A fine-tune (or a new adapter) is never sent twice


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500),
        httpx.Response(503, headers={"Retry-After": "1"}),
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(408),
        httpx.Response(409),
        httpx.ReadTimeout("no answer"),
        httpx.WriteTimeout("half sent"),
        httpx.RemoteProtocolError("server hung up"),
        httpx.ReadError("connection reset"),
    ],
    ids=["500", "503", "429", "408", "409", "read timeout", "write timeout", "protocol", "read"],
)
@pytest.mark.parametrize(
    ("send", "path", "answer"),
    [
        (fine_tune, FINE_TUNE_PATH, FINE_TUNE_JSON),
        (create_model_adapter, "/models", {"id": ADAPTER_ID}),
    ],
    ids=["fine-tune", "create adapter"],
)
async def test_a_request_that_may_have_reached_the_server_is_never_sent_twice(
    make_client, api, sleeps, send, path, answer, failure
):
    client = make_client(max_retries=5)
    route = api.post(path).mock(side_effect=[failure, httpx.Response(200, json=answer)])

    with pytest.raises((APIStatusError, APIConnectionError)):
        await send(client)

    assert route.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("busy")],
    ids=["connect", "connect timeout", "pool timeout"],
)
@pytest.mark.parametrize(
    ("send", "path", "answer"),
    [
        (fine_tune, FINE_TUNE_PATH, FINE_TUNE_JSON),
        (create_model_adapter, "/models", {"id": ADAPTER_ID}),
    ],
    ids=["fine-tune", "create adapter"],
)
async def test_a_request_that_surely_never_left_is_tried_again(
    client, api, send, path, answer, failure
):
    route = api.post(path).mock(side_effect=[failure, httpx.Response(200, json=answer)])

    await send(client)

    assert route.call_count == 2


async def test_an_unsent_fine_tune_is_still_bounded_by_max_retries(make_client, api):
    client = make_client(max_retries=1)
    route = api.post(FINE_TUNE_PATH).mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(APIConnectionError):
        await fine_tune(client)

    assert route.call_count == 2


# Per-call settings


async def test_with_options_changes_the_retries_of_the_new_client_only(client, api):
    route = api.post(COMPLETE_PATH).respond(429)
    impatient = client.with_options(max_retries=0)

    with pytest.raises(RateLimitError):
        await complete(impatient)
    attempts_impatient = route.call_count
    with pytest.raises(RateLimitError):
        await complete(client)

    assert attempts_impatient == 1
    assert route.call_count == 1 + 3
    assert impatient.config.max_retries == 0
    assert client.config.max_retries == 2


async def test_with_options_can_allow_more_retries(client, api):
    route = api.post(COMPLETE_PATH).respond(500)

    with pytest.raises(InternalServerError):
        await complete(client.with_options(max_retries=4))

    assert route.call_count == 5
