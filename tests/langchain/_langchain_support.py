"""Values and helpers the LangChain tests share."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import attrs
import httpx
import respx
from anyio.from_thread import BlockingPortal, start_blocking_portal

MODEL_ID = "674119b5-f19e-4856-add2-767ae7f7d7ef_model_adapter"
OTHER_MODEL_ID = "99148c6d-c2a0-4fbe-a4a7-e7c05bdb8a09_base_ml_model"
TOKEN = "secret_valid_token_123456"
WORKSPACE_ID = "valid_workspace_12345"
BASE_URL = "https://api.gradient.ai/api"
COMPLETE_PATH = f"/models/{MODEL_ID}/complete"
FINE_TUNE_PATH = f"/models/{MODEL_ID}/fine-tune"

CREDENTIALS: dict[str, Any] = {
    "gradient_access_token": TOKEN,
    "gradient_workspace_id": WORKSPACE_ID,
}

EMULATOR_TOKEN = "langchain-emulator-token-9c4e1a"
EMULATOR_WORKSPACE_ID = "0f4b6d1e-2a3c-4e5f-8a9b-1c2d3e4f5a6b_workspace"
#: Where clients of an in-process emulator send; no name is ever resolved.
EMULATOR_URL = "http://emulator.invalid/api"
QUESTION_TEMPLATE = "Question: {question}\n\nAnswer: "


def completion(text: str, finish_reason: str = "length") -> httpx.Response:
    """An API answer to a completion."""
    return httpx.Response(200, json={"finishReason": finish_reason, "generatedOutput": text})


def sent_json(route: respx.Route, index: int = -1) -> Any:
    """The JSON body of a request a route received (the last one by default)."""
    return json.loads(route.calls[index].request.content)


class PortalTransport(httpx.BaseTransport):
    """A sync transport into an ASGI app: ``httpx.ASGITransport``, run in a portal's loop.

    The app must serve requests in the event loop its lifespan runs in; the blocking portal
    owns that loop, and sync callers from any thread reach it through ``portal.call``.
    """

    def __init__(self, portal: BlockingPortal, app: Any) -> None:
        self._portal = portal
        self._asgi = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._portal.call(self._send, request)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content)


class ThreadHopTransport(httpx.AsyncBaseTransport):
    """An async transport that hands each request to a sync one in a worker thread.

    It lets async code in any event loop (asyncio or trio) reach an app served in another.
    """

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        forwarded = httpx.Request(
            request.method, request.url, headers=request.headers, content=await request.aread()
        )
        return await anyio.to_thread.run_sync(self._transport.handle_request, forwarded)


@attrs.frozen
class EmulatorClients:
    """A running emulator, and HTTP clients to hand to the LangChain classes."""

    http_client: httpx.Client
    http_async_client: httpx.AsyncClient

    @property
    def settings(self) -> dict[str, Any]:
        """Constructor arguments that point a LangChain class at this emulator."""
        return {
            "gradient_access_token": EMULATOR_TOKEN,
            "gradient_workspace_id": EMULATOR_WORKSPACE_ID,
            "gradient_api_url": EMULATOR_URL,
            "max_retries": 0,
            "http_client": self.http_client,
            "http_async_client": self.http_async_client,
        }

    def sdk_client(self) -> Any:
        """A sync SDK client of the same workspace; close it when done."""
        from gradient_sdk import Gradient

        return Gradient(
            access_token=EMULATOR_TOKEN,
            workspace_id=EMULATOR_WORKSPACE_ID,
            host=EMULATOR_URL,
            http_client=self.http_client,
        )


def emulator_settings(engine: Any, data_dir: Path) -> Any:
    """Emulator settings: the given text engine, hashing embeddings, the test credentials."""
    from gradient_sdk.emulator import Emulator

    return Emulator(
        data_dir=data_dir,
        access_token=EMULATOR_TOKEN,
        workspace_id=EMULATOR_WORKSPACE_ID,
        model=engine,
        embeddings_model="hashing",
    )


@contextlib.contextmanager
def run_emulator(engine: Any, data_dir: Path) -> Iterator[EmulatorClients]:
    """Run an emulator in process, in a loop of its own, for sync and async callers alike.

    Every request reaches the app through ``httpx.ASGITransport``: sync ones through
    :class:`PortalTransport`, async ones hopping there through :class:`ThreadHopTransport`.
    """
    from gradient_sdk.emulator import create_app
    from gradient_sdk.emulator.server import running

    app = create_app(emulator_settings(engine, data_dir))
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(running(app)),
    ):
        transport = PortalTransport(portal, app)
        with httpx.Client(transport=transport) as http_client:
            yield EmulatorClients(
                http_client=http_client,
                http_async_client=httpx.AsyncClient(transport=ThreadHopTransport(transport)),
            )


@contextlib.asynccontextmanager
async def run_emulator_in_loop(engine: Any, data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """Run an emulator in the caller's event loop; yield an ``httpx.ASGITransport`` client."""
    from gradient_sdk.emulator import create_app
    from gradient_sdk.emulator.server import running

    async with (
        running(create_app(emulator_settings(engine, data_dir))) as app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client,
    ):
        yield client
