"""Fixtures of the SDK tests: a mocked API, no real sleeping, and clients of both flavours."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import respx

from gradient_sdk import AsyncGradient, Gradient
from gradient_sdk._async import _backend as async_backend
from gradient_sdk._sync import _backend as sync_backend

from ._support import BASE_URL, TOKEN, WORKSPACE_ID, call

AnyClient = AsyncGradient | Gradient


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """The Gradient API, mocked: a request to a route not set up fails the test."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the SDK waited between retries, recorded instead of slept."""
    delays: list[float] = []

    async def async_sleep(seconds: float) -> None:
        delays.append(seconds)

    def sync_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(async_backend, "sleep", async_sleep)
    monkeypatch.setattr(sync_backend, "sleep", sync_sleep)
    return delays


@pytest.fixture(params=["async", "sync"])
def flavour(request: pytest.FixtureRequest) -> str:
    """Which client a test runs with; ``@pytest.mark.parametrize("flavour", [...])`` narrows."""
    return request.param


@pytest.fixture
async def make_client(
    flavour: str, anyio_backend: str, api: respx.MockRouter
) -> AsyncIterator[Callable[..., AnyClient]]:
    """Builds clients of the test's flavour with test credentials, and closes them afterwards.

    Unless a test passes its own ``transport`` or ``http_client``, the mocked API is the
    client's transport: a real connection pool would cost each test some 20 ms of TLS setup.
    """
    made: list[AnyClient] = []

    def make(**options: Any) -> AnyClient:
        options.setdefault("access_token", TOKEN)
        options.setdefault("workspace_id", WORKSPACE_ID)
        if "transport" not in options and "http_client" not in options:
            handler = api.async_handler if flavour == "async" else api.handler
            options["transport"] = httpx.MockTransport(handler)
        client = AsyncGradient(**options) if flavour == "async" else Gradient(**options)
        made.append(client)
        return client

    yield make
    for client in made:
        await call(client.close())


@pytest.fixture
def client(make_client: Callable[..., AnyClient]) -> AnyClient:
    """A client of the test's flavour, talking to the mocked API."""
    return make_client()
