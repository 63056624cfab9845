"""The endpoint table drives the emulator: every row is served, or answers 501 on purpose."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gradient_sdk import APIStatusError, AsyncGradient
from gradient_sdk._endpoints import BY_OPERATION_ID, ENDPOINTS, Endpoint
from gradient_sdk.emulator.http.handlers import HANDLERS

pytestmark = pytest.mark.anyio

NOT_IMPLEMENTED = [e for e in ENDPOINTS if e.operation_id not in HANDLERS]


def test_every_handler_belongs_to_a_row() -> None:
    assert set(HANDLERS) <= set(BY_OPERATION_ID)


def test_the_table_has_the_specs_22_operations_once_each() -> None:
    assert len(ENDPOINTS) == 22
    assert len({(e.method, e.path) for e in ENDPOINTS}) == 22
    assert len(BY_OPERATION_ID) == 22


def example_path(endpoint: Endpoint[Any, Any]) -> str:
    return endpoint.url_path({parameter.name: "some-id" for parameter in endpoint.path_parameters})


@pytest.mark.parametrize("endpoint", NOT_IMPLEMENTED, ids=lambda e: e.operation_id)
async def test_a_row_without_a_handler_answers_501_with_the_error_body(
    raw: httpx.AsyncClient, endpoint: Endpoint[Any, Any]
) -> None:
    response = await raw.request(endpoint.method, example_path(endpoint), json={})

    assert response.status_code == 501
    assert response.json() == {
        "message": f"the emulator does not implement {endpoint.operation_id} "
        f"({endpoint.method} /api{endpoint.path}) yet"
    }


@pytest.mark.parametrize("endpoint", NOT_IMPLEMENTED[:1], ids=lambda e: e.operation_id)
async def test_the_sdk_raises_501_at_once_without_retrying(
    emulator: Any, endpoint: Endpoint[Any, Any]
) -> None:
    client: AsyncGradient = emulator.client(max_retries=3)

    with pytest.raises(APIStatusError) as raised:
        await client.request(endpoint.method, example_path(endpoint), body={})

    assert raised.value.status_code == 501
    assert "does not implement" in str(raised.value)
