"""Fixtures of the reliability suite.

* ``server``: a :class:`FaultServer` on 127.0.0.1, fresh for each test.
* ``backoff`` (autouse): the SDK's waits between attempts are recorded as asked and slept for
  at most ``backoff.cap`` seconds (a real, cancellable sleep, only shorter).
* ``harness``: clients pointed at the server that, when the test is done with them, prove
  they leaked nothing (see :class:`Harness`).

The suite also keeps the figures ``docs/reliability.md`` quotes (faults injected, SDK calls,
leaks, duplicate fine-tunes) and prints them at the end of the run.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import anyio
import httpx
import pytest

from gradient_sdk import AsyncGradient, Gradient
from gradient_sdk._async import _backend as async_backend
from gradient_sdk._async._transport import AsyncTransport
from gradient_sdk._sync import _backend as sync_backend
from gradient_sdk._sync._transport import Transport

from .fault_server import FaultServer

#: What every client of the suite authenticates with: distinctive, so a leak is easy to spot.
TOKEN = "gsk-SECRET-7c3f9e1a2b4d6f80"
WORKSPACE_ID = "86abdbb7-ca5f-4f71-9882-01970e111de7_workspace"
#: How long to wait for connections, tasks and threads to wind down after a client closes.
SETTLE_SECONDS = 2.0


# --------------------------------------------------------------------------- figures


@dataclass
class Ledger:
    """What the whole run did, for docs/reliability.md."""

    tests: int = 0
    sdk_calls: int = 0
    requests_served: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    clients_checked: int = 0
    leaked_connections: int = 0
    leaked_tasks: int = 0
    leaked_threads: int = 0
    fine_tune_calls: int = 0
    fine_tune_executions: int = 0
    duplicate_fine_tunes: int = 0

    def summary(self) -> str:
        return (
            f"reliability: {self.tests} server tests, {len(self.faults)} fault kinds, "
            f"{sum(self.faults.values())} faults injected, {self.sdk_calls} SDK calls, "
            f"{self.requests_served} requests served, {self.clients_checked} clients checked, "
            f"leaked: {self.leaked_connections} connections / {self.leaked_tasks} tasks / "
            f"{self.leaked_threads} threads, fine-tunes: {self.fine_tune_calls} calls / "
            f"{self.fine_tune_executions} executions / {self.duplicate_fine_tunes} duplicates; "
            f"faults: {dict(sorted(self.faults.items()))}"
        )


LEDGER = Ledger()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if LEDGER.tests:
        terminalreporter.write_line(LEDGER.summary())


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def sdk_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Calls the SDK made, as ``(method, path)``: one per public call, retries not counted."""
    calls: Counter[tuple[str, str]] = Counter()

    def counting(original: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
        if is_async:

            @wraps(original)
            async def send_async(self: Any, method: str, path: str, **kwargs: Any) -> Any:
                calls[method, path] += 1
                return await original(self, method, path, **kwargs)

            return send_async

        @wraps(original)
        def send(self: Any, method: str, path: str, **kwargs: Any) -> Any:
            calls[method, path] += 1
            return original(self, method, path, **kwargs)

        return send

    for transport, is_async in ((AsyncTransport, True), (Transport, False)):
        original = transport.send
        monkeypatch.setattr(transport, "send", counting(original, is_async))
    return calls


@pytest.fixture
def server(sdk_calls: Counter[tuple[str, str]]) -> Iterator[FaultServer]:
    """A fault server on a free loopback port; its counts go to the run's figures."""
    with FaultServer() as fault_server:
        yield fault_server
    LEDGER.tests += 1
    LEDGER.sdk_calls += sum(sdk_calls.values())
    LEDGER.requests_served += fault_server.total_attempts
    LEDGER.faults.update(fault_server.faults_injected)
    for path in fault_server.paths:
        if path.endswith("/fine-tune"):
            asked = sdk_calls["POST", path.removeprefix("/api")]
            executed = fault_server.executions(path)
            LEDGER.fine_tune_calls += asked
            LEDGER.fine_tune_executions += executed
            LEDGER.duplicate_fine_tunes += max(0, executed - asked)


@dataclass
class Backoff:
    """The waits the SDK asked for between attempts."""

    asked: list[float] = field(default_factory=list)
    #: The longest real sleep per wait; raise it to test cancelling a client mid-backoff.
    cap: float = 0.01
    #: Called before each wait (in the caller's thread): a test can change the world here.
    before_sleep: Callable[[], None] | None = None


@pytest.fixture(autouse=True)
def backoff(monkeypatch: pytest.MonkeyPatch) -> Backoff:
    """Retries wait briefly but really (so cancellation still has a place to land)."""
    state = Backoff()

    async def async_sleep(seconds: float) -> None:
        state.asked.append(seconds)
        if state.before_sleep is not None:
            state.before_sleep()
        await anyio.sleep(min(seconds, state.cap))

    def sync_sleep(seconds: float) -> None:
        state.asked.append(seconds)
        if state.before_sleep is not None:
            state.before_sleep()
        time.sleep(min(seconds, state.cap))

    monkeypatch.setattr(async_backend, "sleep", async_sleep)
    monkeypatch.setattr(sync_backend, "sleep", sync_sleep)
    return state


# --------------------------------------------------------------------------- leak checks


@dataclass(frozen=True)
class PoolState:
    """The connections in a client's httpcore pool, by state."""

    active: int
    idle: int
    queued_requests: int


def pool_state(client: AsyncGradient | Gradient) -> PoolState:
    """Read the client's httpcore pool.

    ``active`` counts connections that are neither idle (kept alive, free for the next
    request) nor closed: a connection a finished call still holds. ``queued_requests``
    counts requests still waiting for a connection. Both must be 0 once calls are over.
    """
    pool = client._transport._http_client._transport._pool  # type: ignore[union-attr]
    connections = pool.connections
    active = sum(1 for c in connections if not c.is_idle() and not c.is_closed())
    idle = sum(1 for c in connections if c.is_idle() and not c.is_closed())
    return PoolState(active=active, idle=idle, queued_requests=len(pool._requests))


async def wait_until(condition: Callable[[], bool], seconds: float = SETTLE_SECONDS) -> bool:
    """Poll ``condition`` for up to ``seconds``; return its last value.

    It polls because the state it watches belongs to another thread (the fault server's).
    """
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # noqa: ASYNC110
        await anyio.sleep(0.005)
    return condition()


def _task_ids() -> set[int]:
    return {task.id for task in anyio.get_running_tasks()}


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if thread not in before and not thread.name.startswith(_TRIO_IO_THREAD)
    ]


#: Under anyio's pytest runner trio runs in guest mode, waiting for I/O in a worker of its
#: thread cache, which starts and stops as the loop ticks. It is the loop's, not the SDK's,
#: so it is not counted; asyncio and blocking runs of the same SDK code count every thread.
_TRIO_IO_THREAD = "Trio thread"


class Harness:
    """Clients pointed at the fault server that check, when the test leaves them, that:

    1. their pool holds no active connection and no queued request (``pool_state``: this is
       what "the call released its connection" means; idle keep-alive connections are fine);
    2. once closed, the server sees none of their connections still open. The server closes
       its side only when the client does, so this counts sockets the client still holds,
       whether or not httpcore's pool knows about them;
    3. no task (async) and no thread started during the test is still running.

    A body that raises skips the checks (the client is still closed), so the test's own
    failure is what gets reported.
    """

    def __init__(self, server: FaultServer) -> None:
        self.server = server

    def options(self, overrides: dict[str, Any]) -> dict[str, Any]:
        return {
            "access_token": TOKEN,
            "workspace_id": WORKSPACE_ID,
            "host": self.server.base_url,
            "timeout": 0.5,
            **overrides,
        }

    # The clients are built as users build them, with one change: their pool skips loading
    # the CA bundle (50 ms a client, every test), which plain HTTP to 127.0.0.1 never uses.
    # Pool limits, timeouts and retries stay httpx's and the SDK's defaults.

    @asynccontextmanager
    async def async_client(self, **overrides: Any) -> AsyncIterator[AsyncGradient]:
        tasks_before = _task_ids()
        threads_before = set(threading.enumerate())
        client = AsyncGradient(
            transport=httpx.AsyncHTTPTransport(verify=False), **self.options(overrides)
        )
        try:
            yield client
        except BaseException:
            with anyio.CancelScope(shield=True):
                await client.aclose()
            raise
        pool = pool_state(client)
        await client.aclose()
        open_after = await self._settle(lambda: self.server.open_connections == 0)
        await self._settle(lambda: _task_ids() <= tasks_before)
        await self._settle(lambda: not _new_threads(threads_before))
        leaked_tasks = [
            task.name for task in anyio.get_running_tasks() if task.id not in tasks_before
        ]
        self._check(pool, open_after, leaked_tasks, _new_threads(threads_before))

    @contextmanager
    def sync_client(self, **overrides: Any) -> Iterator[Gradient]:
        threads_before = set(threading.enumerate())
        client = Gradient(transport=httpx.HTTPTransport(verify=False), **self.options(overrides))
        try:
            yield client
        except BaseException:
            client.close()
            raise
        pool = pool_state(client)
        client.close()
        open_after = self.server.wait_for_open_connections(0, SETTLE_SECONDS)
        deadline = time.monotonic() + SETTLE_SECONDS
        while _new_threads(threads_before) and time.monotonic() < deadline:
            time.sleep(0.01)
        self._check(pool, open_after, [], _new_threads(threads_before))

    async def _settle(self, done: Callable[[], bool]) -> int:
        await wait_until(done)
        return self.server.open_connections

    def _check(
        self,
        pool: PoolState,
        open_after_close: int,
        leaked_tasks: list[str],
        leaked_threads: list[threading.Thread],
    ) -> None:
        LEDGER.clients_checked += 1
        LEDGER.leaked_connections += pool.active + open_after_close
        LEDGER.leaked_tasks += len(leaked_tasks)
        LEDGER.leaked_threads += len(leaked_threads)
        assert pool.active == 0, f"calls left {pool.active} connection(s) active: {pool}"
        assert pool.queued_requests == 0, f"requests still queued in the pool: {pool}"
        assert open_after_close == 0, f"{open_after_close} connection(s) open after close()"
        assert not leaked_tasks, f"tasks still running: {leaked_tasks}"
        assert not leaked_threads, f"threads still running: {leaked_threads}"


@pytest.fixture
def harness(server: FaultServer) -> Harness:
    """Leak-checked clients of the fault server."""
    return Harness(server)
