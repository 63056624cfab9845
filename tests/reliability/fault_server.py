"""A misbehaving Gradient API of our own, on 127.0.0.1, for the SDK fault tests.

It is a plain asyncio server speaking just enough HTTP/1.1 (``Content-Length`` bodies,
keep-alive) to answer the SDK, because several faults need byte-level control that an ASGI
server would not give: resetting a connection, lying about ``Content-Length``, stopping in the
middle of a body. It runs its own event loop in a background thread, so one server answers
asyncio, trio and blocking clients alike.

Each test scripts the faults it wants, per path::

    server.script(COMPLETE_PATH, Reply(503), ResetAfterRead())

Every request to the path takes the next action; once the queue is empty the path answers
normally with a canned success body for its endpoint. The server counts, per path:

* ``attempts``: requests whose head arrived (what the client sent, retries included);
* ``executions``: requests whose body was read in full. A fine-tune "executes" at that point,
  whatever the server does afterwards, so ``executions`` of a fine-tune path above the number
  of fine-tunes the caller asked for is a fine-tune run twice.

It also tracks the connections it holds open; the server closes its side only when the client
closes or resets, so ``open_connections`` is what the client still holds.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

BASE_MODEL_ID = "99148c6d-c2a0-4fbe-a4a7-e7c05bdb8a09_base_ml_model"
ADAPTER_ID = "674119b5-f19e-4856-add2-767ae7f7d7ef_model_adapter"

COMPLETION = {"finishReason": "stop", "generatedOutput": "ok"}
FINE_TUNE_RESULT = {"numberOfTrainableTokens": 3, "sumLoss": 1.5}
BASE_MODEL = {
    "id": BASE_MODEL_ID,
    "slug": "nous-hermes2",
    "name": "Nous Hermes 2",
    "capabilities": ["complete", "fineTune"],
    "type": "baseModel",
}
ADAPTER = {
    "id": ADAPTER_ID,
    "name": "my adapter",
    "baseModelId": BASE_MODEL_ID,
    "latestUpdateTime": "2024-05-01T12:30:00Z",
    "type": "modelAdapter",
}

_HEAD_LIMIT = 64 * 1024
_CHUNK = 1024 * 1024


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class ReceivedRequest:
    """What the server saw of one request (the body only if it was read)."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


def canned_answer(method: str, path: str, body: bytes | None) -> tuple[int, Any]:
    """The success answer of an endpoint, as the real API would give it."""
    parts = path.removeprefix("/api").strip("/").split("/")
    match method, parts:
        case "GET", ["models"]:
            return 200, {"models": [BASE_MODEL, ADAPTER]}
        case "POST", ["models"]:
            return 200, {"id": ADAPTER_ID}
        case "GET", ["models", model_id]:
            return 200, {**ADAPTER, "id": model_id}
        case "DELETE", ["models", _]:
            return 200, {}
        case "POST", ["models", _, "complete"]:
            return 200, COMPLETION
        case "POST", ["models", _, "fine-tune"]:
            return 200, FINE_TUNE_RESULT
        case "GET", ["embeddings"]:
            return 200, {"embeddingsModels": [{"slug": "bge-large"}]}
        case "POST", ["embeddings", _]:
            count = len(json.loads(body or b"{}").get("inputs", []))
            return 200, {
                "embeddings": [{"embedding": [0.5, 0.25], "index": i} for i in range(count)]
            }
    return 404, {"message": f"no route for {method} {path}", "type": "notFound"}


# --------------------------------------------------------------------------- one exchange


class Exchange:
    """One request on one connection, and the byte-level moves an action can make."""

    def __init__(
        self,
        server: FaultServer,
        head: ReceivedRequest,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.server = server
        self.request = head
        self.reader = reader
        self.writer = writer
        self.aborted = False

    async def read_body(self) -> bytes:
        """Read the whole request body; from here on, the request has executed."""
        length = int(self.request.headers.get("content-length", "0"))
        body = await self.reader.readexactly(length) if length else b""
        self.request = ReceivedRequest(
            self.request.method, self.request.target, self.request.headers, body
        )
        self.server._executed(self.request)
        return body

    def answer(self) -> tuple[int, bytes]:
        """The canned answer for this request, encoded."""
        status, document = canned_answer(self.request.method, self.request.path, self.request.body)
        return status, json.dumps(document).encode()

    async def send_head(
        self, status: int, length: int, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
        names = set()
        for name, value in headers:
            names.add(name.lower())
            lines.append(f"{name}: {value}")
        if "content-type" not in names:
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {length}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await self.writer.drain()

    async def send(self, status: int, body: bytes, headers: Iterable[tuple[str, str]] = ()) -> None:
        await self.send_head(status, len(body), headers)
        self.writer.write(body)
        await self.writer.drain()

    def reset(self) -> None:
        """Close with SO_LINGER 0: the peer gets a TCP RST, not a FIN."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()
        self.aborted = True

    async def wait_for_client_to_leave(self) -> None:
        """Hold the connection, sending nothing, until the client closes or resets it."""
        with suppress(ConnectionError, OSError):
            while await self.reader.read(65536):
                pass

    async def client_left_within(self, seconds: float) -> bool:
        """Wait ``seconds``, or less if the client leaves first; say whether it left."""
        try:
            await asyncio.wait_for(self.wait_for_client_to_leave(), seconds)
        except asyncio.TimeoutError:
            return False
        return True


# --------------------------------------------------------------------------- actions


class Action:
    """Something the server does with one request. ``perform`` says whether to keep the
    connection open for the next request."""

    kind = "action"
    #: Whether the server's answer is a fault (a scripted success is not).
    is_fault = True

    async def perform(self, exchange: Exchange) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Reply(Action):
    """Answer with a status: the canned success body, or ``body`` if given."""

    status: int = 200
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"status {self.status}" if self.body is None else f"{self.status} wrong body"

    @property
    def is_fault(self) -> bool:  # type: ignore[override]
        return self.status >= 400 or self.body is not None

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        if self.body is None:
            status, payload = exchange.answer()
            if self.status != 200:
                status, payload = self.status, json.dumps({"message": "injected"}).encode()
        else:
            status = self.status
            payload = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        await exchange.send(status, payload, self.headers)
        return True


@dataclass(frozen=True)
class RateLimited(Action):
    """429 with ``Retry-After`` in seconds, or as an HTTP-date ``seconds`` from now."""

    seconds: float
    as_http_date: bool = False
    kind = "429 Retry-After"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        if self.as_http_date:
            when = datetime.now(timezone.utc) + timedelta(seconds=self.seconds)
            value = email.utils.format_datetime(when, usegmt=True)
        else:
            value = f"{self.seconds:g}"
        body = json.dumps({"message": "slow down", "type": "rateLimited"}).encode()
        await exchange.send(429, body, [("Retry-After", value)])
        return True


@dataclass(frozen=True)
class ResetBeforeRead(Action):
    """Reset once the request head is in, before its body is read: nothing executes.

    (The head has to be read to know the path; the body, which carries the work, is not.)
    """

    kind = "reset before read"

    async def perform(self, exchange: Exchange) -> bool:
        exchange.reset()
        return False


@dataclass(frozen=True)
class ResetAfterRead(Action):
    """Read the whole request (it executes), then reset instead of answering."""

    kind = "reset after read"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        exchange.reset()
        return False


@dataclass(frozen=True)
class CloseAfterReply(Action):
    """Answer normally, then close the kept-alive connection (a stale pooled connection)."""

    kind = "close after reply"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        await exchange.send(*exchange.answer())
        return False


@dataclass(frozen=True)
class TruncatedBody(Action):
    """Promise the full JSON in ``Content-Length``, send ``fraction`` of it, close."""

    fraction: float = 0.5
    kind = "truncated JSON"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        status, body = exchange.answer()
        await exchange.send_head(status, len(body))
        exchange.writer.write(body[: int(len(body) * self.fraction)])
        await exchange.writer.drain()
        return False


@dataclass(frozen=True)
class InvalidJson(Action):
    """200 with an honest ``Content-Length`` and a body that is not JSON."""

    body: bytes = b'{"finishReason": "stop", "generatedOutput": '
    kind = "invalid JSON"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        await exchange.send(200, self.body)
        return True


@dataclass(frozen=True)
class HangBeforeHeaders(Action):
    """Read the request, then send nothing until the client gives up."""

    kind = "hang before headers"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        await exchange.wait_for_client_to_leave()
        return False


@dataclass(frozen=True)
class HangMidBody(Action):
    """Send the headers and half the body, then nothing until the client gives up."""

    kind = "hang mid-body"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        status, body = exchange.answer()
        await exchange.send_head(status, len(body))
        exchange.writer.write(body[: len(body) // 2])
        await exchange.writer.drain()
        await exchange.wait_for_client_to_leave()
        return False


@dataclass(frozen=True)
class Drip(Action):
    """Answer correctly but slowly: ``chunk`` bytes every ``interval`` seconds."""

    interval: float
    chunk: int = 8
    kind = "slow drip"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        status, body = exchange.answer()
        await exchange.send_head(status, len(body))
        for start in range(0, len(body), self.chunk):
            if await exchange.client_left_within(self.interval):
                return False
            exchange.writer.write(body[start : start + self.chunk])
            await exchange.writer.drain()
        return True


@dataclass(frozen=True)
class DripHead(Action):
    """Send the status line and headers one byte every ``interval`` seconds: each wait for a
    byte is short, the whole head never ends in time."""

    interval: float
    kind = "slow head drip"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        status, body = exchange.answer()
        head = (
            f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        for byte in head:
            if await exchange.client_left_within(self.interval):
                return False
            exchange.writer.write(bytes([byte]))
            await exchange.writer.drain()
        exchange.writer.write(body)
        await exchange.writer.drain()
        return True


@dataclass(frozen=True)
class HugeBody(Action):
    """A ``size``-byte answer streamed in 1 MiB writes: valid JSON (the canned answer padded
    with an unknown field) or, with ``valid_json=False``, bytes that are not JSON."""

    size: int = 50 * 1024 * 1024
    valid_json: bool = True
    status: int = 200
    kind = "huge body"

    async def perform(self, exchange: Exchange) -> bool:
        await exchange.read_body()
        if self.valid_json:
            _, answer = exchange.answer()
            prefix = answer[:-1] + b', "padding": "'
            suffix = b'"}'
        else:
            prefix, suffix = b"<html>", b"</html>"
        filler = self.size - len(prefix) - len(suffix)
        await exchange.send_head(self.status, self.size)
        exchange.writer.write(prefix)
        block = b"x" * _CHUNK
        while filler > 0:
            exchange.writer.write(block[: min(filler, _CHUNK)])
            filler -= _CHUNK
            await exchange.writer.drain()
        exchange.writer.write(suffix)
        await exchange.writer.drain()
        return True


# --------------------------------------------------------------------------- the server


@dataclass
class _Tally:
    attempts: Counter[str] = field(default_factory=Counter)
    executions: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    requests: list[ReceivedRequest] = field(default_factory=list)


class FaultServer:
    """The scriptable server; use as a context manager, or ``start()`` and ``stop()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[Action]] = {}
        self._tally = _Tally()
        self._open = 0
        self._accepted = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    # ----- lifecycle

    def __enter__(self) -> FaultServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="fault-server", daemon=True
        )
        self._thread.start()
        if not ready.wait(5):
            raise RuntimeError("the fault server did not start")

    def _run(self, ready: threading.Event) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._listen())
        ready.set()
        self._loop.run_forever()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, reuse_address=True, limit=_HEAD_LIMIT
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = self._thread = None

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    def stop_listening(self) -> None:
        """Close the listening socket: new connections are refused until ``listen_again``."""
        assert self._loop is not None

        def close() -> None:
            assert self._server is not None
            self._server.close()

        asyncio.run_coroutine_threadsafe(_call(close), self._loop).result(5)

    def listen_again(self) -> None:
        """Accept connections again, on the same port."""
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)

    # ----- scripting and counters

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def script(self, path: str, *actions: Action) -> None:
        """Queue actions for the next requests to ``path`` (after any already queued)."""
        with self._lock:
            self._scripts.setdefault(path, deque()).extend(actions)

    def pending(self, path: str) -> int:
        """Scripted actions not yet used for ``path``."""
        with self._lock:
            return len(self._scripts.get(path, ()))

    def attempts(self, path: str) -> int:
        """Requests to ``path`` whose head arrived."""
        with self._lock:
            return self._tally.attempts[path]

    def executions(self, path: str) -> int:
        """Requests to ``path`` whose body was read in full."""
        with self._lock:
            return self._tally.executions[path]

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._tally.requests)

    @property
    def paths(self) -> list[str]:
        with self._lock:
            return sorted(self._tally.attempts)

    @property
    def total_attempts(self) -> int:
        with self._lock:
            return sum(self._tally.attempts.values())

    @property
    def faults_injected(self) -> Counter[str]:
        with self._lock:
            return Counter(self._tally.faults)

    @property
    def open_connections(self) -> int:
        """Connections the server still holds open (it never closes first unless scripted)."""
        with self._lock:
            return self._open

    @property
    def accepted_connections(self) -> int:
        with self._lock:
            return self._accepted

    def wait_for_open_connections(self, expected: int, timeout: float = 2.0) -> int:
        """Poll until ``open_connections == expected`` or ``timeout``; return the last count."""
        deadline = time.monotonic() + timeout
        while (count := self.open_connections) != expected and time.monotonic() < deadline:
            time.sleep(0.005)
        return count

    # ----- serving

    def _next_action(self, path: str) -> Action | None:
        with self._lock:
            queue = self._scripts.get(path)
            action = queue.popleft() if queue else None
            if action is not None and action.is_fault:
                self._tally.faults[action.kind] += 1
            return action

    def _executed(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._tally.executions[request.path] += 1
            self._tally.requests.append(request)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        with self._lock:
            self._open += 1
            self._accepted += 1
        aborted = False
        try:
            while True:
                head = await _read_head(reader)
                if head is None:
                    break
                with self._lock:
                    self._tally.attempts[head.path] += 1
                exchange = Exchange(self, head, reader, writer)
                action = self._next_action(head.path) or Reply()
                keep_open = await action.perform(exchange)
                aborted = exchange.aborted
                if not keep_open:
                    break
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            if not aborted:
                writer.close()
                with suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 1)
            with self._lock:
                self._open -= 1
            self._connections.discard(task)


async def _call(function: Callable[[], None]) -> None:
    function()


async def _read_head(reader: asyncio.StreamReader) -> ReceivedRequest | None:
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise
    request_line, *header_lines = raw.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return ReceivedRequest(method, target, headers)
