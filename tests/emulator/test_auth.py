"""Who may do what: the bearer token, the workspace header, and workspace isolation."""

from __future__ import annotations

import logging

import pytest

from gradient_sdk import (
    AsyncGradient,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
)
from gradient_sdk.emulator import Emulator

from .conftest import OTHER_TOKEN, OTHER_WORKSPACE_ID, TOKEN, WORKSPACE_ID, Harness

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer ", "Basic " + TOKEN, TOKEN, "Bearer wrong"]
)
async def test_requests_without_the_right_token_get_401(
    emulator: Harness, authorization: str | None
) -> None:
    raw = emulator.raw(access_token=None)
    headers = {} if authorization is None else {"Authorization": authorization}

    response = await raw.get("/models", headers=headers)

    assert response.status_code == 401
    assert list(response.json()) == ["message"]


async def test_a_401_on_complete_carries_a_type(emulator: Harness) -> None:
    raw = emulator.raw(access_token="wrong")

    response = await raw.post("/models/x/complete", json={"query": "Hi"})

    assert response.status_code == 401
    assert response.json() == {"message": "the access token is not valid", "type": "failed"}


async def test_the_sdk_raises_authentication_error(emulator: Harness) -> None:
    client = emulator.client(access_token="not-the-token")

    with pytest.raises(AuthenticationError):
        await client.list_models()


async def test_a_missing_workspace_header_is_a_400(emulator: Harness) -> None:
    raw = emulator.raw(workspace_id=None)

    response = await raw.get("/models")

    assert response.status_code == 400
    assert response.json() == {"message": "the x-gradient-workspace-id header is required"}


async def test_a_workspace_the_token_does_not_own_is_a_403(emulator: Harness) -> None:
    client = emulator.client(workspace_id=OTHER_WORKSPACE_ID)

    with pytest.raises(PermissionDeniedError) as raised:
        await client.list_models()

    assert raised.value.body == {
        "message": f"the access token may not act in workspace {OTHER_WORKSPACE_ID!r}"
    }


async def test_one_token_may_own_several_workspaces(emulator: Harness) -> None:
    settings = Emulator(access_token="t", workspace_id="w1", other_workspaces={"t": ("w2", "w3")})

    assert settings.workspaces_of("t") == frozenset({"w1", "w2", "w3"})
    assert settings.workspaces_of("u") is None


async def test_the_openapi_document_needs_no_token(emulator: Harness) -> None:
    raw = emulator.raw(access_token=None, workspace_id=None)

    response = await raw.get("http://emulator.invalid/openapi.json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")


class TestIsolation:
    """A second workspace sees the base model but none of the first one's adapters."""

    @pytest.fixture
    async def adapter_id(self, client: AsyncGradient) -> str:
        [base] = await client.list_models(only_base=True)
        return (await base.create_model_adapter(name="mine")).id

    @pytest.fixture
    def other(self, emulator: Harness) -> AsyncGradient:
        return emulator.client(access_token=OTHER_TOKEN, workspace_id=OTHER_WORKSPACE_ID)

    async def test_the_adapter_is_not_listed(self, other: AsyncGradient, adapter_id: str) -> None:
        models = await other.list_models()

        assert [model.info.type for model in models] == ["baseModel"]

    async def test_the_adapter_cannot_be_described(
        self, other: AsyncGradient, adapter_id: str
    ) -> None:
        with pytest.raises(NotFoundError):
            await other.get_model_adapter(model_adapter_id=adapter_id)

    async def test_the_adapter_cannot_be_used_or_deleted(
        self, other: AsyncGradient, client: AsyncGradient, adapter_id: str
    ) -> None:
        calls = [
            other.models.complete(model_id=adapter_id, query="Hi"),
            other.models.fine_tune(model_adapter_id=adapter_id, samples=[{"inputs": "x"}]),
            other.models.delete_model_adapter(model_adapter_id=adapter_id),
        ]
        for call in calls:
            with pytest.raises(NotFoundError) as raised:
                await call
            assert "in this workspace" in str(raised.value.body)

        still_there = await client.get_model_adapter(model_adapter_id=adapter_id)
        assert still_there.id == adapter_id

    async def test_both_workspaces_share_the_base_model(
        self, other: AsyncGradient, client: AsyncGradient
    ) -> None:
        [mine] = await client.list_models(only_base=True)
        [theirs] = await other.list_models(only_base=True)

        assert mine.id == theirs.id


async def test_the_token_never_reaches_the_log(
    emulator: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = emulator.client()
    [base] = await client.list_models(only_base=True)
    adapter = await base.create_model_adapter(name="logged")
    await adapter.fine_tune(samples=[{"inputs": "x"}])
    await adapter.delete()
    await emulator.raw(access_token=TOKEN + "x").get("/models")
    await emulator.raw(workspace_id=OTHER_WORKSPACE_ID).get("/models")

    assert WORKSPACE_ID in caplog.text  # the log does speak of the request
    assert TOKEN not in caplog.text
