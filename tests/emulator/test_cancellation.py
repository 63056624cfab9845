"""Work nobody waits for stops: a completion or fine-tune whose in-process caller is
cancelled or times out, or whose HTTP client disconnects, is told to stop, frees the
adapter's lock, and a fine-tune stopped before its commit leaves the adapter as it was.
Each request's start and end are logged."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from gradient_sdk import APITimeoutError
from gradient_sdk.emulator import serve, serve_http
from gradient_sdk.emulator.engines import (
    FineTuneResult,
    LoadedAdapter,
    StopSignal,
    TextEngine,
    TrainingExample,
)

from .conftest import make_settings, run_emulator
from .fakes import FakeEngine, Pause

pytestmark = pytest.mark.anyio

#: Far longer than stopping takes; only reached when the work was not stopped.
STOP_WAIT = 10


def wait_for(event: threading.Event) -> bool:
    return event.wait(timeout=STOP_WAIT)


async def test_serve_applies_the_clients_timeout_and_the_engine_stops(
    fake_engine: FakeEngine, data_dir: Path
) -> None:
    pause = fake_engine.complete_pause = Pause()
    settings = make_settings(data_dir, fake_engine)

    async with serve(settings, timeout=0.5, max_retries=0) as client:
        [base] = await client.list_models(only_base=True)
        with pytest.raises(APITimeoutError, match=r"deadline of 1\.5 s"):
            await base.complete(query="Hi")

    assert wait_for(pause.stopped)
    assert not pause.release.is_set()  # it stopped on its own, nobody released it


async def test_a_cancelled_caller_stops_the_completion_and_frees_the_adapter(
    fake_engine: FakeEngine, data_dir: Path
) -> None:
    async with run_emulator(make_settings(data_dir, fake_engine)) as harness:
        client = harness.client()
        [base] = await client.list_models(only_base=True)
        adapter = await base.create_model_adapter(name="a")
        pause = fake_engine.complete_pause = Pause()

        with anyio.move_on_after(0.2) as scope:
            await adapter.complete(query="Hi")
        assert scope.cancelled_caught
        assert wait_for(pause.stopped)

        fake_engine.complete_pause = None
        with anyio.fail_after(STOP_WAIT):  # the adapter's lock is free again
            answer = await adapter.complete(query="Hi")
    assert answer.generated_output.startswith("steps=0")


class StopsBeforeCommit:
    """The tiny engine, trained for real, then held before the service commits the weights,
    until the caller is cancelled."""

    def __init__(self, inner: TextEngine) -> None:
        self._inner = inner
        self.name = inner.name
        self.context_window = inner.context_window
        self.pause = Pause()

    def fine_tune(
        self,
        adapter: LoadedAdapter,
        examples: Sequence[TrainingExample],
        stop: StopSignal | None = None,
    ) -> FineTuneResult:
        result = self._inner.fine_tune(adapter, examples, stop=stop)  # trained in memory
        self.pause.hold(stop)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_a_fine_tune_stopped_before_its_commit_leaves_the_adapter_as_it_was(
    tiny_engine: TextEngine, data_dir: Path
) -> None:
    engine = StopsBeforeCommit(tiny_engine)
    async with run_emulator(make_settings(data_dir, engine)) as harness:
        client = harness.client()
        [base] = await client.list_models(only_base=True)
        adapter = await base.create_model_adapter(name="a")
        prompt = {"query": "Who won?", "max_generated_token_count": 12}
        before = (await adapter.complete(**prompt)).generated_output
        described = await client.get_model_adapter(model_adapter_id=adapter.id)

        async with anyio.create_task_group() as group:
            sample = {"inputs": "Who won? The Dallas Cowboys!" * 3}
            group.start_soon(partial(adapter.fine_tune, samples=[sample]))
            # Trained in memory, not yet committed: now the caller goes.
            assert await anyio.to_thread.run_sync(wait_for, engine.pause.entered)
            group.cancel_scope.cancel()
        assert wait_for(engine.pause.stopped)

        after = (await adapter.complete(**prompt)).generated_output
        again = await client.get_model_adapter(model_adapter_id=adapter.id)

    assert after == before  # the weights trained in memory were dropped, not committed
    assert again.info.latest_update_time == described.info.latest_update_time


async def test_a_client_that_disconnects_stops_the_work_and_the_drop_is_logged(
    fake_engine: FakeEngine, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gradient_sdk.emulator")
    pause = fake_engine.complete_pause = Pause()
    settings = make_settings(data_dir, fake_engine)
    with serve_http(settings) as server:
        base_id = (await server.async_client().list_models(only_base=True))[0].id
        async with httpx.AsyncClient(
            base_url=server.url,
            headers={
                "Authorization": f"Bearer {settings.access_token}",
                "x-gradient-workspace-id": settings.workspace_id,
            },
        ) as raw:
            with anyio.move_on_after(0.5):  # the client gives up and closes its connection
                await raw.post(f"/models/{base_id}/complete", json={"query": "Hi"})
        assert wait_for(pause.stopped)
        pause.release.set()

        with anyio.fail_after(STOP_WAIT):
            # The log is the thing observed here; nothing else signals that line.
            while "dropped POST" not in caplog.text:  # noqa: ASYNC110
                await anyio.sleep(0.05)

    assert f"started POST /api/models/{base_id}/complete" in caplog.text
    assert "the client disconnected" in caplog.text


async def test_each_request_is_logged_with_its_status_duration_and_tokens(
    fake_engine: FakeEngine, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gradient_sdk.emulator")
    async with run_emulator(make_settings(data_dir, fake_engine)) as harness:
        client = harness.client()
        [base] = await client.list_models(only_base=True)
        await base.complete(query="Hi")
        await harness.raw().get("/models/no-such-model")

    lines = [record.getMessage() for record in caplog.records]
    assert "started GET /api/models?capability=any&onlyBase=True" in lines
    assert any(
        line.startswith("answered GET /api/models?capability=any&onlyBase=True: 200 in ")
        for line in lines
    )
    assert any(
        line.startswith(f"answered POST /api/models/{base.id}/complete: 200") for line in lines
    )
    assert any(line.startswith("answered GET /api/models/no-such-model: 404") for line in lines)
    assert any("completed with" in line and "4 new token(s)" in line for line in lines)
