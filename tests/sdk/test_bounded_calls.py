"""Every call is bounded: in how much it reads, in how deep it parses, in how much an error
says, and it ends with the SDK's own error when the client is closed under it. Each test
runs with the async and the sync client, on asyncio and trio."""

from __future__ import annotations

import gzip
import json
import os

import httpx
import pytest

from gradient_sdk import (
    APIResponseValidationError,
    BadRequestError,
    ClientClosedError,
    Gradient,
    ResponseTooLargeError,
)
from gradient_sdk._async import _backend as async_backend
from gradient_sdk._sync import _backend as sync_backend

from ._support import ADAPTER_ID, COMPLETION_JSON, TOKEN, WORKSPACE_ID, call

pytestmark = pytest.mark.anyio

COMPLETE_PATH = f"/models/{ADAPTER_ID}/complete"


async def complete(client):
    return await call(client.models.complete(model_id=ADAPTER_ID, query="Hi"))


class Endless(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that never ends, counting what it gave."""

    def __init__(self) -> None:
        self.given = 0

    def __iter__(self):
        while True:
            self.given += 65536
            yield b"x" * 65536

    async def __aiter__(self):
        for chunk in self:
            yield chunk


async def test_an_endless_body_stops_at_the_cap(make_client, api):
    stream = Endless()
    api.post(COMPLETE_PATH).mock(return_value=httpx.Response(200, stream=stream))
    client = make_client(max_response_bytes=1_000_000, max_retries=0)

    with pytest.raises(ResponseTooLargeError, match="larger than 1000000 bytes") as raised:
        await complete(client)

    assert stream.given < 2_000_000
    assert isinstance(raised.value, APIResponseValidationError)
    assert raised.value.limit == 1_000_000


async def test_a_declared_length_past_the_cap_is_not_read(make_client, api):
    stream = Endless()
    api.post(COMPLETE_PATH).mock(
        return_value=httpx.Response(
            200, headers={"Content-Length": str(2 * 1024**3)}, stream=stream
        )
    )
    client = make_client(max_retries=0)

    with pytest.raises(ResponseTooLargeError):
        await complete(client)

    assert stream.given == 0


async def test_a_gzip_bomb_counts_what_it_inflates_to(make_client, api):
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))  # 50 MiB inflated, 50 KiB on the wire
    api.post(COMPLETE_PATH).mock(
        return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)
    )
    client = make_client(max_response_bytes=5 * 1024 * 1024, max_retries=0)

    with pytest.raises(ResponseTooLargeError):
        await complete(client)

    assert len(bomb) < 5 * 1024 * 1024


async def test_a_gzipped_answer_under_the_cap_is_read(make_client, api):
    body = gzip.compress(json.dumps(COMPLETION_JSON).encode())
    api.post(COMPLETE_PATH).mock(
        return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=body)
    )

    completion = await complete(make_client())

    assert completion.generated_output == COMPLETION_JSON["generatedOutput"]


@pytest.mark.parametrize("status", [200, 400])
async def test_json_nested_too_deep_is_a_bounded_error(make_client, api, status):
    depth = 100_000
    api.post(COMPLETE_PATH).respond(status, content=b"[" * depth + b"]" * depth)
    client = make_client(max_retries=0)

    with pytest.raises((APIResponseValidationError, BadRequestError)) as raised:
        await complete(client)

    assert len(str(raised.value)) < 3000
    assert not isinstance(raised.value.__cause__, RecursionError)
    assert TOKEN not in str(raised.value)


async def test_a_huge_error_message_makes_a_short_error(make_client, api):
    api.post(COMPLETE_PATH).respond(400, json={"message": "m" * 10_000_000})
    client = make_client(max_retries=0)

    with pytest.raises(BadRequestError) as raised:
        await complete(client)

    assert len(str(raised.value)) < 2100
    assert str(raised.value).endswith("more)")
    assert len(raised.value.body["message"]) == 10_000_000  # the whole body stays readable


async def test_closing_the_client_during_a_retry_wait_is_client_closed(
    make_client, api, monkeypatch, flavour
):
    api.post(COMPLETE_PATH).respond(503)
    client = make_client()

    async def close_then_wait(seconds: float) -> None:
        await client.close()

    def close_then_wait_sync(seconds: float) -> None:
        client.close()

    monkeypatch.setattr(async_backend, "sleep", close_then_wait)
    monkeypatch.setattr(sync_backend, "sleep", close_then_wait_sync)

    with pytest.raises(ClientClosedError):
        await complete(client)

    assert len(api.calls) == 1


def test_closing_the_client_is_client_closed_on_the_next_call():
    client = Gradient(
        access_token=TOKEN,
        workspace_id=WORKSPACE_ID,
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json={})),
    )
    client.close()

    with pytest.raises(ClientClosedError, match="closed"):
        client.list_embeddings_models()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_gets_connections_of_its_own():
    with Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID, host="http://127.0.0.1:9") as c:
        parent_pool = c._transport._http_client
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report whether its pool is a new one, then leave at once
            os.close(read)
            renewed = c._transport._http_client is not parent_pool
            os.write(write, b"new" if renewed else b"shared")
            os._exit(0)
        os.close(write)
        answer = os.read(read, 16)
        os.waitpid(pid, 0)
        os.close(read)

        assert answer == b"new"
        assert c._transport._http_client is parent_pool
        assert not parent_pool.is_closed
