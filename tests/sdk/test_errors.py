"""The error family: one class per class of HTTP status, each carrying what the server said,
and none of them ever showing the access token."""

from __future__ import annotations

import traceback

import httpx
import pytest

import gradient_sdk
from gradient_sdk import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    Gradient,
    GradientError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    errors,
)

from ._support import ADAPTER_ID, TOKEN, WORKSPACE_ID, call

pytestmark = pytest.mark.anyio

COMPLETE_PATH = f"/models/{ADAPTER_ID}/complete"


async def complete(client) -> object:
    return await call(client.models.complete(model_id=ADAPTER_ID, query="Hi"))


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
        (451, APIStatusError),
    ],
)
async def test_each_status_raises_its_error_class_with_what_the_server_said(
    make_client, api, status, error_class
):
    client = make_client(max_retries=0)
    body = {"message": "flagged by moderation", "type": "flaggedContent", "payload": {"n": 1}}
    api.post(COMPLETE_PATH).respond(status, json=body, headers={"x-request-id": "req-42"})

    with pytest.raises(APIStatusError) as caught:
        await complete(client)

    error = caught.value
    assert type(error) is error_class
    assert error.status_code == status
    assert error.body == body
    assert error.error_type == "flaggedContent"
    assert error.request_id == "req-42"
    assert error.headers["x-request-id"] == "req-42"
    assert str(error) == f"Gradient API returned {status} (flaggedContent): flagged by moderation"


async def test_a_generic_error_body_has_no_type(client, api):
    api.get("/embeddings").respond(403, json={"message": "not in this workspace"})

    with pytest.raises(PermissionDeniedError) as caught:
        await call(client.list_embeddings_models())

    assert caught.value.error_type is None
    assert caught.value.request_id is None
    assert str(caught.value) == "Gradient API returned 403: not in this workspace"


async def test_an_error_body_that_is_not_json_is_kept_as_text(make_client, api):
    client = make_client(max_retries=0)
    api.post(COMPLETE_PATH).respond(502, text="Bad Gateway\n", headers={"request-id": "r-7"})

    with pytest.raises(InternalServerError) as caught:
        await complete(client)

    assert caught.value.body == "Bad Gateway\n"
    assert caught.value.request_id == "r-7"
    assert str(caught.value) == "Gradient API returned 502: Bad Gateway"


async def test_an_empty_error_body_says_so(client, api):
    api.post(COMPLETE_PATH).respond(401)

    with pytest.raises(AuthenticationError) as caught:
        await complete(client)

    assert caught.value.body is None
    assert str(caught.value) == "Gradient API returned 401: no error message"


def test_a_long_text_error_body_is_cut_in_the_message():
    message = errors.describe_status_error(500, "x" * 2000)

    assert message == "Gradient API returned 500: " + "x" * 500


def test_an_error_built_without_a_status_takes_its_class_status():
    assert RateLimitError("slow down").status_code == 429
    assert InternalServerError("down").status_code == 500
    assert InternalServerError("down", status_code=503).status_code == 503


def test_every_public_error_is_a_gradient_error():
    error_names = [name for name in gradient_sdk.__all__ if name.endswith("Error")]

    assert set(error_names) == set(errors.__all__)
    for name in error_names:
        assert issubclass(getattr(gradient_sdk, name), GradientError), name


@pytest.mark.parametrize(
    ("error_class", "parents"),
    [
        (ConfigurationError, (GradientError, ValueError)),
        (APITimeoutError, (APIConnectionError,)),
        (NotFoundError, (APIStatusError, LookupError)),
        (RateLimitError, (APIStatusError,)),
        (InternalServerError, (APIStatusError,)),
        (APIResponseValidationError, (GradientError,)),
    ],
)
def test_the_family_tree_lets_callers_catch_broadly(error_class, parents):
    for parent in parents:
        assert issubclass(error_class, parent)


# The token never leaks through an error


def assert_token_not_shown(error: BaseException) -> None:
    """Neither the error, nor anything chained to it, nor its traceback shows the token."""
    assert TOKEN not in "".join(traceback.format_exception(error))
    seen = error
    while seen is not None:
        assert TOKEN not in str(seen)
        assert TOKEN not in repr(seen)
        assert TOKEN not in repr(getattr(seen, "__dict__", {}))
        seen = seen.__cause__ or seen.__context__


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(401, json={"message": "bad token"}),
        httpx.Response(500, text="oops"),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json={"finishReason": 1}),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("server hung up"),
    ],
    ids=["401", "500", "bad json", "bad record", "connect", "timeout", "protocol"],
)
async def test_no_error_shows_the_token(make_client, api, failure):
    client = make_client(max_retries=1)
    route = api.post(COMPLETE_PATH)
    if isinstance(failure, httpx.Response):
        route.mock(return_value=failure)
    else:
        route.mock(side_effect=failure)

    with pytest.raises(GradientError) as caught:
        await complete(client)

    assert_token_not_shown(caught.value)


async def test_a_body_that_cannot_be_decoded_is_a_gradient_error(make_client, api):
    client = make_client(max_retries=0)
    # A stream, so the broken gzip is met while the client reads the answer.
    api.get("/embeddings").mock(
        side_effect=lambda request: httpx.Response(
            200,
            headers={"Content-Encoding": "gzip"},
            stream=httpx.ByteStream(b"cut off by a proxy"),
        )
    )

    with pytest.raises(GradientError):
        await call(client.list_embeddings_models())


async def test_a_connection_error_names_the_request_but_not_the_token(make_client, api):
    client = make_client(max_retries=0)
    api.post(COMPLETE_PATH).mock(side_effect=httpx.ConnectError("connection refused"))

    with pytest.raises(APIConnectionError) as caught:
        await complete(client)

    assert caught.value.method == "POST"
    assert caught.value.url == f"https://api.gradient.ai/api{COMPLETE_PATH}"
    assert str(caught.value) == f"POST {caught.value.url} failed: ConnectError"


def test_a_configuration_error_does_not_show_the_token():
    with pytest.raises(ConfigurationError) as caught:
        Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID, host="api.gradient.ai")

    assert_token_not_shown(caught.value)
