"""The keep-alive race: a request written to a pooled connection just as the server closes
it for being idle fails although the server never ran it. The SDK gives up idle connections
well before servers do (the emulator keeps them 15 s, uvicorn and nginx 5 s), so that race
cannot happen: after an idle spell, a fine-tune goes out on a new connection, once."""

from __future__ import annotations

import time

import anyio
import pytest

from gradient_sdk import AsyncGradient, Gradient
from gradient_sdk._async import _transport as async_transport
from gradient_sdk._sync import _transport as sync_transport
from gradient_sdk.emulator.server import KEEP_ALIVE_SECONDS

from .conftest import TOKEN, WORKSPACE_ID
from .fault_server import ADAPTER_ID, BASE_MODEL_ID, FaultServer

FINE_TUNE = f"/api/models/{ADAPTER_ID}/fine-tune"
# Short stand-ins for the real figures, so the idle spell below takes a fraction of a second.
TEST_EXPIRY_S = 0.2
IDLE_S = 0.6


def test_the_sdk_drops_idle_connections_long_before_servers_do() -> None:
    common_server_idle_s = 5.0  # uvicorn's and nginx's default
    for expiry in (async_transport.KEEPALIVE_EXPIRY, sync_transport.KEEPALIVE_EXPIRY):
        assert expiry <= common_server_idle_s / 2
        assert expiry < KEEP_ALIVE_SECONDS / 5


def test_sync_after_an_idle_spell_a_fine_tune_opens_a_new_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sync_transport, "KEEPALIVE_EXPIRY", TEST_EXPIRY_S)
    with (
        FaultServer() as server,
        Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID, host=server.base_url) as client,
    ):
        client.models.complete(model_id=BASE_MODEL_ID, query="warm the pool")
        assert server.accepted_connections == 1
        time.sleep(IDLE_S)
        client.models.fine_tune(model_adapter_id=ADAPTER_ID, samples=[{"inputs": "a fact"}])
        assert server.accepted_connections == 2
        assert server.executions(FINE_TUNE) == 1
        assert server.attempts(FINE_TUNE) == 1


@pytest.mark.anyio
async def test_async_after_an_idle_spell_a_fine_tune_opens_a_new_connection(
    monkeypatch: pytest.MonkeyPatch, anyio_backend: str
) -> None:
    monkeypatch.setattr(async_transport, "KEEPALIVE_EXPIRY", TEST_EXPIRY_S)
    with FaultServer() as server:
        async with AsyncGradient(
            access_token=TOKEN, workspace_id=WORKSPACE_ID, host=server.base_url
        ) as client:
            await client.models.complete(model_id=BASE_MODEL_ID, query="warm the pool")
            assert server.accepted_connections == 1
            await anyio.sleep(IDLE_S)
            await client.models.fine_tune(
                model_adapter_id=ADAPTER_ID, samples=[{"inputs": "a fact"}]
            )
            assert server.accepted_connections == 2
            assert server.executions(FINE_TUNE) == 1
            assert server.attempts(FINE_TUNE) == 1
