"""The SDK against a misbehaving server of our own (``fault_server.py``).

For each fault: the typed error or the successful retry, the attempts the server saw, that
the call waited at least as long as the server made it (no clock bounds it from above: a
busy machine only makes calls slower), and (through ``harness``) no active connection left in
the pool, no connection open once the client is closed, no task or thread left running.

The retry contract under test (docs/errors-and-retries.md):

* completions, listings, embeddings, deletes retry on transport errors and on 408, 409, 429
  and 5xx, honouring ``Retry-After``;
* a fine-tune or an adapter creation retries only when the connection could not be opened
  (the request surely never left). The server counts fine-tune *executions* (request body
  read in full): a retry must never make that count exceed the calls made.

A reset *before* the server read the request looks exactly like a reset after it to the
client (a broken connection after the request was written), so the SDK cannot know the
fine-tune did not run: it does not retry it, and says so with ``APIConnectionError``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest
import trio

from gradient_sdk import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncGradient,
    AsyncModelAdapter,
    AuthenticationError,
    BadRequestError,
    CompleteResponse,
    ConflictError,
    FineTuneResponse,
    Gradient,
    InternalServerError,
    ModelAdapter,
    NotFoundError,
    RateLimitError,
)

from .conftest import pool_state, wait_until
from .fault_server import (
    ADAPTER_ID,
    BASE_MODEL_ID,
    Action,
    CloseAfterReply,
    Drip,
    DripHead,
    FaultServer,
    HangBeforeHeaders,
    HangMidBody,
    HugeBody,
    InvalidJson,
    RateLimited,
    Reply,
    ResetAfterRead,
    ResetBeforeRead,
    TruncatedBody,
)

if TYPE_CHECKING:
    from .conftest import Backoff, Harness

COMPLETE = f"/api/models/{BASE_MODEL_ID}/complete"
FINE_TUNE = f"/api/models/{ADAPTER_ID}/fine-tune"
MODELS = "/api/models"
EMBED = "/api/embeddings/bge-large"

AnyClient = AsyncGradient | Gradient


def complete(client: AnyClient) -> Any:
    return client.models.complete(model_id=BASE_MODEL_ID, query="Hi")


def fine_tune(client: AnyClient) -> Any:
    return client.models.fine_tune(model_adapter_id=ADAPTER_ID, samples=[{"inputs": "x"}])


def create_adapter(client: AnyClient) -> Any:
    return client.models.create_model_adapter(base_model_id=BASE_MODEL_ID, name="a")


def list_models(client: AnyClient) -> Any:
    return client.list_models()


CALLS: dict[str, tuple[str, Callable[[AnyClient], Any]]] = {
    "complete": (COMPLETE, complete),
    "fine-tune": (FINE_TUNE, fine_tune),
    "create-adapter": (MODELS, create_adapter),
    "list-models": (MODELS, list_models),
}


@dataclass(frozen=True)
class Fault:
    """One row of the fault table: what the server does, and what the caller must see."""

    name: str
    call: str
    script: tuple[Action, ...]
    #: The error the call raises, or None when it succeeds (after retries or not).
    raises: type[Exception] | None
    attempts: int
    executions: int
    max_retries: int = 2
    timeout: float = 0.5
    #: Time the server makes the caller wait (hangs, drips): the lower bound of the call.
    server_wait: float = 0.0
    #: The ``Retry-After`` waits the SDK must have asked for, as (low, high) bounds.
    retry_after: tuple[tuple[float, float], ...] = ()

    @property
    def path(self) -> str:
        return CALLS[self.call][0]

    def __str__(self) -> str:
        return f"{self.call}-{self.name}"


OK = None
FAULTS = [
    # ---- idempotent: a completion (POST, but safe to repeat) and a listing (GET)
    Fault("reset-before-read-then-ok", "complete", (ResetBeforeRead(),), OK, 2, 1),
    Fault("reset-after-read-then-ok", "complete", (ResetAfterRead(),), OK, 2, 2),
    Fault("reset-after-read-always", "complete", (ResetAfterRead(),) * 3, APIConnectionError, 3, 3),
    Fault("truncated-json-then-ok", "complete", (TruncatedBody(),), OK, 2, 2),
    Fault("truncated-json-always", "complete", (TruncatedBody(),) * 3, APIConnectionError, 3, 3),
    Fault("invalid-json-200", "complete", (InvalidJson(),), APIResponseValidationError, 1, 1),
    Fault(
        "wrong-shape-200",
        "complete",
        (Reply(200, body={"generatedOutput": 5}),),
        APIResponseValidationError,
        1,
        1,
    ),
    Fault(
        "429-retry-after-seconds-then-ok",
        "complete",
        (RateLimited(2),),
        OK,
        2,
        2,
        retry_after=((2.0, 2.0),),
    ),
    Fault(
        "429-retry-after-http-date-then-ok",
        "complete",
        (RateLimited(3, as_http_date=True),),
        OK,
        2,
        2,
        # An HTTP-date has whole seconds: "3 s from now" is read back as 2 to 3 seconds.
        retry_after=((1.5, 3.0),),
    ),
    Fault("429-always", "complete", (RateLimited(0),) * 3, RateLimitError, 3, 3),
    Fault(
        "5xx-burst-500-502-503-504-then-ok",
        "complete",
        (Reply(500), Reply(502), Reply(503), Reply(504)),
        OK,
        5,
        5,
        max_retries=4,
    ),
    Fault(
        "503-burst-longer-than-retries", "complete", (Reply(503),) * 3, InternalServerError, 3, 3
    ),
    Fault("408-then-ok", "complete", (Reply(408),), OK, 2, 2),
    Fault("409-then-ok", "complete", (Reply(409),), OK, 2, 2),
    Fault("400-not-retried", "complete", (Reply(400),), BadRequestError, 1, 1),
    Fault("401-not-retried", "complete", (Reply(401),), AuthenticationError, 1, 1),
    Fault("404-not-retried", "complete", (Reply(404),), NotFoundError, 1, 1),
    Fault(
        "hang-before-headers-then-ok",
        "complete",
        (HangBeforeHeaders(),),
        OK,
        2,
        2,
        timeout=0.3,
        server_wait=0.3,
    ),
    Fault(
        "hang-before-headers-always",
        "complete",
        (HangBeforeHeaders(),) * 2,
        APITimeoutError,
        2,
        2,
        max_retries=1,
        timeout=0.2,
        server_wait=0.4,
    ),
    Fault(
        "hang-mid-body-always",
        "complete",
        (HangMidBody(),) * 2,
        APITimeoutError,
        2,
        2,
        max_retries=1,
        timeout=0.2,
        server_wait=0.4,
    ),
    # ``timeout`` bounds a whole attempt, not each wait for bytes: a server that drips
    # chunks faster than the read timeout still cannot keep an attempt past its deadline.
    Fault(
        "slow-drip-within-the-attempt-deadline",
        "complete",
        (Drip(interval=0.02, chunk=16),),
        OK,
        1,
        1,
        timeout=2.0,
        server_wait=0.05,
    ),
    Fault(
        "slow-drip-of-the-headers-past-the-attempt-deadline",
        "complete",
        (DripHead(interval=0.05),),
        APITimeoutError,
        1,
        1,
        max_retries=0,
        timeout=0.25,
        server_wait=0.25,
    ),
    Fault(
        "slow-drip-past-the-attempt-deadline",
        "complete",
        (Drip(interval=0.1, chunk=2),),
        APITimeoutError,
        1,
        1,
        max_retries=0,
        timeout=0.25,
        server_wait=0.25,
    ),
    Fault(
        "slow-drip-over-the-read-timeout",
        "complete",
        (Drip(interval=0.5),),
        APITimeoutError,
        1,
        1,
        max_retries=0,
        timeout=0.15,
        server_wait=0.15,
    ),
    Fault("huge-50mb-json-body", "complete", (HugeBody(),), OK, 1, 1, timeout=5),
    Fault(
        "huge-50mb-non-json-body",
        "complete",
        (HugeBody(valid_json=False),),
        APIResponseValidationError,
        1,
        1,
        timeout=5,
    ),
    Fault("get-reset-after-read-then-ok", "list-models", (ResetAfterRead(),), OK, 2, 2),
    Fault("get-503-then-ok", "list-models", (Reply(503),), OK, 2, 2),
    # ---- not idempotent: a fine-tune runs once at most, whatever the server does
    Fault("reset-before-read", "fine-tune", (ResetBeforeRead(),), APIConnectionError, 1, 0),
    Fault("reset-after-read", "fine-tune", (ResetAfterRead(),), APIConnectionError, 1, 1),
    Fault("truncated-json", "fine-tune", (TruncatedBody(),), APIConnectionError, 1, 1),
    Fault("invalid-json-200", "fine-tune", (InvalidJson(),), APIResponseValidationError, 1, 1),
    Fault("500", "fine-tune", (Reply(500),), InternalServerError, 1, 1),
    Fault("503-burst", "fine-tune", (Reply(503),) * 3, InternalServerError, 1, 1),
    Fault("408", "fine-tune", (Reply(408),), APIStatusError, 1, 1),
    Fault("409", "fine-tune", (Reply(409),), ConflictError, 1, 1),
    Fault("429-retry-after", "fine-tune", (RateLimited(0),), RateLimitError, 1, 1),
    Fault(
        "read-timeout",
        "fine-tune",
        (HangBeforeHeaders(),),
        APITimeoutError,
        1,
        1,
        timeout=0.2,
        server_wait=0.2,
    ),
    Fault(
        "hang-mid-body",
        "fine-tune",
        (HangMidBody(),),
        APITimeoutError,
        1,
        1,
        timeout=0.2,
        server_wait=0.2,
    ),
    Fault("500", "create-adapter", (Reply(500),), InternalServerError, 1, 1),
    Fault("reset-after-read", "create-adapter", (ResetAfterRead(),), APIConnectionError, 1, 1),
]


async def timed_async(call: Callable[[AnyClient], Any], client: AsyncGradient) -> tuple[Any, float]:
    """The call's result (or the exception it raised) and the seconds it took."""
    started = time.monotonic()
    try:
        outcome = await call(client)
    except Exception as error:
        outcome = error
    return outcome, time.monotonic() - started


def timed_sync(call: Callable[[AnyClient], Any], client: Gradient) -> tuple[Any, float]:
    """The blocking twin of :func:`timed_async`."""
    started = time.monotonic()
    try:
        outcome = call(client)
    except Exception as error:
        outcome = error
    return outcome, time.monotonic() - started


SUCCESS_TYPES: dict[str, type[Any] | tuple[type[Any], ...]] = {
    "complete": CompleteResponse,
    "fine-tune": FineTuneResponse,
    "create-adapter": (AsyncModelAdapter, ModelAdapter),
    "list-models": list,
}


def check_outcome(
    fault: Fault, outcome: Any, elapsed: float, server: FaultServer, backoff: Backoff
) -> None:
    if fault.raises is None:
        assert not isinstance(outcome, BaseException), f"{fault}: unexpected {outcome!r}"
        assert isinstance(outcome, SUCCESS_TYPES[fault.call])
    else:
        assert type(outcome) is fault.raises, f"{fault}: expected {fault.raises}, got {outcome!r}"
        # Even a 50 MB answer makes a short message: errors are read in logs.
        assert len(str(outcome)) < 600
    assert server.attempts(fault.path) == fault.attempts
    assert server.executions(fault.path) == fault.executions
    assert len(backoff.asked) == fault.attempts - 1, "one backoff wait before each retry"
    for (low, high), asked in zip(fault.retry_after, backoff.asked, strict=False):
        assert low <= asked <= high, f"Retry-After not honoured: waited {asked}"
    # A lower bound only: a busy machine makes a call slower, never faster. How long a call
    # may take at most is the deadline's business, shown by the outcome, not by a clock.
    assert elapsed >= fault.server_wait * 0.9


@pytest.mark.anyio
@pytest.mark.parametrize("fault", FAULTS, ids=str)
async def test_fault_through_the_async_client(
    fault: Fault, server: FaultServer, harness: Harness, backoff: Backoff
) -> None:
    server.script(fault.path, *fault.script)

    async with harness.async_client(timeout=fault.timeout, max_retries=fault.max_retries) as client:
        outcome, elapsed = await timed_async(CALLS[fault.call][1], client)

    check_outcome(fault, outcome, elapsed, server, backoff)


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_fault_through_the_sync_client(
    fault: Fault, server: FaultServer, harness: Harness, backoff: Backoff
) -> None:
    server.script(fault.path, *fault.script)

    with harness.sync_client(timeout=fault.timeout, max_retries=fault.max_retries) as client:
        outcome, elapsed = timed_sync(CALLS[fault.call][1], client)

    check_outcome(fault, outcome, elapsed, server, backoff)


# --------------------------------------------------------------------------- connections


class OneShot:
    """Calls ``action`` the first time it is called, then does nothing."""

    def __init__(self, action: Callable[[], None]) -> None:
        self.action: Callable[[], None] | None = action

    def __call__(self) -> None:
        if self.action is not None:
            action, self.action = self.action, None
            action()


@pytest.mark.anyio
async def test_a_fine_tune_is_retried_when_the_connection_is_refused(
    server: FaultServer, harness: Harness, backoff: Backoff
) -> None:
    server.stop_listening()
    backoff.before_sleep = OneShot(server.listen_again)

    async with harness.async_client() as client:
        result = await fine_tune(client)

    assert isinstance(result, FineTuneResponse)
    assert len(backoff.asked) == 1
    assert server.attempts(FINE_TUNE) == server.executions(FINE_TUNE) == 1


def test_a_fine_tune_is_retried_when_the_connection_is_refused_sync(
    server: FaultServer, harness: Harness, backoff: Backoff
) -> None:
    server.stop_listening()
    backoff.before_sleep = OneShot(server.listen_again)

    with harness.sync_client() as client:
        result = fine_tune(client)

    assert isinstance(result, FineTuneResponse)
    assert len(backoff.asked) == 1
    assert server.attempts(FINE_TUNE) == server.executions(FINE_TUNE) == 1


@pytest.mark.anyio
async def test_a_refused_connection_is_retried_then_reported(
    server: FaultServer, harness: Harness, backoff: Backoff
) -> None:
    server.stop_listening()

    async with harness.async_client(max_retries=2) as client:
        with pytest.raises(APIConnectionError) as raised:
            await complete(client)

    assert type(raised.value) is APIConnectionError
    assert len(backoff.asked) == 2
    assert server.accepted_connections == 0


@pytest.mark.anyio
async def test_a_connection_the_server_closed_while_idle_is_not_reused_for_a_fine_tune(
    server: FaultServer, harness: Harness
) -> None:
    server.script(COMPLETE, CloseAfterReply())

    async with harness.async_client() as client:
        await complete(client)
        # The kept-alive connection is now dead: the server closed it (its keep-alive timeout).
        assert await wait_until(lambda: server.open_connections == 0)
        result = await fine_tune(client)

    assert isinstance(result, FineTuneResponse)
    assert server.attempts(FINE_TUNE) == server.executions(FINE_TUNE) == 1
    assert server.accepted_connections == 2


def test_a_connection_the_server_closed_while_idle_is_not_reused_for_a_fine_tune_sync(
    server: FaultServer, harness: Harness
) -> None:
    server.script(COMPLETE, CloseAfterReply())

    with harness.sync_client() as client:
        complete(client)
        assert server.wait_for_open_connections(0) == 0
        result = fine_tune(client)

    assert isinstance(result, FineTuneResponse)
    assert server.attempts(FINE_TUNE) == server.executions(FINE_TUNE) == 1
    assert server.accepted_connections == 2


# --------------------------------------------------------------------------- cancellation

CANCELLED_WHILE = {
    "waiting-for-headers": (HangBeforeHeaders(),),
    "reading-the-body": (HangMidBody(),),
    "a-slow-drip": (Drip(interval=0.1, chunk=1),),
    "sleeping-before-a-retry": (RateLimited(30),),
}


async def check_released_and_usable(client: AsyncGradient, server: FaultServer) -> None:
    """No active connection; the server sees only the idle ones; the next call works."""
    assert pool_state(client).active == 0
    assert await wait_until(lambda: server.open_connections == pool_state(client).idle)
    assert isinstance(await complete(client), CompleteResponse)


@pytest.mark.anyio
@pytest.mark.parametrize("moment", CANCELLED_WHILE)
async def test_a_call_cancelled_by_a_cancel_scope_releases_its_connection(
    moment: str, server: FaultServer, harness: Harness, backoff: Backoff
) -> None:
    backoff.cap = 60
    server.script(COMPLETE, *CANCELLED_WHILE[moment])

    async with harness.async_client(timeout=10) as client:
        with anyio.move_on_after(0.1) as scope:
            await complete(client)

        assert scope.cancelled_caught
        await check_released_and_usable(client, server)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("moment", CANCELLED_WHILE)
async def test_a_call_cancelled_by_asyncio_wait_for_releases_its_connection(
    moment: str, server: FaultServer, harness: Harness, backoff: Backoff
) -> None:
    backoff.cap = 60
    server.script(COMPLETE, *CANCELLED_WHILE[moment])

    async with harness.async_client(timeout=10) as client:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(complete(client), 0.1)

        await check_released_and_usable(client, server)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.parametrize("moment", CANCELLED_WHILE)
async def test_a_call_cancelled_by_trio_move_on_after_releases_its_connection(
    moment: str, server: FaultServer, harness: Harness, backoff: Backoff
) -> None:
    backoff.cap = 60
    server.script(COMPLETE, *CANCELLED_WHILE[moment])

    async with harness.async_client(timeout=10) as client:
        with trio.move_on_after(0.1) as scope:
            await complete(client)

        assert scope.cancelled_caught
        await check_released_and_usable(client, server)


@pytest.mark.anyio
async def test_a_cancelled_fine_tune_is_not_sent_again(
    server: FaultServer, harness: Harness
) -> None:
    server.script(FINE_TUNE, HangBeforeHeaders())

    async with harness.async_client(timeout=10) as client:
        with anyio.move_on_after(0.1):
            await fine_tune(client)
        await anyio.sleep(0.1)  # room for a stray retry to show up, if there were one
        assert server.attempts(FINE_TUNE) == 1
        result = await fine_tune(client)

    assert isinstance(result, FineTuneResponse)
    assert server.attempts(FINE_TUNE) == server.executions(FINE_TUNE) == 2


@pytest.mark.anyio
async def test_a_failed_embed_batch_cancels_its_siblings_and_releases_their_connections(
    server: FaultServer, harness: Harness
) -> None:
    # 1024 texts go out as four concurrent requests: the first to arrive gets a broken answer,
    # the others hang until the SDK cancels them.
    server.script(EMBED, InvalidJson(), *(HangBeforeHeaders(),) * 3)

    async with harness.async_client(timeout=10, max_retries=0) as client:
        with pytest.raises(APIResponseValidationError):
            await client.embeddings.embed(slug="bge-large", inputs=[f"t{i}" for i in range(1024)])
        # Cancelled, not waited out: the hanging siblings' connections are free again.
        await check_released_and_usable(client, server)

    assert 1 <= server.attempts(EMBED) <= 4


def test_a_failed_embed_batch_stops_its_siblings_sync(
    server: FaultServer, harness: Harness
) -> None:
    # As in the async client, the first failure is raised and no batch starts after it; the
    # batches already sent (threads cannot be cancelled) end at their timeout.
    server.script(EMBED, InvalidJson(), *(HangBeforeHeaders(),) * 3)

    with (
        harness.sync_client(timeout=0.2, max_retries=0) as client,
        pytest.raises((APIResponseValidationError, APITimeoutError)),
    ):
        client.embeddings.embed(slug="bge-large", inputs=[f"t{i}" for i in range(1024)])

    assert 1 <= server.attempts(EMBED) <= 4


# --------------------------------------------------------------------------- load

#: Ten kinds of call, repeated: (the server's script, the error expected or None, attempts).
MIXED_LOAD: list[tuple[tuple[Action, ...], type[Exception] | None, int]] = [
    ((Reply(503),), None, 2),
    ((ResetAfterRead(),), None, 2),
    ((RateLimited(0),), None, 2),
    ((TruncatedBody(),), None, 2),
    ((HangBeforeHeaders(),), None, 2),
    ((InvalidJson(),), APIResponseValidationError, 1),
    ((Reply(503),) * 3, InternalServerError, 3),
    ((), None, 1),
    ((), None, 1),
    ((), None, 1),
]


def script_mixed_load(server: FaultServer, calls: int) -> list[str]:
    model_ids = [f"model-{index:03d}" for index in range(calls)]
    for index, model_id in enumerate(model_ids):
        server.script(f"/api/models/{model_id}/complete", *MIXED_LOAD[index % 10][0])
    return model_ids


def check_mixed_load(server: FaultServer, model_ids: list[str], outcomes: dict[int, Any]) -> None:
    assert sorted(outcomes) == list(range(len(model_ids)))
    for index, model_id in enumerate(model_ids):
        _, raises, attempts = MIXED_LOAD[index % 10]
        outcome = outcomes[index]
        if raises is None:
            assert isinstance(outcome, CompleteResponse), f"call {index}: {outcome!r}"
        else:
            assert type(outcome) is raises, f"call {index}: {outcome!r}"
        assert server.attempts(f"/api/models/{model_id}/complete") == attempts


@pytest.mark.anyio
async def test_200_concurrent_calls_with_faults_mixed_in_all_finish(
    server: FaultServer, harness: Harness
) -> None:
    model_ids = script_mixed_load(server, 200)
    outcomes: dict[int, Any] = {}
    # A generous pool timeout: 200 calls share at most 100 connections. A read timeout of
    # 3 s leaves room for a busy machine (a request timed out before the server read it
    # would not be counted); the hanging calls wait it out once.
    timeout = httpx.Timeout(3.0, pool=30.0)

    async with harness.async_client(timeout=timeout, max_retries=2) as client:

        async def one(index: int) -> None:
            try:
                outcomes[index] = await client.models.complete(
                    model_id=model_ids[index], query="Hi"
                )
            except Exception as error:
                outcomes[index] = error

        async with anyio.create_task_group() as group:
            for index in range(len(model_ids)):
                group.start_soon(one, index)

    check_mixed_load(server, model_ids, outcomes)


def test_100_calls_from_16_threads_with_faults_mixed_in_all_finish(
    server: FaultServer, harness: Harness
) -> None:
    model_ids = script_mixed_load(server, 100)
    outcomes: dict[int, Any] = {}

    with harness.sync_client(timeout=httpx.Timeout(3.0, pool=30.0), max_retries=2) as client:

        def one(index: int) -> None:
            outcomes[index] = timed_sync(
                lambda c: c.models.complete(model_id=model_ids[index], query="Hi"), client
            )[0]

        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(one, range(len(model_ids))))

    check_mixed_load(server, model_ids, outcomes)
