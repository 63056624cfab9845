"""The SDK clients behind GradientLLM and GradientEmbeddings: pooled, reused, closed."""

from __future__ import annotations

import asyncio
import copy
import gc
import pickle
import warnings
from typing import Any

import httpx
import pytest
import respx
from _langchain_support import COMPLETE_PATH, CREDENTIALS, MODEL_ID, completion

from gradient_sdk.langchain import GradientEmbeddings, GradientLLM

pytestmark = pytest.mark.anyio


def make_llm(**overrides: Any) -> GradientLLM:
    return GradientLLM(**{"model": MODEL_ID, **CREDENTIALS, "max_retries": 0, **overrides})


@pytest.fixture
def answering(api: respx.MockRouter) -> respx.Route:
    return api.post(COMPLETE_PATH).mock(return_value=completion("ok"))


def test_every_sync_call_shares_one_client(answering: respx.Route) -> None:
    llm = make_llm()

    llm.invoke("a")
    client = llm._sync_client()
    llm.batch(["b", "c"])

    assert llm._sync_client() is client
    assert answering.call_count == 3


async def test_every_async_call_in_a_loop_shares_one_client(answering: respx.Route) -> None:
    llm = make_llm()

    await llm.ainvoke("a")
    client = await llm._async_client()
    await llm.abatch(["b", "c"])

    assert await llm._async_client() is client


def test_each_event_loop_gets_its_own_async_client(answering: respx.Route) -> None:
    llm = make_llm()

    async def use() -> Any:
        await llm.ainvoke("a")
        return await llm._async_client()

    first = asyncio.run(use())
    second = asyncio.run(use())

    assert first is not second
    assert answering.call_count == 2


def test_close_closes_the_connection_pool_and_the_next_call_opens_another(
    answering: respx.Route,
) -> None:
    llm = make_llm()
    llm.invoke("a")
    client = llm._sync_client()

    llm.close()
    llm.invoke("b")

    assert client.is_closed
    assert llm._sync_client() is not client


def test_a_with_block_closes_the_llm(answering: respx.Route) -> None:
    with make_llm() as llm:
        llm.invoke("a")
        client = llm._sync_client()

    assert client.is_closed


async def test_an_async_with_block_closes_both_clients(answering: respx.Route) -> None:
    async with make_llm() as llm:
        await llm.ainvoke("a")
        llm.invoke("b")
        async_client = await llm._async_client()
        sync_client = llm._sync_client()

    assert async_client.is_closed
    assert sync_client.is_closed


async def test_embeddings_close_like_the_llm(api: respx.MockRouter) -> None:
    api.post("/embeddings/bge-large").mock(
        return_value=httpx.Response(200, json={"embeddings": [{"embedding": [1.0], "index": 0}]})
    )

    async with GradientEmbeddings(model="bge-large", **CREDENTIALS) as embeddings:
        await embeddings.aembed_query("q")
        embeddings.embed_query("q")
        async_client = await embeddings._async_client()
        sync_client = embeddings._sync_client()

    assert async_client.is_closed
    assert sync_client.is_closed


def test_garbage_collection_closes_the_sync_client_without_warnings(
    answering: respx.Route,
) -> None:
    llm = make_llm()
    llm.invoke("a")
    client = llm._sync_client()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        del llm
        gc.collect()

    assert client.is_closed


def test_a_client_handed_in_stays_open(answering: respx.Route) -> None:
    with httpx.Client() as http_client:
        with make_llm(http_client=http_client) as llm:
            assert llm.invoke("a") == "ok"

        assert not http_client.is_closed


def test_changed_credentials_take_effect_on_the_next_call(answering: respx.Route) -> None:
    llm = make_llm()
    llm.invoke("a")

    llm.gradient_access_token = "a_rotated_token_000001"
    llm.invoke("b")

    assert answering.calls[0].request.headers["authorization"].endswith("_123456")
    assert answering.calls[1].request.headers["authorization"] == "Bearer a_rotated_token_000001"


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda llm: pickle.loads(pickle.dumps(llm))])
def test_a_deep_copy_opens_its_own_connections(answering: respx.Route, duplicate: Any) -> None:
    llm = make_llm()
    llm.invoke("a")

    twin = duplicate(llm)
    twin.invoke("b")

    assert twin._sync_client() is not llm._sync_client()
    assert answering.call_count == 2


def test_a_shallow_copy_shares_the_connections(answering: respx.Route) -> None:
    llm = make_llm()
    llm.invoke("a")

    twin = copy.copy(llm)
    twin.invoke("b")

    assert twin._sync_client() is llm._sync_client()


async def test_an_async_with_block_closes_a_sync_only_llm(answering: respx.Route) -> None:
    async with make_llm() as llm:
        llm.invoke("a")
        client = llm._sync_client()

    assert client.is_closed


async def test_changed_settings_replace_the_async_client_of_this_loop(
    answering: respx.Route,
) -> None:
    llm = make_llm()
    await llm.ainvoke("a")
    first = await llm._async_client()

    llm.max_retries = 1
    await llm.ainvoke("b")

    assert first.is_closed
    assert await llm._async_client() is not first
