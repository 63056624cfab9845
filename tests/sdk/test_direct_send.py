"""Requests go to httpx's pool straight, past the client's layers: what reaches the server
is what the client would have sent, and a proxy variable still routes through the proxy."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import ClassVar

import httpx
import pytest

from gradient_sdk import AsyncGradient, Gradient

MODEL_ID = "99148c6a-c0c7-4a5d-9d9b-1f8b4a8e2ad3_base_ml_model"
ANSWER = {"finishReason": "length", "generatedOutput": "Hello"}
TOKEN = "secret-token-for-the-direct-path"


def _recorder() -> tuple[list[httpx.Request], httpx.MockTransport, httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(200, json=ANSWER)

    async def answer_async(request: httpx.Request) -> httpx.Response:
        await request.aread()
        seen.append(request)
        return httpx.Response(200, json=ANSWER)

    return seen, httpx.MockTransport(answer), httpx.MockTransport(answer_async)


def _what_a_client_would_send(request: httpx.Request) -> None:
    """The headers and extensions of a completion as ``httpx.Client.send`` would build it."""
    assert request.method == "POST"
    assert str(request.url) == f"https://api.example.test/api/models/{MODEL_ID}/complete"
    headers = request.headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["x-gradient-workspace-id"] == "ws"
    assert headers["user-agent"].startswith("gradient-sdk/")
    assert headers["accept"] == "application/json"
    assert headers["accept-encoding"].startswith("gzip, deflate")  # httpx's default
    assert headers["connection"] == "keep-alive"
    assert headers["host"] == "api.example.test"
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(request.content)
    assert json.loads(request.content)["query"] == "Hi"
    assert request.extensions["timeout"] == {
        "connect": 10.0,
        "read": 600.0,
        "write": 600.0,
        "pool": 600.0,
    }


def test_sync_requests_carry_what_the_client_would_add():
    seen, transport, _ = _recorder()
    with Gradient(
        access_token=TOKEN, workspace_id="ws", host="https://api.example.test/api",
        transport=transport,
    ) as client:  # fmt: skip
        assert client.models.complete(model_id=MODEL_ID, query="Hi").generated_output == "Hello"

    (request,) = seen
    _what_a_client_would_send(request)


@pytest.mark.anyio
async def test_async_requests_carry_what_the_client_would_add():
    seen, _, transport = _recorder()
    async with AsyncGradient(
        access_token=TOKEN, workspace_id="ws", host="https://api.example.test/api",
        transport=transport,
    ) as client:  # fmt: skip
        answer = await client.models.complete(model_id=MODEL_ID, query="Hi")

    assert answer.generated_output == "Hello"
    (request,) = seen
    _what_a_client_would_send(request)


def test_a_twin_with_more_headers_sends_them_and_the_first_ones():
    seen, transport, _ = _recorder()
    with Gradient(
        access_token=TOKEN, workspace_id="ws", host="https://api.example.test/api",
        transport=transport, default_headers={"X-Team": "a"},
    ) as client:  # fmt: skip
        client.with_options(default_headers={"X-Run": "7"}).models.complete(
            model_id=MODEL_ID, query="Hi"
        )
        client.models.complete(model_id=MODEL_ID, query="Hi")

    twin, first = seen
    assert (twin.headers["x-team"], twin.headers["x-run"]) == ("a", "7")
    assert twin.headers["authorization"] == f"Bearer {TOKEN}"
    assert twin.headers["accept-encoding"].startswith("gzip")
    assert first.headers["x-team"] == "a"
    assert "x-run" not in first.headers


def test_a_timeout_of_the_callers_reaches_the_pool():
    seen, transport, _ = _recorder()
    with Gradient(
        access_token=TOKEN, workspace_id="ws", host="https://api.example.test/api",
        transport=transport, timeout=httpx.Timeout(7.0, connect=2.0),
    ) as client:  # fmt: skip
        client.models.complete(model_id=MODEL_ID, query="Hi")
        client.with_options(timeout=3.0).models.complete(model_id=MODEL_ID, query="Hi")

    assert [request.extensions["timeout"] for request in seen] == [
        {"connect": 2.0, "read": 7.0, "write": 7.0, "pool": 7.0},
        {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0},
    ]


class _Proxy(http.server.BaseHTTPRequestHandler):
    """An HTTP proxy that answers every request itself and remembers its request line."""

    lines: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).lines.append(self.requestline)
        body = json.dumps(ANSWER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Proxy.lines = []
    for name in ("HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_address[1]}")
    yield _Proxy.lines
    server.shutdown()
    server.server_close()


def test_sync_requests_go_through_a_proxy_variables_proxy(proxy):
    with Gradient(access_token=TOKEN, workspace_id="ws", host="http://api.example.test/api") as c:
        assert c.models.complete(model_id=MODEL_ID, query="Hi").generated_output == "Hello"

    assert proxy == [f"POST http://api.example.test/api/models/{MODEL_ID}/complete HTTP/1.1"]


@pytest.mark.anyio
async def test_async_requests_go_through_a_proxy_variables_proxy(proxy):
    async with AsyncGradient(
        access_token=TOKEN, workspace_id="ws", host="http://api.example.test/api"
    ) as client:
        answer = await client.models.complete(model_id=MODEL_ID, query="Hi")

    assert answer.generated_output == "Hello"
    assert proxy == [f"POST http://api.example.test/api/models/{MODEL_ID}/complete HTTP/1.1"]
