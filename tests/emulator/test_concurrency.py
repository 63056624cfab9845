"""Model work runs off the event loop: completions of one adapter together, its fine-tunes
alone, different adapters at once."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio
import anyio.abc
import anyio.to_thread
import pytest

from gradient_sdk import (
    AsyncGradient,
    AsyncModelAdapter,
    CompleteResponse,
    FineTuneResponse,
    SampleDict,
)

from .conftest import QUESTION, Harness
from .fakes import FakeEngine, Pause

pytestmark = pytest.mark.anyio

#: Long enough for a slow machine, short enough that a deadlock fails quickly.
TIMEOUT = 10


async def two_adapters(client: AsyncGradient) -> tuple[AsyncModelAdapter, AsyncModelAdapter]:
    [base] = await client.list_models(only_base=True)
    first = await base.create_model_adapter(name="first")
    second = await base.create_model_adapter(name="second")
    return first, second


@contextlib.asynccontextmanager
async def fine_tune_in_progress(
    engine: FakeEngine, adapter: AsyncModelAdapter, results: list[FineTuneResponse]
) -> AsyncIterator[anyio.abc.TaskGroup]:
    """Start a fine-tune and hold it inside the engine for the block; let it finish after."""
    pause = engine.fine_tune_pause = Pause()

    async def fine_tune() -> None:
        results.append(await adapter.fine_tune(samples=[{"inputs": "slow"}]))

    with anyio.fail_after(TIMEOUT):
        async with anyio.create_task_group() as group:
            group.start_soon(fine_tune)
            await anyio.to_thread.run_sync(pause.entered.wait)
            try:
                yield group
            finally:
                pause.release.set()


async def test_the_server_answers_while_a_fine_tune_runs(
    fake_engine: FakeEngine, client: AsyncGradient
) -> None:
    adapter, _ = await two_adapters(client)
    results: list[FineTuneResponse] = []

    async with fine_tune_in_progress(fake_engine, adapter, results):
        models = await client.list_models()
        embeddings = await client.list_embeddings_models()
        finished_meanwhile = list(results)

    assert len(models) == 3
    assert embeddings
    assert finished_meanwhile == []
    assert len(results) == 1


async def test_different_adapters_work_in_parallel(
    fake_engine: FakeEngine, client: AsyncGradient
) -> None:
    training, completing = await two_adapters(client)

    async with fine_tune_in_progress(fake_engine, training, []):
        # Serialised across adapters, this would wait for the paused fine-tune until timeout.
        completion = await completing.complete(query="Hi")

    assert completion.generated_output.startswith("steps=0 ")


async def test_a_fine_tune_waits_for_the_completions_under_way(
    fake_engine: FakeEngine, client: AsyncGradient
) -> None:
    adapter, _ = await two_adapters(client)
    completions: list[CompleteResponse] = []

    async def complete() -> None:
        completions.append(await adapter.complete(query="Hi"))

    async with fine_tune_in_progress(fake_engine, adapter, []) as group:
        group.start_soon(complete)
        await anyio.sleep(0.2)
        calls_while_paused = list(fake_engine.calls)

    assert calls_while_paused == ["fine_tune"]  # the completion waited for the lock
    assert completions[0].generated_output.startswith("steps=1 ")  # and saw the new weights


async def wait_for_calls(engine: FakeEngine, count: int) -> None:
    """Until ``count`` engine calls have started (or the test's timeout)."""
    with anyio.fail_after(TIMEOUT):
        while len(engine.calls) < count:  # noqa: ASYNC110 (the engine's threads set no event)
            await anyio.sleep(0.01)


async def test_completions_of_one_adapter_run_together(
    fake_engine: FakeEngine, client: AsyncGradient
) -> None:
    adapter, _ = await two_adapters(client)
    pause = fake_engine.complete_pause = Pause()
    completions: list[CompleteResponse] = []

    async def complete() -> None:
        completions.append(await adapter.complete(query="Hi"))

    async with anyio.create_task_group() as group:
        group.start_soon(complete)
        group.start_soon(complete)
        # Both are inside the engine while the first is still held there.
        await wait_for_calls(fake_engine, 2)
        pause.release.set()

    assert fake_engine.calls == ["complete", "complete"]
    assert len(completions) == 2


async def test_a_waiting_fine_tune_goes_before_later_completions(
    fake_engine: FakeEngine, client: AsyncGradient
) -> None:
    adapter, _ = await two_adapters(client)
    pause = fake_engine.complete_pause = Pause()
    completions: list[CompleteResponse] = []

    async def complete() -> None:
        completions.append(await adapter.complete(query="Hi"))

    async def fine_tune() -> None:
        await adapter.fine_tune(samples=[{"inputs": "new"}])

    async with anyio.create_task_group() as group:
        group.start_soon(complete)
        await wait_for_calls(fake_engine, 1)
        group.start_soon(fine_tune)
        await anyio.sleep(0.1)  # the fine-tune now waits for the first completion
        group.start_soon(complete)
        await anyio.sleep(0.2)
        calls_while_held = list(fake_engine.calls)
        fake_engine.complete_pause = None
        pause.release.set()

    assert calls_while_held == ["complete"]
    assert fake_engine.calls == ["complete", "fine_tune", "complete"]
    assert [c.generated_output.split()[0] for c in completions] == ["steps=0", "steps=1"]


async def test_a_delete_waits_for_the_fine_tune_under_way(
    fake_engine: FakeEngine, client: AsyncGradient
) -> None:
    adapter, _ = await two_adapters(client)
    results: list[FineTuneResponse] = []

    async with fine_tune_in_progress(fake_engine, adapter, results) as group:
        group.start_soon(adapter.delete)
        await anyio.sleep(0.1)

    assert len(results) == 1
    assert adapter.id not in [model.id for model in await client.list_models()]


async def test_the_tiny_model_completes_and_fine_tunes_two_adapters_at_once(
    tiny: Harness,
) -> None:
    client = tiny.client()
    training, completing = await two_adapters(client)
    results: dict[str, object] = {}

    async def fine_tune() -> None:
        sample: SampleDict = {"inputs": QUESTION + "The Dallas Cowboys!"}
        results["fine-tune"] = await training.fine_tune(samples=[sample])

    async def complete() -> None:
        results["complete"] = await completing.complete(
            query=QUESTION, max_generated_token_count=16
        )

    async with anyio.create_task_group() as group:
        group.start_soon(fine_tune)
        group.start_soon(complete)

    assert isinstance(results["fine-tune"], FineTuneResponse)
    assert isinstance(results["complete"], CompleteResponse)
