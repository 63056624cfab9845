"""The endpoint table drives the emulator: every row is served, and a row without a handler
would answer 501 on purpose, never a routing 404."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from gradient_sdk import APIStatusError, AsyncGradient
from gradient_sdk._endpoints import BY_OPERATION_ID, ENDPOINTS, Endpoint
from gradient_sdk.emulator.http import app as app_module
from gradient_sdk.emulator.http.handlers import HANDLERS

from .conftest import Harness, make_settings, run_emulator
from .fakes import FakeEngine

pytestmark = pytest.mark.anyio

#: Rows whose handlers a test takes away, to see what an unserved row does.
UNSERVED = [BY_OPERATION_ID["summarizeDocument"], BY_OPERATION_ID["getRagCollection"]]


def test_every_row_has_a_handler() -> None:
    assert set(HANDLERS) == set(BY_OPERATION_ID)


@pytest.fixture
async def partial(
    monkeypatch: pytest.MonkeyPatch, fake_engine: FakeEngine, data_dir: Path
) -> AsyncIterator[Harness]:
    """An emulator whose table has rows without handlers, as it had before it served all."""
    unserved = {endpoint.operation_id for endpoint in UNSERVED}
    served = {name: handler for name, handler in HANDLERS.items() if name not in unserved}
    monkeypatch.setattr(app_module, "HANDLERS", served)
    async with run_emulator(make_settings(data_dir, fake_engine)) as harness:
        yield harness


def test_the_table_has_the_specs_22_operations_once_each() -> None:
    assert len(ENDPOINTS) == 22
    assert len({(e.method, e.path) for e in ENDPOINTS}) == 22
    assert len(BY_OPERATION_ID) == 22


def example_path(endpoint: Endpoint[Any, Any]) -> str:
    return endpoint.url_path({parameter.name: "some-id" for parameter in endpoint.path_parameters})


@pytest.mark.parametrize("endpoint", UNSERVED, ids=lambda e: e.operation_id)
async def test_a_row_without_a_handler_answers_501_with_the_error_body(
    partial: Harness, endpoint: Endpoint[Any, Any]
) -> None:
    response = await partial.raw().request(endpoint.method, example_path(endpoint), json={})

    assert response.status_code == 501
    assert response.json() == {
        "message": f"the emulator does not implement {endpoint.operation_id} "
        f"({endpoint.method} /api{endpoint.path}) yet"
    }


async def test_the_sdk_raises_501_at_once_without_retrying(
    partial: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gradient_sdk.emulator.requests")
    client: AsyncGradient = partial.client(max_retries=3)

    with pytest.raises(APIStatusError) as raised:
        await client.get_rag_collection(id_="rag_0123")  # a GET: retried on other 5xx

    assert raised.value.status_code == 501
    assert "does not implement getRagCollection" in str(raised.value)
    assert caplog.text.count("started GET /api/rag-collections/rag_0123") == 1


async def test_the_other_rows_are_still_served(partial: Harness) -> None:
    models = await partial.client().list_models(only_base=True)

    assert len(models) == 1
