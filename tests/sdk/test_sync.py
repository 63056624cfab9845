"""The sync client: it works on its own, inside a thread that runs an event loop (a Jupyter
kernel), and on worker threads; and it is generated from the async client, not copied."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from gradient_sdk import CompleteResponse, Gradient
from gradient_sdk._async._backend import sleep as real_async_sleep
from gradient_sdk._sync._backend import sleep as real_sync_sleep

from ._support import (
    ADAPTER_ID,
    ADAPTER_JSON,
    BASE_MODEL_JSON,
    BASE_URL,
    COMPLETION_JSON,
    TOKEN,
    WORKSPACE_ID,
    sent_json,
)

ROOT = Path(__file__).resolve().parents[2]


def complete_once() -> CompleteResponse:
    """A sync client's whole life: list, complete, close."""
    with Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID) as client:
        [_, adapter] = client.list_models()
        return adapter.complete(query="Hi", max_generated_token_count=5)


@pytest.fixture
def api_with_an_adapter(api: respx.MockRouter) -> respx.Route:
    api.get("/models").respond(json={"models": [BASE_MODEL_JSON, ADAPTER_JSON]})
    return api.post(f"/models/{ADAPTER_ID}/complete").respond(json=COMPLETION_JSON)


def test_the_sync_client_completes(api_with_an_adapter):
    completion = complete_once()

    assert completion.generated_output == " The Dallas Cowboys!"
    assert sent_json(api_with_an_adapter)["maxGeneratedTokenCount"] == 5


def test_the_sync_client_works_inside_a_running_event_loop(api_with_an_adapter):
    async def notebook_cell() -> CompleteResponse:
        # A Jupyter cell runs in the kernel's event loop thread and calls the sync client.
        asyncio.get_running_loop()
        return complete_once()

    completion = asyncio.run(notebook_cell())

    assert completion.finish_reason == "length"
    assert api_with_an_adapter.call_count == 1


def test_the_sync_client_embeds_in_batches_inside_a_running_event_loop(api):
    api.get("/embeddings").respond(json={"embeddingsModels": [{"slug": "bge-large"}]})
    route = api.post("/embeddings/bge-large").mock(
        side_effect=lambda request: httpx.Response(
            200, json={"embeddings": [{"embedding": [0.0], "index": i} for i in range(256)]}
        )
    )

    async def notebook_cell() -> int:
        with Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID) as client:
            model = client.get_embeddings_model(slug="bge-large")
            return len(model.embed(inputs=["text"] * 512).embeddings)

    assert asyncio.run(notebook_cell()) == 512
    assert route.call_count == 2


def test_the_sync_client_works_from_worker_threads(api_with_an_adapter):
    with ThreadPoolExecutor(max_workers=4) as pool:
        completions = list(pool.map(lambda _: complete_once(), range(4)))

    assert {completion.generated_output for completion in completions} == {" The Dallas Cowboys!"}
    assert api_with_an_adapter.call_count == 4


def test_one_sync_client_is_shared_by_worker_threads(api_with_an_adapter):
    with Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID) as client:
        [_, adapter] = client.list_models()
        with ThreadPoolExecutor(max_workers=4) as pool:
            outputs = list(pool.map(lambda n: adapter.complete(query=f"q{n}"), range(8)))

    assert len(outputs) == 8
    queries = sorted(
        json.loads(call.request.content)["query"] for call in api_with_an_adapter.calls
    )
    assert queries == [f"q{n}" for n in range(8)]


def test_the_sync_client_reaches_the_configured_host(monkeypatch):
    monkeypatch.setenv("GRADIENT_API_URL", "http://localhost:8787/api")
    with respx.mock(base_url="http://localhost:8787/api") as local:
        route = local.get("/embeddings").respond(json={"embeddingsModels": []})
        with Gradient(access_token=TOKEN, workspace_id=WORKSPACE_ID) as client:
            client.list_embeddings_models()

    assert route.called
    assert BASE_URL not in str(route.calls.last.request.url)


def test_the_generated_sync_code_is_up_to_date():
    result = subprocess.run(
        [sys.executable, "scripts/unasync.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sync_backend_really_sleeps():
    started = time.perf_counter()

    real_sync_sleep(0.02)

    assert time.perf_counter() - started >= 0.015


@pytest.mark.anyio
async def test_the_async_backend_really_sleeps():
    started = time.perf_counter()

    await real_async_sleep(0.02)

    assert time.perf_counter() - started >= 0.015


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("unasync_under_test", ROOT / "scripts/unasync.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_check(generator: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["unasync.py", "--check"])
    status = generator.main()
    return status, capsys.readouterr().out


def test_the_generator_check_fails_on_a_sync_file_without_a_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    generator = load_generator()
    target = tmp_path / "_sync"
    shutil.copytree(generator.TARGET, target)
    (target / "removed_module.py").write_text("# left over\n")
    monkeypatch.setattr(generator, "TARGET", target)

    status, output = run_check(generator, monkeypatch, capsys)

    assert status == 1
    assert "nothing generates" in output
    assert "removed_module.py" in output


def test_the_generator_check_fails_on_a_rule_that_matches_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    generator = load_generator()
    rules = [*generator.SUBSTITUTIONS, (re.compile(r"\bno_such_token\b"), "x")]
    monkeypatch.setattr(generator, "SUBSTITUTIONS", rules)

    status, output = run_check(generator, monkeypatch, capsys)

    assert status == 1
    assert "match nothing" in output
    assert "no_such_token" in output
