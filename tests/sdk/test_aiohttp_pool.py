"""The async client's aiohttp pool (the ``aiohttp`` extra): chosen on asyncio, not on trio,
and as strict as httpx's pool about deadlines, body sizes, typed errors and retries.

The server is the reliability suite's fault server (``tests/reliability/fault_server.py``):
real sockets on 127.0.0.1, so aiohttp's own connection handling is what is tested.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import anyio
import httpx
import pytest
from reliability.fault_server import (
    ADAPTER_ID,
    BASE_MODEL_ID,
    DripHead,
    FaultServer,
    HangBeforeHeaders,
    HangMidBody,
    HugeBody,
    InvalidJson,
    RateLimited,
    Reply,
    ResetAfterRead,
    TruncatedBody,
)

from gradient_sdk import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncGradient,
    ClientClosedError,
    CompleteResponse,
    ConfigurationError,
    FineTuneResponse,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
)
from gradient_sdk._aiohttp import AiohttpPool, httpx_error

from ._support import TOKEN, WORKSPACE_ID

COMPLETE = f"/api/models/{BASE_MODEL_ID}/complete"
FINE_TUNE = f"/api/models/{ADAPTER_ID}/fine-tune"
asyncio_only = pytest.mark.parametrize("anyio_backend", ["asyncio"])


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault_server:
        yield fault_server


@pytest.fixture
async def client(server: FaultServer) -> AsyncIterator[AsyncGradient]:
    """A client built as users build it (no transport given), on the fault server."""
    async with AsyncGradient(
        access_token=TOKEN, workspace_id=WORKSPACE_ID, host=server.base_url, timeout=0.5
    ) as made:
        yield made


def pool_of(client: AsyncGradient) -> AiohttpPool:
    pool = client._transport._loop_pool
    assert isinstance(pool, AiohttpPool)
    return pool


async def complete(client: AsyncGradient) -> CompleteResponse:
    return await client.models.complete(model_id=BASE_MODEL_ID, query="Hi")


async def fine_tune(client: AsyncGradient) -> FineTuneResponse:
    return await client.models.fine_tune(model_adapter_id=ADAPTER_ID, samples=[{"inputs": "x"}])


# --------------------------------------------------------------------------- which pool


@pytest.mark.anyio
@asyncio_only
async def test_on_asyncio_the_call_goes_through_aiohttp(
    client: AsyncGradient, server: FaultServer
) -> None:
    result = await complete(client)

    assert result == CompleteResponse(finish_reason="stop", generated_output="ok")
    assert pool_of(client)._session is not None
    sent = server.requests[-1]
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["x-gradient-workspace-id"] == WORKSPACE_ID
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["user-agent"].startswith("gradient-sdk/")
    assert json.loads(sent.body or b"")["query"] == "Hi"


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_on_trio_the_call_goes_through_httpx(client: AsyncGradient) -> None:
    result = await complete(client)

    assert result.generated_output == "ok"
    assert pool_of(client)._session is None


@pytest.mark.anyio
@asyncio_only
async def test_query_parameters_are_encoded_as_httpx_encodes_them(
    client: AsyncGradient, server: FaultServer
) -> None:
    await client.request("GET", "/models", params={"onlyBase": "true", "q": "a b&c"})

    assert server.requests[-1].target == "/api/models?onlyBase=true&q=a+b%26c"


def test_a_proxy_variable_leaves_every_request_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")

    client = AsyncGradient(access_token=TOKEN, workspace_id=WORKSPACE_ID)

    assert client._transport._loop_pool is None


def test_the_environment_can_ask_for_httpx_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADIENT_ASYNC_POOL", "httpx")
    client = AsyncGradient(access_token=TOKEN, workspace_id=WORKSPACE_ID)
    assert client._transport._loop_pool is None
    monkeypatch.setenv("GRADIENT_ASYNC_POOL", "AIOHTTP")
    assert isinstance(
        AsyncGradient(access_token=TOKEN, workspace_id=WORKSPACE_ID)._transport._loop_pool,
        AiohttpPool,
    )


def test_an_unknown_pool_in_the_environment_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GRADIENT_ASYNC_POOL", "urllib3")
    with pytest.raises(ConfigurationError, match="GRADIENT_ASYNC_POOL must be aiohttp or httpx"):
        AsyncGradient(access_token=TOKEN, workspace_id=WORKSPACE_ID)


def test_a_given_transport_or_http_client_is_used_as_given() -> None:
    with_transport = AsyncGradient(
        access_token=TOKEN, workspace_id=WORKSPACE_ID, transport=httpx.AsyncHTTPTransport()
    )
    with_client = AsyncGradient(
        access_token=TOKEN, workspace_id=WORKSPACE_ID, http_client=httpx.AsyncClient()
    )

    assert with_transport._transport._loop_pool is None
    assert with_client._transport._loop_pool is None


@pytest.mark.anyio
@asyncio_only
async def test_with_options_twins_share_the_aiohttp_session(
    client: AsyncGradient, server: FaultServer
) -> None:
    twin = client.with_options(default_headers={"x-trace": "1"})
    await complete(client)
    await complete(twin)

    assert pool_of(twin) is pool_of(client)
    assert server.requests[-1].headers["x-trace"] == "1"
    assert "x-trace" not in server.requests[-2].headers
    assert server.accepted_connections == 1


@pytest.mark.anyio
@asyncio_only
async def test_closing_the_client_closes_its_connections(server: FaultServer) -> None:
    client = AsyncGradient(access_token=TOKEN, workspace_id=WORKSPACE_ID, host=server.base_url)
    await complete(client)
    assert server.open_connections == 1

    await client.aclose()

    assert server.wait_for_open_connections(0) == 0
    with pytest.raises(ClientClosedError):
        await complete(client)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
@pytest.mark.anyio
@asyncio_only
async def test_a_forked_child_opens_a_session_of_its_own(client: AsyncGradient) -> None:
    await complete(client)
    pool = pool_of(client)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether the parent's session was let go, then leave
        os.close(read)
        os.write(write, b"new" if pool._session is None else b"shared")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 16)
    os.waitpid(pid, 0)  # noqa: ASYNC222  # the child has written and is leaving at once
    os.close(read)

    assert answer == b"new"
    assert pool._session is not None


# --------------------------------------------------------------------------- deadlines


@pytest.mark.anyio
@asyncio_only
@pytest.mark.parametrize(
    "action", [HangBeforeHeaders(), HangMidBody(), DripHead(interval=0.05)], ids=str
)
async def test_an_attempt_never_outlives_its_deadline(
    server: FaultServer, action: Any, client: AsyncGradient
) -> None:
    server.script(COMPLETE, action, action, action)

    with anyio.fail_after(10):  # three attempts of at most 1.5 s each
        with pytest.raises(APITimeoutError):
            await complete(client)
    await client.aclose()

    assert server.attempts(COMPLETE) == 3
    assert server.wait_for_open_connections(0) == 0  # each timed-out connection was dropped


# --------------------------------------------------------------------------- body sizes


@pytest.mark.anyio
@asyncio_only
async def test_a_body_declared_too_large_is_not_read(server: FaultServer) -> None:
    server.script(COMPLETE, HugeBody(size=50_000))
    async with AsyncGradient(
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        host=server.base_url,
        max_response_bytes=10_000,
    ) as client:
        with pytest.raises(ResponseTooLargeError) as raised:
            await complete(client)

    assert raised.value.limit == 10_000


@pytest.mark.anyio
@asyncio_only
async def test_a_compressed_body_is_capped_by_its_decompressed_size(server: FaultServer) -> None:
    inflated = json.dumps({"finishReason": "stop", "generatedOutput": "x" * 100_000}).encode()
    server.script(
        COMPLETE, Reply(200, body=gzip.compress(inflated), headers=(("Content-Encoding", "gzip"),))
    )
    async with AsyncGradient(
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        host=server.base_url,
        max_response_bytes=10_000,
    ) as client:
        with pytest.raises(ResponseTooLargeError):
            await complete(client)


@pytest.mark.anyio
@asyncio_only
async def test_a_compressed_body_within_the_cap_is_decompressed(
    server: FaultServer, client: AsyncGradient
) -> None:
    body = json.dumps({"finishReason": "stop", "generatedOutput": "zipped"}).encode()
    server.script(
        COMPLETE, Reply(200, body=gzip.compress(body), headers=(("Content-Encoding", "gzip"),))
    )

    result = await complete(client)

    assert result.generated_output == "zipped"


# --------------------------------------------------------------------------- errors, retries


@pytest.mark.anyio
@asyncio_only
async def test_a_fine_tune_that_reached_the_server_is_not_sent_again(
    server: FaultServer, client: AsyncGradient
) -> None:
    server.script(FINE_TUNE, ResetAfterRead())

    with pytest.raises(APIConnectionError):
        await fine_tune(client)

    assert server.executions(FINE_TUNE) == 1


@pytest.mark.anyio
@asyncio_only
async def test_a_fine_tune_is_retried_when_the_connection_is_refused(
    server: FaultServer, client: AsyncGradient, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.stop_listening()
    from gradient_sdk._async import _backend

    async def listen_again(seconds: float) -> None:
        server.listen_again()

    monkeypatch.setattr(_backend, "sleep", listen_again)

    result = await fine_tune(client)

    assert isinstance(result, FineTuneResponse)
    assert server.attempts(FINE_TUNE) == server.executions(FINE_TUNE) == 1


@pytest.mark.anyio
@asyncio_only
@pytest.mark.parametrize(
    ("action", "error"),
    [
        (ResetAfterRead(), APIConnectionError),
        (TruncatedBody(), APIConnectionError),
        (Reply(404), NotFoundError),
        (RateLimited(0), RateLimitError),
        (InvalidJson(), APIResponseValidationError),
    ],
    ids=str,
)
async def test_each_failure_is_the_typed_error_httpx_would_give(
    server: FaultServer, client: AsyncGradient, action: Any, error: type[Exception]
) -> None:
    server.script(COMPLETE, action, action, action)

    with pytest.raises(error) as raised:
        await complete(client)

    assert type(raised.value) is error
    retried = error in (APIConnectionError, RateLimitError)
    assert server.attempts(COMPLETE) == (3 if retried else 1)


@pytest.mark.anyio
@asyncio_only
async def test_a_status_error_carries_the_headers_with_lower_case_names(
    server: FaultServer, client: AsyncGradient
) -> None:
    server.script(COMPLETE, Reply(404, headers=(("X-Request-Id", "req-7"),)))

    with pytest.raises(NotFoundError) as raised:
        await complete(client)

    assert raised.value.request_id == "req-7"
    assert raised.value.headers["x-request-id"] == "req-7"


@pytest.mark.anyio
@asyncio_only
async def test_a_failed_retry_then_success_returns_the_answer(
    server: FaultServer, client: AsyncGradient
) -> None:
    server.script(COMPLETE, Reply(503), ResetAfterRead())

    result = await complete(client)

    assert result.generated_output == "ok"
    assert server.attempts(COMPLETE) == 3


def test_aiohttp_errors_become_the_httpx_errors_that_mean_the_same() -> None:
    refused = aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None),
        ConnectionRefusedError(111, "refused"),
    )
    cases = {
        aiohttp.ConnectionTimeoutError("connect"): httpx.ConnectTimeout,
        aiohttp.SocketTimeoutError("read"): httpx.ReadTimeout,
        refused: httpx.ConnectError,
        aiohttp.ServerDisconnectedError(): httpx.RemoteProtocolError,
        aiohttp.ClientPayloadError("short"): httpx.RemoteProtocolError,
        aiohttp.ClientOSError(104, "reset"): httpx.ReadError,
        aiohttp.ClientError("other"): httpx.TransportError,
    }

    mapped = {failure: type(httpx_error(failure)) for failure in cases}

    assert mapped == cases
