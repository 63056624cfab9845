"""GradientLLM as LangChain uses it: our own suite, since langchain-tests has none for LLMs.

Modelled on langchain-ollama's LLM tests and the old generic LLM checks. The calls run
against the in-process emulator (the tiny model); what needs a known output (stop, cache,
callbacks, concurrency) runs against the mocked API.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import respx
from _langchain_support import (
    COMPLETE_PATH,
    CREDENTIALS,
    MODEL_ID,
    OTHER_MODEL_ID,
    EmulatorClients,
    completion,
)
from langchain_core.caches import InMemoryCache
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import GenerationChunk, LLMResult
from langchain_core.runnables import RunnableConfig

from gradient_sdk import NotFoundError
from gradient_sdk.langchain import GradientLLM

pytestmark = pytest.mark.anyio

CONFIG = RunnableConfig(tags=["gradient-test"])


def make_llm(**overrides: Any) -> GradientLLM:
    return GradientLLM(**{"model": MODEL_ID, **CREDENTIALS, "max_retries": 0, **overrides})


class TestGradientLLMOnTheEmulator:
    """The calls every LLM integration should answer, against the emulator."""

    @pytest.fixture
    def llm(self, emulator: EmulatorClients) -> Iterator[GradientLLM]:
        with emulator.sdk_client() as client:
            [base] = client.list_models(only_base=True)
        with GradientLLM(
            model=base.id, model_kwargs={"max_generated_token_count": 4}, **emulator.settings
        ) as llm:
            yield llm

    def test_llm_type(self, llm: GradientLLM) -> None:
        assert llm._llm_type == "gradient"

    def test_invoke(self, llm: GradientLLM) -> None:
        assert isinstance(llm.invoke("I'm Pickle Rick", config=CONFIG), str)

    async def test_ainvoke(self, llm: GradientLLM) -> None:
        assert isinstance(await llm.ainvoke("I'm Pickle Rick", config=CONFIG), str)

    def test_batch(self, llm: GradientLLM) -> None:
        result = llm.batch(["I'm Pickle Rick", "I'm not Pickle Rick"])

        assert len(result) == 2
        assert all(isinstance(token, str) for token in result)

    async def test_abatch(self, llm: GradientLLM) -> None:
        result = await llm.abatch(["I'm Pickle Rick", "I'm not Pickle Rick"])

        assert len(result) == 2
        assert all(isinstance(token, str) for token in result)

    async def test_abatch_tags(self, llm: GradientLLM) -> None:
        result = await llm.abatch(["I'm Pickle Rick", "I'm not Pickle Rick"], config=CONFIG)

        assert all(isinstance(token, str) for token in result)

    def test_batch_with_max_concurrency(self, llm: GradientLLM) -> None:
        prompts = ["one", "two", "three"]

        result = llm.batch(prompts, config=RunnableConfig(max_concurrency=2))

        assert len(result) == 3

    def test_stream(self, llm: GradientLLM) -> None:
        chunks = list(llm.stream("I'm Pickle Rick"))

        assert len(chunks) == 1
        assert isinstance(chunks[0], str)

    async def test_astream(self, llm: GradientLLM) -> None:
        chunks = [chunk async for chunk in llm.astream("I'm Pickle Rick")]

        assert len(chunks) == 1
        assert isinstance(chunks[0], str)

    def test__stream(self, llm: GradientLLM) -> None:
        chunks = list(llm._stream("I'm Pickle Rick"))

        assert [type(chunk) for chunk in chunks] == [GenerationChunk]
        assert chunks[0].generation_info is not None
        assert chunks[0].generation_info["finish_reason"] in {"length", "stop"}

    async def test__astream(self, llm: GradientLLM) -> None:
        chunks = [chunk async for chunk in llm._astream("I'm Pickle Rick")]

        assert [type(chunk) for chunk in chunks] == [GenerationChunk]

    def test_generate_gives_one_generation_per_prompt(self, llm: GradientLLM) -> None:
        result = llm.generate(["a", "b", "c"])

        assert isinstance(result, LLMResult)
        assert [len(generations) for generations in result.generations] == [1, 1, 1]

    async def test_agenerate_gives_one_generation_per_prompt(self, llm: GradientLLM) -> None:
        result = await llm.agenerate(["a", "b", "c"])

        assert [len(generations) for generations in result.generations] == [1, 1, 1]


class Recorder(BaseCallbackHandler):
    """Records the LLM callbacks LangChain fires."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], **kwargs: Any) -> None:
        self.events.append(("start", prompts))

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.events.append(("token", token))

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.events.append(("end", response.generations[0][0].text))

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.events.append(("error", type(error).__name__))


def test_invoke_fires_start_and_end(api: respx.MockRouter) -> None:
    api.post(COMPLETE_PATH).mock(return_value=completion("Hello. World"))
    recorder = Recorder()

    make_llm().invoke("Hi", stop=["."], config={"callbacks": [recorder]})

    assert recorder.events == [("start", ["Hi"]), ("end", "Hello")]


def test_stream_fires_one_new_token(api: respx.MockRouter) -> None:
    api.post(COMPLETE_PATH).mock(return_value=completion("Hello. World"))
    recorder = Recorder()

    chunks = list(make_llm().stream("Hi", stop=["."], config={"callbacks": [recorder]}))

    assert chunks == ["Hello"]
    assert recorder.events == [("start", ["Hi"]), ("token", "Hello"), ("end", "Hello")]


async def test_astream_fires_one_new_token(api: respx.MockRouter) -> None:
    api.post(COMPLETE_PATH).mock(return_value=completion("Hello"))
    recorder = Recorder()

    chunks = [chunk async for chunk in make_llm().astream("Hi", config={"callbacks": [recorder]})]

    assert chunks == ["Hello"]
    assert recorder.events == [("start", ["Hi"]), ("token", "Hello"), ("end", "Hello")]


async def test_a_failure_fires_on_llm_error(api: respx.MockRouter) -> None:
    api.post(COMPLETE_PATH).mock(return_value=httpx.Response(401, json={"message": "no"}))
    recorder = Recorder()

    with pytest.raises(Exception, match="401"):
        await make_llm().ainvoke("Hi", config={"callbacks": [recorder]})

    assert recorder.events == [("start", ["Hi"]), ("error", "AuthenticationError")]


def test_the_cache_tells_models_apart(api: respx.MockRouter) -> None:
    first = api.post(COMPLETE_PATH).mock(return_value=completion("from the adapter"))
    second = api.post(f"/models/{OTHER_MODEL_ID}/complete").mock(
        return_value=completion("from the base model")
    )
    cache = InMemoryCache()
    adapter = make_llm(cache=cache)
    base = make_llm(model=OTHER_MODEL_ID, cache=cache)

    answers = [adapter.invoke("Hi"), adapter.invoke("Hi"), base.invoke("Hi")]

    assert answers == ["from the adapter", "from the adapter", "from the base model"]
    assert (first.call_count, second.call_count) == (1, 1)


def test_identifying_params_name_the_model() -> None:
    llm = make_llm(model_kwargs={"temperature": 0.5})

    assert llm._identifying_params == {
        "model_id": MODEL_ID,
        "gradient_api_url": "https://api.gradient.ai/api",
        "model_kwargs": {"temperature": 0.5},
    }


def test_ls_params_name_the_model_and_its_limits() -> None:
    llm = make_llm(model_kwargs={"max_generated_token_count": 128, "temperature": 0.5})

    assert llm._get_ls_params() == {
        "ls_provider": "gradient",
        "ls_model_type": "llm",
        "ls_model_name": MODEL_ID,
        "ls_max_tokens": 128,
        "ls_temperature": 0.5,
    }
    assert llm._get_ls_params(stop=["\n"], max_tokens=7, temperature=0.1) == {
        "ls_provider": "gradient",
        "ls_model_type": "llm",
        "ls_model_name": MODEL_ID,
        "ls_max_tokens": 7,
        "ls_temperature": 0.1,
        "ls_stop": ["\n"],
    }


def query_of(request: httpx.Request) -> str:
    query: str = json.loads(request.content)["query"]
    return query


def answer_with_the_query(delays: dict[str, float]) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        query = query_of(request)
        time.sleep(delays.get(query, 0))
        return completion(f"answer to {query}")

    return answer


def test_batch_answers_in_input_order(api: respx.MockRouter) -> None:
    # The first prompt is answered last.
    api.post(COMPLETE_PATH).mock(side_effect=answer_with_the_query({"a": 0.05, "b": 0.02}))

    assert make_llm().batch(["a", "b", "c"]) == ["answer to a", "answer to b", "answer to c"]


def test_generate_without_a_run_manager_answers_in_input_order(api: respx.MockRouter) -> None:
    api.post(COMPLETE_PATH).mock(side_effect=answer_with_the_query({"Say foo:": 0.03}))

    result = make_llm()._generate(["Say foo:", "Say baz:", "Say foo again"])

    assert [generations[0].text for generations in result.generations] == [
        "answer to Say foo:",
        "answer to Say baz:",
        "answer to Say foo again",
    ]


class InFlight:
    """Answers completions slowly, counting how many it answers at once."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self._lock = threading.Lock()

    def _enter(self) -> None:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def _leave(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.now -= 1
        return completion(f"answer to {query_of(request)}")

    def answer(self, request: httpx.Request) -> httpx.Response:
        self._enter()
        time.sleep(0.02)
        return self._leave(request)

    async def answer_async(self, request: httpx.Request) -> httpx.Response:
        self._enter()
        await anyio.sleep(0.01)
        return self._leave(request)


def test_batch_runs_a_bounded_number_of_completions_at_once(api: respx.MockRouter) -> None:
    server = InFlight()
    api.post(COMPLETE_PATH).mock(side_effect=server.answer)
    prompts = [str(n) for n in range(10)]

    result = make_llm(max_concurrent_requests=3).batch(prompts)

    assert result == [f"answer to {prompt}" for prompt in prompts]
    assert server.most == 3


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_agenerate_runs_concurrently_within_the_bound(api: respx.MockRouter) -> None:
    server = InFlight()
    api.post(COMPLETE_PATH).mock(side_effect=server.answer_async)
    prompts = [str(n) for n in range(10)]

    # _agenerate is ours alone, so it runs on trio too; abatch goes through LangChain.
    result = await make_llm(max_concurrent_requests=3)._agenerate(prompts)

    assert [generations[0].text for generations in result.generations] == [
        f"answer to {prompt}" for prompt in prompts
    ]
    assert server.most == 3


async def test_abatch_is_concurrent_and_bounded(api: respx.MockRouter) -> None:
    server = InFlight()
    api.post(COMPLETE_PATH).mock(side_effect=server.answer_async)
    prompts = [str(n) for n in range(12)]

    result = await make_llm(max_concurrent_requests=4).abatch(prompts)

    assert result == [f"answer to {prompt}" for prompt in prompts]
    assert server.most == 4


async def test_abatch_honours_max_concurrency_of_the_config(api: respx.MockRouter) -> None:
    server = InFlight()
    api.post(COMPLETE_PATH).mock(side_effect=server.answer_async)

    await make_llm().abatch([str(n) for n in range(6)], config=RunnableConfig(max_concurrency=2))

    assert server.most == 2


async def test_one_failure_fails_the_batch_with_its_typed_error(api: respx.MockRouter) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if query_of(request) == "b":
            return httpx.Response(404, json={"message": "gone"})
        return completion("ok")

    api.post(COMPLETE_PATH).mock(side_effect=answer)

    with pytest.raises(NotFoundError):
        await make_llm()._agenerate(["a", "b", "c"])
    with pytest.raises(NotFoundError):
        make_llm()._generate(["a", "b", "c"])
